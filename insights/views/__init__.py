"""Insights views, one module per part: ``pages`` (overview, detail, CSV, PDF) and the
feedback / outside-contact views beside it."""

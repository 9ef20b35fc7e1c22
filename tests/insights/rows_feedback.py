"""Insights routes for the access matrix (see access_rows.py)."""

from __future__ import annotations

from tests.access import Row

ROWS: list[Row] = []

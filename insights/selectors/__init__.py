"""Every read of the insights app, one module per noun, re-exported here."""

from __future__ import annotations

from __future__ import annotations

# The booking fixtures (a frozen Monday, lawyers with working weeks, a private cache).
from tests.scheduling.conftest import _private_cache, frozen, lawyers

__all__ = ["_private_cache", "frozen", "lawyers"]

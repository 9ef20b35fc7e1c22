"""The route-by-role access matrix (SECURITY.md, ASVS 8.2).

Each app lists its routes in tests/<app>/access_rows.py as ROWS. Every named URL of the
project must have a row; tests/test_access_matrix.py probes each route with each role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "client_a",
    "client_b",
    "staff_on",
    "staff_off",
    "admin",
    "cocounsel",
    "cocounsel_expired",
)

LOGIN = 302  # anonymous users are sent to the sign-in page


@dataclass(frozen=True)
class Row:
    name: str
    expect: dict[str, int]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    # Text that must not appear in a refused response (no byte of the object).
    secret: Callable[[Any], str] | None = None
    # Extra setup on the world before the request (e.g. create a document); returns nothing.
    setup: Callable[[Any], None] | None = None
    query: str = ""

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.name}: no expectation for {sorted(missing)}")


def same(code: int, **overrides: int) -> dict[str, int]:
    result = dict.fromkeys(ROLES, code)
    result.update(overrides)
    return result


# Matter-scoped pages: who may see matter A.
MATTER_A_READERS = {
    "anonymous": LOGIN,
    "client_a": 200,
    "client_b": 404,
    "staff_on": 200,
    "staff_off": 404,
    "admin": 200,
    "cocounsel": 200,
    "cocounsel_expired": 404,
}
# Staff-only pages about matter A.
MATTER_A_STAFF = {
    "anonymous": LOGIN,
    "client_a": 404,
    "client_b": 404,
    "staff_on": 200,
    "staff_off": 404,
    "admin": 200,
    "cocounsel": 404,
    "cocounsel_expired": 404,
}
# Firm-wide staff pages.
STAFF_ONLY = {
    "anonymous": LOGIN,
    "client_a": 404,
    "client_b": 404,
    "staff_on": 200,
    "staff_off": 200,
    "admin": 200,
    "cocounsel": 404,
    "cocounsel_expired": 404,
}
ANY_SIGNED_IN = same(200, anonymous=LOGIN)
PUBLIC = same(200)

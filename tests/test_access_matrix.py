"""Every route, every role: the answer each one gets, and no byte of what it may not see."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.access import ROLES, Row

# Routes that belong to libraries with their own tested access rules.
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_PREFIXES = ("accounts/", "admin/")


def _all_rows() -> list[Row]:
    rows: list[Row] = []
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            mod = importlib.import_module(f"tests.{module.name}.access_rows")
        except ModuleNotFoundError:
            continue
        rows.extend(mod.ROWS)
    return rows


ROWS = _all_rows()


def _named_routes(resolver: URLResolver | None = None, prefix: str = "",
                  namespace: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(EXEMPT_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                if entry.namespace in EXEMPT_NAMESPACES:
                    continue
                ns = f"{namespace}{entry.namespace}:"
            names |= _named_routes(entry, route, ns)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(f"route {route!r} has no name, so no row can cover it")
            names.add(namespace + entry.name)
    return names


def test_every_route_has_a_row_in_the_matrix() -> None:
    covered = {row.name for row in ROWS}
    missing = _named_routes() - covered
    assert not missing, f"routes without a row in the access matrix: {sorted(missing)}"


def test_no_row_names_a_route_that_does_not_exist() -> None:
    assert {row.name for row in ROWS} <= _named_routes()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method}:{r.name}")
def test_route_answers_each_role_as_the_matrix_says(client: Any, world: Any, row: Row,
                                                    role: str) -> None:
    # given
    if row.setup is not None:
        row.setup(world)
    user = world.users()[role]
    if user is not None:
        client.force_login(user)
    url = reverse(row.name, kwargs=row.kwargs(world)) + (f"?{row.query}" if row.query else "")

    # when
    response = getattr(client, row.method)(url, data=row.data(world))

    # then
    expected = row.expect[role]
    assert response.status_code == expected, (
        f"{role} {row.method.upper()} {url}: {response.status_code}, expected {expected}"
    )
    if expected == 302 and role == "anonymous" and row.expect.get("client_a") != 302:
        assert "/accounts/login/" in response["Location"]
    if expected in (403, 404) and row.secret is not None:
        content = b"".join(response) if response.streaming else response.content
        assert row.secret(world).encode() not in content

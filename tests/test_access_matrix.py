"""Every route, every role: the answer each one gets, and no byte of what it may not see."""

from __future__ import annotations

import copy
import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from portal.models import Firm
from tests.access import ROLES, Row
from tests.conftest import World, build_world, isolated_settings

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


def _named_routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> set[str]:
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


@pytest.fixture(scope="module")
def matrix_root(tmp_path_factory: Any) -> Any:
    """The module's private file root: files a shared setup stores stay readable."""
    return tmp_path_factory.mktemp("matrix")


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: Any, django_db_blocker: Any, matrix_root: Any) -> Iterator[World]:
    """The matrix's world, built once for the ~1,200 cases of this module.

    It lives in a transaction that is rolled back when the module ends. Each case runs in
    a savepoint inside it (pytest-django's per-test atomic), so whatever a case writes is
    rolled back before the next one, and each case gets its own copy of the objects.
    """
    with django_db_blocker.unblock(), override_settings(**isolated_settings(matrix_root)):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cache.clear()
            Firm.objects.get_or_create(pk=1, defaults={"name": "Test Firm"})
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


@pytest.fixture(scope="module")
def set_up_world(request: Any, matrix_world: World, django_db_blocker: Any) -> Iterator[World]:
    """The world after one row's setup, built once for every case whose row has that setup.

    A setup only adds to the world (rows, attributes). It runs in a savepoint of its own
    inside the module's transaction, rolled back when the cases needing it are done:
    pytest runs the cases sharing a setup one after another (the parameter is
    module-scoped), and each case still runs in its own savepoint inside this one.
    """
    setup = request.param
    with django_db_blocker.unblock():
        savepoint = transaction.atomic()
        savepoint.__enter__()
        try:
            world = copy.deepcopy(matrix_world)
            if setup is not None:
                setup(world)
            yield world
        finally:
            transaction.set_rollback(True)
            savepoint.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _matrix_files(settings: Any, matrix_root: Any) -> None:
    """The module's file root for every case (a shared setup's PDFs and uploads live there)."""
    settings.STORAGES = isolated_settings(matrix_root)["STORAGES"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("set_up_world", "row"),
    [(row.setup, row) for row in ROWS],
    ids=[f"{row.method}:{row.name}" for row in ROWS],
    indirect=["set_up_world"],
    scope="module",
)
def test_route_answers_each_role_as_the_matrix_says(
    client: Any, set_up_world: World, db: Any, row: Row, role: str
) -> None:
    # given: the world after the row's setup, a copy of its own (attributes never leak)
    world = copy.deepcopy(set_up_world)
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


@pytest.mark.parametrize(
    ("set_up_world", "step"),
    [(None, "write"), (None, "read")],
    ids=["write", "read"],
    indirect=["set_up_world"],
    scope="module",
)
def test_each_case_starts_from_the_same_world(set_up_world: World, db: Any, step: str) -> None:
    """What one case writes is gone for the next (the savepoint is rolled back), also for
    cases sharing one setup."""
    world = copy.deepcopy(set_up_world)
    from portal.models import Folder
    from portal.services import folder_create

    assert not Folder.objects.exists()
    if step == "write":
        folder_create(actor=world.staff_on, matter=world.matter_a, name="Left behind?")
        world.matter_a.title = "changed in memory"
        assert Folder.objects.count() == 1
    else:
        assert world.matter_a.title == "Matter A"

"""core.postgresql: Django's backend reading timestamptz values with psycopg's C loader."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader, register_tzloader
from django.test import override_settings
from psycopg.pq import Format

from core.postgresql.base import TIMESTAMPTZ_OID, fast_loader
from portal.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Microseconds, both sides of the 2026 DST changes in Warsaw and New York, offsets that
# are not whole hours, the product's date range edges (1900-2200) and the epoch.
VALUES_SQL = """
    SELECT v FROM (VALUES
        ('2026-03-29 00:59:59.999999+00'::timestamptz),
        ('2026-03-29 01:00:00+00'), ('2026-10-25 00:30:00.5+00'), ('2026-10-25 01:30:00+00'),
        ('2026-03-08 02:30:00-05'), ('2026-11-01 01:30:00-04'), ('2026-11-01 01:30:00-05'),
        ('2026-12-02 10:15:00+05:45'), ('2026-06-30 23:59:59.000001-09:30'),
        ('1900-01-01 00:00:00+00'), ('2200-12-31 23:59:59.999999+00'), ('1970-01-01 00:00:00+00'),
        (NULL)
    ) AS t(v)
"""


def loader_of(cursor: Any) -> type:
    loader: type = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    return loader


def test_the_project_runs_on_the_fast_backend() -> None:
    assert settings.DATABASES["default"]["ENGINE"] == "core.postgresql"
    assert settings.IS_POSTGRES
    assert connection.vendor == "postgresql"


def test_cursors_load_timestamptz_with_psycopgs_c_loader_not_djangos() -> None:
    with connection.cursor() as cursor:
        loader = loader_of(cursor)

    assert loader is fast_loader()
    # psycopg-binary's (or psycopg-c's) compiled module, not a Python class.
    assert loader.__module__.endswith("._psycopg")
    assert not issubclass(loader, BaseTzLoader)
    assert connection.connection.info.parameter_status("TimeZone") == "UTC"


def test_values_are_aware_utc_and_equal_to_what_djangos_loader_returns() -> None:
    with connection.cursor() as cursor:
        cursor.execute(VALUES_SQL)
        fast = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own loader
        assert issubclass(loader_of(cursor), BaseTzLoader)
        cursor.execute(VALUES_SQL)
        django = [row[0] for row in cursor.fetchall()]

    assert fast == django
    assert fast[-1] is None
    for ours, theirs in zip(fast[:-1], django[:-1], strict=True):
        assert ours.tzinfo is dt.UTC
        assert ours.tzinfo is theirs.tzinfo
        assert (ours.isoformat(), ours.fold) == (theirs.isoformat(), theirs.fold)
    assert fast[0] == dt.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=dt.UTC)
    assert fast[7] == dt.datetime(2026, 12, 2, 4, 30, tzinfo=dt.UTC)
    assert fast[8] == dt.datetime(2026, 7, 1, 9, 29, 59, 1, tzinfo=dt.UTC)


def test_orm_reads_through_plain_and_server_side_cursors_come_back_as_written(
    world: Any,
) -> None:
    written = dt.datetime(2026, 10, 25, 1, 30, 0, 123456, tzinfo=dt.UTC)
    User.objects.filter(pk=world.admin.pk).update(last_login=written)

    plain = User.objects.filter(pk=world.admin.pk).values_list("last_login", flat=True).get()
    # iterator() reads through a named (server-side) cursor on PostgreSQL.
    streamed = list(
        User.objects.filter(pk=world.admin.pk).values_list("last_login", flat=True).iterator()
    )

    assert plain == written and plain.tzinfo is dt.UTC
    assert streamed == [written] and streamed[0].tzinfo is dt.UTC


def test_without_time_zone_support_cursors_get_djangos_naive_loader_again() -> None:
    connection.ensure_connection()
    with override_settings(USE_TZ=False), connection.cursor() as cursor:
        assert issubclass(loader_of(cursor), BaseTzLoader)
        cursor.execute("SELECT '2026-12-02 10:15:00+00'::timestamptz")
        (value,) = cursor.fetchone()

    assert value == dt.datetime(2026, 12, 2, 10, 15)
    assert value.tzinfo is None
    with connection.cursor() as cursor:
        assert loader_of(cursor) is fast_loader()

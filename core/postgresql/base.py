"""Django's PostgreSQL backend, reading timestamptz values with psycopg's C loader.

Django registers its own timestamptz loader on every connection: a Python subclass of
psycopg's pure-Python ``TimestamptzLoader`` that parses each value in Python and then
sets the connection's time zone on it (psycopg #1273, Django ticket #36960). psycopg's
C loader does the same in C, about 30 times faster (40,000 values: 214 ms -> 7 ms).

Both answer the same thing when the session's time zone is UTC, which Django sets on
every connection when ``USE_TZ`` is on and the database has no ``TIME_ZONE`` of its
own: an aware datetime whose tzinfo is ``datetime.timezone.utc``. Only then is the C
loader used; any other configuration keeps Django's loader. ``ENGINE = "core.postgresql"``
selects this backend (config/settings.py does when DATABASE_URL is PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import get_adapters_template, register_tzloader
from django.utils.asyncio import async_unsafe
from psycopg import adapt, adapters
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID: int = adapters.types["timestamptz"].oid


@lru_cache
def fast_adapters() -> adapt.AdaptersMap:
    """Django's adapters for a UTC connection, with psycopg's own timestamptz loader.

    Registering psycopg's Python class swaps in its C twin when the C extension is
    installed (psycopg-binary or psycopg-c); without it the Python class stays, which
    still skips Django's extra ``replace(tzinfo=...)`` per value.
    """
    context = adapt.AdaptersMap(get_adapters_template(True, dt.UTC))
    context.register_loader(TIMESTAMPTZ_OID, TimestamptzLoader)
    return context


def fast_loader() -> type:
    """The class that loads text timestamptz values on this backend's UTC connections."""
    loader = fast_adapters().get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if loader is None:  # pragma: no cover - registered just above
        raise RuntimeError("no timestamptz loader")
    return loader


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def fast_timestamptz(self) -> bool:
        """True when psycopg's loader gives exactly what Django's would (UTC sessions)."""
        return bool(settings.USE_TZ) and self.timezone_name == "UTC"

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if self.fast_timestamptz:
            params["context"] = fast_adapters()
        return params

    @async_unsafe
    def create_cursor(self, name: str | None = None) -> Any:
        # Django's create_cursor reads a ``timezone`` attribute off the connection's
        # loader (only Django's loader has one) to decide whether to register its loader
        # again on the cursor, so a connection with the fast loader makes its cursors
        # here, as Django does.
        connection = self.connection
        if (
            connection is None
            or connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is not fast_loader()
        ):
            return super().create_cursor(name)
        if not name:
            cursor = connection.cursor()
        elif self.settings_dict["OPTIONS"].get("server_side_binding") is not True:
            # Named cursors bind on the client unless configured otherwise (as Django).
            # django-stubs declare ServerSideCursor without psycopg's cursor arguments.
            server_side: Any = base.ServerSideCursor
            cursor = server_side(
                connection, name=name, scrollable=False, withhold=connection.autocommit
            )
        else:
            cursor = connection.cursor(name, scrollable=False, withhold=connection.autocommit)
        if not self.fast_timestamptz:
            # USE_TZ or the database's TIME_ZONE changed since this connection opened
            # (tests overriding settings): Django's loader for this cursor, as Django does.
            register_tzloader(self.timezone, cursor)
        return cursor

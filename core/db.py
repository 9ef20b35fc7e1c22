"""Database expressions shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, Func


class EpochSeconds(Func):
    """A timestamp column as whole UTC seconds since 1970, computed by the database.

    Hot read paths (free slots) load hundreds of busy ranges per request and the engine
    works on integers: reading integers skips making a datetime per value and converting
    it back, on both engines (SQLite's datetimes are parsed in Python by Django; PostgreSQL
    ones by psycopg's C loader, see core/postgresql/base.py).
    """

    output_field = BigIntegerField()
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores aware datetimes in SQLite as UTC text. '%%%%s' survives the
        # template (%% -> %) and the backend's %s -> ? rewrite (%% -> %) as strftime's '%s'.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', %(expressions)s) AS integer)",
            **extra,
        )


def raw_rows(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a values_list() queryset as the database driver returns them.

    Skips Django's per-value converters and iterator: for hot reads of plain integers
    (EpochSeconds, ids), where they would only cost time. Nothing else may use it.
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())

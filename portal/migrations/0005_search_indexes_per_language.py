"""One full-text index per firm language, so the planner can use the one the query names.

search_for_user builds to_tsvector('<config>', coalesce(text, '')) with the firm's
configuration (english, spanish, russian; simple for Polish, indexed in 0004). PostgreSQL
only; SQLite searches with LIKE.
"""

from __future__ import annotations

from django.db import migrations

CONFIGS = ("english", "spanish", "russian")
TABLES = (("portal_documentversion", "docversion"), ("portal_message", "message"))


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        for table, short in TABLES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS portal_{short}_text_fts_{config} ON {table} "
                f"USING GIN (to_tsvector('{config}'::regconfig, coalesce(text, '')))")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        for _table, short in TABLES:
            schema_editor.execute(f"DROP INDEX IF EXISTS portal_{short}_text_fts_{config}")


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_search_indexes_postgres")]

    operations = [migrations.RunPython(forward, backward)]

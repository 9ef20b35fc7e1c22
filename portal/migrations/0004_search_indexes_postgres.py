"""Full-text search indexes, on PostgreSQL only (SQLite searches with LIKE)."""

from __future__ import annotations

from django.db import migrations

# 'simple' matches every firm language without stemming; see portal/selectors/search.py.
FORWARD = [
    "CREATE INDEX IF NOT EXISTS portal_docversion_text_fts ON portal_documentversion "
    "USING GIN (to_tsvector('simple'::regconfig, coalesce(text, '')))",
    "CREATE INDEX IF NOT EXISTS portal_message_text_fts ON portal_message "
    "USING GIN (to_tsvector('simple'::regconfig, coalesce(text, '')))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS portal_docversion_text_fts",
    "DROP INDEX IF EXISTS portal_message_text_fts",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_documents_messages_tasks")]

    operations = [migrations.RunPython(forward, backward)]

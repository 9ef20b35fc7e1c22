"""The conflict check's PostgreSQL prefilter (spec intake.md §4 "Matching").

``terms`` holds each row's exact-match keys (surname family, salient words, identifiers,
date of birth); existing rows get them here. On PostgreSQL, pg_trgm and two GIN indexes:
a trigram index on ``ascii_key`` (``ascii_key % term``) and one on ``terms``
(``terms ?| array[...]``). SQLite has neither and keeps the in-memory search.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TABLE = "intake_conflictindexentry"
TRIGRAM_INDEX = "intake_conflict_ascii_trgm"
TERMS_INDEX = "intake_conflict_terms_gin"


def fill_terms(apps, schema_editor):
    from intake.conflicts_engine import EntryKeys
    from intake.names import StaleKeysError

    Entry = apps.get_model("intake", "ConflictIndexEntry")
    batch = []
    for entry in Entry.objects.all().iterator(chunk_size=2000):
        try:
            keys = EntryKeys.from_json(entry.display_name, entry.keys, entry.identifiers)
        except StaleKeysError:
            continue  # another algorithm version: conflict_index_rebuild rewrites it
        entry.terms = list(keys.exact_terms)
        batch.append(entry)
        if len(batch) >= 2000:
            Entry.objects.bulk_update(batch, ["terms"])
            batch = []
    if batch:
        Entry.objects.bulk_update(batch, ["terms"])


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON {TABLE} USING gin (ascii_key gin_trgm_ops)"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {TERMS_INDEX} ON {TABLE} USING gin (terms)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {TERMS_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0009_engagement_declined_reason"),
    ]

    operations = [
        TrigramExtension(),  # does nothing on SQLite
        migrations.AddField(
            model_name="conflictindexentry",
            name="terms",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill_terms, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]

"""The conflict check on PostgreSQL: the pg_trgm prefilter finds the candidates through
its GIN indexes, reads and scores only the few that can reach a grade, and loses nothing
the in-memory search (every entry scored) would find: not on the labelled golden file,
not on the colliding test population."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake import conflicts_engine as engine
from intake.models import ConflictIndexEntry
from intake.services import conflicts
from tests.intake.population import population, queries, spread_keys
from tests.intake.test_golden_names import candidate_of, golden, query_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TRIGRAM_INDEX = "intake_conflict_ascii_trgm"
TERMS_INDEX = "intake_conflict_terms_gin"


def _store(candidates: list[engine.Candidate[int]]) -> dict[int, int]:
    """Index rows for these candidates; their refs by row id."""
    rows = [
        conflicts.index_row(
            source=ConflictIndexEntry.Source.CONTACT, keys=c.keys, role=c.role or ""
        )
        for c in candidates
    ]
    created = ConflictIndexEntry.objects.bulk_create(rows, batch_size=1000)
    return {row.pk: c.ref for row, c in zip(created, candidates, strict=True)}


def _settle() -> None:
    """What autovacuum does after a load: statistics, GIN pending entries merged."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_conflictindexentry")
        cursor.execute(f"SELECT gin_clean_pending_list('{TRIGRAM_INDEX}')")
        cursor.execute(f"SELECT gin_clean_pending_list('{TERMS_INDEX}')")


def _hits(queries_: list[engine.Query], refs: dict[int, int]) -> list[list[tuple[Any, ...]]]:
    """Each query's hits through the database path, as (ref, grade, score, reasons)."""
    _by_id, candidates = conflicts.prefilter_candidates(queries_)
    index = engine.MemoryIndex(candidates)
    return [[(refs[h.ref], h.grade, h.score, h.reasons) for h in index.search(q)] for q in queries_]


def test_the_migration_made_the_trigram_and_terms_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            ["intake_conflictindexentry"],
        )
        indexes = dict(cursor.fetchall())
    assert "gin (ascii_key gin_trgm_ops)" in indexes[TRIGRAM_INDEX]
    assert "gin (terms)" in indexes[TERMS_INDEX]


def test_a_check_takes_the_prefilter_path_and_reads_only_rows_that_can_match():
    rng = random.Random(5)
    candidates = [engine.Candidate(n, spread_keys(rng, n), "CLIENT") for n in range(3000)]
    _store(candidates)
    _settle()
    anna = conflicts.Name(name="Anna Kowalska", role="CLIENT")
    query = engine.Query(anna.keys(), "CLIENT")

    sql, params = conflicts.prefilter_queryset([query]).values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(engine.DEFAULT_CONFIG.trigram_similarity)],
        )
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {TRIGRAM_INDEX}" in plan, plan
    assert f"Bitmap Index Scan on {TERMS_INDEX}" in plan, plan
    assert "Seq Scan on intake_conflictindexentry" not in plan, plan

    prefiltered = conflicts.prefilter_queryset([query]).count()
    _by_id, read = conflicts.prefilter_candidates([query])
    assert prefiltered < 3000 / 10  # the trigram neighbours and the namesakes, not the table
    assert len(read) <= prefiltered
    with CaptureQueriesContext(connection) as captured:
        found, size = conflicts.conflict_search([anna])
    assert size == 3000
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # The count, the threshold, the prefilter's light columns, the rows read whole.
    assert len(statements) == 4, [sql[:80] for sql in statements]
    assert all(f.entry.pk in _by_id for f in found)


def test_the_golden_file_grades_the_same_through_the_database():
    pairs = golden()
    refs = _store([candidate_of(p) for p in pairs])
    _settle()
    lines = {p.line: p for p in pairs}
    every = [candidate_of(p) for p in pairs]
    for pair in pairs:
        query = query_of(pair)
        # No recall loss: the prefilter returns every row the full scan grades.
        returned = {
            refs[pk] for pk in conflicts.prefilter_queryset([query]).values_list("pk", flat=True)
        }
        graded = {h.ref for h in engine.score_all(query, every)}
        assert graded <= returned, f"{pair}: lost {[lines[r].candidate for r in graded - returned]}"
        (hits,) = _hits([query], refs)
        assert [(r, g, s, why) for r, g, s, why in hits] == [
            (h.ref, h.grade, h.score, h.reasons) for h in engine.score_all(query, every)
        ], str(pair)
        own = [g.value for r, g, _s, _why in hits if r == pair.line]
        assert own == ([] if pair.expected == "NONE" else [pair.expected]), str(pair)


def test_the_colliding_population_gets_the_hits_of_the_in_memory_search():
    entries = population(1500)
    refs = _store(entries)
    _settle()
    index = engine.MemoryIndex(entries)
    sample = queries(20)
    through_db = _hits(sample, refs)
    total = 0
    for query, got in zip(sample, through_db, strict=True):
        expected = [(h.ref, h.grade, h.score, h.reasons) for h in index.search(query)]
        assert got == expected, query.keys.display_name
        total += len(expected)
    assert total > 100  # the population collides; an empty result would prove nothing


def test_an_identifier_alone_finds_its_row_through_the_terms_index():
    rng = random.Random(9)
    candidates = [engine.Candidate(n, spread_keys(rng, n), "CLIENT") for n in range(500)]
    refs = _store(candidates)
    owner = next(c for c in candidates if c.keys.identifiers.emails)
    email = owner.keys.identifiers.emails[0]
    query = engine.Query(engine.build_entry_keys("Zenon Zenonowicz", emails=[email.upper()]))
    (hits,) = _hits([query], refs)
    assert [(r, h[0].code.value) for r, _g, _s, h in hits] == [(owner.ref, "email_exact")]

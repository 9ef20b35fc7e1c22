"""Searching many entries: the in-memory index and the PostgreSQL prefilter's terms."""

from __future__ import annotations

from functools import cache

import pytest

from intake.conflicts_engine import (
    Candidate,
    Grade,
    MemoryIndex,
    Prescreen,
    Query,
    build_entry_keys,
    prefilter_matches,
    prefilter_terms,
    score_all,
    search,
    trigram_similarity,
)
from tests.intake.population import population, queries


@cache
def indexed() -> tuple[list[Candidate[int]], MemoryIndex[int]]:
    entries = population(2000)
    return entries, MemoryIndex(entries)


def test_the_index_finds_exactly_what_scoring_every_entry_finds():
    entries, index = indexed()
    total = 0
    for query in queries(25):
        every = score_all(query, entries)
        assert index.search(query) == every, query.keys.display_name
        total += len(every)
    assert total > 100  # the population is meant to collide; an empty result proves nothing


def test_the_prescreen_skips_most_entries():
    entries, index = indexed()
    sizes = [len(index.candidate_indexes(q)) for q in queries(20)]
    assert max(sizes) < len(entries) / 3


def test_hits_come_strongest_first_and_can_be_limited():
    entries, index = indexed()
    query = Query(build_entry_keys("Anna Kowalska"), "CLIENT")
    hits = index.search(query)
    ranks = [(h.grade.rank, h.score) for h in hits]
    assert ranks == sorted(ranks, reverse=True)
    serious = index.search(query, min_grade=Grade.REVIEW)
    assert serious == [h for h in hits if h.grade is not Grade.INFO]
    assert search(query, entries, min_grade=Grade.REVIEW) == serious


def test_an_identifier_of_the_population_is_found_whatever_the_name():
    entries, index = indexed()
    owner = next(c for c in entries if c.keys.identifiers.emails and c.keys.identifiers.phones)
    email, phone = owner.keys.identifiers.emails[0], owner.keys.identifiers.phones[0]
    hits = index.search(Query(build_entry_keys("Zenon Zenonowicz", emails=[email.upper()])))
    assert [(h.ref, h.reason) for h in hits] == [(owner.ref, "email_exact")]
    hits = index.search(Query(build_entry_keys("", phones=[phone])))
    assert (owner.ref, "phone_exact") in [(h.ref, h.reason) for h in hits]


def test_prefilter_terms_carry_the_keys_the_database_matches():
    keys = build_entry_keys("Щербаков Алексей", emails=["a@b.pl"], birth_dates=["1980-01-02"])
    terms = prefilter_terms(Query(keys))
    assert keys.ascii_key in terms.trigram_terms
    assert "aleksiej szczerbakow" in terms.trigram_terms  # a Latin row's ascii key
    assert terms.family_keys == keys.family_keys
    assert terms.identifier_keys == ("email:a@b.pl",)
    assert str(terms.birth_dates[0]) == "1980-01-02"
    assert terms.min_similarity == pytest.approx(0.3)


def test_the_simulated_prefilter_keeps_every_hit_of_the_population():
    entries, _index = indexed()
    for query in queries(15):
        terms = prefilter_terms(query)
        for hit in score_all(query, entries):
            assert prefilter_matches(terms, entries[hit.ref].keys), hit


def test_trigram_similarity_is_pg_trgm_similarity():
    # pg_trgm: similarity('word', 'two words') = 4 shared / 11 distinct trigrams.
    assert trigram_similarity("word", "two words") == pytest.approx(4 / 11)
    assert trigram_similarity("kowalski jan", "jan kowalski") == 1.0
    assert trigram_similarity("", "jan") == 0.0


def test_the_prescreen_of_the_database_rows_keeps_what_the_index_would_score():
    # PostgreSQL reads only the light columns of its prefilter's rows, and prescreens
    # them by MemoryIndex's rules before any row's keys are parsed: the same rows.
    entries, index = indexed()
    prescreen = Prescreen(
        (c.ref, c.keys.exact_terms, c.keys.variant_keys, len(c.keys.name.tokens)) for c in entries
    )
    for query in queries(25):
        expected = {entries[p].ref for p in index.candidate_indexes(query)}
        assert prescreen.refs(query) == expected, query.keys.display_name


def test_exact_terms_keep_kinds_apart():
    keys = build_entry_keys("Anna Kowalska", emails=["a@b.pl"], birth_dates=["1980-01-02"])
    terms = keys.exact_terms
    assert "word:kowalska" in terms
    assert any(t.startswith("family:kowalsk") for t in terms)
    assert "email:a@b.pl" in terms
    assert "dob:1980-01-02" in terms
    assert not any(t.endswith(":anna") for t in terms)  # a given name is no exact term
    assert prefilter_terms(Query(keys)).exact_terms == terms

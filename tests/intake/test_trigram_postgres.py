"""The Python stand-in for pg_trgm must agree with PostgreSQL, or the prefilter
simulation in the golden tests and the benchmark would promise what the database won't do."""

from __future__ import annotations

import pytest
from django.db import connection

from intake.conflicts_engine import build_entry_keys, trigram_similarity

PAIRS = [
    ("word", "two words"),
    ("aleksei shcherbakov", "aleksiej szczerbakow"),
    ("deweloper nowak", "deweloper nowak"),
    ("anna kowalska", "anna kowalski"),
    ("garcia lopez maria", "garcia maria"),
]


@pytest.mark.postgres
@pytest.mark.django_db
def test_trigram_similarity_equals_pg_trgm():
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for a, b in PAIRS + [(build_entry_keys("Хрущёв Никита").ascii_key, "chruszczow nikita")]:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            (expected,) = cursor.fetchone()
            assert trigram_similarity(a, b) == pytest.approx(expected, abs=1e-6), (a, b)

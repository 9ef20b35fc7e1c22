"""The conflict check as a lead runs it: the prospect and a party searched
(intake.services.conflicts.conflict_search) over N index entries.

Writes N synthetic ConflictIndexEntry rows inside a transaction that is rolled back, so
it leaves the database as it was. Run against a migrated database, e.g.
DATABASE_URL=postgres://... python benchmarks/bench_conflict_check.py --size 50000

On PostgreSQL each check is one prefilter query (pg_trgm on the ascii key, GIN on the
exact terms) and the graded matching of its candidates in Python; the target is under
200 ms at 50,000 entries (issue 10). On SQLite the first check reads every row and builds
the process's in-memory index, the later ones reuse it. Prints the index size, the first
check, the median and p95 of the later ones, and (PostgreSQL) the rows per check.

--population spread (the default) is a firm-like index, thousands of surnames with a few
common ones; --population colliding is the test population, forty surnames, where every
check has thousands of namesakes to grade and report (PostgreSQL: about 2 s a check).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from intake.models import ConflictIndexEntry  # noqa: E402
from intake.services import conflicts  # noqa: E402
from tests.intake.population import (  # noqa: E402
    random_keys,
    random_name,
    spread_keys,
    spread_name,
)


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument(
        "--population",
        choices=("spread", "colliding"),
        default="spread",
        help="spread: thousands of surnames, a few common (a firm's index); colliding: "
        "the test population's forty surnames, thousands of namesakes per check",
    )
    args = parser.parse_args()
    make_keys, make_name = (
        (spread_keys, spread_name) if args.population == "spread" else (random_keys, random_name)
    )
    rng = random.Random(7)
    times: list[float] = []
    hits: list[int] = []
    candidates: list[int] = []  # rows the trigram and exact-term prefilter returns
    scored: list[int] = []  # of which the prescreen keeps for reading and scoring
    prefilter = conflicts.uses_prefilter()
    try:
        with transaction.atomic():
            rows = []
            for i in range(args.size):
                rows.append(
                    conflicts.index_row(
                        source="contact",
                        keys=make_keys(rng, i),
                        role="CLIENT" if i % 3 else "ADVERSE",
                    )
                )
            ConflictIndexEntry.objects.bulk_create(rows, batch_size=2000)
            if prefilter:
                with connection.cursor() as cursor:  # what autovacuum does after a load:
                    # statistics, and the GIN indexes' pending entries merged into them
                    cursor.execute("ANALYZE intake_conflictindexentry")
                    cursor.execute("SELECT gin_clean_pending_list('intake_conflict_ascii_trgm')")
                    cursor.execute("SELECT gin_clean_pending_list('intake_conflict_terms_gin')")
            size = ConflictIndexEntry.objects.count()
            for _ in range(args.checks):
                names = [
                    conflicts.Name(name=make_name(rng), role="CLIENT"),
                    conflicts.Name(name=make_name(rng), role="ADVERSE"),
                ]
                start = time.perf_counter()
                found, _searched = conflicts.conflict_search(names)
                times.append((time.perf_counter() - start) * 1000)
                hits.append(len(found))
                if prefilter:
                    queries = [conflicts.engine.Query(keys=n.keys(), role=n.role) for n in names]
                    candidates.append(conflicts.prefilter_queryset(queries).count())
                    scored.append(len(conflicts.prefilter_candidates(queries)[1]))
            raise Rollback
    except Rollback:
        pass
    cold, warm = times[0], sorted(times[1:])
    p95 = warm[max(0, int(len(warm) * 0.95) - 1)]
    median = statistics.median(warm)
    if prefilter:
        print(
            f"conflict check (2 names), PostgreSQL trigram prefilter: index {size} entries "
            f"({args.population} names); "
            f"first check {cold:.0f} ms; later checks median {median:.0f} ms, p95 {p95:.0f} ms "
            f"(target < 200 ms); per check the prefilter returns median "
            f"{statistics.median(candidates):.0f} rows (max {max(candidates)}), "
            f"{statistics.median(scored):.0f} read and scored, "
            f"{statistics.median(hits):.0f} hits"
        )
    else:
        print(
            f"conflict check (2 names), in-memory index ({connection.vendor}): index {size} "
            f"entries ({args.population} names); first check (reads and builds the process's index) {cold:.0f} ms; "
            f"later checks median {median:.0f} ms, p95 {p95:.0f} ms; hits median "
            f"{statistics.median(hits):.0f}"
        )


if __name__ == "__main__":
    main()

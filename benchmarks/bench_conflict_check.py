"""The conflict check as a lead runs it: index rows read from the database, the in-memory
index built, the prospect and a party searched (intake.services.conflicts.conflict_search).

Writes N synthetic ConflictIndexEntry rows inside a transaction that is rolled back, so
it leaves the database as it was. Run against a migrated database, e.g.
DATABASE_URL=postgres://... python benchmarks/bench_conflict_check.py --size 50000
Prints the first check (which reads every row and builds the process's in-memory index)
and the median and p95 of the later ones, with the index size. There is no PostgreSQL
trigram prefilter yet; the process keeps its index until a row changes.
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

from django.db import transaction  # noqa: E402

from intake.models import ConflictIndexEntry  # noqa: E402
from intake.services import conflicts  # noqa: E402
from tests.intake.population import random_keys, random_name  # noqa: E402


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--checks", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(7)
    times: list[float] = []
    try:
        with transaction.atomic():
            rows = []
            for i in range(args.size):
                keys = random_keys(rng, i)
                data = keys.to_json()
                rows.append(
                    ConflictIndexEntry(
                        source="contact",
                        role="CLIENT" if i % 3 else "ADVERSE",
                        display_name=keys.display_name[:300],
                        keys=data["keys"],
                        identifiers=data["identifiers"],
                        ascii_key=keys.ascii_key[:300],
                    )
                )
            ConflictIndexEntry.objects.bulk_create(rows, batch_size=2000)
            size = ConflictIndexEntry.objects.count()
            for _ in range(args.checks):
                names = [
                    conflicts.Name(name=random_name(rng), role="CLIENT"),
                    conflicts.Name(name=random_name(rng), role="ADVERSE"),
                ]
                start = time.perf_counter()
                conflicts.conflict_search(names)  # the first builds the index, the rest reuse it
                times.append((time.perf_counter() - start) * 1000)
            raise Rollback
    except Rollback:
        pass
    cold, warm = times[0], sorted(times[1:])
    p95 = warm[max(0, int(len(warm) * 0.95) - 1)]
    print(
        f"conflict check (2 names): index {size} entries; first check (reads and builds the "
        f"process's index) {cold:.0f} ms; later checks median {statistics.median(warm):.0f} ms, "
        f"p95 {p95:.0f} ms"
    )


if __name__ == "__main__":
    main()

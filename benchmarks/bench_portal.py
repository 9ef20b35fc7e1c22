"""Portal pages with 1 and with N messages, documents, checklist items and tasks.

Prints, for each page, the number of SQL queries and the median render time for a matter
with 1 row of everything and one with --rows rows (default 200). The query counts must be
equal (lists are paginated); tests/portal/test_portal_query_budget.py asserts it.
Runs against a throwaway test database (SQLite in memory, or test_<name> on PostgreSQL).
Usage: python benchmarks/bench_portal.py [--rows 200] [--repeat 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.ATRIUM_REQUIRE_STAFF_MFA = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with tempfile.TemporaryDirectory(prefix="atrium-bench-portal-") as tmp:
            settings.STORAGES = {
                **settings.STORAGES,
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": tmp, "base_url": None},
                },
            }
            run(args.rows, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _matter(rows: int, n: int) -> tuple[object, object, object]:
    from django.utils import timezone

    from portal import services
    from portal.models import (
        ClientTask,
        Contact,
        Document,
        DocumentRequest,
        DocumentRequestItem,
        DocumentVersion,
        Folder,
        Message,
        User,
    )

    lawyer = User.objects.create_user(email=f"lawyer{n}@bench.example", role="staff", is_staff=True)
    client = User.objects.create_user(email=f"client{n}@bench.example")
    contact = Contact.objects.create(
        first_name="C", last_name=str(n), email=client.email, user=client
    )
    matter = services.matter_create(
        actor=lawyer,
        data=services.MatterData(
            reference=f"B-{n}",
            title=f"Bench {n}",
            practice_area="other",
            priority="normal",
            responsible_lawyer=lawyer,
            team=[],
            clients=[contact],
            tags=[],
        ),
    )
    folder = Folder.objects.create(matter=matter, name="Discovery", client_can_upload=True)
    docs = Document.objects.bulk_create(
        [
            Document(matter=matter, folder=folder, name=f"doc-{i}.pdf", version_count=2)
            for i in range(rows)
        ]
    )
    versions = DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                document=d,
                number=k,
                file=f"documents/x/{d.pk.hex}{k}",
                original_name=d.name,
                size=10,
                content_type="application/pdf",
                sha256="0" * 64,
                uploaded_by=lawyer,
                text=f"contract clause {d.name}",
            )
            for d in docs
            for k in (1, 2)
        ]
    )
    now = timezone.now()
    messages = Message.objects.bulk_create(
        [
            Message(
                matter=matter,
                sender=lawyer if i % 2 == 0 else client,
                side="firm" if i % 2 == 0 else "client",
                text=f"Message {i} about the contract",
                created_at=now - dt.timedelta(minutes=rows - i),
            )
            for i in range(rows)
        ]
    )
    for message, version in zip(messages, versions, strict=False):
        message.attachments.add(version)
    request = DocumentRequest.objects.create(
        matter=matter, folder=folder, title="Papers", due_date=timezone.localdate()
    )
    DocumentRequestItem.objects.bulk_create(
        [DocumentRequestItem(request=request, label=f"Item {i}", position=i) for i in range(rows)]
    )
    ClientTask.objects.bulk_create(
        [
            ClientTask(matter=matter, title=f"Task {i}", due_date=timezone.localdate())
            for i in range(rows)
        ]
    )
    return lawyer, client, matter


def _measure(client: object, url: str, repeat: int) -> tuple[int, float]:
    client.get(url)  # type: ignore[attr-defined]
    # request_started empties the log; start from an empty one so the slice is right.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200, (url, response.status_code)
    queries = len(ctx.captured_queries)  # now: the next request empties the log
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
    return queries, statistics.median(times)


def run(rows: int, repeat: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from portal.models import Firm

    Firm.objects.get_or_create(pk=1)
    small = _matter(1, 1)
    big = _matter(rows, 2)
    pages = [
        ("portal:matter-detail", True),
        ("portal:message-list", True),
        ("portal:document-list", True),
        ("portal:request-list", True),
        ("portal:task-list", True),
        ("staff:search", False),
    ]
    print(
        f"{'page':28} {'viewer':7} {'queries 1':>9} {'queries ' + str(rows):>12} "
        f"{'ms 1':>7} {'ms ' + str(rows):>8}"
    )
    flat = True
    for name, per_matter in pages:
        for viewer in ("client", "staff"):
            if name.startswith("staff") and viewer == "client":
                continue
            results = []
            for lawyer, client_user, matter in (small, big):
                http = Client()
                http.force_login(lawyer if viewer == "staff" else client_user)
                url = (
                    reverse(name, args=[matter.pk]) if per_matter else reverse(name) + "?q=contract"
                )
                results.append(_measure(http, url, repeat))
            (q1, t1), (qn, tn) = results
            flat &= q1 == qn or not per_matter
            print(f"{name:28} {viewer:7} {q1:9d} {qn:12d} {t1:7.1f} {tn:8.1f}")
    print("query counts flat:", "yes" if flat else "NO")


if __name__ == "__main__":
    main()

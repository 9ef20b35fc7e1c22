"""Reminder sweep throughput: dispatch rate with the locmem backend, claim rate of the query.

Runs against a throwaway test database (SQLite in memory, or test_<name> on PostgreSQL when
DATABASE_URL points there). Usage: python benchmarks/bench_reminders.py [--rows 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--claim-rows", type=int, default=20000)
    args = parser.parse_args()

    setup_test_environment()  # locmem email backend
    settings.SMS_FILE_PATH = str(Path(settings.VAR_DIR) / "bench-sms")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args.rows, args.claim_rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(rows: int, claim_rows: int) -> None:
    from django.core import mail

    from notifications import services
    from notifications.models import Notification
    from notifications.outbox import State
    from notifications.services.sweep import claim
    from portal.models import Contact, Firm, Matter, User

    Firm.objects.get_or_create(pk=1)
    lawyer = User.objects.create_user("bench-lawyer@example.com", role="staff")
    client = User.objects.create_user("bench-client@example.com")
    contact = Contact.objects.create(
        first_name="Bench", last_name="Client", email=client.email, user=client
    )
    matter = Matter.objects.create(reference="BENCH-1", title="Bench", responsible_lawyer=lawyer)
    matter.clients.add(contact)
    past = timezone.now() - dt.timedelta(minutes=1)

    def make(n: int) -> None:
        Notification.objects.bulk_create(
            [
                Notification(
                    event="message",
                    channel="email",
                    recipient=client,
                    about=f"matter:{matter.pk}",
                    due_at=past,
                    next_attempt_at=past,
                )
                for _ in range(n)
            ],
            batch_size=2000,
        )

    # Dispatch: claim + render + send (locmem) + mark sent, one process.
    make(rows)
    mail.outbox = []
    start = time.perf_counter()
    result = services.deliveries_sweep()
    elapsed = time.perf_counter() - start
    assert result.sent == rows and len(mail.outbox) == rows
    print(
        f"bench_reminders dispatch: {rows} due rows in {elapsed:.2f}s = "
        f"{rows / elapsed:,.0f} per second ({connection.vendor}, locmem email)"
    )

    # The same with appointment reminders (the text rendered from each appointment).
    from scheduling.models import Appointment, Reminder, Service

    service = Service.objects.create(slug="bench", name="Consultation")
    # Appointments a minute apart, 50 hours ahead; their 48 h reminders are all due at once.
    start = timezone.now() + dt.timedelta(hours=50)
    appointments = Appointment.objects.bulk_create(
        [
            Appointment(
                service=service,
                staff=lawyer,
                contact=contact,
                start_at=start + dt.timedelta(minutes=i),
                end_at=start + dt.timedelta(minutes=i + 1),
                blocked_start=start + dt.timedelta(minutes=i),
                blocked_end=start + dt.timedelta(minutes=i + 1),
            )
            for i in range(rows)
        ]
    )
    Reminder.objects.bulk_create(
        [
            Reminder(
                appointment=a,
                kind="48h",
                offset_minutes=2880,
                channel="email",
                due_at=a.start_at - dt.timedelta(hours=48),
                next_attempt_at=a.start_at - dt.timedelta(hours=48),
            )
            for a in appointments
        ],
        batch_size=2000,
    )
    mail.outbox = []
    start_t = time.perf_counter()
    last_due = start + dt.timedelta(minutes=rows) - dt.timedelta(hours=48)
    result = services.deliveries_sweep(now=last_due)
    elapsed = time.perf_counter() - start_t
    assert result.sent == rows, result
    print(
        f"bench_reminders reminders: {result.sent} appointment reminders in {elapsed:.2f}s = "
        f"{result.sent / elapsed:,.0f} per second ({connection.vendor}, locmem email)"
    )

    # Claim: the SELECT ... FOR UPDATE SKIP LOCKED + UPDATE alone.
    Notification.objects.all().delete()
    make(claim_rows)
    start = time.perf_counter()
    claimed = 0
    while True:
        _token, ids = claim(model=Notification, now=timezone.now(), limit=5000)
        if not ids:
            break
        claimed += len(ids)
    elapsed = time.perf_counter() - start
    assert claimed == claim_rows
    assert Notification.objects.filter(state=State.SENDING).count() == claim_rows
    print(
        f"bench_reminders claim: {claimed} rows in {elapsed:.2f}s = "
        f"{claimed / elapsed:,.0f} rows per second ({connection.vendor}, batches of 5000)"
    )


if __name__ == "__main__":
    main()

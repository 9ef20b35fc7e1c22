from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from notifications import services
from notifications.models import Notification, SweepHeartbeat
from notifications.outbox import RECONCILED_EMAIL, State
from notifications.services.sweep import claim
from tests.notifications.conftest import make_notices

ROOT = Path(__file__).resolve().parents[2]


def test_a_due_row_is_sent_once_and_a_second_sweep_sends_nothing(world: Any) -> None:
    make_notices(user=world.client_a, matter=world.matter_a, count=3)
    first = services.deliveries_sweep()
    second = services.deliveries_sweep()
    assert (first.sent, second.claimed) == (3, 0)
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(state=State.SENT).count() == 3


def test_rows_not_yet_due_are_left_alone(world: Any) -> None:
    make_notices(
        user=world.client_a,
        matter=world.matter_a,
        count=1,
        due=timezone.now() + dt.timedelta(minutes=5),
    )
    assert services.deliveries_sweep().claimed == 0
    assert mail.outbox == []


def test_command_accepts_now_and_refuses_a_naive_time(world: Any) -> None:
    make_notices(
        user=world.client_a,
        matter=world.matter_a,
        count=1,
        due=timezone.now() + dt.timedelta(hours=3),
    )
    later = (timezone.now() + dt.timedelta(hours=4)).isoformat()
    call_command("send_due_reminders", "--now", later)
    assert len(mail.outbox) == 1
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("send_due_reminders", "--now", "2026-03-01T10:00")
    with pytest.raises(CommandError):
        call_command("send_due_reminders", "--now", "next tuesday")


def test_a_claimed_row_cannot_be_claimed_again(world: Any) -> None:
    make_notices(user=world.client_a, matter=world.matter_a, count=2)
    _token, first = claim(model=Notification, now=timezone.now(), limit=10)
    _token, second = claim(model=Notification, now=timezone.now(), limit=10)
    assert len(first) == 2 and second == []


def test_rows_of_a_dead_worker_go_back_and_are_sent_once(world: Any) -> None:
    # given: a worker claimed two rows, started one (the mail server never got it), then died
    make_notices(user=world.client_a, matter=world.matter_a, count=2)
    _token, ids = claim(model=Notification, now=timezone.now(), limit=10)
    Notification.objects.filter(pk=ids[0]).update(send_started_at=timezone.now())
    # when: the lease has run out and a new sweep runs
    later = timezone.now() + dt.timedelta(seconds=django_settings.NOTIFICATIONS_LEASE_SECONDS + 1)
    reclaimed, interrupted = services.reconcile_expired_leases(now=later)
    services.deliveries_sweep()
    # then: both are sent once; the started one says how it was settled
    assert (reclaimed, interrupted) == (1, 1)
    started = Notification.objects.get(pk=ids[0])
    assert started.state == State.SENT and started.reason == RECONCILED_EMAIL
    assert Notification.objects.get(pk=ids[1]).state == State.SENT
    assert len(mail.outbox) == 2


def test_a_live_lease_is_not_taken_over(world: Any) -> None:
    make_notices(user=world.client_a, matter=world.matter_a, count=1)
    claim(model=Notification, now=timezone.now(), limit=10)
    assert services.reconcile_expired_leases() == (0, 0)
    assert services.deliveries_sweep().claimed == 0


def test_sweep_records_its_heartbeat(world: Any) -> None:
    services.deliveries_sweep()
    assert SweepHeartbeat.objects.get(pk=1).last_run_at is not None


# ---------------------------------------------------------------------------
# PostgreSQL: real row locks
# ---------------------------------------------------------------------------
def _bulk_rows(world: Any, count: int) -> None:
    make_notices(user=world.client_a, matter=world.matter_a, count=count)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_over_1000_rows_send_each_exactly_once(world: Any) -> None:
    # given
    _bulk_rows(world, 1000)
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.deliveries_sweep(batch_size=50))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    # then
    assert not errors
    assert sum(r.sent for r in results) == 1000
    assert all(r.claimed > 0 for r in results), "both sweeps should have taken a share"
    assert len(mail.outbox) == 1000
    refs = collections.Counter(m.extra_headers["X-Atrium-Notification"] for m in mail.outbox)
    assert len(refs) == 1000 and max(refs.values()) == 1
    assert Notification.objects.filter(state=State.SENT).count() == 1000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    world: Any, tmp_path: Path
) -> None:
    # given: 300 due rows and a worker process that sends them slowly
    _bulk_rows(world, 300)
    outbox = tmp_path / "mail"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_BACKEND": "tests.notifications.slow_backend.SlowFileEmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "ATRIUM_VAR_DIR": str(tmp_path / "var"),
        "SLOW_EMAIL_SECONDS": "0.01",
        "NOTIFICATIONS_SWEEP_BATCH": "100",
    }
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "send_due_reminders"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # when: killed with SIGKILL once some (not all) messages went out
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if outbox.exists() and len(list(outbox.iterdir())) >= 50:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    sent_before = len(list(outbox.iterdir()))
    assert 0 < sent_before < 300, proc.stderr.read().decode()[-2000:]
    # ... and after the lease, a new sweep (in this process, writing to the same folder)
    later = timezone.now() + dt.timedelta(seconds=django_settings.NOTIFICATIONS_LEASE_SECONDS + 1)
    services.reconcile_expired_leases(now=later)
    from django.test import override_settings

    with override_settings(EMAIL_BACKEND=env["EMAIL_BACKEND"], EMAIL_FILE_PATH=str(outbox)):
        os.environ["SLOW_EMAIL_SECONDS"] = "0"
        try:
            services.deliveries_sweep()
        finally:
            os.environ.pop("SLOW_EMAIL_SECONDS", None)
    # then: every row went out; the one in flight at the kill (if any) went out again with
    # the same Message-ID, which the client's mail program shows once
    per_row = collections.Counter(p.name.split("--")[0] for p in outbox.iterdir())
    assert len(per_row) == 300
    rows = {str(n.pk): n for n in Notification.objects.all()}
    assert {n.state for n in rows.values()} == {State.SENT}
    twice = [pk for pk, count in per_row.items() if count > 1]
    assert len(twice) <= 1 and max(per_row.values()) <= 2
    for pk in twice:
        assert rows[pk].reason == RECONCILED_EMAIL
        ids = {
            line
            for path in outbox.glob(f"{pk}--*")
            for line in path.read_text().splitlines()
            if line.startswith("Message-ID:")
        }
        assert len(ids) == 1

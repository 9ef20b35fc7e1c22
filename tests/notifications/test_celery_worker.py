"""The real thing: Redis, a Celery worker with beat, PostgreSQL, files for email and SMS."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.outbox import State
from scheduling import services as scheduling_services
from scheduling.models import Reminder
from tests.notifications.conftest import make_appointment

ROOT = Path(__file__).resolve().parents[2]


def _count(folder: Path, marker: str) -> int:
    if not folder.exists():
        return 0
    return sum(p.read_text(errors="replace").count(marker) for p in folder.iterdir() if p.is_file())


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_and_beat_send_a_due_reminder_exactly_once(world: Any, tmp_path: Path) -> None:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs REDIS_URL")
    # given: a client with SMS consent books a call 2 hours and 8 seconds from now
    contact = world.contact_a
    contact.sms_consent, contact.phone = True, "+48600100200"
    contact.save()
    with transaction.atomic():
        appointment = make_appointment(
            staff=world.staff_on,
            contact=contact,
            start=timezone.now() + dt.timedelta(hours=2, seconds=8),
        )
        scheduling_services.appointment_reminders_sync(appointment=appointment)
    assert Reminder.objects.filter(kind="2h", state=State.SCHEDULED).count() == 2

    mail_dir, sms_dir = tmp_path / "mail", tmp_path / "sms"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SMS_FILE_PATH": str(sms_dir),
        "ATRIUM_VAR_DIR": str(tmp_path / "var"),
        "NOTIFICATIONS_SWEEP_SECONDS": "2",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=INFO",
            "-s",
            str(tmp_path / "beat-schedule"),
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # when: we wait (bounded) for the reminder to come due and go out
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if _count(mail_dir, "X-Atrium-Notification") and _count(sms_dir, "To: "):
                break
            if worker.poll() is not None:
                break
            time.sleep(0.5)
        # a few more sweeps must not send it again
        time.sleep(6)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            output, _ = worker.communicate(timeout=5)
    log = output.decode(errors="replace")
    # then
    assert _count(mail_dir, "X-Atrium-Notification") == 1, log[-3000:]
    assert _count(sms_dir, "To: +48600100200") == 1, log[-3000:]
    assert set(Reminder.objects.filter(kind="2h").values_list("state", flat=True)) == {State.SENT}
    assert "twilio-auth" not in log

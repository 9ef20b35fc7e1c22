"""1,000 due reminders, sweepers SIGKILLed at 20 random points, two at a time.

Each round starts two `send_due_reminders` processes at once. Each has one kill point,
drawn at random: inside the fake providers (between "send started" and the provider
taking the message, or after the provider took it and before "sent" is recorded, for SMS
or email), or from outside at a random moment (claiming, composing, recording). After the
kills, sweeps without kills finish the work. Then, as the providers saw it: every SMS row
was accepted by Twilio exactly once, every email row reached the mail server under one
Message-ID (a copy after a kill carries the same one), and every row is recorded sent.
"""

from __future__ import annotations

import collections
import datetime as dt
import email
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from notifications.outbox import State
from scheduling.models import Reminder
from tests.notifications import twilio_recording
from tests.notifications.conftest import TWILIO_SID, TWILIO_TOKEN
from tests.notifications.crash import due_reminders

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 10  # two sweepers per round: 20 kill points
LEASE_SECONDS = 1
KILL_POINTS = ("sms-before", "sms-after", "mail-before", "mail-after", "outside")


def _env(tmp_path: Path) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_BACKEND": "tests.notifications.slow_backend.KillingFileEmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": "+48500000000",
        "TWILIO_HTTP_CLIENT_CLASS": "tests.notifications.twilio_recording.RecordingTwilioHttpClient",
        "TWILIO_FAKE_DIR": str(tmp_path / "twilio"),
        "SITE_URL": "https://atrium.example",
        "ATRIUM_VAR_DIR": str(tmp_path / "var"),
        "NOTIFICATIONS_LEASE_SECONDS": str(LEASE_SECONDS),
        "DEBUG": "0",
        "SECRET_KEY": "kill-test-secret-key-kill-test-secret-key-0123456789",
    }
    env.pop("REDIS_URL", None)
    return env


def _sweeper(env: dict[str, str], point: str, n: int) -> subprocess.Popen[bytes]:
    env = dict(env)
    if point.startswith("sms-"):
        env["FAKE_KILL_AT"], env["FAKE_KILL_WHEN"] = str(n), point.split("-")[1]
    elif point.startswith("mail-"):
        env["FAKE_MAIL_KILL_AT"], env["FAKE_MAIL_KILL_WHEN"] = str(n), point.split("-")[1]
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_due_reminders"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_reminder_lost_or_doubled_when_sweepers_are_killed_at_random_points(
    world: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # given: 1,000 due reminders (500 appointments, email and SMS each)
    rows = due_reminders(world, 500)
    assert len(rows) == 1000
    env = _env(tmp_path)
    monkeypatch.setenv("TWILIO_FAKE_DIR", env["TWILIO_FAKE_DIR"])
    seed = int(os.environ.get("KILL_TEST_SEED", str(random.SystemRandom().randrange(10**6))))
    rng = random.Random(seed)
    started = timezone.now()
    kills: list[str] = []
    # when: ten rounds of two sweepers at once, each killed at a random point
    for _round in range(ROUNDS):
        points = [rng.choice(KILL_POINTS) for _ in range(2)]
        procs = [_sweeper(env, p, rng.randint(1, 25)) for p in points]
        outside = [proc for proc, p in zip(procs, points, strict=True) if p == "outside"]
        if outside:
            time.sleep(rng.uniform(1.0, 3.0))  # Django starts in about a second
            for proc in outside:
                proc.send_signal(signal.SIGKILL)
        for proc, point in zip(procs, points, strict=True):
            proc.wait(60)
            killed = proc.returncode == -signal.SIGKILL
            kills.append(f"{point}:{'killed' if killed else 'finished'}")
        time.sleep(LEASE_SECONDS + 0.2)  # the dead sweeps' leases run out
    # ... then sweeps without kills (as beat runs them every minute) finish the work
    for _attempt in range(3):
        finishing = [_sweeper(env, "none", 0) for _ in range(2)]
        for done in finishing:
            _out, err = done.communicate(timeout=120)
            assert done.returncode == 0, err.decode()[-3000:]
        if not Reminder.objects.exclude(state=State.SENT).exists():
            break
        time.sleep(LEASE_SECONDS + 0.2)
    context = f"seed={seed} kills={kills}"

    # then: every row is recorded sent, within 2 minutes of its due time plus the kills
    states = collections.Counter(Reminder.objects.values_list("state", flat=True))
    assert states == {State.SENT: 1000}, context
    latest = max(Reminder.objects.values_list("sent_at", flat=True))
    assert latest - started < dt.timedelta(minutes=2), context
    # ... Twilio accepted each SMS row exactly once
    sms_rows = {str(r.pk) for r in rows if r.channel == "sms"}
    per_sms = collections.Counter(
        next(ref for ref in sms_rows if ref in m["status_callback"])
        for m in twilio_recording.accepted()
    )
    assert set(per_sms) == sms_rows and max(per_sms.values()) == 1, context
    # ... and each email row reached the mail server under its one Message-ID
    mail_rows = {str(r.pk) for r in rows if r.channel == "email"}
    message_ids: dict[str, set[str]] = collections.defaultdict(set)
    for path in (tmp_path / "mail").glob("*.eml"):
        ref = path.name.split("--")[0]
        message_ids[ref].add(email.message_from_bytes(path.read_bytes())["Message-ID"])
    assert set(message_ids) == mail_rows, context
    # (the sweepers' SITE_URL names the host of the Message-ID)
    wrong = {ref: ids for ref, ids in message_ids.items() if ids != {f"<{ref}@atrium.example>"}}
    assert not wrong, f"{context} {list(wrong.items())[:3]}"
    # ... and the kills really happened: at least half of the points fired. A sweeper whose
    # point never came (its n-th send, or the outside kill, after the work it found ran
    # out) sends everything that is left, and later rounds then find nothing to kill in;
    # requiring 15 of 20 failed about one run in ten for that reason alone.
    assert sum(k.endswith("killed") for k in kills) >= ROUNDS, context

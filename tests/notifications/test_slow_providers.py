"""SMTP and Twilio that answer nothing (a 30 s hang, as far as we are concerned): each
attempt gives up after the configured timeout, retries are bounded, the reason is shown to
staff, and no credential reaches a log."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from notifications import services
from notifications.outbox import State
from tests.notifications.conftest import TWILIO_SID, TWILIO_TOKEN, make_notices


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A server that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def _sweep_seconds(now: dt.datetime) -> float:
    began = time.monotonic()
    services.deliveries_sweep(now=now)
    return time.monotonic() - began


def test_a_silent_smtp_server_costs_one_timeout_per_attempt_and_ends_failed(
    world: Any, settings: Any, caplog: Any, silent_port: int
) -> None:
    # given
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent_port, 1
    settings.EMAIL_HOST_USER = "atrium-smtp-user"
    settings.EMAIL_HOST_PASSWORD = "smtp-password-never-logged"  # noqa: S105
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    caplog.set_level(logging.DEBUG)
    row = make_notices(user=world.client_a, matter=world.matter_a, count=1)[0]
    now = timezone.now()
    # when: the first attempt
    assert _sweep_seconds(now) < 5
    row.refresh_from_db()
    assert row.state == State.SCHEDULED and row.attempts == 1
    # ... and the last one
    assert _sweep_seconds(now + dt.timedelta(hours=1)) < 5
    # then
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 2
    assert row.reason.startswith("email: ")
    assert "smtp-password" not in row.reason and "smtp-password" not in caplog.text


def test_a_silent_twilio_costs_one_timeout_per_attempt_and_the_reason_is_kept(
    world: Any, settings: Any, caplog: Any, silent_port: int
) -> None:
    # given: the real Twilio client through a proxy that never answers
    contact = world.contact_a
    contact.preferred_channel, contact.sms_consent, contact.phone = "sms", True, "+48600100200"
    contact.save()
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = TWILIO_SID, TWILIO_TOKEN
    settings.TWILIO_FROM_NUMBER = "+48500000000"
    settings.TWILIO_HTTP_CLIENT_CLASS = ""
    settings.TWILIO_HTTPS_PROXY = f"http://127.0.0.1:{silent_port}"
    settings.TWILIO_TIMEOUT = 1
    settings.SITE_URL = "https://atrium.example"
    caplog.set_level(logging.DEBUG)
    row = make_notices(user=world.client_a, matter=world.matter_a, count=1, channel="sms")[0]
    # when
    assert _sweep_seconds(timezone.now()) < 5
    # then: retried later, the reason names the failure, no secret in it or the logs
    row.refresh_from_db()
    assert row.state == State.SCHEDULED and row.attempts == 1
    assert row.reason.startswith("sms: ")
    assert TWILIO_TOKEN not in row.reason and TWILIO_TOKEN not in caplog.text

"""A row whose worker died after "send started" is reconciled, never abandoned or doubled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.channels import message_id_for
from notifications.outbox import RECONCILED_EMAIL, RECONCILED_FOUND, RECONCILED_SENT, State
from scheduling.models import Reminder
from tests.notifications import twilio_recording
from tests.notifications.conftest import TWILIO_SID, TWILIO_TOKEN
from tests.notifications.crash import die_while_sending, due_reminders


@pytest.fixture
def provider(settings: Any, tmp_path: Path, monkeypatch: Any) -> Any:
    """Twilio through its library, HTTP answered by a fake that remembers what it took."""
    monkeypatch.setenv("TWILIO_FAKE_DIR", str(tmp_path / "twilio"))
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = TWILIO_SID, TWILIO_TOKEN
    settings.TWILIO_FROM_NUMBER = "+48500000000"
    settings.TWILIO_HTTP_CLIENT_CLASS = (
        "tests.notifications.twilio_recording.RecordingTwilioHttpClient"
    )
    settings.SITE_URL = "https://atrium.example"
    return twilio_recording


def _after_the_lease() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=django_settings.NOTIFICATIONS_LEASE_SECONDS + 1)


def _sms_row(world: Any) -> Reminder:
    return next(r for r in due_reminders(world, 1) if r.channel == "sms")


def test_an_sms_the_provider_took_before_the_crash_is_not_sent_again(
    world: Any, provider: Any
) -> None:
    # given: the worker died after Twilio accepted the SMS, before recording "sent"
    row = _sms_row(world)
    sid = die_while_sending(row, provider_took_it=True)
    assert len(provider.accepted()) == 1
    # when: the lease runs out and the next sweep runs
    services.reconcile_expired_leases(now=_after_the_lease())
    services.deliveries_sweep()
    # then: found in Twilio's message list, recorded as sent, not sent twice
    row.refresh_from_db()
    assert (row.state, row.provider_id, row.reason) == (State.SENT, sid, RECONCILED_FOUND)
    assert len(provider.accepted()) == 1


def test_an_sms_the_provider_never_got_is_sent_once_by_the_next_sweep(
    world: Any, provider: Any
) -> None:
    # given: the worker died between "send started" and the call to Twilio
    row = _sms_row(world)
    die_while_sending(row, provider_took_it=False)
    # when
    services.reconcile_expired_leases(now=_after_the_lease())
    services.deliveries_sweep()
    # then
    row.refresh_from_db()
    assert (row.state, row.reason) == (State.SENT, RECONCILED_SENT)
    accepted = provider.accepted()
    assert len(accepted) == 1 and accepted[0]["sid"] == row.provider_id
    assert str(row.pk) in accepted[0]["status_callback"]


def test_an_interrupted_email_goes_again_with_the_same_message_id(
    world: Any, provider: Any
) -> None:
    # given: the worker died after the mail server took the email
    row = next(r for r in due_reminders(world, 1) if r.channel == "email")
    die_while_sending(row, provider_took_it=True)
    # when
    services.reconcile_expired_leases(now=_after_the_lease())
    services.deliveries_sweep()
    # then: two copies, one Message-ID (mail clients show one message)
    row.refresh_from_db()
    assert (row.state, row.reason) == (State.SENT, RECONCILED_EMAIL)
    assert len(mail.outbox) == 2
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {message_id_for(str(row.pk))} == {f"<{row.pk}@atrium.example>"}
    assert row.provider_id == message_id_for(str(row.pk))


def test_when_twilio_cannot_answer_the_row_waits_and_is_never_sent_blind(
    world: Any, provider: Any, monkeypatch: Any
) -> None:
    # given: an interrupted SMS and a Twilio that answers 500 to everything
    row = _sms_row(world)
    die_while_sending(row, provider_took_it=False)
    services.reconcile_expired_leases(now=_after_the_lease())

    def down(self: Any, *args: Any, **kwargs: Any) -> Any:
        from twilio.http.response import Response

        return Response(500, '{"code": 20500, "message": "down", "status": 500}')

    monkeypatch.setattr(provider.RecordingTwilioHttpClient, "request", down)
    # when
    services.deliveries_sweep()
    # then: back in the queue for a retry, still marked interrupted, nothing sent
    row.refresh_from_db()
    assert row.state == State.SCHEDULED and row.send_started_at is not None
    assert "lookup" in row.reason
    assert provider.accepted() == []


def test_rows_a_dead_sweep_claimed_but_never_started_come_back_after_one_lease(
    world: Any, provider: Any
) -> None:
    # given: a sweep claimed a small batch and died before starting any of them
    from notifications.services.sweep import claim

    due_reminders(world, 10)
    _token, ids = claim(
        model=Reminder, now=timezone.now(), limit=django_settings.NOTIFICATIONS_SWEEP_BATCH
    )
    assert len(ids) == django_settings.NOTIFICATIONS_SWEEP_BATCH == 20
    # when: one lease later (60 s, so within the next minute's sweep: under 2 minutes)
    assert django_settings.NOTIFICATIONS_LEASE_SECONDS <= 60
    assert services.reconcile_expired_leases(now=_after_the_lease()) == (20, 0)
    services.deliveries_sweep()
    # then: all of them go out once
    assert Reminder.objects.filter(state=State.SENT).count() == 20
    assert len(provider.accepted()) == 10 and len(mail.outbox) == 10

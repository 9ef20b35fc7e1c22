from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from notifications import services
from notifications.models import Notification
from notifications.outbox import State
from tests.notifications.conftest import TWILIO_TOKEN, make_notices
from tests.notifications.twilio_fake import twilio_error


@pytest.fixture
def sms_client(world: Any) -> Any:
    contact = world.contact_a
    contact.preferred_channel, contact.sms_consent, contact.phone = "sms", True, "+48600100200"
    contact.save()
    return world


def _sms_row(world: Any) -> Notification:
    return make_notices(user=world.client_a, matter=world.matter_a, count=1, channel="sms")[0]


def test_sms_goes_through_twilio_with_a_signed_status_callback(
    sms_client: Any, twilio: Any
) -> None:
    # given
    row = _sms_row(sms_client)
    # when
    services.deliveries_sweep()
    # then
    row.refresh_from_db()
    assert row.state == State.SENT and row.provider_id.startswith("SM")
    sent = twilio.requests[0]
    assert sent["data"]["To"] == "+48600100200"
    assert sent["data"]["StatusCallback"].startswith("https://atrium.example/notifications/")
    assert str(row.pk) in sent["data"]["StatusCallback"]


def test_twilio_errors_are_retried_a_bounded_number_of_times_then_failed(
    sms_client: Any, twilio: Any, settings: Any, caplog: Any
) -> None:
    # given: Twilio answers 500 every time
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    twilio.responses.extend([twilio_error()] * 10)
    row = _sms_row(sms_client)
    caplog.set_level(logging.DEBUG)
    # when: sweeps an hour apart (longer than any retry delay)
    now = timezone.now()
    for i in range(6):
        services.deliveries_sweep(now=now + dt.timedelta(hours=i))
    # then
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert row.attempts == 3
    assert len(twilio.requests) == 3
    assert "Twilio 500" in row.reason
    assert TWILIO_TOKEN not in caplog.text
    assert TWILIO_TOKEN not in row.reason


def test_a_permanent_twilio_refusal_is_not_retried(sms_client: Any, twilio: Any) -> None:
    twilio.responses.append(twilio_error(400, 21211))  # invalid 'To' number
    row = _sms_row(sms_client)
    services.deliveries_sweep()
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 1 and "21211" in row.reason


def test_smtp_down_ends_failed_with_the_reason_visible(
    world: Any, settings: Any, caplog: Any
) -> None:
    # given: an SMTP server that refuses connections
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    settings.EMAIL_HOST_PASSWORD = "smtp-password-never-logged"  # noqa: S105
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    settings.EMAIL_HOST_USER = "atrium-smtp-user"
    caplog.set_level(logging.DEBUG)
    row = make_notices(user=world.client_a, matter=world.matter_a, count=1)[0]
    # when
    now = timezone.now()
    services.deliveries_sweep(now=now)
    row.refresh_from_db()
    assert row.state == State.SCHEDULED and row.attempts == 1
    services.deliveries_sweep(now=now + dt.timedelta(hours=1))
    # then
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 2
    assert row.reason.startswith("email: ConnectionRefusedError")
    assert "smtp-password" not in row.reason
    assert "smtp-password" not in caplog.text
    assert "ConnectionRefusedError" in caplog.text  # the failure itself is logged


def _post_status(
    client: Any,
    row: Notification,
    status: str,
    sid: str,
    token: str = TWILIO_TOKEN,
    error: str = "",
) -> Any:
    path = reverse("notifications:twilio-status", kwargs={"delivery_id": row.pk})
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error:
        params["ErrorCode"] = error
    signature = RequestValidator(token).compute_signature("https://atrium.example" + path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_delivered_callback_moves_sent_to_delivered(
    sms_client: Any, twilio: Any, client: Any
) -> None:
    row = _sms_row(sms_client)
    services.deliveries_sweep()
    row.refresh_from_db()
    response = _post_status(client, row, "delivered", row.provider_id)
    assert response.status_code == 204
    row.refresh_from_db()
    assert row.state == State.DELIVERED and row.delivered_at is not None


def test_bad_signature_gets_403_and_changes_nothing(
    sms_client: Any, twilio: Any, client: Any
) -> None:
    row = _sms_row(sms_client)
    services.deliveries_sweep()
    row.refresh_from_db()
    response = _post_status(client, row, "delivered", row.provider_id, token="wrong-token")
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.state == State.SENT


def test_signature_over_other_parameters_is_refused(
    sms_client: Any, twilio: Any, client: Any
) -> None:
    row = _sms_row(sms_client)
    services.deliveries_sweep()
    row.refresh_from_db()
    path = reverse("notifications:twilio-status", kwargs={"delivery_id": row.pk})
    good = RequestValidator(TWILIO_TOKEN).compute_signature(
        "https://atrium.example" + path, {"MessageSid": row.provider_id, "MessageStatus": "failed"}
    )
    response = client.post(
        path,
        {"MessageSid": row.provider_id, "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE=good,
    )
    assert response.status_code == 403


def test_duplicate_and_out_of_order_callbacks_never_move_backwards(
    sms_client: Any, twilio: Any, client: Any
) -> None:
    row = _sms_row(sms_client)
    services.deliveries_sweep()
    row.refresh_from_db()
    sid = row.provider_id
    for status in ("delivered", "delivered", "sent", "queued", "failed", "undelivered"):
        assert _post_status(client, row, status, sid).status_code == 204
    row.refresh_from_db()
    assert row.state == State.DELIVERED and row.reason == ""


def test_failed_callback_records_the_carrier_error(
    sms_client: Any, twilio: Any, client: Any
) -> None:
    row = _sms_row(sms_client)
    services.deliveries_sweep()
    row.refresh_from_db()
    _post_status(client, row, "undelivered", row.provider_id, error="30003")
    _post_status(client, row, "delivered", row.provider_id)
    row.refresh_from_db()
    assert row.state == State.FAILED and "30003" in row.reason


def test_callback_for_another_message_sid_is_ignored(
    sms_client: Any, twilio: Any, client: Any
) -> None:
    row = _sms_row(sms_client)
    services.deliveries_sweep()
    assert _post_status(client, row, "delivered", "SMsomethingelse").status_code == 204
    row.refresh_from_db()
    assert row.state == State.SENT


def test_callback_arriving_before_the_sweep_recorded_sent_is_kept(
    sms_client: Any, twilio: Any
) -> None:
    # given: a row mid-send (claimed, provider not yet recorded)
    row = _sms_row(sms_client)
    Notification.objects.filter(pk=row.pk).update(state=State.SENDING)
    # when
    moved = services.sms_status_record(delivery_id=row.pk, message_sid="SMfast", status="delivered")
    # then
    assert moved
    row.refresh_from_db()
    assert row.state == State.DELIVERED

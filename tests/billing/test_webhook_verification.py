"""Webhook signatures, checked with the library's real HMAC-SHA256 scheme."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from billing.gateway import WebhookVerificationError, verify_webhook
from tests.billing.stripe_fake import build_event, event_payload, sign_webhook

SECRET = "whsec_current_0123456789"
OLD_SECRET = "whsec_previous_9876543210"


def paid_event() -> bytes:
    return event_payload(
        build_event(
            "checkout.session.completed",
            {
                "id": "cs_test_00000042Atr",
                "object": "checkout.session",
                "payment_status": "paid",
            },
            event_id="evt_test_00000042Atr",
        )
    )


def test_a_correctly_signed_event_is_accepted() -> None:
    payload = paid_event()
    event = verify_webhook(payload, sign_webhook(payload, SECRET), [SECRET], 300)
    assert (event.id, event.type) == ("evt_test_00000042Atr", "checkout.session.completed")
    assert event.object_id == "cs_test_00000042Atr"
    assert event.object_type == "checkout.session"
    assert event.livemode is False
    assert event.payload == json.loads(payload)


@pytest.mark.parametrize("signed_with", [SECRET, OLD_SECRET])
def test_either_secret_is_accepted_during_a_rotation(signed_with: str) -> None:
    payload = paid_event()
    event = verify_webhook(payload, sign_webhook(payload, signed_with), [SECRET, OLD_SECRET], 300)
    assert event.id == "evt_test_00000042Atr"


def test_the_settings_secrets_and_tolerance_are_the_defaults(settings: Any) -> None:
    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 60
    payload = paid_event()
    stale = sign_webhook(payload, SECRET, timestamp=int(time.time()) - 61)
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(payload, stale, [SECRET])
    assert caught.value.reason == "stale"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing_signature"),
        ("", "missing_signature"),
        ("garbage", "bad_signature"),
        ("t=abc,v1=def", "bad_signature"),
        (f"t={int(time.time())},v0=deadbeef", "bad_signature"),
    ],
    # Fixed names: parallel test workers must collect the same tests (the last header
    # carries the time of collection).
    ids=["no-header", "empty", "garbage", "non-numeric-time", "v0-scheme-only"],
)
def test_missing_or_malformed_signatures_are_refused(header: str | None, reason: str) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(paid_event(), header, [SECRET], 300)
    assert caught.value.reason == reason


def test_a_signature_made_with_another_secret_is_refused() -> None:
    payload = paid_event()
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(payload, sign_webhook(payload, "whsec_attacker"), [SECRET, OLD_SECRET], 300)
    assert caught.value.reason == "bad_signature"


def test_an_edited_body_is_refused() -> None:
    payload = paid_event()
    header = sign_webhook(payload, SECRET)
    edited = payload.replace(b'"paid"', b'"unpaid"')
    assert edited != payload
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(edited, header, [SECRET], 300)
    assert caught.value.reason == "bad_signature"


def test_a_stale_timestamp_is_a_replay() -> None:
    payload = paid_event()
    old = sign_webhook(payload, SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(payload, old, [OLD_SECRET, SECRET], 300)
    assert caught.value.reason == "stale"
    # the same event within the tolerance is fine
    fresh = sign_webhook(payload, SECRET, timestamp=int(time.time()) - 299)
    assert verify_webhook(payload, fresh, [SECRET], 300).id == "evt_test_00000042Atr"


def test_no_configured_secret_refuses_everything() -> None:
    payload = paid_event()
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(payload, sign_webhook(payload, SECRET), ["", "  "], 300)
    assert caught.value.reason == "no_secret"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"object": "charge", "id": "ch_1"}', "caf\u00e9".encode("latin-1")],
)
def test_a_signed_body_that_is_not_an_event_is_refused(body: bytes) -> None:
    try:
        header = sign_webhook(body, SECRET)
    except UnicodeDecodeError:
        header = "t=1,v1=00"
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(body, header, [SECRET], 300)
    assert caught.value.reason in {"bad_payload", "bad_signature"}


def test_the_error_never_quotes_the_body_or_the_secret() -> None:
    payload = paid_event()
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(payload, sign_webhook(payload, "whsec_other"), [SECRET], 300)
    assert SECRET not in str(caught.value) and "cs_test" not in str(caught.value)

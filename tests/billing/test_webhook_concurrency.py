"""The same Stripe event delivered twice at once, and two different events about one
payment at once: one Payment, one allocation, one receipt, one notice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from billing.models import Allocation, Payment
from billing.services import online
from notifications.models import Notification
from tests import factories
from tests.billing.helpers import issued
from tests.billing.stripe_fake import FakeStripe, event_payload, online_stripe, sign_webhook

SECRET = "whsec_test_parallel"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeStripe]:
    with online_stripe(settings, SECRET) as stripe:
        yield stripe


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duplicate_and_sibling_events_in_parallel_settle_once(
    firm: Any, fake: FakeStripe, client: Any
) -> None:
    # given a completed Checkout whose events arrive twice each, all at once
    admin = factories.AdminFactory()
    user, contact = factories.client_with_contact()
    invoice = issued(actor=admin, contact=contact)
    client.force_login(user)
    client.post(f"/portal/invoices/{invoice.pk}/pay/")
    session = next(o for o in fake.objects.values() if o["object"] == "checkout.session")
    fake.complete_session(session["id"])
    deliveries = [event_payload(e) for e in fake.events] * 2
    barrier = threading.Barrier(len(deliveries))
    errors: list[str] = []

    def deliver(payload: bytes) -> None:
        try:
            barrier.wait()
            row = online.webhook_receive(payload, sign_webhook(payload, SECRET))
            if row is not None:
                online.stripe_event_process(event_id=row.event_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=deliver, args=(p,)) for p in deliveries]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # then
    assert not errors
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    assert Payment.objects.get().receipt_number
    assert Notification.objects.filter(event="payment_received").count() == 1

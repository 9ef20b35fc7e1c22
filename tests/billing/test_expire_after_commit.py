"""The Checkout expiry call runs after the database transaction commits, never inside
the webhook's (or any) transaction: a slow Stripe answer must not hold row locks.
Transactional tests (real commits), Stripe through its official library over the fake
HTTP layer, webhooks signed with the real algorithm."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from billing.models import Payment, PaymentAttempt, Refund
from billing.services import online
from portal.selectors import firm_get
from scheduling import services as scheduling_services
from scheduling.models import Appointment
from tests import factories
from tests.billing.stripe_fake import FakeStripe, event_payload, sign_webhook
from tests.scheduling.helpers import make_service, working_week

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "whsec_test_atrium_one"
NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
SLOT = dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC)


class RecordingStripe(FakeStripe):
    """The fake Stripe, noting whether each expire call came inside a transaction."""

    def __init__(self) -> None:
        super().__init__()
        self.expire_in_transaction: list[bool] = []

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
        if url.rstrip("/").endswith("/expire"):
            self.expire_in_transaction.append(connection.in_atomic_block)
        return super().request(method, url, headers, post_data, **kw)


@pytest.fixture
def fake(settings: Any) -> Iterator[RecordingStripe]:
    settings.STRIPE_SECRET_KEY = "sk_test_atrium_fake"
    settings.STRIPE_WEBHOOK_SECRETS = [SECRET]
    settings.STRIPE_EXPECT_LIVEMODE = False
    stripe = RecordingStripe()
    online.use_http_client(stripe)
    yield stripe
    online.use_http_client(None)


def _book(service: Any, n: int) -> Any:
    return scheduling_services.appointment_book(
        service=service,
        start_at=SLOT,
        booker=scheduling_services.BookerData(
            first_name="Ewa", last_name=f"Nowak{n}", email=f"ewa{n}@example.com"
        ),
        time_zone="Europe/Warsaw",
    )


def _pay(client: Any, booked: Any, fake: FakeStripe) -> dict[str, Any]:
    url = reverse("billing:booking-pay", kwargs={"token": booked[0].manage_token})
    assert client.post(url, {"action": "pay"}).status_code == 302
    return [o for o in fake.objects.values() if o["object"] == "checkout.session"][-1]


def test_a_webhook_that_releases_a_lapsed_hold_expires_its_session_after_commit(
    firm: Any, fake: RecordingStripe, client: Any
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        lawyer = factories.StaffFactory(email="lawyer@firm.example")
        working_week(lawyer)
        firm_get()
        paid = make_service(
            staff=[lawyer],
            slug="consultation",
            minutes=45,
            price=Decimal("350.00"),
            payment_rule="FULL_AT_BOOKING",
            hold_minutes=10,
        )
        # Ewa holds the time and opens Checkout; her hold lapses and the sweep frees it
        first = _book(paid, 1)
        first_session = _pay(client, first, fake)
        clock.shift(dt.timedelta(minutes=11))
        scheduling_services.booking_holds_expire()
        first_session["status"] = "open"  # Stripe had not expired it yet
        # Jan holds the same time and opens Checkout; his hold lapses too (no sweep yet)
        second = _book(paid, 2)
        second_session = _pay(client, second, fake)
        clock.shift(dt.timedelta(minutes=11))
        fake.expire_in_transaction.clear()
        # Ewa's payment completes: the webhook books her time again, which releases
        # Jan's lapsed hold and expires his Checkout session
        fake.complete_session(first_session["id"])
        for event in fake.events:
            payload = event_payload(event)
            response = client.post(
                "/billing/stripe/webhook/",
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign_webhook(payload, SECRET),
            )
            assert response.status_code == 200
    assert Appointment.objects.get(pk=second[0].pk).status == "expired"
    assert second_session["status"] == "expired"
    assert fake.expire_in_transaction == [False]
    assert PaymentAttempt.objects.get(checkout_session_id=second_session["id"]).status == "EXPIRED"
    booked = Appointment.objects.get(status="booked")
    assert booked.start_at == SLOT and booked.contact_id == first[0].contact_id
    assert Payment.objects.count() == 1 and not Refund.objects.exists()

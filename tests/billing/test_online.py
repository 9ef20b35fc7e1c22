"""Paying an invoice online: Checkout through the real gateway over the fake Stripe HTTP
layer, webhooks signed with the real algorithm, reconciliation, refunds, and the local
demo checkout that `make run` uses."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from billing import services
from billing.models import (
    BillingSettings,
    Invoice,
    Payment,
    PaymentAttempt,
    PaymentRequest,
    Refund,
    StripeEvent,
)
from core.errors import ServiceError
from notifications.models import Notification
from tests import factories
from tests.billing.helpers import issued
from tests.billing.stripe_fake import (
    PASS,
    FakeStripe,
    Reply,
    event_payload,
    online_stripe,
    sign_webhook,
)

SECRET = "whsec_test_atrium_one"
OTHER_SECRET = "whsec_test_atrium_two"
WEBHOOK = "/billing/stripe/webhook/"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeStripe]:
    with online_stripe(settings, SECRET, OTHER_SECRET) as stripe:
        yield stripe


@pytest.fixture
def people(firm: Any) -> Any:
    admin = factories.AdminFactory(email="anna@firm.example")
    user, contact = factories.client_with_contact(email="ewa@client.example", language="pl")
    other_user, other = factories.client_with_contact(email="jan@client.example")
    return admin, user, contact, other_user, other


_capture: list[Any] = []


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks: Any) -> Iterator[None]:
    """Stored events are processed after the webhook's commit, as in production."""
    _capture.append(django_capture_on_commit_callbacks)
    translation.activate("en")  # service messages are asserted in English
    yield
    _capture.clear()


def post_event(client: Any, event: dict[str, Any], secret: str = SECRET) -> Any:
    payload = event_payload(event)
    with _capture[-1](execute=True):
        return client.post(
            WEBHOOK,
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign_webhook(payload, secret),
        )


def start(client: Any, user: Any, invoice: Invoice) -> str:
    client.force_login(user)
    response = client.post(reverse("billing:portal-invoice-pay", args=[invoice.pk]))
    assert response.status_code == 302
    return str(response["Location"])


def session_of(fake: FakeStripe) -> dict[str, Any]:
    return next(o for o in fake.objects.values() if o["object"] == "checkout.session")


def test_a_card_payment_settles_the_invoice_once_from_the_verified_webhook(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    # when the client pays
    url = start(client, user, invoice)
    assert url.startswith("https://checkout.stripe.com/")
    create = fake.calls("post", "/v1/checkout/sessions")[0]
    attempt = PaymentAttempt.objects.get()
    # then Checkout got minor units, PLN's methods, Atrium ids only, the stored key
    assert create.idempotency_key == f"cs:{attempt.pk}" == attempt.idempotency_key
    item = create.params["line_items"][0]["price_data"]
    assert (item["unit_amount"], item["currency"]) == ("35000", "pln")
    assert create.params["payment_method_types"] == ["card", "blik", "p24"]
    assert set(create.params["metadata"]) == {"atrium_attempt", "atrium_request", "kind"}
    for private in (contact.email, contact.last_name, "Consultation"):
        assert private not in (create.raw_body or "")
    assert "receipt_email" not in create.params
    # a redirect alone settles nothing
    session = session_of(fake)
    pending = client.get(
        reverse("billing:portal-payment-return", args=[invoice.pk]) + f"?session_id={session['id']}"
    )
    assert (
        "being confirmed" in pending.content.decode() or "potwierdzana" in pending.content.decode()
    )
    assert not Payment.objects.exists()
    # when Stripe completes it and sends its events, twice
    fake.complete_session(session["id"])
    for event in fake.events:
        assert post_event(client, event).status_code == 200
    for event in fake.events:
        assert post_event(client, event).status_code == 200
    # then one payment, allocated, with a receipt and a notice
    payment = Payment.objects.get()
    assert payment.method == "CARD" and payment.amount == Decimal("350.00")
    assert payment.receipt_number and payment.receipt_pdf
    invoice.refresh_from_db()
    assert invoice.settlement == "PAID" and invoice.balance == 0
    assert Notification.objects.filter(event="payment_received").count() == 1
    assert StripeEvent.objects.count() == len(fake.events)
    page = client.get(
        reverse("billing:portal-payment-return", args=[invoice.pk]) + f"?session_id={session['id']}"
    ).content.decode()
    assert payment.receipt_number in page


@pytest.mark.parametrize("tamper", ["bad_signature", "missing", "stale", "edited", "livemode"])
def test_a_webhook_that_stripe_did_not_sign_for_this_body_gets_400_and_writes_nothing(
    fake: FakeStripe, people: Any, client: Any, tamper: str
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    start(client, user, invoice)
    fake.complete_session(session_of(fake)["id"])
    event = next(e for e in fake.events if e["type"] == "checkout.session.completed")
    payload = event_payload(event)
    header = sign_webhook(payload, SECRET)
    if tamper == "bad_signature":
        header = sign_webhook(payload, "whsec_somebody_else")
    elif tamper == "missing":
        header = ""
    elif tamper == "stale":
        header = sign_webhook(payload, SECRET, timestamp=int(time.time()) - 3600)
    elif tamper == "edited":
        payload = payload.replace(b'"livemode":false', b'"livemode":false ')
    elif tamper == "livemode":
        payload = event_payload({**event, "livemode": True})
        header = sign_webhook(payload, SECRET)
    response = client.post(
        WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists() and not Payment.objects.exists()


def test_either_secret_of_a_rotation_is_accepted_and_unknown_events_are_ignored(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    event = fake.emit("customer.created", {"id": "cus_x", "object": "customer"})
    assert post_event(client, event, secret=OTHER_SECRET).status_code == 200
    assert StripeEvent.objects.get().status == "IGNORED"


def test_events_out_of_order_reach_the_same_state(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    start(client, user, invoice)
    fake.complete_session(session_of(fake)["id"])
    for event in reversed(fake.events):  # payment_intent.succeeded first
        assert post_event(client, event).status_code == 200
    assert Payment.objects.count() == 1
    assert PaymentAttempt.objects.get().status == "SUCCEEDED"


def test_an_amount_that_does_not_match_never_settles(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    start(client, user, invoice)
    PaymentAttempt.objects.update(amount=Decimal("1.00"))
    fake.complete_session(session_of(fake)["id"])
    completed = next(e for e in fake.events if e["type"] == "checkout.session.completed")
    assert post_event(client, completed).status_code == 200
    assert StripeEvent.objects.get().status == "FAILED"
    assert not Payment.objects.exists()


def test_blik_waits_for_the_bank_and_then_settles(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    start(client, user, invoice)
    session_id = session_of(fake)["id"]
    fake.complete_session(session_id, method="blik")
    for event in fake.events:
        post_event(client, event)
    assert PaymentAttempt.objects.get().status == "PROCESSING"
    assert not Payment.objects.exists()
    # a second "Pay" while the bank confirms is refused
    client.force_login(user)
    client.post(reverse("billing:portal-invoice-pay", args=[invoice.pk]))
    assert PaymentAttempt.objects.count() == 1
    fake.events.clear()
    fake.settle_async(session_id)
    for event in fake.events:
        post_event(client, event)
    assert Payment.objects.get().method == "BLIK"


def test_reconciliation_settles_what_a_missing_webhook_left_open(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    start(client, user, invoice)
    fake.complete_session(session_of(fake)["id"])  # no webhook ever arrives
    services.reconcile(now=timezone.now() + dt.timedelta(minutes=40))
    invoice.refresh_from_db()
    assert invoice.settlement == "PAID" and Payment.objects.count() == 1


def test_a_500_then_200_makes_one_session_with_one_key(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    fake.script("post", "/v1/checkout/sessions", Reply.server_error(), PASS)
    start(client, user, invoice)
    calls = fake.calls("post", "/v1/checkout/sessions")
    assert len(calls) == 2 and len({c.idempotency_key for c in calls}) == 1
    assert sum(1 for o in fake.objects.values() if o["object"] == "checkout.session") == 1
    assert PaymentAttempt.objects.get().status == "OPEN"


def test_a_client_cannot_pay_someone_elses_invoice_nor_choose_the_amount(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, other_user, other = people
    theirs = issued(actor=admin, contact=other)
    client.force_login(user)
    assert client.post(reverse("billing:portal-invoice-pay", args=[theirs.pk])).status_code == 404
    mine = issued(actor=admin, contact=contact)
    url = reverse("billing:portal-invoice-pay", args=[mine.pk])
    # a part below the firm's smallest, above the balance, or not an amount: the client is
    # told why, on the invoice page, and nothing is stored
    for typed, message in (
        ("1", "co najmniej"),
        ("400", "najwyżej"),
        ("<b>9</b>", ""),
        ("-60", ""),
        ("1e9", ""),
    ):
        response = client.post(url, {"amount": typed}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("billing:portal-invoice", args=[mine.pk])
        assert message in response.content.decode()
        assert not PaymentAttempt.objects.exists()
    # with part-payments off, a typed amount is refused, and the page offers none
    BillingSettings.objects.filter(pk=1).update(partial_payment_minimum=None)
    response = client.post(url, {"amount": "100"}, follow=True)
    assert "wpłata częściowa nie jest możliwa" in response.content.decode()
    assert not PaymentAttempt.objects.exists()
    page = client.get(reverse("billing:portal-invoice", args=[mine.pk])).content.decode()
    assert 'name="amount"' not in page
    # the whole balance is always the invoice's, never the form's
    client.post(url)
    assert PaymentAttempt.objects.get().amount == mine.balance


def test_a_client_pays_part_of_an_invoice_and_later_the_rest(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    client.force_login(user)
    page = client.get(reverse("billing:portal-invoice", args=[invoice.pk])).content.decode()
    assert 'name="amount"' in page
    # when she pays 100 of 350
    url = reverse("billing:portal-invoice-pay", args=[invoice.pk])
    assert client.post(url, {"amount": "100"}).status_code == 302
    create = fake.calls("post", "/v1/checkout/sessions")[0]
    assert create.params["line_items"][0]["price_data"]["unit_amount"] == "10000"
    fake.complete_session(session_of(fake)["id"])
    for event in fake.events:
        post_event(client, event)
    # then the invoice is partly paid and its request stays open for the rest
    invoice.refresh_from_db()
    assert invoice.settlement == "PARTIAL" and invoice.balance == Decimal("250.00")
    request = PaymentRequest.objects.get(invoice=invoice)
    assert request.status == "OPEN"
    # when she pays the rest, the request follows the balance and is paid
    fake.events.clear()
    assert client.post(url).status_code == 302
    second = PaymentAttempt.objects.order_by("-created_at").first()
    assert second is not None and second.amount == Decimal("250.00")
    session = next(
        o
        for o in fake.objects.values()
        if o["object"] == "checkout.session" and o["id"] == second.checkout_session_id
    )
    fake.complete_session(session["id"])
    for event in fake.events:
        post_event(client, event)
    invoice.refresh_from_db()
    request.refresh_from_db()
    assert invoice.settlement == "PAID" and invoice.balance == 0
    assert request.status == "PAID" and Payment.objects.count() == 2


def test_staff_refund_a_card_payment_in_full_through_stripe_and_it_credits_the_invoice(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    start(client, user, invoice)
    fake.complete_session(session_of(fake)["id"])
    for event in fake.events:
        post_event(client, event)
    payment = Payment.objects.get()
    with pytest.raises(ServiceError, match="350"):
        services.refund_create(
            actor=admin, payment_id=payment.pk, amount=Decimal("400.00"), reason="Too much"
        )
    refund = services.refund_create(
        actor=admin,
        payment_id=payment.pk,
        amount=Decimal("350.00"),
        reason="Consultation cancelled",
    )
    call = fake.calls("post", "/v1/refunds")[-1]
    assert call.idempotency_key == f"re:{refund.pk}" and call.params["amount"] == "35000"
    assert refund.status == "SUCCEEDED" and refund.credit_note is not None
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("350.00")
    assert invoice.balance == 0 and invoice.settlement == "CREDITED"
    with pytest.raises(ServiceError):
        services.refund_create(
            actor=admin, payment_id=payment.pk, amount=Decimal("0.01"), reason="Again"
        )


def test_a_partial_bank_refund_reopens_that_part_of_the_invoice(people: Any) -> None:
    admin, _user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    payment = services.payment_record(
        actor=admin,
        contact_id=contact.pk,
        method="BANK_TRANSFER",
        amount=Decimal("350.00"),
        currency="PLN",
        received_on=invoice.issue_date,
    )
    with pytest.raises(ServiceError, match="bank reference"):
        services.refund_create(
            actor=admin, payment_id=payment.pk, amount=Decimal("50.00"), reason="Overcharge"
        )
    services.refund_create(
        actor=admin,
        payment_id=payment.pk,
        amount=Decimal("50.00"),
        reason="Overcharge",
        bank_reference="TR/2026/77",
    )
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("50.00") and invoice.settlement == "PARTIAL"
    assert Refund.objects.get().status == "SUCCEEDED"


def test_without_stripe_keys_the_demo_checkout_pays_through_the_signed_webhook_path(
    people: Any, client: Any, settings: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRETS = []
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact)
    url = start(client, user, invoice)
    assert "/billing/demo-checkout/" in url
    page = client.get(url)
    assert page.status_code == 200 and "demo" in page.content.decode().lower()
    with _capture[-1](execute=True):
        back = client.post(url, {"outcome": "pay", "method": "blik"})
    assert back.status_code == 302 and "/paid/" in back["Location"]
    event = StripeEvent.objects.get()
    assert event.type == "checkout.session.completed" and event.status == "PROCESSED"
    payment = Payment.objects.get()
    assert payment.method == "BLIK" and payment.receipt_number
    # and a forged event without the demo's signature is refused
    assert client.post(WEBHOOK, b"{}", content_type="application/json").status_code == 400
    # the demo page does not exist once a Stripe key is set
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert client.get(url).status_code == 404
    # the demo refund goes back at once
    settings.STRIPE_SECRET_KEY = ""
    refund = services.refund_create(
        actor=admin, payment_id=payment.pk, amount=Decimal("100.00"), reason="Goodwill"
    )
    assert refund.status == "SUCCEEDED"

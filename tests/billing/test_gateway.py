"""The Stripe gateway through the official library, with only the HTTP layer replaced."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
import stripe
from django.utils import timezone

from billing.gateway import (
    AuthenticationRequired,
    CheckoutSessionAlreadyComplete,
    GatewayConfigurationError,
    GatewayInvalidRequest,
    GatewayNotFound,
    GatewayOutcomeUnknown,
    GatewayRateLimited,
    GatewayTimeout,
    GatewayUnavailable,
    GatewayUsageError,
    IdempotencyConflict,
    PaymentDeclined,
    StripeGateway,
    check_metadata,
    methods_for,
    retry_key,
)
from billing.money import Money
from tests.billing.stripe_fake import LOST_ANSWER, PASS, TIMEOUT, FakeStripe, Reply

ATTEMPT = uuid.UUID("0b7f5f0e-4a3b-4c61-9a55-2f1d3c4b5a69")
REQUEST = uuid.UUID("6c1e3903-5d0a-4f52-8c11-7e2b9a0d4f13")
CONTACT = uuid.UUID("a3d8c2b1-7e6f-4a59-b0c4-1d2e3f4a5b6c")
SUCCESS = "https://atrium.example/portal/pay/done/?session={CHECKOUT_SESSION_ID}"
CANCEL = "https://atrium.example/portal/invoices/"


def pln(amount: str) -> Money:
    return Money(Decimal(amount), "PLN")


def create_session(
    gateway: StripeGateway, *, amount: Money | None = None, key: str = f"cs:{ATTEMPT}", **extra: Any
) -> Any:
    return gateway.create_payment_session(
        attempt_id=ATTEMPT,
        request_id=REQUEST,
        kind="invoice_balance",
        amount=amount or pln("350.00"),
        reference="FV/2026/03/0012",
        success_url=SUCCESS,
        cancel_url=CANCEL,
        expires_at=timezone.now() + dt.timedelta(minutes=31),
        idempotency_key=key,
        **extra,
    )


def flatten(value: Any) -> str:
    return json.dumps(value, default=str)


def test_checkout_session_sends_minor_units_pln_methods_and_atrium_ids_only(
    gateway: StripeGateway, fake_stripe: FakeStripe, settings: Any
) -> None:
    # when
    session = create_session(gateway, locale="pl", line_label="Usługi prawne")
    # then one request, exactly as the library encodes it
    [sent] = fake_stripe.requests
    assert (sent.method, sent.path) == ("post", "/v1/checkout/sessions")
    assert sent.idempotency_key == f"cs:{ATTEMPT}"
    assert sent.stripe_version == settings.STRIPE_API_VERSION
    params = sent.params
    assert params["mode"] == "payment"
    assert params["line_items"] == [
        {
            "quantity": "1",
            "price_data": {
                "currency": "pln",
                "unit_amount": "35000",
                "product_data": {"name": "Usługi prawne – FV/2026/03/0012"},
            },
        }
    ]
    assert params["payment_method_types"] == ["card", "blik", "p24"]
    assert params["client_reference_id"] == str(ATTEMPT)
    ids = {
        "atrium_attempt": str(ATTEMPT),
        "atrium_request": str(REQUEST),
        "kind": "invoice_balance",
    }
    assert params["metadata"] == ids
    assert params["payment_intent_data"] == {
        "description": "Usługi prawne – FV/2026/03/0012",
        "metadata": ids,
    }
    assert params["locale"] == "pl"
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]
    # Stripe's own receipt email stays off; no customer data rides along
    assert "receipt_email" not in sent.raw_body
    assert "customer_email" not in params
    # and the answer comes back as Atrium's types
    assert session.amount_total == pln("350.00")
    assert session.status == "open" and session.url
    assert session.client_reference_id == str(ATTEMPT)


@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP"])
def test_other_currencies_get_card_only(
    gateway: StripeGateway, fake_stripe: FakeStripe, currency: str
) -> None:
    create_session(gateway, amount=Money(Decimal("120.50"), currency))
    params = fake_stripe.requests[0].params
    assert params["payment_method_types"] == ["card"]
    assert params["line_items"][0]["price_data"]["currency"] == currency.lower()
    assert params["line_items"][0]["price_data"]["unit_amount"] == "12050"


def test_methods_per_currency() -> None:
    assert methods_for("PLN") == ("card", "blik", "p24")
    assert methods_for("PLN", ["blik"]) == ("blik",)
    assert methods_for("EUR") == ("card",)
    with pytest.raises(GatewayUsageError):
        methods_for("EUR", ["blik"])
    with pytest.raises(GatewayUsageError):
        methods_for("PLN", [])


def test_keeping_a_card_is_card_only(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    with pytest.raises(GatewayUsageError):
        create_session(gateway, save_card=True)
    create_session(gateway, save_card=True, methods=["card"])
    assert (
        fake_stripe.requests[0].params["payment_intent_data"]["setup_future_usage"] == "off_session"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"metadata": {"atrium_contact": "jan@example.com"}},
        {"metadata": {"client_name": "Jan Kowalski"}},
        {"metadata": {"matter": "Kowalski v. Nowak"}},
        {"metadata": {"atrium_invoice": "FV/2026/03/0012"}},
        {"metadata": {"kind": "Divorce of Jan Kowalski"}},
        {"line_label": "Kowalski v Nowak 2026"},
        {"line_label": "jan@example.com"},
        {"methods": ["sepa_debit"]},
    ],
)
def test_personal_data_and_unknown_fields_never_leave(
    gateway: StripeGateway, fake_stripe: FakeStripe, bad: dict[str, Any]
) -> None:
    with pytest.raises(GatewayUsageError):
        create_session(gateway, **bad)
    assert fake_stripe.requests == []


@pytest.mark.parametrize(
    "reference", ["Jan Kowalski", "jan@example.com", "", "x" * 41, "<script>1</script>"]
)
def test_the_reference_must_be_a_document_number(
    gateway: StripeGateway, fake_stripe: FakeStripe, reference: str
) -> None:
    with pytest.raises(GatewayUsageError):
        gateway.create_payment_session(
            attempt_id=ATTEMPT,
            request_id=REQUEST,
            kind="consultation_fee",
            amount=pln("350"),
            reference=reference,
            success_url=SUCCESS,
            cancel_url=CANCEL,
            expires_at=timezone.now() + dt.timedelta(hours=1),
            idempotency_key="cs:x",
        )
    assert fake_stripe.requests == []


def test_metadata_checks() -> None:
    assert check_metadata({"atrium_attempt": ATTEMPT, "atrium_payment": 42, "kind": "DEPOSIT"}) == {
        "atrium_attempt": str(ATTEMPT),
        "atrium_payment": "42",
        "kind": "deposit",
    }
    for bad in ({"atrium_payment": True}, {"atrium_payment": 0}, {"email": "a@b.c"}):
        with pytest.raises(GatewayUsageError):
            check_metadata(bad)


@pytest.mark.parametrize("minutes", [29, 24 * 60 + 1])
def test_session_lifetime_is_30_minutes_to_24_hours(
    gateway: StripeGateway, fake_stripe: FakeStripe, minutes: int
) -> None:
    with pytest.raises(GatewayUsageError):
        gateway.create_payment_session(
            attempt_id=ATTEMPT,
            request_id=REQUEST,
            kind="consultation_fee",
            amount=pln("350"),
            reference="ATR-1A2B3C4D",
            success_url=SUCCESS,
            cancel_url=CANCEL,
            expires_at=timezone.now() + dt.timedelta(minutes=minutes),
            idempotency_key="cs:x",
        )
    assert fake_stripe.requests == []


def test_every_write_needs_a_well_formed_idempotency_key(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    for key in ("", "has space", "x" * 256, "ключ"):
        with pytest.raises(GatewayUsageError):
            create_session(gateway, key=key)
    assert fake_stripe.requests == []
    assert retry_key("cs:abc", 1) == "cs:abc:r1"


# -- retries, timeouts and idempotency -------------------------------------------------


def test_the_librarys_retry_after_a_500_reuses_the_same_idempotency_key(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    # given Stripe's load balancer fails once before the endpoint ran
    fake_stripe.script("post", "/v1/checkout/sessions", Reply.server_error(), PASS)
    # when
    session = create_session(gateway)
    # then the library retried once, with the very same key and body
    first, second = fake_stripe.calls("post", "/v1/checkout/sessions")
    assert first.idempotency_key == second.idempotency_key == f"cs:{ATTEMPT}"
    assert first.raw_body == second.raw_body
    assert len(fake_stripe.sleeps) == 1
    assert session.status == "open"
    assert len([o for o in fake_stripe.objects.values() if o["object"] == "checkout.session"]) == 1


def test_a_lost_answer_is_replayed_by_the_retry_and_makes_no_duplicate(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    fake_stripe.script("post", "/v1/checkout/sessions", LOST_ANSWER)
    session = create_session(gateway)
    first, second = fake_stripe.calls("post", "/v1/checkout/sessions")
    assert first.idempotency_key == second.idempotency_key
    sessions = [o for o in fake_stripe.objects.values() if o["object"] == "checkout.session"]
    assert [s["id"] for s in sessions] == [session.id]


def test_a_stored_500_is_not_retried_and_the_caller_looks_up_before_a_new_key(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    started = timezone.now() - dt.timedelta(seconds=5)
    fake_stripe.script("post", "/v1/checkout/sessions", Reply.server_error(should_retry=False))
    with pytest.raises(GatewayUnavailable) as caught:
        create_session(gateway)
    assert isinstance(caught.value, GatewayOutcomeUnknown)
    assert len(fake_stripe.requests) == 1
    # the lookup finds nothing, so a retry with a new key is safe
    assert gateway.find_checkout_session(attempt_id=ATTEMPT, created_after=started) is None
    session = create_session(gateway, key=retry_key(f"cs:{ATTEMPT}", 1))
    assert fake_stripe.requests[-1].idempotency_key == f"cs:{ATTEMPT}:r1"
    assert gateway.find_checkout_session(attempt_id=ATTEMPT, created_after=started).id == session.id


def test_a_timeout_after_stripe_acted_is_found_by_lookup(
    fake_stripe: FakeStripe, settings: Any
) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_atrium_fake"
    gateway = StripeGateway(http_client=fake_stripe, max_network_retries=0)
    started = timezone.now() - dt.timedelta(seconds=5)
    other = uuid.uuid4()
    gateway.create_payment_session(
        attempt_id=other,
        request_id=REQUEST,
        kind="invoice_balance",
        amount=pln("10"),
        reference="FV/2026/03/0001",
        success_url=SUCCESS,
        cancel_url=CANCEL,
        expires_at=timezone.now() + dt.timedelta(hours=1),
        idempotency_key=f"cs:{other}",
    )
    fake_stripe.script("post", "/v1/checkout/sessions", LOST_ANSWER)
    with pytest.raises(GatewayTimeout):
        create_session(gateway)
    found = gateway.find_checkout_session(attempt_id=ATTEMPT, created_after=started)
    assert found is not None and found.client_reference_id == str(ATTEMPT)


def test_timeouts_exhaust_the_retries(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    fake_stripe.script("post", "/v1/checkout/sessions", TIMEOUT, TIMEOUT, TIMEOUT)
    with pytest.raises(GatewayTimeout):
        create_session(gateway)
    assert len(fake_stripe.requests) == 3  # the first try and STRIPE_MAX_NETWORK_RETRIES=2
    assert len({r.idempotency_key for r in fake_stripe.requests}) == 1


def test_a_replayed_key_returns_the_same_session(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    first = create_session(gateway)
    again = create_session(gateway)  # a Celery retry of the same task
    assert again.id == first.id
    assert len([o for o in fake_stripe.objects.values() if o["object"] == "checkout.session"]) == 1


def test_the_same_key_with_other_parameters_is_a_conflict(gateway: StripeGateway) -> None:
    create_session(gateway)
    with pytest.raises(IdempotencyConflict):
        create_session(gateway, amount=pln("400.00"))


def test_rate_limits_are_their_own_error(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    fake_stripe.script("post", "/v1/checkout/sessions", Reply.rate_limited())
    with pytest.raises(GatewayRateLimited):
        create_session(gateway)


def test_errors_carry_no_secret_or_stripe_free_text(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    fake_stripe.script("post", "/v1/checkout/sessions", Reply.bad_key())
    with pytest.raises(GatewayConfigurationError) as caught:
        create_session(gateway)
    text = str(caught.value) + repr(caught.value.args)
    assert "sk_" not in text and "Invalid API Key" not in text
    assert caught.value.http_status == 401
    assert caught.value.request_id and caught.value.request_id.startswith("req_")


def test_no_key_no_gateway(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(GatewayConfigurationError):
        StripeGateway(http_client=FakeStripe())


def test_the_pinned_api_version_is_the_librarys(settings: Any) -> None:
    # Upgrading stripe without moving STRIPE_API_VERSION (or the reverse) fails here.
    assert settings.STRIPE_API_VERSION == stripe.api_version


def test_stripe_rejections_name_the_parameter(gateway: StripeGateway) -> None:
    with pytest.raises(GatewayInvalidRequest) as caught:
        create_session(gateway, amount=pln("1.00"))  # below Stripe's PLN minimum
    assert caught.value.code == "amount_too_small"
    assert caught.value.param and "unit_amount" in caught.value.param
    with pytest.raises(GatewayNotFound):
        gateway.retrieve_checkout_session("cs_test_missing0000")


# -- the session's life ----------------------------------------------------------------


def test_a_paid_session_is_retrieved_with_its_payment_intent(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    session = create_session(gateway)
    fake_stripe.complete_session(session.id, method="card")
    current = gateway.retrieve_checkout_session(session.id)
    assert (current.status, current.payment_status) == ("complete", "paid")
    assert fake_stripe.requests[-1].params == {"expand": ["payment_intent"]}
    intent = current.payment_intent
    assert intent is not None and intent.succeeded
    assert intent.amount_received == pln("350.00")
    assert intent.metadata["atrium_attempt"] == str(ATTEMPT)
    charge = gateway.retrieve_charge(intent.latest_charge_id or "")
    assert (charge.card_brand, charge.card_last4) == ("visa", "4242")
    fee = gateway.retrieve_balance_transaction(charge.balance_transaction_id or "")
    assert fee.fee == pln("5.25") and fee.net == pln("344.75")


def test_blik_completes_unpaid_then_settles(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    session = create_session(gateway)
    fake_stripe.complete_session(session.id, method="blik")
    processing = gateway.retrieve_checkout_session(session.id)
    assert processing.payment_status == "unpaid"
    assert processing.payment_intent and processing.payment_intent.status == "processing"
    fake_stripe.settle_async(session.id)
    paid = gateway.retrieve_checkout_session(session.id)
    assert paid.payment_status == "paid" and paid.payment_intent
    assert paid.payment_intent.succeeded
    charge = gateway.retrieve_charge(paid.payment_intent.latest_charge_id or "")
    assert charge.payment_method_type == "blik"


def test_expiring_an_open_session(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    session = create_session(gateway)
    expired = gateway.expire_checkout_session(session.id, idempotency_key=f"cs-x:{ATTEMPT}")
    assert expired.status == "expired"
    assert fake_stripe.requests[-1].idempotency_key == f"cs-x:{ATTEMPT}"
    # expiring again is harmless
    assert (
        gateway.expire_checkout_session(session.id, idempotency_key="cs-x:again").status
        == "expired"
    )


def test_expiring_a_session_the_client_already_paid_is_the_success_path(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    session = create_session(gateway)
    fake_stripe.complete_session(session.id)
    with pytest.raises(CheckoutSessionAlreadyComplete) as caught:
        gateway.expire_checkout_session(session.id, idempotency_key=f"cs-x:{ATTEMPT}")
    assert caught.value.session.payment_status == "paid"
    assert caught.value.session.payment_intent is not None


def test_setup_session_for_a_plan(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    customer = gateway.create_customer(
        contact_id=CONTACT, email="ewa@example.com", idempotency_key=f"cus:{CONTACT}", locale="pl"
    )
    sent = fake_stripe.requests[-1].params
    assert sent == {
        "email": "ewa@example.com",
        "metadata": {"atrium_contact": str(CONTACT)},
        "preferred_locales": ["pl"],
    }  # no name unless the firm opts in
    authorisation = uuid.uuid4()
    session = gateway.create_setup_session(
        authorisation_id=authorisation,
        contact_id=CONTACT,
        customer_id=customer.id,
        currency="EUR",
        success_url=SUCCESS,
        cancel_url=CANCEL,
        idempotency_key=f"cs-setup:{authorisation}",
    )
    params = fake_stripe.requests[-1].params
    assert params["mode"] == "setup"
    assert params["payment_method_types"] == ["card", "sepa_debit"]
    assert params["setup_intent_data"]["metadata"]["atrium_authorisation"] == str(authorisation)
    fake_stripe.complete_setup_session(session.id)
    done = gateway.retrieve_checkout_session(session.id)
    setup = gateway.retrieve_setup_intent(done.setup_intent_id or "")
    assert (setup.status, setup.card_brand, setup.card_last4) == ("succeeded", "visa", "4242")
    assert setup.payment_method_id == "pm_card_visa"


# -- off-session charges and refunds ------------------------------------------------------


def charge_off_session(
    gateway: StripeGateway, customer: str, method: str, instalment: uuid.UUID, n: int = 1
) -> Any:
    return gateway.create_off_session_payment(
        amount=pln("500.00"),
        customer_id=customer,
        payment_method_id=method,
        reference="FV/2026/03/0012",
        metadata={"atrium_instalment": instalment},
        idempotency_key=f"inst:{instalment}:try:{n}",
    )


def test_off_session_charges(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    customer = gateway.create_customer(
        contact_id=CONTACT, email="ewa@example.com", idempotency_key=f"cus:{CONTACT}"
    )
    instalment = uuid.uuid4()
    paid = charge_off_session(gateway, customer.id, "pm_card_visa", instalment)
    assert paid.succeeded and paid.amount == pln("500.00")
    params = fake_stripe.requests[-1].params
    assert params["off_session"] == "true" and params["confirm"] == "true"
    assert params["amount"] == "50000" and params["payment_method_types"] == ["card"]
    assert "receipt_email" not in params

    with pytest.raises(AuthenticationRequired) as needs_3ds:
        charge_off_session(gateway, customer.id, "pm_card_authenticationRequired", uuid.uuid4())
    assert needs_3ds.value.payment_intent_id and needs_3ds.value.http_status == 402
    assert "declined" not in str(needs_3ds.value)  # Stripe's text stays out

    with pytest.raises(PaymentDeclined) as declined:
        charge_off_session(
            gateway, customer.id, "pm_card_chargeDeclinedInsufficientFunds", uuid.uuid4()
        )
    assert declined.value.code == "card_declined"
    assert declined.value.decline_code == "insufficient_funds"


def test_scripted_402_authentication_required(
    gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    fake_stripe.script(
        "post", "/v1/payment_intents", Reply.authentication_required({"id": "pi_test_scripted0001"})
    )
    with pytest.raises(AuthenticationRequired) as caught:
        charge_off_session(gateway, "cus_test_00000001Atr", "pm_card_visa", uuid.uuid4())
    assert caught.value.payment_intent_id == "pi_test_scripted0001"
    fake_stripe.script("post", "/v1/payment_intents", Reply.card_declined("lost_card"))
    with pytest.raises(PaymentDeclined) as declined:
        charge_off_session(gateway, "cus_test_00000001Atr", "pm_card_visa", uuid.uuid4())
    assert (declined.value.code, declined.value.decline_code) == ("card_declined", "lost_card")
    assert "Your card" not in str(declined.value)


def test_lookup_finds_an_off_session_charge_whose_answer_was_lost(
    gateway: StripeGateway, fake_stripe: FakeStripe, settings: Any
) -> None:
    customer = gateway.create_customer(
        contact_id=CONTACT, email="ewa@example.com", idempotency_key=f"cus:{CONTACT}"
    )
    started = timezone.now() - dt.timedelta(seconds=5)
    instalment = uuid.uuid4()
    no_retries = StripeGateway(http_client=fake_stripe, max_network_retries=0)
    fake_stripe.script("post", "/v1/payment_intents", LOST_ANSWER)
    with pytest.raises(GatewayTimeout):
        charge_off_session(no_retries, customer.id, "pm_card_visa", instalment)
    charge_off_session(gateway, customer.id, "pm_card_visa", uuid.uuid4())  # another one
    found = gateway.find_payment_intents(
        customer_id=customer.id, metadata={"atrium_instalment": instalment}, created_after=started
    )
    assert [p.metadata["atrium_instalment"] for p in found] == [str(instalment)]
    assert found[0].succeeded


def test_refunds(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    session = create_session(gateway)
    fake_stripe.complete_session(session.id)
    intent = gateway.retrieve_checkout_session(session.id).payment_intent
    assert intent is not None
    refund_id = uuid.uuid4()
    refund = gateway.create_refund(
        refund_id=refund_id,
        payment_intent_id=intent.id,
        amount=pln("100.50"),
        idempotency_key=f"re:{refund_id}",
    )
    assert refund.amount == pln("100.50") and refund.status == "succeeded"
    assert fake_stripe.requests[-1].params == {
        "payment_intent": intent.id,
        "amount": "10050",
        "metadata": {"atrium_refund": str(refund_id)},
    }
    assert gateway.retrieve_refund(refund.id) == refund
    too_much = uuid.uuid4()
    with pytest.raises(GatewayInvalidRequest) as caught:
        gateway.create_refund(
            refund_id=too_much,
            payment_intent_id=intent.id,
            amount=pln("250.00"),
            idempotency_key=f"re:{too_much}",
        )
    assert caught.value.param == "amount"
    with pytest.raises(GatewayUsageError):
        gateway.create_refund(
            refund_id=too_much,
            payment_intent_id=intent.id,
            amount=pln("0"),
            idempotency_key=f"re:{too_much}",
        )


def test_events_are_listed_across_pages(gateway: StripeGateway, fake_stripe: FakeStripe) -> None:
    since = timezone.now() - dt.timedelta(minutes=1)
    for _ in range(120):
        fake_stripe.emit("payment_intent.succeeded", {"id": "pi_test_x0001", "object": "x"})
    events = list(gateway.iter_events(created_after=since))
    assert len(events) == 120 and len({e.id for e in events}) == 120
    assert len(fake_stripe.calls("get", "/v1/events")) == 2

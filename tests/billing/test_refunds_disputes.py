"""Refunds above the firm's threshold need a second staff member; refund and dispute
webhooks (signed with the real algorithm) record Stripe's state and never go backwards."""

# ruff: noqa: F811  (the fixtures imported from test_online are parameters here)
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from audit.models import AuditEvent
from billing import services
from billing.models import BillingSettings, Invoice, Payment, Refund, StripeEvent
from billing.services.reminders import payment_reminders_plan
from core.errors import ServiceError
from notifications.models import Notification
from tests import factories
from tests.billing.helpers import issued
from tests.billing.stripe_fake import FakeStripe
from tests.billing.test_online import (  # noqa: F401 - fixtures
    _run_on_commit,
    fake,
    people,
    post_event,
    session_of,
    start,
)


def _paid_online(fake: FakeStripe, people: Any, client: Any, **kwargs: Any) -> Payment:
    admin, user, contact, *_ = people
    invoice = issued(actor=admin, contact=contact, **kwargs)
    start(client, user, invoice)
    fake.complete_session(session_of(fake)["id"])
    for event in fake.events:
        post_event(client, event)
    fake.events.clear()
    return Payment.objects.get()


def _threshold(amount: str) -> None:
    BillingSettings.objects.get_or_create(pk=1)
    BillingSettings.objects.filter(pk=1).update(refund_second_approval_above=Decimal(amount))


def test_a_refund_above_the_threshold_waits_for_a_second_staff_member(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, *_ = people
    second = factories.AdminFactory(email="marek@firm.example")
    payment = _paid_online(fake, people, client)
    _threshold("100.00")
    # when the first asks for more than the threshold
    refund = services.refund_create(
        actor=admin, payment_id=payment.pk, amount=Decimal("300.00"), reason="Cancelled"
    )
    # then nothing goes to Stripe yet and the amount is reserved
    assert refund.status == "REQUESTED" and not fake.calls("post", "/v1/refunds")
    with translation.override("en"), pytest.raises(ServiceError, match="50"):
        services.refund_create(
            actor=admin, payment_id=payment.pk, amount=Decimal("60.00"), reason="More"
        )
    # the same person cannot approve it
    with translation.override("en"), pytest.raises(ServiceError, match="Another staff member"):
        services.refund_approve(actor=admin, refund_id=refund.pk)
    assert Refund.objects.get(pk=refund.pk).status == "REQUESTED"
    # another one can, and then it goes to Stripe with its stored key
    refund = services.refund_approve(actor=second, refund_id=refund.pk)
    assert refund.status == "SUCCEEDED" and refund.approved_by == second
    call = fake.calls("post", "/v1/refunds")[-1]
    assert call.idempotency_key == f"re:{refund.pk}" and call.params["amount"] == "30000"
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "refund.requested" in actions and "refund.approved" in actions
    with translation.override("en"), pytest.raises(ServiceError, match="decided already"):
        services.refund_approve(actor=second, refund_id=refund.pk)


def test_below_the_threshold_a_refund_goes_at_once_and_a_rejected_one_moves_nothing(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, *_ = people
    second = factories.AdminFactory(email="marek@firm.example")
    payment = _paid_online(fake, people, client)
    _threshold("100.00")
    small = services.refund_create(
        actor=admin, payment_id=payment.pk, amount=Decimal("50.00"), reason="Goodwill"
    )
    assert small.status == "SUCCEEDED"
    big = services.refund_create(
        actor=admin, payment_id=payment.pk, amount=Decimal("200.00"), reason="Cancelled"
    )
    rejected = services.refund_reject(actor=second, refund_id=big.pk)
    assert rejected.status == "REJECTED"
    withdrawn = services.refund_reject(
        actor=admin,
        refund_id=services.refund_create(
            actor=admin, payment_id=payment.pk, amount=Decimal("300.00"), reason="Again"
        ).pk,
    )
    assert withdrawn.status == "CANCELLED"
    assert len(fake.calls("post", "/v1/refunds")) == 1
    payment.refresh_from_db()
    assert payment.refunded_total == Decimal("50.00")


def test_an_offline_refund_above_the_threshold_is_approved_with_the_bank_reference(
    people: Any,
) -> None:
    admin, _user, contact, *_ = people
    second = factories.AdminFactory(email="marek@firm.example")
    invoice = issued(actor=admin, contact=contact)
    payment = services.payment_record(
        actor=admin,
        contact_id=contact.pk,
        method="BANK_TRANSFER",
        amount=Decimal("350.00"),
        currency="PLN",
        received_on=invoice.issue_date,
    )
    _threshold("0.00")
    refund = services.refund_create(
        actor=admin, payment_id=payment.pk, amount=Decimal("100.00"), reason="Overcharge"
    )
    with translation.override("en"), pytest.raises(ServiceError, match="bank reference"):
        services.refund_approve(actor=second, refund_id=refund.pk)
    refund = services.refund_approve(actor=second, refund_id=refund.pk, bank_reference="TR/1")
    assert refund.status == "SUCCEEDED" and refund.bank_reference == "TR/1"
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("100.00")


def test_a_pending_refund_settles_from_its_webhook_once_and_never_backwards(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, *_ = people
    payment = _paid_online(fake, people, client)
    fake.refund_status = "pending"
    refund = services.refund_create(
        actor=admin, payment_id=payment.pk, amount=Decimal("350.00"), reason="Cancelled"
    )
    assert refund.status == "PENDING" and refund.credit_note is None
    fake.events.clear()
    fake.settle_refund(refund.provider_refund_id or "")
    for event in fake.events * 2:  # refund.updated and charge.refunded, twice
        assert post_event(client, event).status_code == 200
    refund.refresh_from_db()
    assert refund.status == "SUCCEEDED" and refund.credit_note is not None
    invoice = Invoice.objects.get()
    assert invoice.settlement == "CREDITED" and invoice.refunded_total == Decimal("350.00")
    # a stale "failed" afterwards changes nothing
    fake.objects[refund.provider_refund_id or ""]["status"] = "failed"
    post_event(client, fake.emit("refund.updated", fake.objects[refund.provider_refund_id or ""]))
    refund.refresh_from_db()
    assert refund.status == "SUCCEEDED"


def test_a_failed_refund_from_its_webhook_reopens_nothing(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, *_ = people
    payment = _paid_online(fake, people, client)
    fake.refund_status = "pending"
    refund = services.refund_create(
        actor=admin, payment_id=payment.pk, amount=Decimal("100.00"), reason="Goodwill"
    )
    fake.events.clear()
    post_event(client, fake.settle_refund(refund.provider_refund_id or "", status="failed"))
    refund.refresh_from_db()
    assert refund.status == "FAILED" and refund.failure_reason == "lost_or_stolen_card"
    payment.refresh_from_db()
    assert payment.refunded_total == 0 and Invoice.objects.get().balance == 0


def test_a_dispute_pauses_reminders_tells_staff_and_a_lost_one_reopens_the_balance(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, *_ = people
    payment = _paid_online(fake, people, client, due_in_days=3)
    created = fake.open_dispute(payment.provider_charge or "")
    assert post_event(client, created).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "DISPUTED" and payment.provider_dispute
    assert Notification.objects.filter(event="payment_disputed", recipient=admin).count() == 1
    with translation.override("en"), pytest.raises(ServiceError, match="disputed"):
        services.refund_create(
            actor=admin, payment_id=payment.pk, amount=Decimal("1.00"), reason="x"
        )
    # lost: the money went back, the invoice is open again but paused while... closed
    closed = fake.close_dispute(payment.provider_dispute or "", won=False)
    post_event(client, closed)
    post_event(client, created)  # a late "created" after the close changes nothing
    payment.refresh_from_db()
    invoice = Invoice.objects.get()
    assert payment.status == "REVERSED"
    assert invoice.balance == Decimal("350.00") and invoice.settlement == "UNPAID"
    # a reversed payment's invoice is reminded again (the dispute is over)
    assert payment_reminders_plan()["invoices"] == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"payment.disputed", "payment.dispute_closed"} <= actions


def test_a_won_dispute_restores_the_payment_and_open_documents_are_not_reminded_meanwhile(
    fake: FakeStripe, people: Any, client: Any
) -> None:
    admin, user, contact, *_ = people
    payment = _paid_online(fake, people, client)
    # a second invoice, partly paid by a payment that gets disputed
    other = issued(actor=admin, contact=contact, due_in_days=3)
    partial = services.payment_record(
        actor=admin,
        contact_id=contact.pk,
        method="BANK_TRANSFER",
        amount=Decimal("100.00"),
        currency="PLN",
        received_on=other.issue_date,
        invoice_order=[other.pk],
    )
    Payment.objects.filter(pk=partial.pk).update(status="DISPUTED")
    assert payment_reminders_plan()["invoices"] == 0
    Payment.objects.filter(pk=partial.pk).update(status="SUCCEEDED")
    created = fake.open_dispute(payment.provider_charge or "")
    post_event(client, created)
    dispute_id = created["data"]["object"]["id"]
    post_event(client, fake.close_dispute(dispute_id, won=True))
    payment.refresh_from_db()
    assert payment.status == "SUCCEEDED"
    assert Invoice.objects.get(pk=payment.allocations.get().invoice_id).balance == 0
    assert StripeEvent.objects.filter(type="charge.dispute.closed").get().status == "PROCESSED"

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.access import ANY_SIGNED_IN, LOGIN, MATTER_A_STAFF, STAFF_ONLY, Row, same

# A line no refused page may contain.
SECRET = "Qwzxyvonk retainer"
CLIENT_A_ONLY = same(404, anonymous=LOGIN, client_a=200)
ADMIN_ONLY = {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}
MATTER_A_STAFF_POST = {**MATTER_A_STAFF, "staff_on": 302, "admin": 302}


def _billing(w: Any) -> None:
    from billing import services
    from tests.billing.helpers import draft, line

    w.draft = draft(
        actor=w.staff_on, contact=w.contact_a, lines=[line(SECRET)], matter_id=w.matter_a.pk
    )
    w.invoice = services.invoice_issue(
        actor=w.staff_on,
        invoice_id=draft(
            actor=w.staff_on, contact=w.contact_a, lines=[line(SECRET)], matter_id=w.matter_a.pk
        ).pk,
    )
    w.payment = services.payment_record(
        actor=w.admin,
        contact_id=w.contact_a.pk,
        method="BANK_TRANSFER",
        amount=Decimal("100.00"),
        currency="PLN",
        received_on=w.invoice.issue_date,
    )


def _refund_waiting(w: Any) -> None:
    from billing import services
    from billing.models import BillingSettings

    _billing(w)
    BillingSettings.objects.filter(pk=1).update(refund_second_approval_above=0)
    w.refund = services.refund_create(
        actor=w.admin, payment_id=w.payment.pk, amount=Decimal("10.00"), reason="Goodwill"
    )


def _attended(w: Any) -> None:
    """An attended, priced consultation of matter A with the firm admin."""
    from tests.scheduling.helpers import world_matter_booking

    world_matter_booking(w)
    type(w.service).objects.filter(pk=w.service.pk).update(price=Decimal("350.00"))
    type(w.appointment).objects.filter(pk=w.appointment.pk).update(status="attended")


def _fee(w: Any) -> None:
    """An open late-cancellation fee of client A."""
    from billing.models import PaymentRequest

    w.fee = PaymentRequest.objects.create(
        kind=PaymentRequest.Kind.CANCELLATION_FEE,
        contact=w.contact_a,
        amount=Decimal("80.00"),
        currency="PLN",
    )


def _fee_token(w: Any) -> dict[str, Any]:
    from billing.services.bookings import fee_link

    return {"token": fee_link(w.fee).rstrip("/").rsplit("/", 1)[1]}


def _invoice(w: Any) -> dict[str, Any]:
    return {"invoice_id": w.invoice.pk}


def _secret(w: Any) -> str:
    return SECRET


ROWS = [
    Row("billing:portal-invoices", ANY_SIGNED_IN, setup=_billing),
    Row("billing:portal-invoice", CLIENT_A_ONLY, setup=_billing, kwargs=_invoice, secret=_secret),
    Row("billing:portal-invoice-pdf", CLIENT_A_ONLY, setup=_billing, kwargs=_invoice),
    Row(
        "billing:portal-receipt-pdf",
        CLIENT_A_ONLY,
        setup=_billing,
        kwargs=lambda w: {"payment_id": w.payment.pk},
    ),
    Row("billing:staff-invoices", STAFF_ONLY, setup=_billing),
    Row(
        "billing:staff-invoice-new",
        MATTER_A_STAFF,
        setup=_billing,
        query="",
        kwargs=lambda w: {},
        data=lambda w: {"contact": str(w.contact_a.pk)},
    ),
    Row("billing:staff-invoice", MATTER_A_STAFF, setup=_billing, kwargs=_invoice, secret=_secret),
    Row(
        "billing:staff-invoice-edit",
        MATTER_A_STAFF,
        setup=_billing,
        kwargs=lambda w: {"invoice_id": w.draft.pk},
        secret=_secret,
    ),
    Row("billing:staff-invoice-pdf", MATTER_A_STAFF, setup=_billing, kwargs=_invoice),
    Row(
        "billing:staff-invoice-action",
        MATTER_A_STAFF_POST,
        method="post",
        setup=_billing,
        kwargs=lambda w: {"invoice_id": w.draft.pk, "action": "issue"},
    ),
    # Drafting from an attended consultation: whoever may see the appointment.
    Row(
        "billing:staff-invoice-from-appointment",
        MATTER_A_STAFF_POST,
        method="post",
        setup=_attended,
        kwargs=lambda w: {"appointment_id": w.appointment.pk},
    ),
    # Recording payments needs billing.record_payment: firm admins have it.
    Row(
        "billing:staff-payment-new",
        {**MATTER_A_STAFF, "staff_on": 404},
        setup=_billing,
        data=lambda w: {"contact": str(w.contact_a.pk)},
    ),
    Row(
        "billing:staff-receipt-pdf",
        MATTER_A_STAFF,
        setup=_billing,
        kwargs=lambda w: {"payment_id": w.payment.pk},
    ),
    Row(
        "billing:staff-contact-billing",
        MATTER_A_STAFF,
        setup=_billing,
        kwargs=lambda w: {"contact_id": w.contact_a.pk},
        secret=lambda w: w.invoice.number,
    ),
    Row("billing:staff-settings", ADMIN_ONLY),
    # Paying goes to the (demo) checkout: a redirect for the invoice's client only.
    Row(
        "billing:portal-invoice-pay",
        same(404, anonymous=LOGIN, client_a=302),
        method="post",
        setup=_billing,
        kwargs=_invoice,
        secret=_secret,
    ),
    Row(
        "billing:portal-payment-return",
        CLIENT_A_ONLY,
        setup=_billing,
        kwargs=_invoice,
        query="session_id=cs_test_unknown",
        secret=_secret,
    ),
    # Stripe signs its requests; without a valid signature everyone gets 400.
    Row("billing:stripe-webhook", same(400), method="post"),
    # A demo session id is its own credential: an unknown one is 404 for everybody.
    Row(
        "billing:demo-checkout",
        same(404),
        kwargs=lambda w: {"session_id": "cs_demo_unknown"},
    ),
    # A paid booking's pages open by its manage token: an unknown one is 404 for everybody.
    Row("billing:booking-pay", same(404), kwargs=lambda w: {"token": "not-a-booking"}),
    Row(
        "billing:booking-pay",
        same(404),
        method="post",
        kwargs=lambda w: {"token": "not-a-booking"},
    ),
    Row("billing:booking-paid", same(404), kwargs=lambda w: {"token": "not-a-booking"}),
    # A fee's pay link is signed: a forged one is 404 for everybody, a real one opens.
    Row("billing:fee-pay", same(404), kwargs=lambda w: {"token": "not-a-fee"}),
    Row("billing:fee-pay", same(404), method="post", kwargs=lambda w: {"token": "not-a-fee"}),
    Row("billing:fee-paid", same(404), kwargs=lambda w: {"token": "not-a-fee"}),
    Row("billing:fee-pay", same(200), setup=_fee, kwargs=_fee_token),
    # Refunds need billing.refund (firm admins); the form answers with a redirect.
    Row(
        "billing:staff-payment-refund",
        {**MATTER_A_STAFF, "staff_on": 404, "admin": 302},
        method="post",
        setup=_billing,
        kwargs=lambda w: {"payment_id": w.payment.pk},
    ),
    # Asking a contact for an amount of its own: staff who may see the contact.
    Row(
        "billing:staff-request-new",
        MATTER_A_STAFF,
        setup=_billing,
        data=lambda w: {"contact": str(w.contact_a.pk)},
    ),
    Row(
        "billing:staff-request-new",
        MATTER_A_STAFF_POST,
        method="post",
        setup=_billing,
        data=lambda w: {
            "contact": str(w.contact_a.pk),
            "description": "Court fee advance",
            "amount": "100.00",
            "currency": "PLN",
            "due_date": "2200-01-01",
        },
    ),
    # A fee's due date and reminders: staff who may see the contact; a redirect.
    Row(
        "billing:staff-fee-terms",
        MATTER_A_STAFF_POST,
        method="post",
        setup=_fee,
        kwargs=lambda w: {"fee_id": w.fee.pk},
        data=lambda w: {"due_date": "2200-01-01", "reminders": "1"},
    ),
    # Waiving a fee needs billing.waive_fee (firm admins); the form answers with a redirect.
    Row(
        "billing:staff-fee-waive",
        {**MATTER_A_STAFF, "staff_on": 404, "admin": 302},
        method="post",
        setup=_fee,
        kwargs=lambda w: {"fee_id": w.fee.pk},
        data=lambda w: {"reason": "Goodwill"},
    ),
    # Refunds waiting for a second approval: billing.refund only (firm admins).
    Row("billing:staff-refunds", ADMIN_ONLY, setup=_refund_waiting),
    Row(
        "billing:staff-refund-action",
        {**MATTER_A_STAFF, "staff_on": 404, "admin": 302},
        method="post",
        setup=_refund_waiting,
        kwargs=lambda w: {"refund_id": w.refund.pk, "action": "reject"},
    ),
]

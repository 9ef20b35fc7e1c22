"""The demo firm's billing day: every state a firm sees, made once by seed_demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from billing.models import CreditNote, Invoice, Payment, PaymentRequest, Refund
from portal.models import User

pytestmark = pytest.mark.django_db

# Mid-year and mid-week: the overdue document can be dated weeks back in its series.
DEMO_DAY = dt.datetime(2026, 6, 17, 8, 0, tzinfo=dt.UTC)


def _numbers(client: Client, **query: str) -> set[str]:
    response = client.get(reverse("billing:staff-invoices"), query)
    assert response.status_code == 200
    return {inv.number or "draft" for inv in response.context["page"]}


@pytest.fixture
def demo(firm: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Invoice]:
    with time_machine.travel(DEMO_DAY, tick=False):
        for _run in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                # The billing day alone: the insights history has documents of its own.
                call_command("seed_demo", no_history=True)
    return {
        "ewa": Invoice.objects.get(contact__email="ewa@example.com"),
        "jan": Invoice.objects.get(contact__email="jan@example.com"),
        **{
            state: Invoice.objects.get(internal_note__startswith=f"Demo: {prefix}")
            for state, prefix in [
                ("draft", "draft"),
                ("partial", "part-paid"),
                ("overdue", "overdue"),
                ("credited", "corrected"),
                ("refunded", "paid, then refunded"),
            ]
        },
    }


def test_the_demo_seeds_each_billing_state_once(demo: dict[str, Invoice]) -> None:
    # Ewa owes one payment request; Jan's is paid with a receipt.
    ewa, jan = demo["ewa"], demo["jan"]
    assert ewa.is_issued and ewa.settlement == "UNPAID" and ewa.total == Decimal("1084.00")
    assert jan.settlement == "PAID"
    receipt = jan.allocations.get().payment
    assert receipt.receipt_number and receipt.receipt_pdf
    # A draft: no number, nothing sent.
    assert demo["draft"].is_draft and demo["draft"].number is None
    # Part-paid: one bank transfer of 400 against 1,084.
    partial = demo["partial"]
    assert (partial.settlement, partial.allocated_total, partial.balance) == (
        "PARTIAL",
        Decimal("400.00"),
        Decimal("684.00"),
    )
    # Overdue: issued in the past, due weeks ago, nothing paid.
    overdue = demo["overdue"]
    assert overdue.is_overdue and overdue.settlement == "UNPAID"
    assert overdue.issue_date == dt.date(2026, 5, 8) and overdue.due_date == dt.date(2026, 5, 22)
    # Corrected: a credit note for the hour billed twice leaves the rest to pay.
    credited = demo["credited"]
    note = credited.credit_notes.get()
    assert note.reason == CreditNote.Reason.CORRECTION and note.total == Decimal("492.00")
    assert credited.balance == credited.total - note.total
    # Refunded: paid, the whole payment returned, and the refund's credit note.
    refunded = demo["refunded"]
    payment = refunded.allocations.get().payment
    refund = Refund.objects.get(payment=payment)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == payment.amount
    assert refund.credit_note is not None and refund.credit_note.invoice_id == refunded.pk
    assert refund.credit_note.reason == CreditNote.Reason.REFUND
    assert refunded.settlement == "CREDITED" and refunded.balance == 0
    # A request of its own with a due date: Jan's late-cancellation fee.
    fee = PaymentRequest.objects.get(contact__email="jan@example.com", invoice=None)
    assert fee.kind == PaymentRequest.Kind.CANCELLATION_FEE
    assert fee.status == PaymentRequest.Status.OPEN and fee.amount == Decimal("100.00")
    assert fee.due_date == dt.date(2026, 7, 1)
    # And one staff asked for: an advance on a court fee, due in ten days, reminded.
    advance = PaymentRequest.objects.get(contact__email="maria@example.com", invoice=None)
    assert advance.kind == PaymentRequest.Kind.OTHER and advance.status == "OPEN"
    assert advance.due_date == dt.date(2026, 6, 27) and advance.reminders
    assert advance.amount == Decimal("300.00") and advance.description
    # Twice run, made once.
    assert Invoice.objects.count() == 7 and CreditNote.objects.count() == 2
    assert Payment.objects.count() == 3 and Refund.objects.count() == 1
    # Issued in date order: the backdated overdue document took the first number.
    issued = Invoice.objects.exclude(number=None).order_by("number")
    dates = [i.issue_date for i in issued]
    assert dates == sorted(dates)


def test_staff_filters_and_ageing_show_the_demo_states(
    demo: dict[str, Invoice], client: Client
) -> None:
    anna = User.objects.get(email="anna.kowalska@example.com")
    TOTP.activate(anna, generate_totp_secret())  # staff pages ask for a second factor
    client.force_login(anna)
    with time_machine.travel(DEMO_DAY, tick=False):
        everything = _numbers(client)
        assert len(everything) == 7
        assert _numbers(client, status="DRAFT") == {"draft"}
        assert _numbers(client, status="UNPAID") == {demo["ewa"].number, demo["overdue"].number}
        assert _numbers(client, status="PARTIAL") == {
            demo["partial"].number,
            demo["credited"].number,
        }
        assert _numbers(client, status="PAID") == {demo["jan"].number}
        assert _numbers(client, status="CREDITED") == {demo["refunded"].number}
        assert _numbers(client, overdue="1") == {demo["overdue"].number}
        # Ageing: the overdue balance 26 days late, the rest not yet due.
        response = client.get(reverse("billing:staff-invoices"))
        ageing = response.context["ageing"]["PLN"]
        assert ageing["1-30"] == Decimal("1084.00")
        assert ageing["current"] == (
            demo["ewa"].balance + demo["partial"].balance + demo["credited"].balance
        )
        # Jan's billing page lists his open fee with its due date.
        jan = demo["jan"].contact
        page = client.get(reverse("billing:staff-contact-billing", args=[jan.pk]))
        assert page.status_code == 200
        fee = page.context["fees"][0]
        assert fee.kind == PaymentRequest.Kind.CANCELLATION_FEE and fee.status == "OPEN"

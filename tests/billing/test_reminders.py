"""Payment reminders: one digest per contact and step through the outbox, exactly once,
never for what is paid, being confirmed or disputed, and no burst after an outage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from billing import services
from billing.models import (
    BillingSettings,
    Invoice,
    Payment,
    PaymentAttempt,
    PaymentReminder,
    PaymentRequest,
)
from billing.selectors import billing_settings_get
from billing.services.reminders import payment_reminders_plan
from notifications.outbox import State
from notifications.services import deliveries_sweep
from tests import factories
from tests.billing.helpers import issued, line

NOON = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)  # 12:00 in Warsaw
SECRET_LINE = "Custody of the children"


@pytest.fixture
def people(firm: Any) -> Any:
    admin = factories.AdminFactory(email="anna@firm.example")
    user, contact = factories.client_with_contact(email="ewa@client.example", language="en")
    return admin, user, contact


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[Any]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def reminders() -> list[Any]:
    """The reminder emails sent (the "new invoice" notices go out too)."""
    return [m for m in mail.outbox if m.subject.startswith("Payment reminder")]


def at(days: int, hours: int = 0) -> dt.datetime:
    return NOON + dt.timedelta(days=days, hours=hours)


def plan_and_send(traveller: Any, when: dt.datetime) -> dict[str, int]:
    traveller.move_to(when)
    done = payment_reminders_plan()
    deliveries_sweep()
    return done


def test_one_digest_per_contact_and_step_lists_every_open_document_exactly_once(
    people: Any, _frozen: Any
) -> None:
    admin, _user, contact = people
    first = issued(actor=admin, contact=contact, due_in_days=3, lines=[line(SECRET_LINE)])
    second = issued(actor=admin, contact=contact, due_in_days=3, lines=[line(price="150.00")])
    # when the planner runs twice on the step's day (-3) and the sweep twice
    payment_reminders_plan()
    payment_reminders_plan()
    deliveries_sweep()
    deliveries_sweep()
    # then one digest with both documents and their total, and nothing confidential
    row = PaymentReminder.objects.get()
    assert (row.channel, row.state, row.step_key) == ("email", State.SENT, "2026-03-02")
    assert set(row.invoice_ids) == {str(first.pk), str(second.pk)}
    assert len(reminders()) == 1
    message = reminders()[0]
    assert "500.00" in message.body or "500,00" in message.body
    assert "/portal/invoices/" in message.body
    assert SECRET_LINE not in message.body and "Consultation" not in message.body
    first.refresh_from_db()
    assert (first.last_reminder_step, first.reminders_sent) == ("-3", 1)
    # the next day has no step; the due date has the next one
    plan_and_send(_frozen, at(1))
    assert len(reminders()) == 1
    plan_and_send(_frozen, at(3))
    plan_and_send(_frozen, at(3, hours=3))
    assert len(reminders()) == 2 and PaymentReminder.objects.count() == 2


def test_a_paid_document_is_never_reminded_and_one_paid_after_planning_is_suppressed(
    people: Any,
) -> None:
    admin, _user, contact = people
    invoice = issued(actor=admin, contact=contact, due_in_days=3)
    payment_reminders_plan()
    services.payment_record(
        actor=admin,
        contact_id=contact.pk,
        method="BANK_TRANSFER",
        amount=Decimal("350.00"),
        currency="PLN",
        received_on=invoice.issue_date,
    )
    deliveries_sweep()
    row = PaymentReminder.objects.get()
    assert (row.state, row.reason) == (State.SUPPRESSED, "paid")
    assert not reminders()
    # and a paid one is not planned at all on its later steps
    assert payment_reminders_plan()["digests"] == 0


def _processing(invoice: Invoice) -> None:
    request = PaymentRequest.objects.create(
        kind=PaymentRequest.Kind.INVOICE_BALANCE,
        contact_id=invoice.contact_id,
        invoice=invoice,
        amount=invoice.balance,
        currency=invoice.currency,
    )
    PaymentAttempt.objects.create(
        request=request,
        amount=invoice.balance,
        currency=invoice.currency,
        status=PaymentAttempt.Status.PROCESSING,
        idempotency_key=f"cs:{request.pk}",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )


def test_no_reminder_while_a_payment_is_being_confirmed_or_is_disputed(
    people: Any, _frozen: Any
) -> None:
    admin, _user, contact = people
    confirming = issued(actor=admin, contact=contact, due_in_days=3)
    _processing(confirming)
    disputed = issued(actor=admin, contact=contact, due_in_days=3, lines=[line(price="500.00")])
    payment = services.payment_record(
        actor=admin,
        contact_id=contact.pk,
        method="BANK_TRANSFER",
        amount=Decimal("100.00"),
        currency="PLN",
        received_on=disputed.issue_date,
        invoice_order=[disputed.pk],
    )
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.DISPUTED)
    assert payment_reminders_plan()["digests"] == 0
    confirming.refresh_from_db()
    assert confirming.last_reminder_step == ""  # not used up: looked at again next time
    # once the bank confirmation fails, the next run reminds it at its latest step
    PaymentAttempt.objects.update(status=PaymentAttempt.Status.FAILED)
    plan_and_send(_frozen, at(3))
    row = PaymentReminder.objects.get()
    assert row.invoice_ids == [str(confirming.pk)] and row.state == State.SENT
    # a dispute opened after planning suppresses the digest at send time
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.SUCCEEDED)
    payment_reminders_plan()
    _frozen.move_to(at(7))
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.DISPUTED)
    _processing(confirming)
    payment_reminders_plan()
    deliveries_sweep()
    assert len(reminders()) == 1


def test_after_an_outage_only_the_latest_step_goes_out_and_pending_digests_merge(
    people: Any, _frozen: Any
) -> None:
    admin, _user, contact = people
    early = issued(actor=admin, contact=contact, due_in_days=3)
    # the planner ran on day 0 but the sweep was down for a week
    payment_reminders_plan()
    late = issued(actor=admin, contact=contact, due_in_days=1, lines=[line(price="50.00")])
    # when everything comes back on day 9 (early: steps 0, 3 missed, 7 due -> 3 days ago)
    done = plan_and_send(_frozen, at(9))
    # then one message, for the latest step of each document
    assert len(reminders()) == 1
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.last_reminder_step, late.last_reminder_step) == ("3", "7")
    assert done["skipped_steps"] >= 2
    old, new = PaymentReminder.objects.order_by("step_key")
    assert (old.state, old.reason) == (State.SUPPRESSED, "merged into a later notice")
    assert new.state == State.SENT and set(new.invoice_ids) == {str(early.pk), str(late.pk)}


def test_a_digest_left_from_yesterday_waits_for_todays_plan_rather_than_going_out_twice(
    people: Any, _frozen: Any
) -> None:
    admin, _user, contact = people
    issued(actor=admin, contact=contact, due_in_days=3)
    payment_reminders_plan()  # day 0: the -3 digest, never sent
    issued(actor=admin, contact=contact, due_in_days=1, lines=[line(price="50.00")])
    # the sweep comes back on day 1 before the planner: the old digest waits
    _frozen.move_to(at(1))
    deliveries_sweep()
    assert not reminders()
    payment_reminders_plan()  # folds it into today's
    _frozen.move_to(at(1, hours=1))
    deliveries_sweep()
    assert len(reminders()) == 1
    assert PaymentReminder.objects.filter(state=State.SENT).count() == 1


def test_the_cadence_is_the_firms_and_sms_goes_only_with_consent(people: Any, _frozen: Any) -> None:
    admin, _user, contact = people
    settings = billing_settings_get()
    BillingSettings.objects.filter(pk=settings.pk).update(reminder_cadence="0,10")
    assert billing_settings_get().reminder_steps() == [0, 10, 24, 38, 52, 66]
    assert BillingSettings(reminder_cadence="-3,0,3,7,14").reminder_steps() == [
        -3,
        0,
        3,
        7,
        14,
        28,
    ]
    contact.sms_consent = True
    contact.phone = "+48600100200"
    contact.save()
    issued(actor=admin, contact=contact, due_in_days=0)
    payment_reminders_plan()
    assert sorted(PaymentReminder.objects.values_list("channel", flat=True)) == ["email", "sms"]
    # seven steps later the item has had its six and no more
    for day in (10, 24, 38, 52, 66, 80, 94):
        _frozen.move_to(at(day))
        payment_reminders_plan()
    assert Invoice.objects.get().reminders_sent == 6


def test_mixed_currencies_show_one_total_per_currency(people: Any) -> None:
    admin, _user, contact = people
    issued(actor=admin, contact=contact, due_in_days=3)
    issued(actor=admin, contact=contact, due_in_days=3, currency="EUR")
    payment_reminders_plan()
    deliveries_sweep()
    body = reminders()[0].body
    assert "350.00" in body or "350,00" in body
    assert "€" in body and ("PLN" in body or "zł" in body)


# ---------------------------------------------------------------------------
# Requests of their own (late-cancellation fees) with a due date
# ---------------------------------------------------------------------------


def _fee(contact: Any, *, due_in_days: int | None = 3, amount: str = "80.00", **extra: Any) -> Any:
    return PaymentRequest.objects.create(
        kind=PaymentRequest.Kind.CANCELLATION_FEE,
        contact=contact,
        amount=Decimal(amount),
        currency="PLN",
        due_date=(
            None if due_in_days is None else timezone.localdate() + dt.timedelta(days=due_in_days)
        ),
        **extra,
    )


def test_a_fee_with_a_due_date_joins_the_invoices_digest_once_per_step(
    people: Any, _frozen: Any
) -> None:
    admin, _user, contact = people
    invoice = issued(actor=admin, contact=contact, due_in_days=3)
    fee = _fee(contact)
    # when the planner runs twice on the step's day (-3) and the sweep twice
    payment_reminders_plan()
    done = payment_reminders_plan()
    deliveries_sweep()
    deliveries_sweep()
    # then one digest lists the invoice and the fee, with their total
    row = PaymentReminder.objects.get()
    assert row.invoice_ids == [str(invoice.pk)] and row.request_ids == [str(fee.pk)]
    assert done["digests"] == 0
    (message,) = reminders()
    body = message.body.split("\n-- \n")[0]
    assert "430.00" in body and "documents: 2" in body
    assert body.count("http") == 1
    fee.refresh_from_db()
    assert (fee.last_reminder_step, fee.reminders_sent) == ("-3", 1)
    # on the due date the next step goes out for both, once
    plan_and_send(_frozen, at(3))
    plan_and_send(_frozen, at(3, hours=2))
    latest = PaymentReminder.objects.order_by("-step_key").first()
    assert latest is not None and latest.request_ids == [str(fee.pk)]
    assert len(reminders()) == 2
    fee.refresh_from_db()
    assert (fee.last_reminder_step, fee.reminders_sent) == ("0", 2)


def test_a_fee_alone_is_reminded_and_a_second_contacts_fee_has_its_own_digest(
    people: Any, _frozen: Any
) -> None:
    _admin, _user, contact = people
    _other_user, other = factories.client_with_contact(email="jan@client.example", language="en")
    _fee(contact, due_in_days=0)
    _fee(other, due_in_days=0, amount="50.00")
    plan_and_send(_frozen, NOON)
    assert PaymentReminder.objects.count() == 2
    bodies = sorted(m.body.split("\n-- \n")[0] for m in reminders())
    assert (
        len(bodies) == 2 and any("80.00" in b for b in bodies) and any("50.00" in b for b in bodies)
    )


def test_no_fee_reminder_when_paid_confirming_waived_off_or_without_a_due_date(
    people: Any, _frozen: Any
) -> None:
    _admin, _user, contact = people
    _fee(contact, due_in_days=None)
    _fee(contact, reminders=False)
    _fee(contact, status=PaymentRequest.Status.PAID)
    _fee(contact, status=PaymentRequest.Status.CANCELLED, waived_at=timezone.now())
    confirming = _fee(contact)
    PaymentAttempt.objects.create(
        request=confirming,
        amount=confirming.amount,
        currency="PLN",
        status=PaymentAttempt.Status.PROCESSING,
        idempotency_key=f"cs:{confirming.pk}",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    assert payment_reminders_plan()["digests"] == 0
    confirming.refresh_from_db()
    assert confirming.last_reminder_step == ""  # looked at again on the next run
    # planned, then paid, or its reminders turned off, before the digest went out
    paid_later = _fee(contact, amount="20.00")
    off_later = _fee(contact, amount="30.00")
    PaymentAttempt.objects.filter(request=confirming).update(status=PaymentAttempt.Status.FAILED)
    payment_reminders_plan()
    row = PaymentReminder.objects.get()
    assert set(row.request_ids) == {str(confirming.pk), str(paid_later.pk), str(off_later.pk)}
    PaymentRequest.objects.filter(pk=paid_later.pk).update(status=PaymentRequest.Status.PAID)
    PaymentRequest.objects.filter(pk=off_later.pk).update(reminders=False)
    PaymentAttempt.objects.filter(request=confirming).update(
        status=PaymentAttempt.Status.PROCESSING
    )
    deliveries_sweep()
    row.refresh_from_db()
    assert (row.state, row.reason) == (State.SUPPRESSED, "payment processing")
    assert not reminders()


def test_staff_set_a_fees_due_date_and_reminders_on_the_contacts_billing_page(
    people: Any, _frozen: Any, client: Any
) -> None:
    from django.urls import reverse

    from audit.models import AuditEvent

    admin, _user, contact = people
    fee = _fee(contact, due_in_days=3)
    client.force_login(admin)
    page = reverse("billing:staff-contact-billing", args=[contact.pk])
    assert "data-terms" in client.get(page).content.decode()
    url = reverse("billing:staff-fee-terms", args=[fee.pk])
    # reminders off, a later due date
    answer = client.post(url, {"due_date": "2026-03-20"}, follow=True)
    assert answer.redirect_chain[-1][0] == page
    text = answer.content.decode()
    assert "Due date and reminders saved." in text and "data-reminders-off" in text
    fee.refresh_from_db()
    assert (fee.due_date, fee.reminders) == (dt.date(2026, 3, 20), False)
    event = AuditEvent.objects.get(action="payment_request.updated")
    assert event.data == {"due_date": "2026-03-20", "was_due": "2026-03-05", "reminders": False}
    assert payment_reminders_plan()["invoices"] == 0
    # reminders on again: the cadence follows the new date (nothing due until 17 March)
    client.post(url, {"due_date": "2026-03-20", "reminders": "1"})
    fee.refresh_from_db()
    assert fee.reminders and payment_reminders_plan()["invoices"] == 0
    plan_and_send(_frozen, dt.datetime(2026, 3, 17, 11, 0, tzinfo=dt.UTC))
    fee.refresh_from_db()
    assert fee.last_reminder_step == "-3" and len(reminders()) == 1


@pytest.mark.parametrize(
    ("due_date", "message"),
    [
        ("", "This field is required."),
        ("20.03.2026x", "Enter a valid date."),
        ("1850-01-01", "1900"),
        ("2026-02-01", "cannot be before the day the fee was asked for"),
    ],
    ids=["missing", "malformed", "out-of-range", "before-asked"],
)
def test_a_bad_due_date_is_refused_with_a_message_and_nothing_changes(
    people: Any, client: Any, due_date: str, message: str
) -> None:
    from django.urls import reverse

    admin, _user, contact = people
    fee = _fee(contact, due_in_days=3)
    client.force_login(admin)
    answer = client.post(
        reverse("billing:staff-fee-terms", args=[fee.pk]),
        {"due_date": due_date, "reminders": "1"},
        follow=True,
    )
    assert answer.status_code == 200 and message in answer.content.decode()
    fee.refresh_from_db()
    assert fee.due_date == dt.date(2026, 3, 5) and fee.reminders


def test_a_paid_fees_terms_are_not_changed(people: Any, client: Any) -> None:
    from django.urls import reverse

    admin, _user, contact = people
    fee = _fee(contact, due_in_days=3, status=PaymentRequest.Status.PAID)
    client.force_login(admin)
    answer = client.post(
        reverse("billing:staff-fee-terms", args=[fee.pk]), {"due_date": "2026-03-20"}, follow=True
    )
    assert "refund the payment instead" in answer.content.decode()
    fee.refresh_from_db()
    assert fee.due_date == dt.date(2026, 3, 5) and fee.reminders


def test_the_contacts_billing_page_takes_the_same_queries_for_1_and_many_requests(
    people: Any, client: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    admin, _user, contact = people
    client.force_login(admin)
    page = reverse("billing:staff-contact-billing", args=[contact.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        return sum(
            1
            for q in captured.captured_queries
            if "session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        )

    _fee(contact)
    queries()  # warms the caches the staff banners keep
    one = queries()
    for n in range(20):
        _fee(contact, amount=f"{n + 10}.00", reminders=bool(n % 2))
        PaymentRequest.objects.create(
            kind=PaymentRequest.Kind.OTHER,
            contact=contact,
            amount=Decimal("99.00"),
            currency="PLN",
            description=f"Advance {n}",
            due_date=timezone.localdate(),
            status=PaymentRequest.Status.CANCELLED if n % 3 else PaymentRequest.Status.OPEN,
            waived_at=timezone.now() if n % 3 else None,
        )
    queries()
    assert queries() == one

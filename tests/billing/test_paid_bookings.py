"""Paid consultations that hold their slot (spec §6 F7, F8): the payment booking step,
Checkout through the real gateway over the fake Stripe HTTP layer, webhooks signed with
the real algorithm, the hold lapsing, late payments, and the cancellation refunds."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from billing.models import Payment, PaymentAttempt, PaymentRequest, Refund, StripeEvent
from billing.services.bookings import fee_link
from core.errors import ServiceError
from notifications.models import Notification
from notifications.services import deliveries_sweep
from portal.selectors import firm_get
from scheduling import services as scheduling_services
from scheduling.models import Appointment, PackageStep
from tests import factories
from tests.billing.helpers import issued, line
from tests.billing.stripe_fake import FakeStripe, event_payload, online_stripe, sign_webhook
from tests.scheduling.helpers import make_service, working_week

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_atrium_one"
WEBHOOK = "/billing/stripe/webhook/"
# Monday 2026-06-01 08:00 UTC; the slot is Wednesday 09:00 in Warsaw (47 hours later).
NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
SLOT = dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeStripe]:
    with online_stripe(settings, SECRET) as stripe:
        yield stripe


@pytest.fixture
def lawyer(firm: Any) -> Any:
    person = factories.StaffFactory(
        email="lawyer@firm.example", first_name="Lena", last_name="Lawyer"
    )
    working_week(person)
    firm_get()
    return person


@pytest.fixture
def paid(lawyer: Any) -> Any:
    """The 350 PLN consultation, paid when booking; free cancellation until 24 h before,
    100 PLN after."""
    return make_service(
        staff=[lawyer],
        slug="consultation",
        name="Consultation",
        minutes=45,
        price=Decimal("350.00"),
        payment_rule="FULL_AT_BOOKING",
        hold_minutes=10,
        cancel_deadline_hours=24,
        cancel_fee=Decimal("100.00"),
    )


@pytest.fixture(autouse=True)
def _english(django_capture_on_commit_callbacks: Any) -> Iterator[None]:
    translation.activate("en")
    yield
    translation.deactivate()


def book(service: Any, n: int = 1, **extra: Any) -> scheduling_services.BookedAppointments:
    return scheduling_services.appointment_book(
        service=service,
        start_at=extra.pop("start_at", SLOT),
        booker=scheduling_services.BookerData(
            first_name="Ewa", last_name=f"Nowak{n}", email=f"ewa{n}@example.com"
        ),
        time_zone="Europe/Warsaw",
        **extra,
    )


def pay_url(booked: Any) -> str:
    return reverse("billing:booking-pay", kwargs={"token": booked[0].manage_token})


def press_pay(client: Any, booked: Any) -> str:
    response = client.post(pay_url(booked), {"action": "pay"})
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def post_events(client: Any, capture: Any, events: list[dict[str, Any]]) -> None:
    for event in events:
        payload = event_payload(event)
        with capture(execute=True):
            response = client.post(
                WEBHOOK,
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign_webhook(payload, SECRET),
            )
        assert response.status_code == 200


def session_of(fake: FakeStripe) -> dict[str, Any]:
    return [o for o in fake.objects.values() if o["object"] == "checkout.session"][-1]


def test_booking_a_paid_consultation_holds_the_slot_until_the_verified_payment_confirms_it(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        booked = book(paid)
    appointment = booked[0]
    # held, blocking, with the terms the client sees stored on the appointment
    assert appointment.status == "held" and booked.next_url.endswith(pay_url(booked))
    assert appointment.hold_expires_at == NOW + dt.timedelta(minutes=10)
    snapshot = appointment.policy_snapshot
    assert snapshot["price"] == "350.00" and snapshot["currency"] == "PLN"
    assert snapshot["pay_at_booking"] == "350.00" and snapshot["payment_rule"] == "FULL_AT_BOOKING"
    assert (snapshot["cancel_deadline_hours"], snapshot["cancel_fee"]) == (24, "100.00")
    assert not Notification.objects.filter(event="booked").exists()
    # the pay page shows the amount, the cancellation terms and the refund rule
    page = client.get(pay_url(booked)).content.decode()
    assert "350.00" in page and "100.00" in page and "refunded" in page
    assert "data-countdown" in page
    # a second client cannot take the held slot
    with pytest.raises(scheduling_services.SlotTaken):
        book(paid, n=2)
    # Pay goes to Stripe Checkout with minor units and Atrium ids only
    url = press_pay(client, booked)
    assert url.startswith("https://checkout.stripe.com/")
    create = fake.calls("post", "/v1/checkout/sessions")[0]
    attempt = PaymentAttempt.objects.get()
    assert create.idempotency_key == f"cs:{attempt.pk}"
    price = create.params["line_items"][0]["price_data"]
    assert (price["unit_amount"], price["currency"]) == ("35000", "pln")
    assert create.params["payment_method_types"] == ["card", "blik", "p24"]
    for private in ("ewa1@example.com", "Nowak1", "Consultation"):
        assert private not in (create.raw_body or "")
    # the return page alone confirms nothing
    session = session_of(fake)
    paid_page = reverse("billing:booking-paid", kwargs={"token": appointment.manage_token})
    assert "being confirmed" in client.get(paid_page).content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "held"
    # Stripe completes it; its events arrive twice
    fake.complete_session(session["id"])
    post_events(client, django_capture_on_commit_callbacks, fake.events * 2)
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    payment = Payment.objects.get()
    assert payment.amount == Decimal("350.00") and payment.receipt_number
    assert not payment.allocations.exists()
    assert PaymentRequest.objects.get().status == "PAID"
    assert Notification.objects.filter(event="booked").count() == 1
    assert client.get(paid_page)["Location"].endswith(
        reverse("scheduling:booking-detail", kwargs={"token": appointment.manage_token})
    )


def test_a_free_service_and_staff_bookings_have_no_payment_step(
    clock: Any, fake: FakeStripe, paid: Any, lawyer: Any
) -> None:
    free = make_service(staff=[lawyer], slug="free-call", price=Decimal("0"))
    assert book(free)[0].status == "booked"
    contact = factories.ContactFactory()
    booked = scheduling_services.appointment_book(
        service=paid,
        start_at=SLOT + dt.timedelta(hours=2),
        staff=lawyer,
        contact=contact,
        actor=lawyer,
        origin="staff",
    )
    assert booked[0].status == "booked"
    assert not PaymentRequest.objects.exists()


def test_a_deposit_is_what_is_paid_at_booking(
    clock: Any, fake: FakeStripe, paid: Any, client: Any
) -> None:
    paid.payment_rule = "DEPOSIT"
    paid.deposit_amount = Decimal("100.00")
    paid.save()
    booked = book(paid)
    assert booked[0].policy_snapshot["pay_at_booking"] == "100.00"
    press_pay(client, booked)
    price = fake.calls("post", "/v1/checkout/sessions")[0].params["line_items"][0]["price_data"]
    assert price["unit_amount"] == "10000"


def test_the_hold_lapsing_expires_the_session_and_frees_the_slot(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booked = book(paid)
    press_pay(client, booked)
    session = session_of(fake)
    clock.shift(dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduling_services.booking_holds_expire() == 1
    appointment = Appointment.objects.get(pk=booked[0].pk)
    assert appointment.status == "expired"
    assert fake.calls("post", f"/v1/checkout/sessions/{session['id']}/expire")
    assert session["status"] == "expired"
    assert PaymentAttempt.objects.get().status == "EXPIRED"
    assert PaymentRequest.objects.get().status == "EXPIRED"
    # the time is free again for the next client
    assert book(paid, n=2)[0].status == "held"


def test_a_payment_after_the_hold_lapsed_takes_the_same_time_again_when_it_is_free(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booked = book(paid)
    press_pay(client, booked)
    session = session_of(fake)
    # the client pays; the webhook is late, and the sweep expires the hold meanwhile
    fake.complete_session(session["id"])
    clock.shift(dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.booking_holds_expire()
    # the expire call found the session complete: the late-payment rule booked it again
    rows = list(Appointment.objects.order_by("created_at"))
    assert [a.status for a in rows] == ["expired", "booked"]
    assert rows[1].start_at == SLOT and rows[1].staff_id == rows[0].staff_id
    assert PaymentRequest.objects.get().appointment_id == rows[1].pk
    post_events(client, django_capture_on_commit_callbacks, fake.events)
    assert Payment.objects.count() == 1 and not Refund.objects.exists()
    assert Notification.objects.filter(event="booked").count() == 1


def test_a_payment_after_the_hold_lapsed_is_refunded_when_someone_else_took_the_time(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booked = book(paid)
    press_pay(client, booked)
    session = session_of(fake)
    clock.shift(dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.booking_holds_expire()
    # another client books the freed time (the expire call came too late for Stripe)
    session["status"] = "open"
    other = book(paid, n=2)
    assert other[0].status == "held"
    fake.complete_session(session["id"])
    post_events(client, django_capture_on_commit_callbacks, fake.events)
    # never a double booking: the first client's money goes back in full
    assert Appointment.objects.filter(status__in=("held", "booked")).count() == 1
    payment = Payment.objects.get()
    refund = Refund.objects.get()
    assert refund.amount == Decimal("350.00") and refund.status == "SUCCEEDED"
    assert refund.requested_by is None and refund.payment == payment
    assert fake.calls("post", "/v1/refunds")[0].idempotency_key == f"re:{refund.pk}"


def test_blik_waiting_for_the_bank_keeps_the_time_longer(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booked = book(paid)
    press_pay(client, booked)
    session = session_of(fake)
    fake.complete_session(session["id"], method="blik")
    post_events(client, django_capture_on_commit_callbacks, fake.events)
    appointment = Appointment.objects.get(pk=booked[0].pk)
    assert appointment.status == "held"
    assert appointment.hold_expires_at == NOW + dt.timedelta(minutes=30)
    assert PaymentAttempt.objects.get().status == "PROCESSING"
    page = client.get(pay_url(booked)).content.decode()
    assert "Waiting for your bank" in page and "data-pay" not in page
    fake.events.clear()
    fake.settle_async(session["id"])
    post_events(client, django_capture_on_commit_callbacks, fake.events)
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def _confirmed(client: Any, fake: FakeStripe, capture: Any, service: Any) -> Appointment:
    booked = book(service)
    press_pay(client, booked)
    fake.complete_session(session_of(fake)["id"])
    post_events(client, capture, fake.events)
    appointment = Appointment.objects.get(pk=booked[0].pk)
    assert appointment.status == "booked"
    return appointment


def test_a_prepaid_booking_cancelled_in_time_is_refunded_in_full(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = _confirmed(client, fake, django_capture_on_commit_callbacks, paid)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_cancel(appointment=appointment, by_client=True)
    refund = Refund.objects.get()
    assert refund.amount == Decimal("350.00") and refund.status == "SUCCEEDED"
    assert not PaymentRequest.objects.filter(kind="CANCELLATION_FEE").exists()


def test_a_late_cancellation_keeps_the_fee_the_client_accepted_and_refunds_the_rest(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = _confirmed(client, fake, django_capture_on_commit_callbacks, paid)
    # the firm raises its fee afterwards: the client keeps the terms they booked on
    paid.cancel_fee = Decimal("300.00")
    paid.save()
    clock.move_to(SLOT - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        row = scheduling_services.appointment_cancel(appointment=appointment, by_client=True)
    assert row.cancellation_fee == Decimal("100.00")
    assert Refund.objects.get().amount == Decimal("250.00")


def test_the_firm_cancelling_refunds_in_full_even_late(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = _confirmed(client, fake, django_capture_on_commit_callbacks, paid)
    clock.move_to(SLOT - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_cancel(appointment=appointment, by_client=False)
    assert Refund.objects.get().amount == Decimal("350.00")


def test_a_late_cancellation_of_an_unpaid_booking_creates_the_fee_request(
    clock: Any, fake: FakeStripe, lawyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    later = make_service(
        staff=[lawyer],
        slug="pay-later",
        price=Decimal("200.00"),
        cancel_deadline_hours=24,
        cancel_fee=Decimal("80.00"),
    )
    appointment = book(later)[0]
    assert appointment.status == "booked"
    clock.move_to(SLOT - dt.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_cancel(appointment=appointment, by_client=True)
    request = PaymentRequest.objects.get(kind="CANCELLATION_FEE")
    assert (request.amount, request.currency, request.status) == (Decimal("80.00"), "PLN", "OPEN")
    assert request.appointment_id == appointment.pk
    assert not Refund.objects.exists()


def test_releasing_the_hold_on_the_pay_page_expires_the_session(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booked = book(paid)
    press_pay(client, booked)
    session = session_of(fake)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pay_url(booked), {"action": "release"})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=booked[0].pk).status == "cancelled"
    assert session["status"] == "expired"
    # paying anyway afterwards is refunded, never booked
    assert StripeEvent.objects.count() == 0


def test_the_demo_checkout_confirms_the_booking_through_the_webhook_path(
    clock: Any, settings: Any, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    booked = book(paid)
    url = press_pay(client, booked)
    assert "/billing/demo-checkout/" in url
    page = client.get(url)
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"outcome": "pay", "method": "card"})
    assert answer.status_code == 302
    assert StripeEvent.objects.get().status == "PROCESSED"
    assert Appointment.objects.get(pk=booked[0].pk).status == "booked"
    follow = client.get(answer["Location"])
    assert follow.status_code == 302 and "/billing/" not in follow["Location"]


def test_the_pay_page_speaks_the_bookers_language(
    clock: Any, fake: FakeStripe, paid: Any, client: Any
) -> None:
    booked = book(paid)
    page = client.get(pay_url(booked), HTTP_ACCEPT_LANGUAGE="pl")
    text = page.content.decode()
    assert page.status_code == 200, text[:300]
    assert "Zapłać, aby potwierdzić rezerwację" in text, text[:3000]
    assert "350,00" in text


# ---------------------------------------------------------------------------
# Late-cancellation fees the client pays online; prepaid packages
# ---------------------------------------------------------------------------


def _late_fee(lawyer: Any, clock: Any, capture: Any) -> tuple[Appointment, PaymentRequest]:
    later = make_service(
        staff=[lawyer],
        slug="pay-later",
        name="Divorce consultation",
        price=Decimal("200.00"),
        cancel_deadline_hours=24,
        cancel_fee=Decimal("80.00"),
    )
    appointment = book(later)[0]
    clock.move_to(SLOT - dt.timedelta(hours=3))
    with capture(execute=True):
        scheduling_services.appointment_cancel(appointment=appointment, by_client=True)
    return appointment, PaymentRequest.objects.get(kind="CANCELLATION_FEE")


def _fee_link(text: str) -> str:
    match = re.search(r"https?://\S+/billing/fee/\S+/", text)
    assert match, text
    return "/" + match.group(0).split("/", 3)[3]


def test_a_late_cancellation_fee_is_sent_with_one_link_and_paid_through_checkout(
    clock: Any, fake: FakeStripe, lawyer: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    appointment, request = _late_fee(lawyer, clock, django_capture_on_commit_callbacks)
    assert request.due_date == dt.date(2026, 6, 3) + dt.timedelta(days=14)
    deliveries_sweep()
    # one content-free notice: the firm, the amount and one link; no service, no matter
    notice = [m for m in mail.outbox if "cancellation fee" in m.subject][-1]
    assert notice.to == ["ewa1@example.com"]
    assert "80.00" in notice.body and "Divorce" not in notice.body + notice.subject
    link = _fee_link(notice.body)
    page = client.get(link)
    text = page.content.decode()
    assert page.status_code == 200 and "80.00" in text and "data-pay" in text
    # a forged link is nobody's
    assert client.get(link.replace("/fee/", "/fee/x")).status_code == 404
    # Pay goes to Stripe Checkout with the request row's amount, Atrium ids only
    response = client.post(link, {"amount": "1.00"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/")
    create = fake.calls("post", "/v1/checkout/sessions")[-1]
    price = create.params["line_items"][0]["price_data"]
    assert (price["unit_amount"], price["currency"]) == ("8000", "pln")
    assert "ewa1@example.com" not in (create.raw_body or "")
    paid_page = link + "paid/"
    assert "being confirmed" in client.get(paid_page).content.decode()
    # Stripe completes it; its events arrive twice, signed
    fake.complete_session(session_of(fake)["id"])
    post_events(client, django_capture_on_commit_callbacks, fake.events * 2)
    request.refresh_from_db()
    assert request.status == "PAID"
    payment = Payment.objects.get()
    assert payment.amount == Decimal("80.00") and payment.receipt_number
    assert not payment.allocations.exists()
    assert "data-paid" in client.get(paid_page).content.decode()
    again = client.get(link).content.decode()
    assert "data-paid" in again and "data-pay" not in again
    # pressing Pay again asks for nothing
    assert client.post(link).status_code == 400
    assert len(fake.calls("post", "/v1/checkout/sessions")) == 1


def test_the_firm_sees_the_fee_and_a_client_with_a_login_finds_it_in_the_portal(
    clock: Any, fake: FakeStripe, lawyer: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointment, request = _late_fee(lawyer, clock, django_capture_on_commit_callbacks)
    admin = factories.AdminFactory(email="boss@firm.example")
    client.force_login(admin)
    page = client.get(
        reverse("billing:staff-contact-billing", args=[appointment.contact_id])
    ).content.decode()
    assert "data-fees" in page and "80.00" in page
    user = factories.UserFactory(email="ewa1@example.com")
    type(appointment.contact).objects.filter(pk=appointment.contact_id).update(user=user)
    client.force_login(user)
    listing = client.get(reverse("billing:portal-invoices")).content.decode()
    assert "data-fee" in listing and "/billing/fee/" in listing


def test_a_fee_is_paid_on_the_demo_checkout_without_stripe_keys(
    clock: Any, settings: Any, lawyer: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    _appointment, request = _late_fee(lawyer, clock, django_capture_on_commit_callbacks)
    link = reverse("billing:fee-pay", kwargs={"token": fee_link(request).split("/")[-2]})
    url = client.post(link)["Location"]
    assert "/billing/demo-checkout/" in url
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"outcome": "pay", "method": "blik"})
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == "PAID" and StripeEvent.objects.get().status == "PROCESSED"
    assert "data-paid" in client.get(answer["Location"]).content.decode()


@pytest.fixture
def estate(lawyer: Any) -> Any:
    """A 1,200 PLN package paid up front: consultation 400, review 300, signing 500;
    free cancellation until 24 h before each step, 100 PLN later."""
    package = make_service(
        staff=[lawyer],
        slug="estate",
        name="Estate plan",
        minutes=45,
        price=Decimal("1200.00"),
        payment_rule="FULL_AT_BOOKING",
        cancel_deadline_hours=24,
        cancel_fee=Decimal("100.00"),
    )
    for position, (slug, price) in enumerate(
        (("consult", "400.00"), ("review", "300.00"), ("signing", "500.00"))
    ):
        step = make_service(staff=[lawyer], slug=slug, minutes=30, price=Decimal(price))
        PackageStep.objects.create(
            package=package, service=step, position=position, min_gap_days=1 if position else 0
        )
    return package


def test_a_late_cancel_of_a_later_step_of_a_prepaid_package_asks_no_fee_and_refunds_its_share(
    clock: Any, fake: FakeStripe, estate: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    booked = book(estate)
    assert len(booked) == 3
    press_pay(client, booked)
    fake.complete_session(session_of(fake)["id"])
    post_events(client, django_capture_on_commit_callbacks, fake.events)
    steps = list(Appointment.objects.filter(booking_group=booked[0].booking_group))
    steps.sort(key=lambda a: a.start_at)
    assert {a.status for a in steps} == {"booked"}
    assert Payment.objects.get().amount == Decimal("1200.00")
    # the review (300) cancelled 2 hours before it starts: its share less the fee
    clock.move_to(steps[1].start_at - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        row = scheduling_services.appointment_cancel(appointment=steps[1], by_client=True)
    assert row.cancellation_fee == Decimal("100.00")
    assert not PaymentRequest.objects.filter(kind="CANCELLATION_FEE").exists()
    refund = Refund.objects.get()
    assert refund.amount == Decimal("200.00") and refund.status == "SUCCEEDED"
    # the signing (500) cancelled in time: its whole share; the consultation stays
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_cancel(appointment=steps[2], by_client=True)
    assert sorted(r.amount for r in Refund.objects.all()) == [Decimal("200.00"), Decimal("500.00")]
    assert not PaymentRequest.objects.filter(kind="CANCELLATION_FEE").exists()
    assert Appointment.objects.get(pk=steps[0].pk).status == "booked"


def test_a_deposit_paid_when_booking_pays_part_of_the_consultations_invoice_once(
    clock: Any,
    fake: FakeStripe,
    paid: Any,
    lawyer: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from billing import services as billing_services
    from billing.models import Invoice, TaxRate

    TaxRate.objects.create(name="VAT 23%", code="23", rate=Decimal("23.00"), inclusive=True)
    paid.payment_rule = "DEPOSIT"
    paid.deposit_amount = Decimal("100.00")
    paid.save()
    appointment = _confirmed(client, fake, django_capture_on_commit_callbacks, paid)
    deposit = Payment.objects.get()
    assert deposit.amount == Decimal("100.00") and not deposit.allocations.exists()
    clock.move_to(SLOT + dt.timedelta(hours=1))
    scheduling_services.appointment_mark(appointment=appointment, status="attended", actor=lawyer)
    admin = factories.AdminFactory(email="boss@firm.example")
    draft, _created = billing_services.invoice_draft_from_appointment(
        actor=admin, appointment_id=appointment.pk
    )
    assert draft.total == Decimal("350.00")
    # a hand-made invoice of the same client issued first never takes the deposit
    contact = appointment.contact
    other = issued(actor=admin, contact=contact, lines=[line("Court fee", price="50.00")])
    assert other.balance == other.total and not other.allocations.exists()
    billing_services.invoice_issue(actor=admin, invoice_id=draft.pk)
    invoice = Invoice.objects.get(pk=draft.pk)
    # the deposit is applied once: the invoice shows it paid, the balance is the rest
    assert (invoice.allocated_total, invoice.balance) == (Decimal("100.00"), Decimal("250.00"))
    assert invoice.settlement == "PARTIAL"
    assert [a.amount for a in deposit.allocations.all()] == [Decimal("100.00")]
    # the portal page lists the deposit among the invoice's payments and asks for the rest
    user = factories.UserFactory(email="ewa1@example.com")
    type(appointment.contact).objects.filter(pk=appointment.contact_id).update(user=user)
    client.force_login(user)
    page = client.get(reverse("billing:portal-invoice", args=[invoice.pk])).content.decode()
    assert deposit.receipt_number in page and "250.00" in page
    assert Invoice.objects.get(pk=other.pk).balance == other.total


def test_a_late_payment_whose_time_was_taken_is_refunded_and_the_booker_and_firm_are_told(
    clock: Any, fake: FakeStripe, paid: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = factories.AdminFactory(email="boss@firm.example", language="en")
    booked = scheduling_services.appointment_book(
        service=paid,
        start_at=SLOT,
        booker=scheduling_services.BookerData(
            first_name="Ewa", last_name="Nowak", email="ewa.pl@example.com", language="pl"
        ),
        time_zone="Europe/Warsaw",
    )
    press_pay(client, booked)
    session = session_of(fake)
    clock.shift(dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.booking_holds_expire()
    session["status"] = "open"  # the expire call came too late for Stripe
    assert book(paid, n=2)[0].status == "held"
    mail.outbox.clear()
    # the payment completes afterwards; its webhook is signed with the real algorithm
    fake.complete_session(session["id"])
    post_events(client, django_capture_on_commit_callbacks, fake.events * 2)
    deliveries_sweep()
    assert Appointment.objects.filter(status__in=("held", "booked")).count() == 1
    refund = Refund.objects.get()
    assert refund.amount == Decimal("350.00") and refund.status == "SUCCEEDED"
    # the booker is told in Polish, the firm as sender, with a link to pick a new time
    (to_booker,) = [m for m in mail.outbox if m.to == ["ewa.pl@example.com"]]
    assert to_booker.subject == "Nie mogliśmy zachować wybranego terminu"
    assert "350,00" in to_booker.body and "/book/" in to_booker.body
    assert firm_get().name in to_booker.from_email
    # the firm admins are alerted once, with the client's billing page
    (alert,) = [m for m in mail.outbox if m.to == [admin.email]]
    assert "refunded" in alert.subject and "/staff/billing/contacts/" in alert.body
    assert Notification.objects.filter(event="slot_lost_refund").count() == 1


# ---------------------------------------------------------------------------
# Staff waive an open late-cancellation fee
# ---------------------------------------------------------------------------


def _waive(client: Any, request: PaymentRequest, reason: str) -> Any:
    return client.post(
        reverse("billing:staff-fee-waive", args=[request.pk]), {"reason": reason}, follow=True
    )


def test_staff_waive_an_open_fee_with_a_reason_and_its_link_says_so(
    clock: Any, fake: FakeStripe, lawyer: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from audit.models import AuditEvent

    appointment, request = _late_fee(lawyer, clock, django_capture_on_commit_callbacks)
    user = factories.UserFactory(email="ewa1@example.com")
    type(appointment.contact).objects.filter(pk=appointment.contact_id).update(user=user)
    link = reverse("billing:fee-pay", kwargs={"token": fee_link(request).split("/")[-2]})
    # the client opened Checkout and left it open
    assert client.post(link).status_code == 302
    session = session_of(fake)
    # the firm admin waives the fee from the contact's billing page
    admin = factories.AdminFactory(email="boss@firm.example")
    client.force_login(admin)
    billing_page = reverse("billing:staff-contact-billing", args=[appointment.contact_id])
    assert "data-waive" in client.get(billing_page).content.decode()
    page = _waive(client, request, "  First late cancellation: goodwill  ")
    text = page.content.decode()
    assert page.redirect_chain[-1][0] == billing_page
    assert "Fee waived" in text and "data-waived" in text and "data-waive " not in text
    request.refresh_from_db()
    assert request.status == "CANCELLED" and request.is_waived
    assert (
        request.waived_by == admin and request.waive_reason == "First late cancellation: goodwill"
    )
    # the session the client left open was expired first
    assert fake.calls("post", f"/v1/checkout/sessions/{session['id']}/expire")
    assert PaymentAttempt.objects.get().status == "CANCELED"
    event = AuditEvent.objects.get(action="fee.waived")
    assert event.actor_id == admin.pk and event.data["reason"] == request.waive_reason
    # the client: no open fee in the portal, and the pay link says it was waived
    client.force_login(user)
    listing = client.get(reverse("billing:portal-invoices")).content.decode()
    assert "/billing/fee/" not in listing
    client.logout()
    for url in (link, link + "paid/"):
        answer = client.get(url)
        body = answer.content.decode()
        assert answer.status_code == 200 and "data-waived" in body, url
        assert "waived this fee" in body and "data-pay" not in body and "data-failed" not in body
    pressed = client.post(link)
    assert pressed.status_code == 400 and "waived this fee" in pressed.content.decode()
    assert len(fake.calls("post", "/v1/checkout/sessions")) == 1
    # waiving again is refused with a message
    client.force_login(admin)
    again = _waive(client, request, "twice").content.decode()
    assert "no longer open" in again
    assert AuditEvent.objects.filter(action="fee.waived").count() == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why the fee is waived."),
        ("   ", "Say why the fee is waived."),
        ("x" * 301, "at most 300 characters"),
        ("<script>alert(1)</script>", "plain text"),
    ],
    ids=["empty", "blank", "too-long", "script"],
)
def test_waiving_without_a_plain_reason_is_refused_and_stores_nothing(
    clock: Any,
    fake: FakeStripe,
    lawyer: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
    reason: str,
    message: str,
) -> None:
    _appointment, request = _late_fee(lawyer, clock, django_capture_on_commit_callbacks)
    client.force_login(factories.AdminFactory(email="boss@firm.example"))
    page = _waive(client, request, reason)
    assert page.status_code == 200 and message in page.content.decode()
    request.refresh_from_db()
    assert request.status == "OPEN" and not request.is_waived and not request.waive_reason


def test_only_staff_allowed_to_waive_may_and_never_a_paid_or_confirming_fee(
    clock: Any, fake: FakeStripe, lawyer: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth.models import Permission

    from billing.services import bookings

    _appointment, request = _late_fee(lawyer, clock, django_capture_on_commit_callbacks)
    # a staff member without billing.waive_fee gets 404 and nothing changes
    client.force_login(lawyer)
    assert (
        client.post(
            reverse("billing:staff-fee-waive", args=[request.pk]), {"reason": "Goodwill"}
        ).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.status == "OPEN"
    with pytest.raises(ServiceError, match="may not waive"):
        bookings.fee_waive(actor=lawyer, fee_id=request.pk, reason="Goodwill")
    lawyer.user_permissions.add(Permission.objects.get(codename="waive_fee"))
    lawyer = type(lawyer).objects.get(pk=lawyer.pk)
    assert bookings.may_waive_fees(lawyer)
    # BLIK completed and the bank is confirming: nothing is waived meanwhile
    link = reverse("billing:fee-pay", kwargs={"token": fee_link(request).split("/")[-2]})
    client.logout()
    client.post(link)
    fake.complete_session(session_of(fake)["id"], method="blik")
    post_events(client, django_capture_on_commit_callbacks, fake.events)
    assert PaymentAttempt.objects.get().status == "PROCESSING"
    admin = factories.AdminFactory(email="boss@firm.example")
    with pytest.raises(ServiceError, match="paying this fee right now"):
        bookings.fee_waive(actor=admin, fee_id=request.pk, reason="Goodwill")
    # the bank confirms: a paid fee is refunded, never waived
    fake.settle_async(session_of(fake)["id"])
    post_events(client, django_capture_on_commit_callbacks, fake.events)
    request.refresh_from_db()
    assert request.status == "PAID"
    with pytest.raises(ServiceError, match="refund the payment instead"):
        bookings.fee_waive(actor=admin, fee_id=request.pk, reason="Goodwill")


def test_a_payment_that_lands_after_the_fee_was_waived_goes_back_in_full(
    clock: Any, fake: FakeStripe, lawyer: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from billing.services import bookings

    _appointment, request = _late_fee(lawyer, clock, django_capture_on_commit_callbacks)
    link = reverse("billing:fee-pay", kwargs={"token": fee_link(request).split("/")[-2]})
    client.post(link)
    admin = factories.AdminFactory(email="boss@firm.example")
    bookings.fee_waive(actor=admin, fee_id=request.pk, reason="Goodwill")
    # Stripe had the card payment in flight as the session was expired: it completes
    session = session_of(fake)
    fake.objects[session["id"]]["status"] = "open"
    fake.complete_session(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        post_events(client, django_capture_on_commit_callbacks, fake.events)
    request.refresh_from_db()
    assert request.status == "CANCELLED" and request.is_waived
    payment = Payment.objects.get()
    refund = Refund.objects.get(payment=payment)
    assert refund.amount == payment.amount == Decimal("80.00")
    assert refund.reason == "fee waived"


# ---------------------------------------------------------------------------
# Staff ask for an amount of its own: a payment request with a due date
# ---------------------------------------------------------------------------


def _new_request(client: Any, contact: Any, **data: str) -> Any:
    values = {
        "contact": str(contact.pk),
        "description": "Advance on the court fee",
        "amount": "250.00",
        "currency": "PLN",
        "due_date": "2026-06-15",
        "reminders": "1",
        **data,
    }
    return client.post(reverse("billing:staff-request-new"), values)


def test_staff_send_a_payment_request_the_client_pays_on_the_demo_checkout(
    clock: Any, settings: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from audit.models import AuditEvent

    settings.STRIPE_SECRET_KEY = ""
    admin = factories.AdminFactory(email="boss@firm.example")
    user, contact = factories.client_with_contact(email="maria@client.example", language="en")
    open_invoice = issued(actor=admin, contact=contact, lines=[line("Advice", "1", "300.00")])
    client.force_login(admin)
    form = client.get(reverse("billing:staff-request-new"), {"contact": str(contact.pk)})
    assert form.status_code == 200 and "data-request-form" in form.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = _new_request(client, contact)
    assert answer.status_code == 302
    request = PaymentRequest.objects.get(kind="OTHER")
    assert (request.amount, request.currency, request.due_date, request.reminders) == (
        Decimal("250.00"),
        "PLN",
        dt.date(2026, 6, 15),
        True,
    )
    assert request.description == "Advance on the court fee" and request.created_by == admin
    assert AuditEvent.objects.filter(action="payment_request.created").count() == 1
    page = client.get(answer["Location"]).content.decode()
    assert "Advance on the court fee" in page and "data-terms" in page
    # one content-free notice with the pay link
    deliveries_sweep()
    (notice,) = [m for m in mail.outbox if "payment request" in m.subject.lower()]
    body = notice.body.split("\n-- \n")[0]
    assert "250.00" in body and "court fee" not in body.lower()
    link = _fee_link(body)
    # the client finds it in the portal and on its page
    client.force_login(user)
    listing = client.get(reverse("billing:portal-invoices")).content.decode()
    assert "Advance on the court fee" in listing and link in listing
    text = client.get(link).content.decode()
    assert "Advance on the court fee" in text and "250.00" in text and "data-pay" in text
    # pays on the demo checkout: the request is paid, the open invoice is untouched
    url = client.post(link)["Location"]
    assert "/billing/demo-checkout/" in url
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"outcome": "pay", "method": "card"})
    request.refresh_from_db()
    open_invoice.refresh_from_db()
    assert request.status == "PAID" and open_invoice.balance == open_invoice.total
    payment = Payment.objects.get()
    assert payment.amount == Decimal("250.00") and not payment.allocations.exists()
    assert payment.receipt_number


def test_a_withdrawn_payment_request_says_withdrawn_not_waived_to_staff_and_client(
    clock: Any, settings: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an advance on a court fee the firm asked for
    settings.STRIPE_SECRET_KEY = ""
    admin = factories.AdminFactory(email="boss@firm.example")
    user, contact = factories.client_with_contact(email="maria@client.example", language="en")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        _new_request(client, contact)
    request = PaymentRequest.objects.get(kind="OTHER")
    billing_page = reverse("billing:staff-contact-billing", args=[contact.pk])
    assert "Withdraw the request" in client.get(billing_page).content.decode()

    # when staff withdraw it (the court waived the fee)
    text = _waive(client, request, "The court waived the fee").content.decode()

    # then staff read "withdrawn", never "fee waived"
    assert "Payment request withdrawn." in text and "Fee waived" not in text
    assert "Withdrawn" in text and "data-waive " not in text
    request.refresh_from_db()
    assert request.status == "CANCELLED" and request.is_waived
    again = _waive(client, request, "twice").content.decode()
    assert "This payment request is no longer open." in again
    # and so does the client's pay link, which takes no payment
    client.force_login(user)
    link = reverse("billing:fee-pay", kwargs={"token": fee_link(request).split("/")[-2]})
    body = client.get(link).content.decode()
    assert "The firm withdrew this payment request; there is nothing to pay." in body
    assert "waived this fee" not in body and "data-pay" not in body
    pressed = client.post(link)
    assert pressed.status_code == 400 and "withdrew this payment request" in (
        pressed.content.decode()
    )
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "-5"}, ""),
        ({"amount": "10000000000"}, ""),
        ({"amount": "abc"}, ""),
        ({"currency": "XYZ"}, "Select a valid choice"),
        ({"description": ""}, "This field is required."),
        ({"description": "x" * 201}, "at most 200 characters"),
        ({"description": "<script>alert(1)</script>"}, "plain text"),
        ({"due_date": "2026-05-01"}, "cannot be in the past"),
        ({"due_date": "2300-01-01"}, "2200"),
    ],
    ids=[
        "negative",
        "too-large",
        "not-a-number",
        "unknown-currency",
        "no-description",
        "long-description",
        "script",
        "past-due",
        "out-of-range",
    ],
)
def test_a_bad_payment_request_is_refused_with_a_message_and_nothing_is_stored(
    clock: Any, client: Any, data: dict[str, str], message: str
) -> None:
    admin = factories.AdminFactory(email="boss@firm.example")
    _user, contact = factories.client_with_contact(email="maria@client.example")
    client.force_login(admin)
    answer = _new_request(client, contact, **data)
    text = answer.content.decode()
    assert answer.status_code == 400 and ('class="error"' in text or "data-refused" in text)
    assert message in text
    assert not PaymentRequest.objects.exists()

"""Every booking tells the client where, when and on what terms: the confirmation page,
the emails, reminders and the calendar file, in the booker's language (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from portal.models import Contact
from scheduling import selectors, services
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db
# Tuesday 2 June 2026, 9:00 in Warsaw.
SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)


def _book(service, *, language="en", phone=""):
    contact = Contact.objects.create(
        first_name="Ada",
        last_name="Nowak",
        email="ada@example.com",
        language=language,
        time_zone="Europe/Warsaw",
        phone=phone,
    )
    (appointment,) = services.appointment_book(
        service=service, start_at=SLOT_UTC, contact=contact, time_zone="Europe/Warsaw"
    )
    return appointment


@pytest.fixture
def office(lawyers):
    return make_service(
        staff=lawyers,
        slug="consult",
        minutes=45,
        name="Consultation",
        location_kind="office",
        location_detail="ul. Piękna 1, 00-001 Warszawa",
        description="Bring your ID and the contract.",
        price=Decimal("300"),
        cancel_deadline_hours=48,
        cancel_fee=Decimal("100"),
    )


def test_the_confirmation_page_says_where_when_and_on_what_terms(client, frozen, office):
    appointment = _book(office)
    page = client.get(reverse("scheduling:booking-detail", args=[appointment.manage_token]))
    body = page.content.decode()
    code = selectors.booking_code(appointment.pk)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    assert code in body and str(appointment.pk) not in body
    assert "Tuesday, 2 June 2026, 09:00–09:45" in body
    assert "At the office: ul. Piękna 1, 00-001 Warszawa" in body
    assert "https://www.openstreetmap.org/search?query=ul.+Pi%C4%99kna+1" in body
    assert "Bring your ID and the contract." in body
    assert "Free cancellation until 48 hours before; later, the fee is" in body
    assert "We have sent this to ada@example.com." in body


def test_a_phone_appointment_says_which_number_we_will_call(client, frozen, lawyers):
    call = make_service(staff=lawyers, slug="call", location_kind="phone")
    appointment = _book(call, phone="+48600100200")
    page = client.get(reverse("scheduling:booking-detail", args=[appointment.manage_token]))
    assert "we will call you on +48600100200" in page.content.decode()


def test_the_confirmation_email_and_calendar_file_are_in_the_bookers_language(
    frozen, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(office, language="pl")
    message = mail.outbox[-1]
    assert "wtorek, 2 czerwca 2026, 09:00" in message.body
    assert "Prowadzący: L" in message.body  # no declined name ("z Anna Kowalska")
    assert "Miejsce: W biurze: ul. Piękna 1" in message.body
    assert "Warunki: Bezpłatne odwołanie" in message.body
    assert selectors.booking_code(appointment.pk) in message.body
    (ics,) = [a for a in message.attachments if a[0].endswith(".ics")]
    content = ics[1].decode() if isinstance(ics[1], bytes) else ics[1]
    event = next(iter(icalendar.Calendar.from_ical(content).walk("VEVENT")))
    description = str(event["DESCRIPTION"])
    assert "Przełóż:" in description and "Reschedule" not in description
    assert "Bezpłatne odwołanie" in description


def test_the_ics_download_speaks_the_bookers_language(client, frozen, office) -> None:
    appointment = _book(office, language="ru")
    response = client.get(reverse("scheduling:booking-ics", args=[appointment.manage_token]))
    assert "Перенести:" in response.content.decode()


def test_the_booking_page_sums_up_the_terms_beside_the_form(client, frozen, office) -> None:
    page = client.get(
        reverse("scheduling:book-service", args=["consult"]),
        {"date": "2026-06-02", "tz": "Europe/Warsaw", "start": "2026-06-02T09:00:00+02:00"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    body = page.content.decode()
    summary = body[body.index("data-booking-summary") : body.index("</dl>")]
    assert "wtorek, 2 czerwca 2026, 09:00" in summary
    assert "45 minut" in summary
    assert "W biurze: ul. Piękna 1" in summary
    assert "300,00" in summary
    assert "Bezpłatne odwołanie do 48 godzin" in summary
    # a date declines the month ("2 czerwca"); only the calendar's heading names it alone
    assert not re.search(r"\d+ (Grudzień|Czerwiec|grudzień|czerwiec)", body)
    assert "Czerwiec 2026</h2>" in body

"""Staff book outside the public rules (short notice, outside working hours, beyond the
horizon) with a warning and a reason, and never over another appointment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import ServiceError
from scheduling import services
from scheduling.models import Appointment
from tests import factories
from tests.scheduling.helpers import make_appointment

pytestmark = pytest.mark.django_db

# NOW is Monday 2026-06-01 10:00 in Warsaw; the lawyers work 9-17 Monday to Friday.
SATURDAY = "2026-06-06T10:00"


@pytest.fixture
def booking(client, frozen, intro, lawyers, world):
    factories.join_team(world.matter_a, lawyers[0])
    client.force_login(lawyers[0])
    return {
        "service": intro.pk,
        "staff": lawyers[0].pk,
        "contact": world.contact_a.pk,
        "matter": world.matter_a.pk,
        "start": SATURDAY,
        "repeat_monthly": 1,
    }


def _post(client, data):
    return client.post(reverse("scheduling:staff-book"), data)


def test_outside_working_hours_warns_asks_a_reason_then_books(client, booking, lawyers) -> None:
    # when: staff choose a Saturday, outside the lawyer's working hours
    first = _post(client, booking)
    # then: the page says so and asks for a reason; nothing is booked yet
    assert first.status_code == 200
    body = first.content.decode()
    assert "This time is outside the working hours of L0 Lawyer." in body
    assert 'name="reason"' in body
    assert "pick one of the times shown" not in body
    assert not Appointment.objects.exists()
    # when: they confirm without a reason
    empty = _post(client, {**booking, "outside": "1", "reason": "  "})
    assert empty.status_code == 400
    assert "Say why this time is booked outside the usual rules." in empty.content.decode()
    assert not Appointment.objects.exists()
    # when: they give the reason
    done = _post(client, {**booking, "outside": "1", "reason": "Client flies out on Monday"})
    assert done.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start_at == dt.datetime(2026, 6, 6, 8, tzinfo=dt.UTC)
    assert appointment.outside_rules == ["hours"]
    assert appointment.outside_rules_reason == "Client flies out on Monday"
    event = AuditEvent.objects.get(action="appointment.booked")
    assert event.data["outside_rules"] == ["hours"]
    assert event.data["reason"] == "Client flies out on Monday"
    # and: the appointment page shows it
    page = client.get(done["Location"]).content.decode()
    assert "outside working hours" in page
    assert "Client flies out on Monday" in page


def test_short_notice_warns_instead_of_pointing_at_slots_that_are_not_shown(
    client, booking
) -> None:
    # when: staff book 30 minutes ahead (the service needs 60 minutes' notice)
    response = _post(client, {**booking, "start": "2026-06-01T10:30"})
    body = response.content.decode()
    assert "This time is inside the minimum notice" in body
    assert "60 minutes ahead" in body
    assert "shown" not in body.replace("are shown", "")  # no "choose one of the shown slots"
    assert "pick one of the times shown" not in body
    assert not Appointment.objects.exists()
    done = _post(
        client, {**booking, "start": "2026-06-01T10:30", "outside": "1", "reason": "Urgent"}
    )
    assert done.status_code == 302
    assert Appointment.objects.get().outside_rules == ["notice"]


def test_a_time_inside_the_rules_needs_no_reason(client, booking) -> None:
    response = _post(client, {**booking, "start": "2026-06-03T10:00", "reason": "ignored"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.outside_rules == []
    assert appointment.outside_rules_reason == ""


def test_a_reason_of_ten_thousand_characters_gets_a_message_and_stores_nothing(
    client, booking
) -> None:
    response = _post(client, {**booking, "outside": "1", "reason": "x" * 10_000})
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(action="appointment.booked").exists()


def test_never_over_another_appointment_even_with_a_reason(
    client, booking, intro, lawyers, world
) -> None:
    # given: the lawyer already has an appointment on Saturday at 10:00 (Warsaw)
    make_appointment(
        service=intro,
        staff=lawyers[0],
        contact=world.contact_b,
        start=dt.datetime(2026, 6, 6, 8, tzinfo=dt.UTC),
    )
    # when: staff try 10:10 outside the rules, with a reason
    response = _post(
        client, {**booking, "start": "2026-06-06T10:10", "outside": "1", "reason": "Please"}
    )
    # then: the page says the time overlaps another appointment; nothing is booked
    assert response.status_code == 400
    body = response.content.decode()
    assert "L0 Lawyer already has an appointment at this time" in body
    assert "never overlap" in body
    assert world.contact_b.full_name not in body
    assert Appointment.objects.count() == 1


def test_a_past_time_is_refused_with_its_own_message(client, booking) -> None:
    response = _post(
        client, {**booking, "start": "2026-06-01T09:00", "outside": "1", "reason": "x"}
    )
    assert response.status_code == 400
    assert "This time has already passed." in response.content.decode()
    assert not Appointment.objects.exists()


def test_only_staff_may_step_outside_the_rules(frozen, intro) -> None:
    with pytest.raises(ServiceError):
        services.appointment_book(
            service=intro,
            start_at=dt.datetime(2026, 6, 6, 8, tzinfo=dt.UTC),
            booker=services.BookerData(first_name="A", last_name="B", email="a@b.example"),
            staff_reason="because",
        )
    assert not Appointment.objects.exists()

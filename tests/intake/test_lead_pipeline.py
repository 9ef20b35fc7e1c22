"""The lead pipeline: automatic moves from appointment events (each replayed twice, and
late events never moving a lead backwards) and the moves staff make."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from intake.models import Lead, LeadStageChange
from intake.services import pipeline
from scheduling import services as scheduling_services
from scheduling.events import AppointmentBooked, AppointmentCancelled, AppointmentMarked
from scheduling.models import Appointment
from tests import factories
from tests.intake.helpers import published_form, stage_one_answers
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db

SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


@pytest.fixture
def lead(client: Any, admin: Any) -> Lead:
    form = published_form(admin)
    client.post(f"/intake/f/{form.slug}/", stage_one_answers(has_other_side="no"))
    return Lead.objects.get()


@pytest.fixture
def consultation(lawyers: list[Any]) -> Any:
    return make_service(
        staff=[lawyers[0]], slug="consult", name="Consultation", minutes=30, is_consultation=True
    )


def _book(service: Any, start: dt.datetime = SLOT_UTC) -> Appointment:
    booked = scheduling_services.appointment_book(
        service=service,
        start_at=start,
        booker=scheduling_services.BookerData(
            first_name="Łukasz", last_name="Wiśniewski", email="lukasz@example.com"
        ),
        time_zone="Europe/Warsaw",
    )
    return Appointment.objects.get(pk=booked[0].pk)


def _booked_event(a: Appointment) -> AppointmentBooked:
    return AppointmentBooked(
        appointment_ids=(a.pk,),
        service_id=a.service_id,
        contact_id=a.contact_id,
        matter_id=None,
        booked_by_id=None,
    )


def _status(lead: Lead) -> str:
    return Lead.objects.get(pk=lead.pk).status


def test_booking_a_consultation_moves_a_new_lead_once_even_when_replayed(
    frozen: Any, lead: Lead, consultation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(consultation)
    pipeline.lead_on_booked(_booked_event(appointment))

    fresh = Lead.objects.get(pk=lead.pk)
    assert fresh.status == "consult_booked" and fresh.consult_appointment_id == appointment.pk
    assert LeadStageChange.objects.filter(lead=lead, to_status="consult_booked").count() == 1


def test_a_booking_of_a_service_that_is_no_consultation_moves_nothing(
    frozen: Any, lead: Lead, lawyers: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    other = make_service(staff=[lawyers[0]], slug="review", name="Review", minutes=30)

    with django_capture_on_commit_callbacks(execute=True):
        _book(other)

    assert _status(lead) == "new"


def test_attended_moves_to_held_once_and_a_late_booked_event_does_not_move_it_back(
    frozen: Any, admin: Any, lead: Lead, consultation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(consultation)
    frozen.move_to(SLOT_UTC + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_mark(
            appointment=appointment, status="attended", actor=admin
        )
    event = AppointmentMarked(
        appointment_id=appointment.pk,
        contact_id=appointment.contact_id,
        matter_id=None,
        status="attended",
    )
    pipeline.lead_on_marked(event)

    assert _status(lead) == "consult_held"
    assert LeadStageChange.objects.filter(lead=lead, to_status="consult_held").count() == 1
    # A no-show arriving after "attended" (a late or out-of-order mark) never moves it.
    pipeline.lead_on_marked(
        AppointmentMarked(
            appointment_id=appointment.pk,
            contact_id=appointment.contact_id,
            matter_id=None,
            status="no_show",
        )
    )
    assert _status(lead) == "consult_held"


def test_a_no_show_moves_once_and_rebooking_moves_back_to_booked(
    frozen: Any, admin: Any, lead: Lead, consultation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(consultation)
    frozen.move_to(SLOT_UTC + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_mark(appointment=appointment, status="no_show", actor=admin)
    pipeline.lead_on_marked(
        AppointmentMarked(
            appointment_id=appointment.pk,
            contact_id=appointment.contact_id,
            matter_id=None,
            status="no_show",
        )
    )
    assert _status(lead) == "no_show"
    assert LeadStageChange.objects.filter(lead=lead, to_status="no_show").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = _book(consultation, start=SLOT_UTC + dt.timedelta(days=1))
    pipeline.lead_on_booked(_booked_event(again))

    assert _status(lead) == "consult_booked"
    assert LeadStageChange.objects.filter(lead=lead, to_status="consult_booked").count() == 2


def test_cancelling_the_only_consultation_goes_back_to_new_once(
    frozen: Any, lead: Lead, consultation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(consultation)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_cancel(appointment=appointment)
    pipeline.lead_on_cancelled(
        AppointmentCancelled(
            appointment_id=appointment.pk,
            contact_id=appointment.contact_id,
            matter_id=None,
            by_client=True,
            fee=0,
        )  # type: ignore[arg-type]
    )

    assert _status(lead) == "new"
    assert LeadStageChange.objects.filter(lead=lead, to_status="new").count() == 1


def test_cancelling_one_of_two_consultations_keeps_the_lead_booked(
    frozen: Any, lead: Lead, consultation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = _book(consultation)
        _book(consultation, start=SLOT_UTC + dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.appointment_cancel(appointment=first)

    assert _status(lead) == "consult_booked"


def test_staff_decline_or_mark_lost_with_a_reason_and_terminal_stages_stay(
    client: Any, admin: Any, lead: Lead
) -> None:
    client.force_login(admin)
    close = reverse("intake:staff-lead-close", kwargs={"lead_id": lead.pk})

    bad = client.post(close, {"to": "lost", "reason": "bored"})
    assert _status(lead) == "new" and bad.status_code == 302
    client.post(close, {"to": "lost", "reason": "other_firm"})
    client.post(close, {"to": "declined", "reason": "capacity"})

    fresh = Lead.objects.get(pk=lead.pk)
    assert fresh.status == "lost" and fresh.lost_reason == "other_firm"
    assert fresh.declined_reason == ""


def test_a_returning_person_after_a_lost_lead_gets_a_new_lead_marked_returning(
    client: Any, admin: Any, lead: Lead
) -> None:
    client.force_login(admin)
    client.post(
        reverse("intake:staff-lead-close", kwargs={"lead_id": lead.pk}),
        {"to": "lost", "reason": "no_response"},
    )
    client.logout()
    form = lead.submissions.get().form_version.form

    client.post(f"/intake/f/{form.slug}/", stage_one_answers(has_other_side="no"))

    leads = list(Lead.objects.order_by("created_at"))
    assert len(leads) == 2 and leads[0].contact_id == leads[1].contact_id
    assert leads[1].source == "returning" and leads[1].status == "new"


def test_the_board_shows_a_column_per_stage(client: Any, admin: Any, lead: Lead) -> None:
    client.force_login(admin)

    page = client.get(reverse("intake:staff-leads") + "?view=board").content.decode()

    assert page.count('class="lead-column') == len(Lead.Status.choices)
    assert 'data-stage="new"' in page and "Łukasz Wiśniewski" in page

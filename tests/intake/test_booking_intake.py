"""Intake tied to booking: the stage-1 form as a booking step, and the one link after."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from intake import services as intake_services
from intake.models import IntakeDraft, IntakeSubmission, Lead
from notifications.models import Notification
from scheduling import services
from scheduling.events import AppointmentBooked
from scheduling.models import Appointment
from tests import factories
from tests.intake.helpers import published_form, stage_one_answers
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db

SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)  # Tuesday 09:00 in Warsaw


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


@pytest.fixture
def call(lawyers: list[Any]) -> Any:
    service = make_service(staff=[lawyers[0]], slug="free-call", name="Free call", minutes=30)
    return type(service).objects.prefetch_related("staff", "steps").get(pk=service.pk)


def _book(service: Any, **extra: Any) -> Any:
    return services.appointment_book(
        service=service,
        start_at=SLOT_UTC,
        booker=services.BookerData(
            first_name="Łukasz", last_name="Wiśniewski", email="lukasz@example.com"
        ),
        time_zone="Europe/Warsaw",
        **extra,
    )


def test_before_booking_the_booking_is_held_until_stage_one_is_valid(
    client: Any, frozen: Any, admin: Any, call: Any, django_capture_on_commit_callbacks: Any
) -> None:
    form = published_form(admin)
    intake_services.service_intake_set(service_id=call.pk, form=form, actor=admin)

    booked = _book(call)

    appointment = Appointment.objects.get(pk=booked[0].pk)
    assert appointment.status == Appointment.Status.HELD
    assert appointment.pending_steps == ["intake"]
    url = booked.next_url
    assert url == reverse("intake:booking-form", kwargs={"token": appointment.manage_token})
    page = client.get(url).content.decode()
    assert "send confidential details yet" in page
    bad = client.post(url, stage_one_answers(email="", first_name=""))
    assert bad.status_code == 400
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.HELD
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, stage_one_answers())
    assert done.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.BOOKED
    submission = IntakeSubmission.objects.get()
    assert submission.contact_id == appointment.contact_id
    assert submission.booking_ref == appointment.booking_ref
    assert Lead.objects.get().interested_service_id == call.pk
    # The confirmation goes out once the form is in, and only then.
    assert any("Free call" in m.body for m in mail.outbox)


def test_typing_in_the_booking_form_keeps_the_time_longer(
    client: Any, frozen: Any, admin: Any, call: Any
) -> None:
    form = published_form(admin)
    intake_services.service_intake_set(service_id=call.pk, form=form, actor=admin)
    booked = _book(call)
    before = Appointment.objects.get(pk=booked[0].pk).hold_expires_at

    client.post(booked.next_url, {"_autosave": "1", "first_name": "Ł"})

    after = Appointment.objects.get(pk=booked[0].pk).hold_expires_at
    assert after is not None and before is not None and after > before


def test_staff_bookings_skip_the_form(frozen: Any, admin: Any, call: Any) -> None:
    form = published_form(admin)
    intake_services.service_intake_set(service_id=call.pk, form=form, actor=admin)

    booked = _book(call, actor=admin)

    assert Appointment.objects.get(pk=booked[0].pk).status == Appointment.Status.BOOKED


def test_a_service_without_a_form_books_as_before(frozen: Any, call: Any) -> None:
    booked = _book(call)

    assert Appointment.objects.get(pk=booked[0].pk).status == Appointment.Status.BOOKED
    assert booked.next_url is None


def test_after_booking_one_link_is_emailed_once_even_if_the_event_is_replayed(
    client: Any, frozen: Any, admin: Any, call: Any, django_capture_on_commit_callbacks: Any
) -> None:
    form = published_form(admin)
    intake_services.service_intake_set(service_id=call.pk, form=form, timing="after", actor=admin)

    with django_capture_on_commit_callbacks(execute=True):
        booked = _book(call)
    appointment = Appointment.objects.get(pk=booked[0].pk)
    event = AppointmentBooked(
        appointment_ids=(appointment.pk,),
        service_id=call.pk,
        contact_id=appointment.contact_id,
        matter_id=None,
        booked_by_id=None,
    )
    intake_services.lead_form_after_booking(event)

    assert appointment.status == Appointment.Status.BOOKED
    assert IntakeDraft.objects.count() == 1
    assert Notification.objects.filter(event="intake_form_link").count() == 1
    link_mail = [m for m in mail.outbox if "/intake/d/" in m.body]
    assert len(link_mail) == 1 and link_mail[0].to == ["lukasz@example.com"]
    path = "/intake/d/" + link_mail[0].body.split("/intake/d/")[1].split()[0]
    client.post(path, stage_one_answers())
    assert IntakeSubmission.objects.get().contact_id == appointment.contact_id


def test_the_booking_form_of_a_lapsed_hold_goes_back_to_the_booking(
    client: Any, frozen: Any, admin: Any, call: Any
) -> None:
    form = published_form(admin)
    intake_services.service_intake_set(service_id=call.pk, form=form, actor=admin)
    booked = _book(call)
    services.booking_hold_release(token=booked[0].manage_token, reason="test")

    response = client.get(booked.next_url)

    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("scheduling:booking-detail", kwargs={"token": booked[0].manage_token})
    )

"""A public booking made with an existing client's email waits for the owner of the
address only so long: unconfirmed after ATRIUM_OWNER_CHECK_HOURS (or at its start, if
that comes first), the sweep cancels it and frees its time, telling nobody anything."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from scheduling import services, slots_cache, tasks
from scheduling.models import Appointment
from tests import factories

pytestmark = pytest.mark.django_db

SLOT = "2026-06-03T09:00:00+02:00"


def _book(client: Any, capture: Any, **overrides: Any) -> Any:
    data = {
        "service": "intro-call",
        "start": SLOT,
        "first_name": "Eve",
        "last_name": "Stranger",
        "email": "ewa@example.com",
        "phone": "+48601234567",
        "time_zone": "Europe/Warsaw",
    }
    data.update(overrides)
    with capture(execute=True):
        return client.post(
            reverse("scheduling:api-bookings"),
            data=json.dumps(data),
            content_type="application/json",
        )


@pytest.fixture
def ewa(firm: Any) -> Any:
    user, contact = factories.client_with_contact(email="ewa@example.com")
    return user, contact


def _link(message: Any) -> str:
    (url,) = re.findall(r"https?://\S+/booking/confirm/\S+/", message.body)
    return urlsplit(url).path


def test_the_beat_schedule_runs_the_sweep() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["scheduling-owner-checks-expire"]
    assert entry["task"] == "scheduling.tasks.owner_checks_expire"
    assert float(entry["schedule"]) <= 900  # type: ignore[arg-type]


def test_an_unconfirmed_booking_lapses_after_the_hours_and_frees_its_time(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _book(client, django_capture_on_commit_callbacks)
    appointment = Appointment.objects.get(pk=response.json()["reference"])
    # the email tells the owner how long the booking waits
    assert "Unconfirmed, it is cancelled on" in mail.outbox[0].body
    link = _link(mail.outbox[0])
    mail.outbox.clear()
    # before the deadline the sweep leaves it alone
    frozen.shift(dt.timedelta(hours=settings.ATRIUM_OWNER_CHECK_HOURS) - dt.timedelta(minutes=1))
    assert services.owner_checks_expire() == 0
    assert Appointment.objects.get().status == Appointment.Status.BOOKED
    # when: the deadline passes and the beat task runs
    frozen.shift(dt.timedelta(minutes=2))
    version = slots_cache.availability_version()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.owner_checks_expire()
    # then: cancelled as lapsed, the slots cache retired, audited, nobody told
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.owner_check == Appointment.OwnerCheck.LAPSED
    assert slots_cache.availability_version() != version
    assert AuditEvent.objects.filter(action="appointment.owner_lapsed").count() == 1
    assert mail.outbox == []
    assert not Notification.objects.filter(event__in=("booked", "cancelled")).exists()
    # a second run finds nothing
    assert services.owner_checks_expire() == 0
    # the owner's link says it lapsed and offers no buttons
    page = client.get(link).content.decode()
    assert "This booking was not confirmed in time" in page
    assert 'value="confirm"' not in page
    # the booker's own page says only that it was cancelled, nothing about the client
    detail = client.get(
        reverse("scheduling:booking-detail", kwargs={"token": appointment.manage_token})
    ).content.decode()
    assert "This appointment is cancelled" in detail
    assert "data-owner-lapsed" in detail
    # and the time can be booked again by someone else
    again = _book(client, django_capture_on_commit_callbacks, email="ada@example.com")
    assert again.status_code == 201


def test_a_booking_soon_lapses_at_its_start(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # tomorrow 09:00 Warsaw is 23 h away: with a 48 h wait the start comes first
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "ATRIUM_OWNER_CHECK_HOURS", 48)
        _book(client, django_capture_on_commit_callbacks, start="2026-06-02T09:00:00+02:00")
        frozen.shift(dt.timedelta(hours=22, minutes=59))
        assert services.owner_checks_expire() == 0
        frozen.shift(dt.timedelta(minutes=2))
        assert services.owner_checks_expire() == 1
    assert Appointment.objects.get().owner_check == Appointment.OwnerCheck.LAPSED


def test_answering_after_the_deadline_but_before_the_sweep_lapses_it(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    mail.outbox.clear()
    frozen.shift(dt.timedelta(hours=settings.ATRIUM_OWNER_CHECK_HOURS, minutes=1))
    # the page no longer offers the buttons
    assert 'value="confirm"' not in client.get(link).content.decode()
    # a confirm posted anyway is not a confirmation: the booking lapses
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(link, {"answer": "confirm"})
    assert answered.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.owner_check == Appointment.OwnerCheck.LAPSED
    assert mail.outbox == []
    assert not Notification.objects.filter(event="booked").exists()


def test_confirmed_and_ordinary_bookings_are_never_swept(
    client: Any, frozen: Any, intro: Any, ewa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _book(client, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"answer": "confirm"})
    _book(
        client,
        django_capture_on_commit_callbacks,
        email="new@example.com",
        start="2026-06-03T11:00:00+02:00",
    )
    frozen.shift(dt.timedelta(hours=settings.ATRIUM_OWNER_CHECK_HOURS + 1))
    assert services.owner_checks_expire() == 0
    assert set(Appointment.objects.values_list("status", flat=True)) == {"booked"}

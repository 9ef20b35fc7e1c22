"""Packages keep their order, gaps, audiences and people, and the booker sees every step
before confirming (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.errors import ServiceError
from notifications.models import Notification
from portal.models import Contact
from scheduling import selectors, services
from scheduling.models import Appointment, PackageStep, Service
from tests import factories
from tests.scheduling.helpers import make_appointment, make_service, working_week

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
# Tuesday 2 June 2026, 10:00 in Warsaw.
START = dt.datetime(2026, 6, 2, 10, 0, tzinfo=WARSAW)


def _package(staff: list[Any], *steps: tuple[Service, int], slug: str = "estate") -> Service:
    package = make_service(staff=staff, slug=slug, minutes=45, name="Estate plan")
    for position, (service, gap) in enumerate(steps):
        PackageStep.objects.create(
            package=package, service=service, position=position, min_gap_days=gap
        )
    return Service.objects.prefetch_related("staff", "steps__service__staff").get(pk=package.pk)


def _contact() -> Contact:
    return Contact.objects.create(first_name="Ada", last_name="Nowak", email="ada@example.com")


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(WARSAW).replace(tzinfo=None)


def test_later_steps_keep_the_first_steps_time_instead_of_drifting(frozen, lawyers) -> None:
    consult = make_service(staff=lawyers, slug="consult", minutes=45)
    review = make_service(staff=lawyers, slug="review", minutes=30)
    package = _package(lawyers, (consult, 0), (review, 7), (consult, 2))
    booked = services.appointment_book(service=package, start_at=START, contact=_contact())
    assert [_local(a.start_at) for a in booked] == [
        dt.datetime(2026, 6, 2, 10, 0),
        dt.datetime(2026, 6, 9, 10, 0),  # a week after, at the same time (not 10:45)
        dt.datetime(2026, 6, 11, 10, 0),
    ]
    assert {a.package_id for a in booked} == {package.pk}


def test_each_step_goes_to_someone_who_offers_its_own_service(frozen, lawyers) -> None:
    paralegal = factories.StaffFactory(
        email="para@firm.example",
        first_name="Pia",
        last_name="Paralegal",
        time_zone="Europe/Warsaw",
    )
    working_week(paralegal)
    lawyer, other_lawyer = lawyers
    # the paralegal has the fewest bookings, so "anyone" used to give them every step
    busy = make_service(staff=lawyers, slug="busy", minutes=15)
    for n in range(2):
        make_appointment(
            service=busy,
            staff=lawyer,
            contact=_contact() if n == 0 else Contact.objects.first(),
            start=dt.datetime(2026, 6, 20 + n, 8, tzinfo=dt.UTC),
        )
    consult = make_service(staff=[lawyer], slug="consult", minutes=45, name="Consultation")
    drafting = make_service(staff=[paralegal, lawyer], slug="drafting", minutes=30)
    signing = make_service(staff=[other_lawyer], slug="signing", minutes=30)
    package = _package([paralegal, lawyer, other_lawyer], (consult, 0), (drafting, 1), (signing, 1))
    booked = services.appointment_book(service=package, start_at=START, contact=_contact())
    assert [a.staff for a in booked] == [lawyer, lawyer, other_lawyer]
    for appointment in booked:
        assert appointment.service.staff.filter(pk=appointment.staff_id).exists()


def test_a_prospect_cannot_book_a_clients_only_step_through_the_api(client, frozen, lawyers):
    intro = make_service(staff=lawyers, slug="intro", minutes=30)
    review = make_service(staff=lawyers, slug="review", minutes=30, audience="clients")
    _package(lawyers, (intro, 0), (review, 1), slug="public-package")
    response = client.post(
        reverse("scheduling:api-bookings"),
        data=json.dumps(
            {
                "service": "public-package",
                "start": START.isoformat(),
                "first_name": "Ada",
                "last_name": "Nowak",
                "email": "ada@example.com",
                "time_zone": "Europe/Warsaw",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Appointment.objects.exists()
    assert not Contact.objects.exists()
    assert (
        client.get(reverse("scheduling:book-service", args=["public-package"])).status_code == 404
    )
    assert b"public-package" not in client.get(reverse("scheduling:book")).content


def test_the_service_refuses_a_clients_only_step_to_a_public_booker(frozen, lawyers) -> None:
    intro = make_service(staff=lawyers, slug="intro", minutes=30)
    review = make_service(staff=lawyers, slug="review", minutes=30, audience="clients")
    package = _package(lawyers, (intro, 0), (review, 1), slug="public-package")
    booker = services.BookerData(first_name="Ada", last_name="Nowak", email="ada@example.com")
    with pytest.raises(ServiceError, match="only existing clients"):
        services.appointment_book(service=package, start_at=START, booker=booker)
    assert not Appointment.objects.exists()


def test_moving_a_step_offers_and_accepts_only_times_that_keep_the_order(
    client, frozen, lawyers
) -> None:
    consult = make_service(staff=lawyers, slug="consult", minutes=45, name="Initial consultation")
    review = make_service(staff=lawyers, slug="review", minutes=30, name="Draft review")
    package = _package(lawyers, (consult, 0), (review, 0))
    first, second = services.appointment_book(
        service=package, start_at=START, contact=_contact(), staff=lawyers[0]
    )
    assert _local(second.start_at) == dt.datetime(2026, 6, 2, 10, 45)
    url = reverse("scheduling:booking-reschedule", args=[first.manage_token])
    page = client.get(url, {"date": "2026-06-02"})
    # the times that keep the order (the later ones, which move the review too, follow)
    kept = page.content.decode().split("data-moving-slots", 1)[0]
    offered = re.findall(r'name="start" value="([^"]+)"', kept)
    assert "data-package-bounds" in page.content.decode()
    # only times that end before the draft review starts (here: 9:00 to 10:00)
    assert offered
    assert all(
        dt.datetime.fromisoformat(v) + dt.timedelta(minutes=45) <= second.start_at for v in offered
    )
    # the consultation does not go after the draft review on the same day: a later time
    # only proposes moving the draft review along (tests/scheduling/test_package_moves.py)
    response = client.post(url, {"start": "2026-06-02T14:00:00+02:00"})
    assert response.status_code == 200
    assert "data-package-move" in response.content.decode()
    first.refresh_from_db()
    assert first.status == Appointment.Status.BOOKED
    with pytest.raises(services.SlotInvalid):
        services.appointment_reschedule(
            appointment=second, start_at=dt.datetime(2026, 6, 2, 9, 0, tzinfo=WARSAW)
        )
    # a time that keeps the order moves it
    assert client.post(url, {"start": offered[0]}).status_code == 302


def test_the_booker_sees_every_steps_date_time_and_person_before_confirming(
    client, frozen, lawyers
) -> None:
    consult = make_service(staff=lawyers, slug="consult", minutes=45, name="Initial consultation")
    review = make_service(staff=lawyers, slug="review", minutes=30, name="Draft review")
    _package(lawyers, (consult, 0), (review, 7))
    url = reverse("scheduling:book-service", args=["estate"])
    page = client.get(
        url, {"date": "2026-06-02", "tz": "Europe/Warsaw", "start": START.isoformat()}
    )
    body = page.content.decode()
    steps = re.findall(r"<li data-plan-step>(.*?)</li>", body, re.S)
    assert len(steps) == 2
    assert "Initial consultation" in steps[0] and "Tuesday, 2 June 2026, 10:00" in steps[0]
    assert "Draft review" in steps[1] and "Tuesday, 9 June 2026, 10:00" in steps[1]
    person = re.search(r'name="staff" value="(\d+)"', body).group(1)
    name = next(m for m in lawyers if str(m.pk) == person).get_full_name()
    assert all(name in step for step in steps)
    plan = re.search(r'name="plan" value="([^"]+)"', body).group(1)
    form = {
        "start": START.isoformat(),
        "time_zone": "Europe/Warsaw",
        "first_name": "Ada",
        "last_name": "Nowak",
        "email": "ada@example.com",
        "staff": person,
        "plan": plan,
    }
    # meanwhile the second step's time is taken: nothing is booked, the booker looks again
    blocker = make_appointment(
        service=review,
        staff=next(m for m in lawyers if str(m.pk) == person),
        contact=Contact.objects.create(first_name="Z", last_name="Z", email="z@example.com"),
        start=dt.datetime(2026, 6, 9, 10, 0, tzinfo=WARSAW),
    )
    response = client.post(url + "?tz=Europe/Warsaw", form)
    assert response.status_code == 409
    assert list(Appointment.objects.all()) == [blocker]
    blocker.delete()
    response = client.post(url + "?tz=Europe/Warsaw", form)
    assert response.status_code == 302
    assert (
        selectors.plan_fingerprint(
            [
                selectors.PlannedStep(
                    service=a.service, staff=a.staff, start=a.start_at, end=a.end_at
                )
                for a in Appointment.objects.order_by("start_at")
            ]
        )
        == plan
    )
    assert Notification.objects.filter(event="booked").count() == 1

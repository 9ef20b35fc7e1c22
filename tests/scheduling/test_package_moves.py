"""Moving a package step later than the next step allows moves the later steps along:
shown with their new dates, times and people first, moved after confirmation, all or
nothing (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from portal.models import Contact
from scheduling import selectors, services
from scheduling.models import Appointment, AvailabilityRule, PackageStep, Service
from tests.scheduling.helpers import make_appointment, make_service

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
# Tuesday 2 June 2026, 10:00 in Warsaw.
START = dt.datetime(2026, 6, 2, 10, 0, tzinfo=WARSAW)


@pytest.fixture
def booked(frozen, lawyers) -> list[Appointment]:
    consult = make_service(staff=lawyers, slug="consult", minutes=45, name="Initial consultation")
    review = make_service(staff=[lawyers[1]], slug="review", minutes=30, name="Draft review")
    package = make_service(staff=lawyers, slug="estate", minutes=45, name="Estate plan")
    PackageStep.objects.create(package=package, service=consult, position=0, min_gap_days=0)
    PackageStep.objects.create(package=package, service=review, position=1, min_gap_days=0)
    package = Service.objects.prefetch_related("staff", "steps__service__staff").get(pk=package.pk)
    contact = Contact.objects.create(first_name="Ada", last_name="Nowak", email="ada@example.com")
    rows = services.appointment_book(
        service=package, start_at=START, contact=contact, staff=lawyers[0]
    )
    Notification.objects.all().delete()
    return list(rows)


def _current() -> list[Appointment]:
    return list(
        Appointment.objects.filter(status=Appointment.Status.BOOKED)
        .select_related("service")
        .order_by("start_at")
    )


def _propose(client: Any, url: str, start: str) -> tuple[Any, str]:
    response = client.post(url, {"start": start})
    body = response.content.decode()
    plan = re.search(r'name="plan" value="([^"]*)"', body)
    return response, plan.group(1) if plan else ""


def test_rescheduling_step_one_never_puts_the_consultation_after_the_draft_review(
    client, booked, lawyers
) -> None:
    first, second = booked
    assert second.start_at == dt.datetime(2026, 6, 2, 10, 45, tzinfo=WARSAW)
    url = reverse("scheduling:booking-reschedule", args=[first.manage_token])
    # the page offers later times too, marked as moving the later appointment along
    page = client.get(url, {"date": "2026-06-02"}).content.decode()
    assert "data-moving-slots" in page
    later = re.findall(r'name="start" value="([^"]+)"', page.split("data-moving-slots", 1)[1])
    assert dt.datetime(2026, 6, 2, 14, 0, tzinfo=WARSAW) in [
        dt.datetime.fromisoformat(v) for v in later
    ]
    # when: the client picks 14:00, after the draft review's time
    response, plan = _propose(client, url, "2026-06-02T14:00:00+02:00")
    # then: the draft review's new date, time and person are shown; nothing moved yet
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-package-move" in body
    assert "Draft review" in body and "L1 Lawyer" in body
    assert "12:45–13:15" in body  # the booking's zone (UTC here): 14:45 in Warsaw
    assert [a.pk for a in _current()] == [first.pk, second.pk]
    # when: they confirm
    done = client.post(
        url, {"start": "2026-06-02T14:00:00+02:00", "plan": plan, "confirm_move": "1"}
    )
    assert done.status_code == 302
    consult, review = _current()
    assert consult.service.slug == "consult" and review.service.slug == "review"
    assert consult.start_at == dt.datetime(2026, 6, 2, 14, 0, tzinfo=WARSAW)
    assert consult.end_at <= review.start_at  # the order holds
    assert review.staff == lawyers[1]
    assert review.replaces_id == second.pk and consult.replaces_id == first.pk
    assert AuditEvent.objects.filter(action="appointment.rescheduled").count() == 2
    # one message to the client for both moves
    assert Notification.objects.filter(event="rescheduled").count() == 1


def test_when_a_later_step_cannot_move_nothing_moves(client, booked, lawyers) -> None:
    first, second = booked
    # given: the only person offering the draft review no longer works any day
    AvailabilityRule.objects.filter(staff=lawyers[1]).delete()
    url = reverse("scheduling:booking-reschedule", args=[first.manage_token])
    response, _plan = _propose(client, url, "2026-06-02T14:00:00+02:00")
    assert response.status_code == 400
    assert "find no free time after this one, so nothing was moved" in response.content.decode()
    confirmed = client.post(
        url, {"start": "2026-06-02T14:00:00+02:00", "plan": "x", "confirm_move": "1"}
    )
    assert confirmed.status_code == 400
    assert [a.pk for a in _current()] == [first.pk, second.pk]
    assert not AuditEvent.objects.filter(action="appointment.rescheduled").exists()


def test_a_plan_that_changed_since_it_was_shown_moves_nothing(
    client, booked, lawyers, world
) -> None:
    first, second = booked
    url = reverse("scheduling:booking-reschedule", args=[first.manage_token])
    _response, plan = _propose(client, url, "2026-06-02T14:00:00+02:00")
    # given: meanwhile someone takes the time the draft review was to move to
    review = second.service
    make_appointment(
        service=review,
        staff=lawyers[1],
        contact=world.contact_b,
        start=dt.datetime(2026, 6, 2, 14, 45, tzinfo=WARSAW),
    )
    done = client.post(
        url, {"start": "2026-06-02T14:00:00+02:00", "plan": plan, "confirm_move": "1"}
    )
    assert done.status_code == 409
    assert "changed meanwhile" in done.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Appointment.Status.BOOKED


def test_the_service_moves_nothing_when_the_shown_plan_no_longer_holds(
    booked, lawyers, world
) -> None:
    first, second = booked
    start = dt.datetime(2026, 6, 2, 14, 0, tzinfo=WARSAW)
    moves = selectors.package_move_plan(appointment=first, start=start)
    assert moves is not None and len(moves) == 2
    shown = selectors.move_fingerprint(moves)
    make_appointment(
        service=second.service, staff=lawyers[1], contact=world.contact_b, start=moves[1].to.start
    )
    with pytest.raises(services.PlanChanged):
        services.package_reschedule(appointment=first, start_at=start, expected=shown)
    first.refresh_from_db()
    assert first.status == Appointment.Status.BOOKED
    assert not Appointment.objects.filter(replaces__isnull=False).exists()


def test_staff_see_and_confirm_the_later_steps_moving(client, booked, lawyers) -> None:
    first, second = booked
    client.force_login(lawyers[0])
    url = reverse("scheduling:staff-appointment-action", args=[first.pk, "reschedule"])
    shown = client.post(url, {"start": "2026-06-02T14:00"})
    assert shown.status_code == 200
    body = shown.content.decode()
    assert "data-package-move" in body and "Draft review" in body
    plan = re.search(r'name="plan" value="([^"]*)"', body).group(1)
    start = re.search(r'data-package-move.*?name="start" value="([^"]*)"', body, re.S).group(1)
    assert start == "2026-06-02T14:00"
    done = client.post(url, {"start": start, "plan": plan, "confirm_move": "1"})
    assert done.status_code == 302
    consult, review = _current()
    assert consult.service.slug == "consult"
    assert consult.end_at <= review.start_at

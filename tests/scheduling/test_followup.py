"""After a meeting (issue 12, item 8): staff fill in one form; the client's steps become
client tasks with due dates, the team's steps timeline entries, and the client gets one
content-free notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from portal.models import ClientTask, TimelineEntry
from tests.notifications.conftest import make_appointment


def _meeting(world: Any, *, status: str = "attended", matter: Any = True) -> Any:
    return make_appointment(
        staff=world.staff_on,
        contact=world.contact_a,
        matter=world.matter_a if matter else None,
        start=timezone.now() - dt.timedelta(hours=2),
        status=status,
    )


def _form(world: Any, **extra: str) -> dict[str, str]:
    soon = timezone.localdate() + dt.timedelta(days=7)
    later = timezone.localdate() + dt.timedelta(days=14)
    return {
        "matter": str(world.matter_a.pk),
        "summary": "Thank you for today's meeting.",
        "client_action_1": "Send the signed power of attorney",
        "client_due_1": soon.isoformat(),
        "client_action_2": "Bring your ID",
        "client_due_2": later.isoformat(),
        "firm_action_1": "File the claim",
        "firm_due_1": later.isoformat(),
        **extra,
    }


def test_staff_send_the_follow_up_and_the_client_gets_tasks_entries_and_one_notice(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an attended meeting; the page offers the follow-up with the firm's wording
    appointment = _meeting(world)
    world.client_a.language = "pl"
    world.client_a.save(update_fields=["language"])
    world.contact_a.language = "pl"
    world.contact_a.save(update_fields=["language"])
    client.force_login(world.staff_on)
    page = client.get(reverse("scheduling:staff-appointment", args=[appointment.pk]))
    assert "Dziękujemy za dzisiejsze spotkanie" in page.content.decode()

    # when the lawyer sends it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scheduling:staff-appointment-follow-up", args=[appointment.pk]),
            _form(world),
        )

    # then the client's steps are her tasks with the dates, the team's go on the timeline
    assert response.status_code == 302
    tasks = list(ClientTask.objects.filter(matter=world.matter_a).order_by("due_date"))
    assert [(t.title, t.due_date) for t in tasks] == [
        ("Send the signed power of attorney", timezone.localdate() + dt.timedelta(days=7)),
        ("Bring your ID", timezone.localdate() + dt.timedelta(days=14)),
    ]
    titles = set(
        TimelineEntry.objects.filter(matter=world.matter_a, shared_with_client=True).values_list(
            "title", flat=True
        )
    )
    assert "Nasz zespół: File the claim" in titles
    assert any(t.startswith("Po naszym spotkaniu") for t in titles)
    # and one notice, with no content
    notices = list(Notification.objects.filter(event="matter_update", recipient=world.client_a))
    assert len(notices) == 1
    # the client sees it all in the portal
    client.force_login(world.client_a)
    portal = client.get(reverse("portal:matter-detail", args=[world.matter_a.pk])).content
    assert "Nasz zespół: File the claim".encode() in portal
    tasks_page = client.get(reverse("portal:task-list", args=[world.matter_a.pk])).content
    assert b"Bring your ID" in tasks_page
    # and the follow-up cannot be sent twice
    appointment.refresh_from_db()
    assert appointment.followed_up_at is not None
    client.force_login(world.staff_on)
    again = client.post(
        reverse("scheduling:staff-appointment-follow-up", args=[appointment.pk]), _form(world)
    )
    assert again.status_code == 400
    assert ClientTask.objects.count() == 2


def test_a_step_without_a_date_is_refused_and_what_was_typed_stays(client: Any, world: Any) -> None:
    appointment = _meeting(world)
    client.force_login(world.staff_on)

    response = client.post(
        reverse("scheduling:staff-appointment-follow-up", args=[appointment.pk]),
        _form(world, client_due_1="", firm_action_2="Call the court"),
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "Give the date for this step." in text
    assert "Send the signed power of attorney" in text and "Call the court" in text
    assert not ClientTask.objects.exists()
    assert not Notification.objects.filter(event="matter_update", recipient=world.client_a).exists()


def test_the_follow_up_waits_until_the_meeting_is_marked_attended(client: Any, world: Any) -> None:
    appointment = _meeting(world, status="booked")
    client.force_login(world.staff_on)
    page = client.get(reverse("scheduling:staff-appointment", args=[appointment.pk]))
    assert "Send the follow-up" not in page.content.decode()

    response = client.post(
        reverse("scheduling:staff-appointment-follow-up", args=[appointment.pk]), _form(world)
    )

    assert response.status_code == 400
    assert "Mark the appointment attended first." in response.content.decode()
    assert not ClientTask.objects.exists()


def test_a_matter_of_another_client_is_refused(client: Any, world: Any) -> None:
    appointment = _meeting(world)
    client.force_login(world.admin)

    response = client.post(
        reverse("scheduling:staff-appointment-follow-up", args=[appointment.pk]),
        _form(world, matter=str(world.matter_b.pk)),
    )

    assert response.status_code == 400
    assert not ClientTask.objects.exists()
    assert not TimelineEntry.objects.filter(matter=world.matter_b).exists()

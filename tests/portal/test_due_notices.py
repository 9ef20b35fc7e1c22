from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from portal import services as portal
from portal import services as portal_services


def test_task_due_tomorrow_gets_one_reminder_even_if_the_job_runs_twice(world: Any) -> None:
    # given
    today = timezone.localdate()
    portal.client_task_create(
        actor=world.staff_on,
        matter=world.matter_a,
        kind="sign_upload",
        title="Sign the power of attorney",
        due_date=today + dt.timedelta(days=1),
    )
    portal.client_task_create(
        actor=world.staff_on,
        matter=world.matter_a,
        kind="review",
        title="Later",
        due_date=today + dt.timedelta(days=5),
    )
    # when
    assert portal_services.due_reminders_queue(today=today) == 1
    assert portal_services.due_reminders_queue(today=today) == 0
    services.deliveries_sweep()
    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.client_a.email]
    assert "power of attorney" not in message.body  # no content, just the date and a link
    assert world.matter_a.reference in message.body


def test_document_request_due_tomorrow_reminds_the_client(world: Any) -> None:
    today = timezone.localdate()
    portal.document_request_create(
        actor=world.staff_on,
        matter=world.matter_a,
        title="Discovery",
        due_date=today + dt.timedelta(days=1),
        items=["Bank statements"],
    )
    assert portal_services.due_reminders_queue(today=today) == 1
    # the checklist's own "news on your matter" notice waits out its batching window
    assert Notification.objects.get(event="document_due").recipient == world.client_a
    services.deliveries_sweep()
    assert "documents" in mail.outbox[0].subject.lower()

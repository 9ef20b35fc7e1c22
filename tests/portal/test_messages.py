"""Secure messages: sending, refusals, read receipts, response times and notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal import services
from portal.audit_actions import PortalAction
from portal.models import Contact, Message
from portal.selectors import firm_business_calendar

pytestmark = pytest.mark.django_db

WARSAW = "Europe/Warsaw"


def _at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(WARSAW))


# ---------------------------------------------------------------------------
# Business hours: the firm's calendar (Monday to Friday 9:00 to 17:00 from migration 0022)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (_at(2, 10), _at(2, 12), 2.0),  # Monday, inside the day
        (_at(2, 16), _at(3, 10), 2.0),  # Mon 16:00 -> Tue 10:00
        (_at(6, 16), _at(9, 10), 2.0),  # Fri 16:00 -> Mon 10:00 (weekend skipped)
        (_at(7, 10), _at(8, 18), 0.0),  # all weekend
        (_at(2, 7), _at(2, 8), 0.0),  # before opening
        (_at(2, 18), _at(3, 8), 0.0),  # overnight
        (_at(2, 9), _at(6, 17), 40.0),  # a whole working week
        (_at(27, 16), _at(30, 10), 2.0),  # across the spring DST change (29 March)
    ],
)
def test_the_firms_calendar_counts_weekdays_nine_to_five(
    firm: Any, start: dt.datetime, end: dt.datetime, hours: float
) -> None:
    calendar = firm_business_calendar()
    assert calendar.time_zone == WARSAW
    assert calendar.business_hours_between(start, end) == hours


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------
def test_client_sends_a_message_with_an_attachment(client: Any, world: Any) -> None:
    # given
    client.force_login(world.client_a)

    # when
    response = client.post(
        reverse("portal:message-list", args=[world.matter_a.pk]),
        {
            "text": "Here is the signed form.",
            "files": [SimpleUploadedFile("form.pdf", b"%PDF-1.4\n%%EOF\n")],
        },
        follow=True,
    )

    # then
    assert "Your message is sent." in response.content.decode()
    message = Message.objects.get()
    assert (message.side, message.sender) == ("client", world.client_a)
    assert [v.document.name for v in message.attachments.all()] == ["form.pdf"]
    sent = AuditEvent.objects.get(action=PortalAction.MESSAGE_SENT)
    # the audit row never holds the text
    assert "signed form" not in str(sent.data)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write a message before sending."),
        ("   \n  ", "Write a message before sending."),
        ("x" * 20_001, "at most 20,000 characters"),
    ],
)
def test_empty_or_too_long_message_is_refused_and_nothing_is_stored(
    client: Any, world: Any, text: str, error: str
) -> None:
    client.force_login(world.client_a)

    response = client.post(reverse("portal:message-list", args=[world.matter_a.pk]), {"text": text})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action=PortalAction.MESSAGE_SENT).exists()


def test_message_of_exactly_20000_characters_is_accepted(world: Any) -> None:
    message = services.message_send(actor=world.client_a, matter=world.matter_a, text="y" * 20_000)
    assert len(message.text) == 20_000


def test_client_b_cannot_post_to_client_as_matter(client: Any, world: Any) -> None:
    client.force_login(world.client_b)
    response = client.post(
        reverse("portal:message-list", args=[world.matter_a.pk]), {"text": "hello"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def test_staff_see_when_the_client_read_their_message(client: Any, world: Any) -> None:
    # given a staff message
    services.message_send(
        actor=world.staff_on, matter=world.matter_a, text="Your hearing is on Monday."
    )
    client.force_login(world.staff_on)
    before = client.get(reverse("portal:message-list", args=[world.matter_a.pk]))
    assert "Not read yet" in before.content.decode()

    # when the client opens the thread
    client.force_login(world.client_a)
    client.get(reverse("portal:message-list", args=[world.matter_a.pk]))

    # then the message is marked read once, with an audit row
    message = Message.objects.get()
    assert message.read_by == world.client_a and message.read_at is not None
    client.get(reverse("portal:message-list", args=[world.matter_a.pk]))
    assert (
        AuditEvent.objects.filter(
            action=PortalAction.MESSAGE_READ, object_id=str(message.pk)
        ).count()
        == 1
    )
    client.force_login(world.staff_on)
    after = client.get(reverse("portal:message-list", args=[world.matter_a.pk]))
    assert "Read by the client" in after.content.decode()


def test_staff_reading_their_own_message_does_not_mark_it_read(client: Any, world: Any) -> None:
    services.message_send(actor=world.staff_on, matter=world.matter_a, text="Hi")
    client.force_login(world.admin)
    client.get(reverse("portal:message-list", args=[world.matter_a.pk]))
    assert Message.objects.get().read_at is None


def test_staff_see_the_response_time_against_the_firms_promise(
    client: Any, world: Any, firm: Any
) -> None:
    # given a promise of 4 business hours, a client message on Monday 10:00 and an
    # answer on Tuesday 10:00 (8 business hours later)
    from django.core.cache import cache

    firm.response_hours = 4
    firm.time_zone = WARSAW
    firm.save()
    cache.clear()
    with time_machine.travel(_at(2, 10), tick=False):
        services.message_send(
            actor=world.client_a, matter=world.matter_a, text="When is my hearing?"
        )
    with time_machine.travel(_at(3, 10), tick=False):
        services.message_send(actor=world.staff_on, matter=world.matter_a, text="On Friday.")

    # when
    client.force_login(world.staff_on)
    body = client.get(reverse("portal:message-list", args=[world.matter_a.pk])).content.decode()

    # then
    assert "Answered after 8.0 business hours" in body
    assert "over the promise" in body


# ---------------------------------------------------------------------------
# Notices
# ---------------------------------------------------------------------------
def _sms_bodies(settings: Any) -> list[str]:
    directory = Path(settings.SMS_FILE_PATH)
    return [p.read_text() for p in directory.glob("*.sms")] if directory.exists() else []


def test_several_messages_within_minutes_give_one_notice_without_text_or_filename(
    client: Any, world: Any, settings: Any
) -> None:
    # given a client who prefers SMS and agreed to it
    from notifications.services import deliveries_sweep

    Contact.objects.filter(pk=world.contact_a.pk).update(
        phone="+48500100200", preferred_channel="sms", sms_consent=True
    )
    client.force_login(world.staff_on)
    url = reverse("portal:message-list", args=[world.matter_a.pk])
    start = timezone.now()

    # when the lawyer sends three messages within two minutes, one with a file
    for i, text in enumerate(["Secret plan alpha", "Secret plan beta", "Secret plan gamma"]):
        with time_machine.travel(start + dt.timedelta(minutes=i), tick=False):
            client.force_login(world.staff_on)
            data: dict[str, Any] = {"text": text}
            if i == 2:
                data["files"] = [SimpleUploadedFile("settlement-offer.pdf", b"%PDF-1.4\n%%EOF")]
            client.post(url, data)
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        deliveries_sweep()

    # then the client gets one email and one SMS; neither carries the text or the file name
    to_client = [m for m in mail.outbox if world.client_a.email in m.to]
    assert len(to_client) == 1
    sms = _sms_bodies(settings)
    assert len(sms) == 1
    for body in [
        to_client[0].body,
        to_client[0].subject,
        sms[0],
        *[str(alt[0]) for alt in getattr(to_client[0], "alternatives", [])],
    ]:
        assert "Secret plan" not in body
        assert "settlement-offer" not in body
    # and the lawyer who wrote is not notified of their own messages
    assert not [m for m in mail.outbox if world.staff_on.email in m.to]


def test_client_message_notifies_the_responsible_lawyer_only_once(client: Any, world: Any) -> None:
    from notifications.services import deliveries_sweep

    client.force_login(world.client_a)
    start = timezone.now()
    for i in range(2):
        with time_machine.travel(start + dt.timedelta(minutes=i), tick=False):
            client.force_login(world.client_a)
            client.post(
                reverse("portal:message-list", args=[world.matter_a.pk]), {"text": f"Question {i}"}
            )
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        deliveries_sweep()

    to_lawyer = [m for m in mail.outbox if world.staff_on.email in m.to]
    assert len(to_lawyer) == 1
    assert "Question" not in to_lawyer[0].body
    assert not [m for m in mail.outbox if world.client_b.email in m.to]

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.outbox import State
from portal import services as portal
from portal import services as portal_services


def test_three_messages_within_minutes_make_one_notice_per_recipient(world: Any) -> None:
    # given
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            portal_services.secure_message_notify(
                matter=world.matter_a, recipients=[world.client_a], sender=world.staff_on
            )
    # then
    notices = Notification.objects.filter(event="message", recipient=world.client_a)
    assert notices.count() == 1
    assert notices.get().batch_count == 3
    # when: the sweep runs after the batching window
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        services.deliveries_sweep()
    # then
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.client_a.email]


def test_notice_carries_no_message_text_and_one_link_to_the_matter(
    world: Any, settings: Any
) -> None:
    # given: a real message through the portal's service
    secret_text = "The settlement offer is 40,000 and the file is offer.pdf"
    portal.message_send(actor=world.staff_on, matter=world.matter_a, text=secret_text)
    # when
    services.deliveries_sweep(now=timezone.now() + dt.timedelta(minutes=10))
    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "40,000" not in message.body and "offer.pdf" not in message.body
    assert "40,000" not in message.subject
    assert message.body.rsplit("\n-- \n", 1)[0].count("http") == 1  # foot: privacy notice
    assert str(world.matter_a.pk) in message.body
    assert world.matter_a.title not in message.body


def test_sender_is_never_notified_and_a_later_message_starts_a_new_notice(world: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        portal_services.secure_message_notify(
            matter=world.matter_a,
            recipients=[world.client_a, world.staff_on],
            sender=world.staff_on,
        )
    assert not Notification.objects.filter(recipient=world.staff_on).exists()
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        call_command("send_due_reminders")
        portal_services.secure_message_notify(
            matter=world.matter_a, recipients=[world.client_a], sender=world.staff_on
        )
    assert Notification.objects.filter(recipient=world.client_a, state=State.SENT).count() == 1
    assert Notification.objects.filter(recipient=world.client_a, state=State.SCHEDULED).count() == 1


def test_client_preferring_sms_with_consent_also_gets_an_sms(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    # given
    contact = world.contact_a
    contact.preferred_channel, contact.sms_consent, contact.phone = "sms", True, "+48600100200"
    contact.save()
    # when
    portal_services.secure_message_notify(
        matter=world.matter_a, recipients=[world.client_a], sender=world.staff_on
    )
    services.deliveries_sweep(now=timezone.now() + dt.timedelta(minutes=10))
    # then: an email and one SMS file
    assert len(mail.outbox) == 1
    files = list((tmp_path / "sms").glob("*.sms"))
    assert len(files) == 1
    content = files[0].read_text()
    assert "+48600100200" in content and "http" in content


def test_sms_without_consent_is_not_queued(world: Any) -> None:
    contact = world.contact_a
    contact.preferred_channel, contact.sms_consent, contact.phone = "sms", False, "+48600100200"
    contact.save()
    portal_services.secure_message_notify(
        matter=world.matter_a, recipients=[world.client_a], sender=world.staff_on
    )
    assert list(Notification.objects.values_list("channel", flat=True)) == ["email"]


def test_sms_in_quiet_hours_waits_for_the_morning(world: Any, tmp_path: Any) -> None:
    # given: quiet 21:00-08:00 Warsaw; it is 23:30 Warsaw (22:30 UTC in winter)
    contact = world.contact_a
    contact.preferred_channel, contact.sms_consent, contact.phone = "sms", True, "+48600100200"
    contact.quiet_hours_start, contact.quiet_hours_end = dt.time(21), dt.time(8)
    contact.save()
    night = dt.datetime(2026, 1, 14, 22, 30, tzinfo=dt.UTC)
    with time_machine.travel(night - dt.timedelta(minutes=10), tick=False):
        portal_services.secure_message_notify(
            matter=world.matter_a, recipients=[world.client_a], sender=world.staff_on
        )
    with time_machine.travel(night, tick=False):
        services.deliveries_sweep()
    sms = Notification.objects.get(channel="sms")
    assert sms.state == State.SCHEDULED
    assert sms.next_attempt_at == dt.datetime(2026, 1, 15, 7, 0, tzinfo=dt.UTC)  # 08:00 CET
    assert len(mail.outbox) == 1  # the email is not held back
    with time_machine.travel(dt.datetime(2026, 1, 15, 7, 1, tzinfo=dt.UTC), tick=False):
        services.deliveries_sweep()
    sms.refresh_from_db()
    assert sms.state == State.SENT
    assert len(list((tmp_path / "sms").glob("*.sms"))) == 1

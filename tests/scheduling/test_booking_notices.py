"""Through scheduling's own services: book, reschedule, cancel; what the client receives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core import mail

from notifications import services
from notifications.outbox import State
from scheduling import services as scheduling
from scheduling.models import Reminder
from tests.scheduling.helpers import make_service, working_week

MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # 09:00 in Warsaw


def _sms_files(tmp_path: Any) -> list[str]:
    folder = tmp_path / "sms"
    return [p.read_text() for p in sorted(folder.glob("*.sms"))] if folder.exists() else []


def test_book_reschedule_and_cancel_send_the_right_things_at_the_right_times(
    world: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a client with SMS consent, a lawyer with working hours
    contact = world.contact_a
    contact.sms_consent, contact.phone = True, "+48600100200"
    contact.save()
    world.staff_on.time_zone = "Europe/Warsaw"
    world.staff_on.save()
    working_week(world.staff_on)

    def client_mail() -> list[Any]:  # the lawyer also hears of each change (test_inbox.py)
        return [m for m in mail.outbox if m.to == [contact.email]]

    service = make_service(staff=[world.staff_on], slug="consult", minutes=30, name="Consultation")
    wednesday_10 = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
    thursday_14 = dt.datetime(2026, 3, 5, 13, 0, tzinfo=dt.UTC)

    # when: booked on Monday for Wednesday 10:00
    with time_machine.travel(MONDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [appointment] = scheduling.appointment_book(
                service=service,
                start_at=wednesday_10,
                staff=world.staff_on,
                contact=contact,
                time_zone="Europe/Warsaw",
            )
    # then: one confirmation email with a calendar file, one SMS, four reminder rows
    assert len(client_mail()) == 1
    assert "10:00 CET" in client_mail()[0].body
    assert any(name.endswith(".ics") for name, *_ in client_mail()[0].attachments)
    assert len(_sms_files(tmp_path)) == 1
    assert Reminder.objects.filter(appointment=appointment, state=State.SCHEDULED).count() == 4

    # when: moved to Thursday 14:00 on Monday afternoon
    with time_machine.travel(MONDAY + dt.timedelta(hours=6), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            new = scheduling.appointment_reschedule(appointment=appointment, start_at=thursday_14)
    assert len(client_mail()) == 2 and "14:00 CET" in client_mail()[1].body

    # then: at the old reminder times nothing goes out
    for when in (wednesday_10 - dt.timedelta(hours=24), wednesday_10 - dt.timedelta(hours=2)):
        with time_machine.travel(when, tick=False):
            services.deliveries_sweep()
    assert len(client_mail()) == 2 and len(_sms_files(tmp_path)) == 2
    # ... and at the new one the reminder quotes the new time
    with time_machine.travel(thursday_14 - dt.timedelta(hours=24), tick=False):
        services.deliveries_sweep()
    assert len(client_mail()) == 3
    assert "Thursday, 5 March 2026, 14:00 CET" in client_mail()[2].body
    assert "14:00 CET" in _sms_files(tmp_path)[-1]

    # when: cancelled before the 2 h reminder
    with time_machine.travel(thursday_14 - dt.timedelta(hours=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            scheduling.appointment_cancel(appointment=new)
    sent_before = len(client_mail())
    with time_machine.travel(thursday_14 - dt.timedelta(hours=2), tick=False):
        services.deliveries_sweep()
    # then: only the cancellation confirmation went out, no reminder
    assert len(client_mail()) == sent_before
    assert "cancelled" in client_mail()[-1].subject.lower()
    two_hour = Reminder.objects.filter(appointment=new, kind="2h")
    assert set(two_hour.values_list("state", "reason")) == {
        (State.SUPPRESSED, "appointment cancelled")
    }
    assert not Reminder.objects.filter(state=State.SCHEDULED).exists()

"""Builders for the feedback tests: an attended consultation, the link from the email."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import time_machine
from django.core import mail

from notifications import services as notifications
from scheduling import services as scheduling
from scheduling.models import Appointment, Service
from tests.scheduling.helpers import make_appointment, make_service

LINK = re.compile(r"https?://[^\s]+/feedback/([A-Za-z0-9_\-]+)/")


def consultation(staff: Any, *, slug: str = "first-consultation") -> Service:
    return make_service(
        staff=[staff], slug=slug, minutes=60, name="First consultation", is_consultation=True
    )


def attended(
    *, service: Service, staff: Any, contact: Any, at: dt.datetime, capture: Any, matter: Any = None
) -> Appointment:
    """A consultation at `at` (an hour long), marked attended at its end, handlers run."""
    appointment = make_appointment(
        service=service, staff=staff, contact=contact, start=at, matter=matter
    )
    mark(appointment, "attended", staff=staff, when=at + dt.timedelta(hours=1), capture=capture)
    return appointment


def mark(
    appointment: Appointment, status: str, *, staff: Any, when: dt.datetime, capture: Any
) -> None:
    with time_machine.travel(when, tick=False), capture(execute=True):
        scheduling.appointment_mark(appointment=appointment, status=status, actor=staff)


def sweep(when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        notifications.deliveries_sweep()


def mails_to(address: str) -> list[Any]:
    """The feedback requests this address received (a no-show also gets a rebooking
    link from scheduling: not ours)."""
    return [m for m in mail.outbox if address in m.to and LINK.search(m.body)]


def token_in(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)

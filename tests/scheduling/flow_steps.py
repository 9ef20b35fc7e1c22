"""Real booking steps for tests, registered through the public registry (no mocks).

A step's URL points at the booking's own page with a marker, which is a real page the
booker can open; what a real step does there (a form, a payment) is its app's business.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import events
from scheduling.booking_flow import BookingContext, BookingStep, register_step, unregister_step


def step_url(key: str) -> Any:
    def url(context: BookingContext) -> str:
        return (
            reverse("scheduling:booking-detail", kwargs={"token": context.token}) + f"?step={key}"
        )

    return url


def not_for_staff(context: BookingContext) -> bool:
    return context.origin != "staff"


FORM_STEP = BookingStep(
    key="test-form",
    order=10,
    label=_("Intake"),
    applies=not_for_staff,
    url=step_url("test-form"),
)
PAY_STEP = BookingStep(
    key="test-pay",
    order=20,
    label=_("Pay"),
    applies=not_for_staff,
    url=step_url("test-pay"),
)


@contextmanager
def registered(*steps: BookingStep) -> Iterator[None]:
    for step in steps:
        register_step(step)
    try:
        yield
    finally:
        for step in steps:
            unregister_step(step.key)


@contextmanager
def published(*event_types: Any) -> Iterator[list[Any]]:
    """Every event of these types delivered (after commit) while the block runs."""
    seen: list[Any] = []

    def handler(event: Any) -> None:
        seen.append(event)

    for event_type in event_types:
        events.subscribe(event_type, handler)
    try:
        yield seen
    finally:
        for event_type in event_types:
            events.unsubscribe(event_type, handler)

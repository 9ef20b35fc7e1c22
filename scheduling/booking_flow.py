"""The steps a public booking goes through before it is confirmed (one registry, no ORM).

Apps above scheduling register a `BookingStep` in their AppConfig.ready(): intake its
stage-1 form, billing the payment of a paid consultation. When `appointment_book` finds
at least one step that applies, it inserts the appointments HELD (blocking the slot until
`hold_expires_at`) and sends the booker to the first step's URL. Each step, when done,
calls `scheduling.services.booking_step_complete`, which answers with the next step's URL;
after the last one the booking is confirmed (HELD → BOOKED). A step may give the time back
with `booking_hold_release`.

`applies` is decided once, when the booking is made, and only the keys of the steps that
applied are stored on the appointments (`pending_steps`), so a step registered or removed
later never changes a booking in progress.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

ORIGINS = ("public", "portal", "staff")


@dataclass(frozen=True)
class BookingContext:
    """What a step may know about the booking (ids only, plus the booker's credential)."""

    booking_ref: str  # the booking's key: shared by every appointment of a package
    appointment_ids: tuple[uuid.UUID, ...]
    service_ids: tuple[uuid.UUID, ...]  # per appointment, same order
    contact_id: uuid.UUID
    origin: str  # "public" | "portal" | "staff"
    token: str  # the raw manage token of the booking (its first appointment's)


@dataclass(frozen=True)
class BookingStep:
    key: str  # "intake", "payment"
    order: int  # intake 10, payment 20 (lower runs first)
    label: Promise | str  # shown on the "finish your booking" page
    applies: Callable[[BookingContext], bool]  # decided once, when the booking is made
    url: Callable[[BookingContext], str]  # where the booker goes for this step


_steps: dict[str, BookingStep] = {}


def register_step(step: BookingStep) -> None:
    """Add a step (from AppConfig.ready()). The same step again is a no-op; another step
    under a key already taken is a programming error."""
    if not step.key or len(step.key) > 40:
        raise ValueError(f"a booking step key has 1 to 40 characters: {step.key!r}")
    current = _steps.get(step.key)
    if current is not None and current != step:
        raise ValueError(f"booking step {step.key!r} is already registered")
    _steps[step.key] = step


def unregister_step(key: str) -> None:
    """Remove a step (tests that register their own clean up with this)."""
    _steps.pop(key, None)


def registered_steps() -> tuple[BookingStep, ...]:
    """Every registered step in the order a booking runs them."""
    return tuple(sorted(_steps.values(), key=lambda s: (s.order, s.key)))


def step_get(key: str) -> BookingStep | None:
    return _steps.get(key)


def steps_that_apply(context: BookingContext) -> tuple[BookingStep, ...]:
    """The steps this booking must go through, in order."""
    return tuple(step for step in registered_steps() if step.applies(context))

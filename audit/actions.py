"""Which actions an audit row may record: each app declares its own, with their labels.

An app lists its actions as a TextChoices class in `<app>/audit_actions.py` and declares
it in its AppConfig.ready():

    class SchedulingAction(models.TextChoices):
        APPOINTMENT_BOOKED = "appointment.booked", _("Appointment booked")

    actions.declare(SchedulingAction)

audit_record refuses an action nobody declared, and tests/test_registries.py checks that
every action written anywhere in the code is declared.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 40  # AuditEvent.action


class AuditAction(models.TextChoices):
    OTHER = "other", _("Other")


_DECLARED: dict[str, tuple[str, str]] = {}  # action -> (label, declaring class)


def declare(choices: type[models.TextChoices]) -> None:
    """Declare an app's actions; declaring the same class again changes nothing."""
    owner = f"{choices.__module__}.{choices.__qualname__}"
    for value, label in choices.choices:
        if len(value) > MAX_LENGTH:
            raise ValueError(f"audit action {value!r} is longer than {MAX_LENGTH} characters")
        known = _DECLARED.get(value)
        if known is not None and known[1] != owner:
            raise ValueError(f"audit action {value!r} is declared by {known[1]} already")
        _DECLARED[value] = (label, owner)


def is_declared(action: str) -> bool:
    return action in _DECLARED


def label(action: str) -> str:
    """The action in the reader's language; an unknown one (an old row) as it was stored."""
    known = _DECLARED.get(action)
    return str(known[0]) if known is not None else action


def choices() -> list[tuple[str, str]]:
    """Every declared action with its label, in the order the apps declared them."""
    return [(value, str(known[0])) for value, known in _DECLARED.items()]


def declared() -> dict[str, str]:
    """{action: declaring class}: for the registry test."""
    return {value: known[1] for value, known in _DECLARED.items()}

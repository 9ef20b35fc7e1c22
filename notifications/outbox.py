"""The outbox: what every outbound message row has, and how composing one may end.

Every message Atrium sends is a row first, written in the same transaction as the change
that causes it; the sweep (or a task enqueued on commit) claims it, sends it outside any
lock and records the outcome. `Notification` is the outbox for one-off notices; an app
that needs its own table (scheduling's reminders) subclasses `Delivery` and registers it
(`notifications.registry.register_outbox`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.channels import Channel


class State(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


INTERRUPTED = "interrupted while sending; not repeated to avoid a duplicate"
# How a row interrupted while sending (its worker died after "send started") was settled
# by the next sweep (README, "Reminders: the exact guarantee").
RECONCILED_FOUND = "interrupted; the provider already had it, not sent again"
RECONCILED_SENT = "interrupted before the provider had it; sent by the next sweep"
RECONCILED_EMAIL = "interrupted; sent again with the same Message-ID"

# Reasons are stored as stable English keys (they are also grepped in logs) and shown to
# staff translated; a provider's own error text is shown as it came. These are the
# delivery layer's; each app registers the reasons its composers give (register_reasons).
_REASONS: dict[str, Promise | str] = {
    "no longer needed": _("no longer needed"),
    "no SMS consent": _("no SMS consent"),
    "no phone number": _("no phone number"),
    "no email address": _("no email address"),
    "no recipient": _("no recipient"),
    "account disabled": _("account disabled"),
    "quiet hours": _("quiet hours"),
    "too late": _("too late"),
    "merged into a later notice": _("merged into a later notice"),
    INTERRUPTED: _("interrupted while sending; not repeated to avoid a duplicate"),
    RECONCILED_FOUND: _("interrupted; the provider already had it, not sent again"),
    RECONCILED_SENT: _("interrupted before the provider had it; sent by the next sweep"),
    RECONCILED_EMAIL: _("interrupted; sent again with the same Message-ID"),
}


def register_reasons(reasons: Mapping[str, Promise | str]) -> None:
    """Labels for the reasons an app's composers give (Suppress/Postpone)."""
    _REASONS.update(reasons)


def reason_label(reason: str) -> str:
    return str(_REASONS.get(reason, reason))


class Suppress(Exception):  # noqa: N818 - an outcome, not an error
    """Raised by a composer: this message must not go out (the reason is shown to staff)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Postpone(Exception):  # noqa: N818
    """Raised by a composer: not now; try again at `until`."""

    def __init__(self, until: dt.datetime, reason: str = "") -> None:
        super().__init__(reason)
        self.until = until
        self.reason = reason


def object_key(kind: str, pk: object) -> str:
    """How a notice names a higher object it is about: "matter:<uuid>"."""
    return f"{kind}:{pk}"


def key_id(key: str, kind: str) -> str | None:
    """The id in an object key of this kind, or None."""
    prefix, _sep, value = key.partition(":")
    return value if prefix == kind and value else None


class Delivery(models.Model):
    """What every outbound message has: a due time, a state, attempts and a lease.

    States only move forward (TRANSITIONS); the sweep and the Twilio callback both update
    with a conditional UPDATE on the current state, so a late or repeated writer is a no-op.
    """

    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        State.SCHEDULED: (State.SENDING, State.SUPPRESSED, State.FAILED),
        # Back to scheduled only for a retry or a lease that expired before any send began.
        State.SENDING: (
            State.SENT,
            State.FAILED,
            State.SCHEDULED,
            State.SUPPRESSED,
            State.DELIVERED,
        ),
        State.SENT: (State.DELIVERED, State.FAILED),
        State.DELIVERED: (),
        State.FAILED: (),
        # A suppressed reminder comes back when the appointment moves to a new time.
        State.SUPPRESSED: (State.SCHEDULED,),
    }
    # Related rows the sweep loads with each claimed row (a subclass names its own).
    SWEEP_SELECT_RELATED: ClassVar[tuple[str, ...]] = ()

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # When it should go (shown to staff) and when the sweep may next try (retries move it).
    due_at = models.DateTimeField(_("due"))
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set when a sweep claims the row; a different sweep may take it over after lease_until
    # only if send_started_at is still empty (nothing can have gone out).
    claim_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    to_address = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.notice_event()} {self.channel} {self.state}"

    @classmethod
    def can_move(cls, from_state: str, to_state: str) -> bool:
        return to_state in cls.TRANSITIONS.get(from_state, ())

    def notice_event(self) -> str:
        """The registered notice whose composer turns this row into a message."""
        raise NotImplementedError

    @property
    def retry_deadline(self) -> dt.datetime | None:
        """No retry after this instant (None: retries end only with the attempts)."""
        return None

    @property
    def reason_display(self) -> str:
        return reason_label(self.reason)

    @property
    def state_badge(self) -> str:
        badges: dict[str, str] = {
            State.SENT: "ok",
            State.DELIVERED: "ok",
            State.FAILED: "danger",
            State.SUPPRESSED: "muted",
        }
        return badges.get(str(self.state), "")

"""Every write of the notifications app, re-exported here (the public interface)."""

from __future__ import annotations

import datetime as dt

from notifications.services.appointments import (  # noqa: F401
    appointment_notify,
    appointment_reminders_sync,
    reminder_offsets,
)
from notifications.services.compose import format_when, recipient_from_contact  # noqa: F401
from notifications.services.messages import secure_message_notify  # noqa: F401
from notifications.services.silence import (  # noqa: F401
    checkin_draft,
    checkin_send,
    due_reminders_queue,
    silence_digest_send,
)
from notifications.services.sweep import (  # noqa: F401
    SweepResult,
    deliveries_sweep,
    delivery_send_now,
    heartbeat_record,
    reconcile_expired_leases,
)
from notifications.services.templates import template_reset, template_save  # noqa: F401
from notifications.services.twilio import sms_status_record  # noqa: F401


def daily_run(*, now: dt.datetime | None = None) -> None:
    """The daily job: queue due-date reminders and send the silence digests."""
    due_reminders_queue()
    silence_digest_send(now=now)

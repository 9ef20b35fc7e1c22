"""Every write of the notifications app, re-exported here (the public interface)."""

from __future__ import annotations

from notifications.services.queue import notice_batch_add, notice_queue, notice_queue_once
from notifications.services.sweep import (
    SweepResult,
    deliveries_sweep,
    delivery_send_now,
    heartbeat_record,
    reconcile_expired_leases,
)
from notifications.services.templates import template_reset, template_save
from notifications.services.twilio import sms_status_record

__all__ = [
    "deliveries_sweep",
    "delivery_send_now",
    "heartbeat_record",
    "notice_batch_add",
    "notice_queue",
    "notice_queue_once",
    "reconcile_expired_leases",
    "sms_status_record",
    "SweepResult",
    "template_reset",
    "template_save",
]

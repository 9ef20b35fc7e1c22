"""Twilio delivery reports: move an SMS forward to delivered or failed, never back."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q
from django.utils import timezone

from notifications.outbox import State
from notifications.services.sweep import delivery_models

logger = logging.getLogger(__name__)

DELIVERED = {"delivered", "read"}
FAILED = {"undelivered", "failed", "canceled"}


def sms_status_record(
    *, delivery_id: Any, message_sid: str, status: str, error_code: str = ""
) -> bool:
    """Apply one (already signature-checked) status callback. True if a row moved.

    Conditional UPDATEs on the current state make repeats and late arrivals no-ops:
    `delivered` after `failed` (or the other way round) changes nothing.
    """
    status = (status or "").lower()
    now = timezone.now()
    if status in DELIVERED:
        fields: dict[str, Any] = {"state": State.DELIVERED, "delivered_at": now}
    elif status in FAILED:
        reason = f"carrier reported {status}" + (
            f" (error {error_code[:10]})" if error_code else ""
        )
        fields = {"state": State.FAILED, "reason": reason}
    else:
        return False  # queued / sending / sent: the sweep records "sent" itself
    fields["updated_at"] = now
    model: Any
    for model in delivery_models():
        try:
            qs = model._default_manager.filter(
                pk=delivery_id, channel="sms", state__in=[State.SENDING, State.SENT]
            )
        except Exception:  # noqa: S112 - a malformed id matches nothing
            continue
        # The sid must match once we know it; before that (callback faster than our
        # UPDATE) the signed URL names the row.
        qs = qs.filter(Q(provider_id="") | Q(provider_id=message_sid))
        try:
            if qs.update(**fields):
                return True
        except Exception:  # noqa: S112 - malformed uuid
            return False
    return False

"""Reads of the notifications app: sweep health and the firm's wording."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from notifications import registry
from notifications.models import Notification, NotificationTemplate, SweepHeartbeat
from notifications.outbox import State

STALLED_AFTER = dt.timedelta(minutes=10)
_STALLED_CACHE_KEY = "atrium:notifications:stalled:v1"


# ---------------------------------------------------------------------------
# Sweep health
# ---------------------------------------------------------------------------
def sweep_status(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """When the reminder sweep last ran and whether it counts as stalled.

    A brand-new deployment has never run a sweep: that is healthy until something is
    actually waiting (a row overdue by more than ten minutes). Once the sweep has run, it
    must keep running every minute whether or not there is work.
    """
    now = now or timezone.now()
    beat = SweepHeartbeat.objects.filter(pk=1).first()
    last = beat.last_run_at if beat else None
    if last is not None:
        stalled = now - last > STALLED_AFTER
    else:
        overdue = now - STALLED_AFTER
        stalled = any(
            m._default_manager.filter(state=State.SCHEDULED, next_attempt_at__lt=overdue).exists()
            for m in registry.outbox_models()
        )
    return {"last_run_at": last, "stalled": stalled}


def reminders_stalled_cached() -> bool:
    """For the staff banner on every page: at most one check per 30 seconds."""
    value = cache.get(_STALLED_CACHE_KEY)
    if value is None:
        value = sweep_status()["stalled"]
        cache.set(_STALLED_CACHE_KEY, value, 30)
    return bool(value)


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------
def template_overrides() -> dict[tuple[str, str, str], NotificationTemplate]:
    return {(t.event, t.channel, t.language): t for t in NotificationTemplate.objects.all()}


def template_get(*, event: str, channel: str, language: str) -> NotificationTemplate | None:
    return NotificationTemplate.objects.filter(
        event=event, channel=channel, language=language
    ).first()


def notice_may_have_gone_out(*, about: str) -> bool:
    """Whether a notice about this key was sent, or may have been (one being sent, or
    one whose send failed after it started): anything not still waiting or suppressed."""
    return (
        Notification.objects.filter(about=about)
        .exclude(state__in=(State.SCHEDULED, State.SUPPRESSED))
        .exists()
    )


def notice_key_queued(*, key: str, channel: str) -> bool:
    """Whether a notice was ever queued under this key and channel (notice_queue_once's
    idempotency key): lets a job skip the work of composing one again."""
    return Notification.objects.filter(batch_key=key, channel=channel).exists()

"""Reads of the notifications app, access-checked where they concern matters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from notifications.models import (
    Notification,
    NotificationTemplate,
    Reminder,
    State,
    SweepHeartbeat,
)

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
    from notifications.services.sweep import delivery_models

    now = now or timezone.now()
    beat = SweepHeartbeat.objects.filter(pk=1).first()
    last = beat.last_run_at if beat else None
    if last is not None:
        stalled = now - last > STALLED_AFTER
    else:
        overdue = now - STALLED_AFTER
        stalled = any(m.objects.filter(state=State.SCHEDULED, next_attempt_at__lt=overdue)
                      .exists() for m in delivery_models())
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


# ---------------------------------------------------------------------------
# Silence alarm
# ---------------------------------------------------------------------------
def _silence_queryset(*, now: dt.datetime, days: int) -> QuerySet[Any]:
    from portal.models import Matter, TimelineEntry

    shared = (TimelineEntry.objects.filter(matter=OuterRef("pk"), shared_with_client=True)
              .order_by("-created_at").values("created_at")[:1])
    annotations: dict[str, Any] = {"last_update": Subquery(shared, output_field=DateTimeField())}
    last_parts: list[Any] = [Coalesce("last_update", F("created_at"))]
    message_model = _firm_message_model()
    if message_model is not None:
        firm_msg = (message_model.objects.filter(matter=OuterRef("pk"), side="firm")
                    .order_by("-created_at").values("created_at")[:1])
        annotations["last_message"] = Subquery(firm_msg, output_field=DateTimeField())
        last_parts.append(Coalesce("last_message", F("created_at")))
    qs = Matter.objects.exclude(stage=Matter.Stage.CLOSED).annotate(**annotations)
    last = Greatest(*last_parts) if len(last_parts) > 1 else last_parts[0]
    threshold = now - dt.timedelta(days=days)
    return (qs.annotate(last_contact=last)
            .filter(last_contact__lte=Value(threshold, output_field=DateTimeField()))
            .select_related("responsible_lawyer").order_by("last_contact"))


def _firm_message_model() -> Any:
    """The portal's secure message model, when that app has it (firm-side messages count)."""
    try:
        from portal.models import Message
    except ImportError:
        return None
    return Message


def _with_days(matters: list[Any], now: dt.datetime) -> list[Any]:
    for m in matters:
        m.silent_days = (now - m.last_contact).days
    return matters


def silent_matters_for_user(*, user: Any, now: dt.datetime | None = None) -> list[Any]:
    """The silent matters this staff member is responsible for (staff home, digest)."""
    from portal.selectors import firm_get, matters_visible_to

    if not getattr(user, "is_firm_staff", False):
        return []
    now = now or timezone.now()
    qs = _silence_queryset(now=now, days=firm_get().silence_days).filter(
        responsible_lawyer=user, pk__in=matters_visible_to(user).values("pk"))
    return _with_days(list(qs), now)


def silent_matters_by_lawyer(*, now: dt.datetime | None = None) -> Iterator[tuple[Any, list[Any]]]:
    """(lawyer, their silent matters) for the daily digest, active lawyers only."""
    from portal.selectors import firm_get

    now = now or timezone.now()
    qs = _silence_queryset(now=now, days=firm_get().silence_days).filter(
        responsible_lawyer__is_active=True)
    grouped: dict[int, tuple[Any, list[Any]]] = {}
    for matter in qs:
        grouped.setdefault(matter.responsible_lawyer_id,
                           (matter.responsible_lawyer, []))[1].append(matter)
    for lawyer, matters in grouped.values():
        yield lawyer, _with_days(matters, now)


def silent_matter_get_for_user(*, user: Any, matter_id: Any) -> Any:
    """A matter for the check-in form: staff who may open it (404 otherwise)."""
    from portal.selectors import matter_detail_for_staff

    return matter_detail_for_staff(user=user, matter_id=matter_id)


# ---------------------------------------------------------------------------
# Notifications per matter (staff pages)
# ---------------------------------------------------------------------------
def notifications_for_matter(*, user: Any, matter: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_firm_staff", False):
        return Notification.objects.none()
    return (Notification.objects.filter(matter=matter).select_related("recipient")
            .order_by("-due_at")[:100])


def sms_status_callback_enabled() -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID)


# ---------------------------------------------------------------------------
# Appointment reminders (staff)
# ---------------------------------------------------------------------------
def reminders_for_appointment(*, appointment: Any) -> list[Reminder]:
    """Every reminder of one appointment with its state and reason, for staff pages."""
    return list(Reminder.objects.filter(appointment=appointment).order_by("due_at", "channel"))

"""The silence alarm: matters whose client has heard nothing from the firm for too long."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from portal.models import Matter, Message, TimelineEntry, User
from portal.selectors.firm import firm_get
from portal.selectors.matters import matter_detail_for_staff, matters_visible_to


def _silence_queryset(*, now: dt.datetime, days: int) -> QuerySet[Matter]:
    """Open matters whose last shared update and last firm message are older than `days`."""
    shared = (
        TimelineEntry.objects.filter(matter=OuterRef("pk"), shared_with_client=True)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    firm_msg = (
        Message.objects.filter(matter=OuterRef("pk"), side=Message.Side.FIRM)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    last = Greatest(
        Coalesce("last_update", F("created_at")), Coalesce("last_message", F("created_at"))
    )
    threshold = now - dt.timedelta(days=days)
    return (
        Matter.objects.exclude(stage=Matter.Stage.CLOSED)
        .annotate(
            last_update=Subquery(shared, output_field=DateTimeField()),
            last_message=Subquery(firm_msg, output_field=DateTimeField()),
        )
        .annotate(last_contact=last)
        .filter(last_contact__lte=Value(threshold, output_field=DateTimeField()))
        .select_related("responsible_lawyer")
        .order_by("last_contact")
    )


def _with_days(matters: list[Matter], now: dt.datetime) -> list[Matter]:
    for matter in matters:
        matter.silent_days = (now - matter.last_contact).days  # type: ignore[attr-defined]  # annotated
    return matters


def silent_matters_for_user(*, user: User | Any, now: dt.datetime | None = None) -> list[Matter]:
    """The silent matters this staff member is responsible for (staff home, digest)."""
    if not getattr(user, "is_firm_staff", False):
        return []
    now = now or timezone.now()
    qs = _silence_queryset(now=now, days=firm_get().silence_days).filter(
        responsible_lawyer=user, pk__in=matters_visible_to(user).values("pk")
    )
    return _with_days(list(qs), now)


def silent_matters_by_lawyer(
    *,
    now: dt.datetime | None = None,
) -> Iterator[tuple[User, list[Matter]]]:
    """(lawyer, their silent matters) for the daily digest, active lawyers only."""
    now = now or timezone.now()
    qs = _silence_queryset(now=now, days=firm_get().silence_days).filter(
        responsible_lawyer__is_active=True
    )
    grouped: dict[int, tuple[User, list[Matter]]] = {}
    for matter in qs:
        grouped.setdefault(matter.responsible_lawyer_id, (matter.responsible_lawyer, []))[1].append(
            matter
        )
    for lawyer, matters in grouped.values():
        yield lawyer, _with_days(matters, now)


def silent_matter_get_for_user(*, user: User, matter_id: Any) -> Matter:
    """A matter for the check-in form: staff who may open it (404 otherwise)."""
    return matter_detail_for_staff(user=user, matter_id=matter_id)

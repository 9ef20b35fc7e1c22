"""Waits (portal.waits) read from the database: for the matter page and for insights.

Every function here loads the messages that can belong to the waits asked for in one
query, whatever the number of matters, and hands them to the one pure definition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from portal.models import Matter, Message, User
from portal.selectors.firm import firm_business_calendar, firm_get
from portal.selectors.matters import matters_visible_to
from portal.waits import Wait, waits

__all__ = ["Wait", "WaitRow", "matter_waits", "waits_open_over_promise", "waits_started_between"]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
_FIELDS = (
    "id",
    "matter_id",
    "side",
    "sender_id",
    "created_at",
    "promise_hours",
    "no_reply_needed_at",
    "no_reply_by_id",
)


@dataclass(frozen=True, slots=True)
class _Row:
    id: Any
    matter_id: Any
    side: str
    sender_id: Any
    created_at: dt.datetime
    promise_hours: int | None
    no_reply_needed_at: dt.datetime | None
    no_reply_by_id: Any


@dataclass(frozen=True)
class WaitRow:
    """A wait with what a list of them shows of its matter."""

    wait: Wait
    matter_id: Any
    matter_reference: str
    matter_title: str
    practice_area: str  # the stored value ("family")
    practice_area_label: str  # in the active language
    lawyer_id: Any
    lawyer_name: str
    url: str  # the matter's staff page


def _at(value: dt.datetime) -> Value:
    return Value(value, output_field=DateTimeField())


def _rows(qs: QuerySet[Message]) -> list[_Row]:
    return [_Row(*values) for values in qs.order_by().values_list(*_FIELDS)]


def _scope(user: User | None, own_only: bool) -> QuerySet[Matter] | None:
    """The matters asked about; None when the user may see none."""
    if user is None:
        return Matter.objects.all()
    if not getattr(user, "is_firm_staff", False):
        return None
    qs = matters_visible_to(user)
    if own_only:
        mine = Matter.objects.filter(Q(responsible_lawyer=user) | Q(team=user)).values("pk")
        qs = qs.filter(pk__in=mine)
    return qs


def _wait_rows(found: list[Wait], matter_ids: set[Any]) -> list[WaitRow]:
    matters = Matter.objects.filter(pk__in=matter_ids).select_related("responsible_lawyer")
    by_id = {m.pk: m for m in matters}
    result = []
    for wait in found:
        matter = by_id[wait.matter_id]
        lawyer = matter.responsible_lawyer
        result.append(
            WaitRow(
                wait=wait,
                matter_id=matter.pk,
                matter_reference=matter.reference,
                matter_title=matter.title,
                practice_area=matter.practice_area,
                practice_area_label=str(matter.get_practice_area_display()),
                lawyer_id=lawyer.pk,
                lawyer_name=lawyer.get_full_name() or lawyer.email,
                url=reverse("staff:matter-detail", kwargs={"matter_id": matter.pk}),
            )
        )
    return result


def matter_waits(*, matter: Matter, now: dt.datetime) -> list[Wait]:
    """Every wait of one matter, oldest first (the response badges of its messages)."""
    firm = firm_get()
    return waits(
        _rows(Message.objects.filter(matter=matter)),
        firm_business_calendar(),
        now,
        default_promise_hours=firm.response_hours,
    )


def waits_started_between(
    *,
    start: dt.datetime,
    end: dt.datetime,
    user: User | None = None,
    own_only: bool = False,
    now: dt.datetime | None = None,
) -> list[WaitRow]:
    """The waits whose first client message was sent in [start, end), oldest first.

    `user` None reads every matter (a nightly job); a staff member reads the matters
    they may open, and with `own_only` only those they are responsible for or on the
    team of; anyone else reads nothing. A wait still open is measured up to `now`
    (default: the current time). Three queries, whatever the number of matters.
    """
    now = now or timezone.now()
    scope = _scope(user, own_only)
    if scope is None or end <= start:
        return []
    started = Message.objects.filter(
        side=Message.Side.CLIENT,
        created_at__gte=start,
        created_at__lt=end,
        matter__in=scope.values("pk"),
    ).values("matter_id")
    # The run a message in the window belongs to began after the firm's last message
    # before the window, and ended by the firm's first message after it.
    floor = (
        Message.objects.filter(
            matter=OuterRef("matter_id"), side=Message.Side.FIRM, created_at__lt=start
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    ceiling = (
        Message.objects.filter(
            matter=OuterRef("matter_id"), side=Message.Side.FIRM, created_at__gte=end
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    qs = (
        Message.objects.filter(matter_id__in=started)
        .annotate(
            wait_floor=Coalesce(Subquery(floor, output_field=DateTimeField()), _at(EPOCH)),
            wait_ceiling=Coalesce(Subquery(ceiling, output_field=DateTimeField()), _at(NEVER)),
        )
        .filter(created_at__gte=F("wait_floor"), created_at__lte=F("wait_ceiling"))
    )
    found = [
        w
        for w in waits(
            _rows(qs),
            firm_business_calendar(),
            now,
            default_promise_hours=firm_get().response_hours,
        )
        if start <= w.started_at < end
    ]
    return _wait_rows(found, {w.matter_id for w in found})


def waits_open_over_promise(
    *, user: User | None = None, own_only: bool = False, now: dt.datetime
) -> list[WaitRow]:
    """The clients waiting now past the promise in force when they wrote, longest
    overdue first ("waiting now, over the promise"). Three queries, whatever the number."""
    scope = _scope(user, own_only)
    if scope is None:
        return []
    firm_last = (
        Message.objects.filter(matter=OuterRef("pk"), side=Message.Side.FIRM)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    mark_last = (
        Message.objects.filter(matter=OuterRef("pk"), no_reply_needed_at__isnull=False)
        .order_by("-no_reply_needed_at")
        .values("no_reply_needed_at")[:1]
    )
    waiting = (
        scope.annotate(
            wait_answered_at=Greatest(
                Coalesce(Subquery(firm_last, output_field=DateTimeField()), _at(EPOCH)),
                Coalesce(Subquery(mark_last, output_field=DateTimeField()), _at(EPOCH)),
            )
        )
        .filter(
            Exists(
                Message.objects.filter(
                    matter=OuterRef("pk"),
                    side=Message.Side.CLIENT,
                    created_at__gt=OuterRef("wait_answered_at"),
                )
            )
        )
        .values("pk")
    )
    floor = (
        Message.objects.filter(matter=OuterRef("matter_id"), side=Message.Side.FIRM)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    qs = (
        Message.objects.filter(matter_id__in=waiting)
        .annotate(wait_floor=Coalesce(Subquery(floor, output_field=DateTimeField()), _at(EPOCH)))
        .filter(created_at__gte=F("wait_floor"))
    )
    found = [
        w
        for w in waits(
            _rows(qs),
            firm_business_calendar(),
            now,
            default_promise_hours=firm_get().response_hours,
        )
        if w.is_open and not w.within_promise
    ]
    found.sort(key=lambda w: (w.due_at, str(w.matter_id)))
    return _wait_rows(found, {w.matter_id for w in found})

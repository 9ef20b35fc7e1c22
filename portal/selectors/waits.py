"""Waits (portal.waits) read from the database: for the matter page and for insights.

Every function here finds each matter's bounds (the firm's last message before, its
first after) in one query, reads the messages between them in one more (by time around
the period, trimmed per matter by a window in the database: no subquery per message),
and hands them to the one pure definition; the matters' reference, title and lawyer
come in a third query, asked even for no waits, so a page's query count never depends
on its data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import (
    Case,
    DateTimeField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from portal.models import Matter, Message, User
from portal.selectors.firm import firm_business_calendar, firm_get
from portal.selectors.matters import matters_visible_to
from portal.types import practice_area_label
from portal.waits import Wait, waits

__all__ = ["Wait", "WaitRow", "matter_waits", "waits_open_over_promise", "waits_started_between"]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
# How far around the period the messages are read by time; a matter whose run reaches
# further (no firm message in that margin) is read whole on that side.
MARGIN = dt.timedelta(days=31)
# Asked for when there are no matters: matches none, but the query still runs.
_NO_MATTER = uuid.UUID(int=0)
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
_MATTER_FIELDS = (
    "pk",
    "reference",
    "title",
    "practice_area",
    "responsible_lawyer_id",
    "responsible_lawyer__first_name",
    "responsible_lawyer__last_name",
    "responsible_lawyer__email",
)
CLIENT = Message.Side.CLIENT.value
FIRM = Message.Side.FIRM.value


class _Row(NamedTuple):
    """A message as ``waits`` reads it (a tuple: thousands are made per page)."""

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
    return [_Row._make(values) for values in qs.order_by().values_list(*_FIELDS)]


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


def _firm_message(*, start: dt.datetime | None, end: dt.datetime | None) -> QuerySet[Any]:
    """The times of the outer matter's firm messages in [start, end) (None: unbounded)."""
    qs = Message.objects.filter(matter=OuterRef("pk"), side=FIRM)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    return qs.values("created_at")


def _messages(
    matters: QuerySet[Any],
    floors: dict[Any, dt.datetime | None],
    ceilings: dict[Any, dt.datetime | None],
    *,
    floor_before: dt.datetime | None,
    ceiling_from: dt.datetime | None,
    lo: dt.datetime,
    hi: dt.datetime | None,
    now: dt.datetime,
) -> list[_Row]:
    """The messages of these matters (the keys of ``floors``) from each one's floor to its
    ceiling, both included (None, or a matter missing from ``ceilings``: no bound), in
    one query.

    They are read by time from ``lo`` to ``hi``; a matter whose floor is before ``lo``
    (or which has none) is read whole before it, one whose ceiling is at ``hi`` or later
    (or which has none) whole after it up to ``now`` (``waits`` ignores what comes after);
    ``hi`` None: no end."""
    deep = [pk for pk, floor in floors.items() if floor is None or floor < lo]
    which = Q(matter_id__in=matters, created_at__gte=lo) | Q(matter_id__in=deep, created_at__lt=lo)
    if hi is None:
        pass  # no end: everything from the floor on
    elif hi <= now:
        beyond = [pk for pk in floors if (ceiling := ceilings.get(pk)) is None or ceiling >= hi]
        which = Q(which, created_at__lt=hi) | Q(
            matter_id__in=beyond, created_at__gte=hi, created_at__lte=now
        )
    else:
        which = Q(which, created_at__lte=now)  # waits ignores what comes after now

    # Each matter's floor (and ceiling) found again among what is read (the margin holds
    # them, or the matter is read whole on that side), so the database trims the rows.
    def edge(aggregate: type[Max] | type[Min], firm: Q, default: dt.datetime) -> Coalesce:
        over = Window(
            aggregate(Case(When(firm, then=F("created_at")))), partition_by=[F("matter_id")]
        )
        return Coalesce(over, _at(default))

    before = Q(side=FIRM) if floor_before is None else Q(side=FIRM, created_at__lt=floor_before)
    qs = Message.objects.filter(which).annotate(wait_floor=edge(Max, before, EPOCH))
    qs = qs.filter(created_at__gte=F("wait_floor"))
    if ceiling_from is not None:
        after = Q(side=FIRM, created_at__gte=ceiling_from)
        qs = qs.annotate(wait_ceiling=edge(Min, after, NEVER))
        qs = qs.filter(created_at__lte=F("wait_ceiling"))
    return _rows(qs)


def _wait_rows(found: list[Wait]) -> list[WaitRow]:
    """The waits with their matters (one query, asked even for no waits); each matter's
    link and practice area label made once."""
    ids = list({w.matter_id for w in found}) or [_NO_MATTER]
    # One reverse(): a matter's link is the same path with its id in the place of another.
    placeholder = str(_NO_MATTER)
    link = reverse("staff:matter-detail", kwargs={"matter_id": _NO_MATTER})
    by_id: dict[Any, dict[str, Any]] = {}
    for values in Matter.objects.filter(pk__in=ids).order_by().values_list(*_MATTER_FIELDS):
        pk, reference, title, area, lawyer_id, first, last, email = values
        by_id[pk] = {
            "matter_id": pk,
            "matter_reference": reference,
            "matter_title": title,
            "practice_area": area,
            "practice_area_label": practice_area_label(area),
            "lawyer_id": lawyer_id,
            "lawyer_name": f"{first} {last}".strip() or email,
            "url": link.replace(placeholder, str(pk)),
        }
    return [WaitRow(wait=wait, **by_id[wait.matter_id]) for wait in found]


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
    started = (
        Message.objects.filter(
            side=CLIENT,
            created_at__gte=start,
            created_at__lt=end,
            matter__in=scope.values("pk"),
        )
        .order_by()
        .values("matter_id")
    )
    # The run a message in the window belongs to began after the firm's last message
    # before the window, and ended by the firm's first message after it: per matter.
    floors: dict[Any, dt.datetime | None] = {}
    ceilings: dict[Any, dt.datetime | None] = {}
    for pk, floor, ceiling in (
        Matter.objects.filter(pk__in=started)
        .annotate(
            wait_floor=Subquery(_firm_message(start=None, end=start).order_by("-created_at")[:1]),
            wait_ceiling=Subquery(_firm_message(start=end, end=None).order_by("created_at")[:1]),
        )
        .order_by()
        .values_list("pk", "wait_floor", "wait_ceiling")
    ):
        floors[pk], ceilings[pk] = floor, ceiling
    rows = _messages(
        started,
        floors,
        ceilings,
        floor_before=start,
        ceiling_from=end,
        lo=start - MARGIN,
        hi=end + MARGIN,
        now=now,
    )
    found = [
        w
        for w in waits(
            rows,
            firm_business_calendar(),
            now,
            default_promise_hours=firm_get().response_hours,
            started_in=(start, end),
        )
    ]
    return _wait_rows(found)


def waits_open_over_promise(
    *, user: User | None = None, own_only: bool = False, now: dt.datetime
) -> list[WaitRow]:
    """The clients waiting now past the promise in force when they wrote, longest
    overdue first ("waiting now, over the promise"). Three queries, whatever the number."""
    scope = _scope(user, own_only)
    if scope is None:
        return []
    # Per matter in one pass: the firm's last message, the last "no reply needed" and the
    # last client message; a client waits when theirs is later than both.
    waiting = (
        Message.objects.filter(matter__in=scope.values("pk"))
        .order_by()
        .values("matter_id")
        .annotate(
            wait_floor=Max("created_at", filter=Q(side=FIRM)),
            wait_mark=Max("no_reply_needed_at"),
            wait_client=Max("created_at", filter=Q(side=CLIENT)),
        )
        .filter(
            wait_client__gt=Greatest(
                Coalesce(F("wait_floor"), _at(EPOCH)), Coalesce(F("wait_mark"), _at(EPOCH))
            )
        )
    )
    # Their runs from the firm's last message on.
    floors: dict[Any, dt.datetime | None] = dict(waiting.values_list("matter_id", "wait_floor"))
    ids = list(floors) or [_NO_MATTER]
    rows = _messages(
        Matter.objects.filter(pk__in=ids).values("pk"),
        floors,
        {},
        floor_before=None,
        ceiling_from=None,
        lo=now - MARGIN,
        hi=None,
        now=now,
    )
    found = [
        w
        for w in waits(
            rows,
            firm_business_calendar(),
            now,
            default_promise_hours=firm_get().response_hours,
        )
        if w.is_open and not w.within_promise
    ]
    found.sort(key=lambda w: (w.due_at, str(w.matter_id)))
    return _wait_rows(found)

"""The staff inbox: matters where a client wrote or uploaded and the firm has not answered.

A matter waits from the first client message or client upload after the latest of the
firm's last message, the last "no reply needed" on the matter and the last one on a
message (portal.waits defines a wait the same way for messages). Everything is one query, whatever the
number of matters: per-matter subqueries, no loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from portal.models import DocumentVersion, InboxDismissal, Matter, Message, User
from portal.selectors.firm import firm_business_calendar, firm_get
from portal.selectors.matters import matters_visible_to

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
# The menu's badge is cached per staff member under this version, bumped by every change
# that can move a matter into or out of the inbox (portal.services.inbox.inbox_touch).
INBOX_VERSION_KEY = "atrium:inbox:version"
BADGE_SECONDS = 300


def _at(value: dt.datetime) -> Value:
    return Value(value, output_field=DateTimeField())


def _count(qs: QuerySet[Any], group: str) -> Coalesce:
    counted = qs.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_inbox(qs: QuerySet[Matter]) -> QuerySet[Matter]:
    """Annotate `inbox_since` (None when nothing waits) and `inbox_count` on each matter."""
    firm_last = (
        Message.objects.filter(matter=OuterRef("pk"), side=Message.Side.FIRM)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    dismissed_last = (
        InboxDismissal.objects.filter(matter=OuterRef("pk"))
        .order_by("-dismissed_at")
        .values("dismissed_at")[:1]
    )
    # Staff mark only a message the client still waits on, so the latest mark, like a
    # dismissal, covers everything the client sent before it.
    marked_last = (
        Message.objects.filter(matter=OuterRef("pk"), no_reply_needed_at__isnull=False)
        .order_by("-no_reply_needed_at")
        .values("no_reply_needed_at")[:1]
    )
    qs = qs.annotate(
        inbox_answered_at=Greatest(
            Coalesce(Subquery(firm_last, output_field=DateTimeField()), _at(EPOCH)),
            Coalesce(Subquery(dismissed_last, output_field=DateTimeField()), _at(EPOCH)),
            Coalesce(Subquery(marked_last, output_field=DateTimeField()), _at(EPOCH)),
        )
    )
    messages = Message.objects.filter(
        matter=OuterRef("pk"),
        side=Message.Side.CLIENT,
        created_at__gt=OuterRef("inbox_answered_at"),
    )
    uploads = DocumentVersion.objects.filter(
        document__matter=OuterRef("pk"),
        uploaded_by__role=User.Role.CLIENT,
        uploaded_at__gt=OuterRef("inbox_answered_at"),
        messages=None,  # a message's attachments come with the message
    )
    return qs.annotate(
        inbox_first=Least(
            Coalesce(
                Subquery(
                    messages.order_by("created_at").values("created_at")[:1],
                    output_field=DateTimeField(),
                ),
                _at(NEVER),
            ),
            Coalesce(
                Subquery(
                    uploads.order_by("uploaded_at").values("uploaded_at")[:1],
                    output_field=DateTimeField(),
                ),
                _at(NEVER),
            ),
        ),
        inbox_count=_count(messages, "matter") + _count(uploads, "document__matter"),
        # The promise in force when the first waiting message was sent (portal.waits).
        inbox_promise=Subquery(
            messages.order_by("created_at").values("promise_hours")[:1],
            output_field=IntegerField(),
        ),
    )


def _waiting(qs: QuerySet[Matter]) -> QuerySet[Matter]:
    """Only the matters where something waits for the firm, the longest wait first."""
    annotated = with_inbox(qs).filter(inbox_first__lt=_at(NEVER))  # type: ignore[misc]  # with_inbox's
    return annotated.order_by("inbox_first", "reference")  # type: ignore[misc]  # annotation


@dataclass(frozen=True)
class InboxRow:
    matter: Matter
    since: dt.datetime
    count: int
    answer_by: dt.datetime
    overdue: bool


def inbox_for_staff(*, user: User, now: dt.datetime) -> list[InboxRow]:
    """The matters this staff member may open that wait for the firm, oldest wait first."""
    if not user.is_firm_staff:
        return []
    firm = firm_get()
    calendar = firm_business_calendar()
    qs = (
        _waiting(matters_visible_to(user))
        .select_related("responsible_lawyer")
        .prefetch_related("clients")
    )
    rows = []
    for matter in qs:
        since = matter.inbox_first  # type: ignore[attr-defined]  # annotated
        promise = matter.inbox_promise or firm.response_hours  # type: ignore[attr-defined]  # annotated
        answer_by = calendar.add_business_hours(since, promise)
        rows.append(
            InboxRow(
                matter=matter,
                since=since,
                count=matter.inbox_count,  # type: ignore[attr-defined]  # annotated
                answer_by=answer_by,
                overdue=answer_by <= now,
            )
        )
    return rows


def inbox_waiting_count(*, user: User | Any) -> int:
    """How many matters wait in this staff member's inbox (the menu's badge; cached)."""
    if not getattr(user, "is_firm_staff", False):
        return 0
    version = cache.get_or_set(INBOX_VERSION_KEY, 1, None)
    key = f"atrium:inbox:{version}:{user.pk}"
    count = cache.get(key)
    if count is None:
        count = _waiting(matters_visible_to(user)).count()
        cache.set(key, count, BADGE_SECONDS)
    return int(count)

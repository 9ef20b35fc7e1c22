"""Reads of contacts outside the portal: a contact page's list, the metric's rows and the
logging coverage (spec insights.md §3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from insights.models import OutsideContact
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    from portal.models import User

COVERAGE_WINDOW = dt.timedelta(days=14)


def outside_contacts_of_contact(
    *, user: User | Any, contact: Any, limit: int
) -> list[OutsideContact]:
    """The latest contacts outside the portal of a contact this staff member may open:
    those on no matter and those on matters they may open. One query."""
    if not getattr(user, "is_firm_staff", False):
        return []
    qs: QuerySet[OutsideContact] = OutsideContact.objects.filter(contact=contact)
    if not user.is_firm_admin:
        visible = portal_selectors.matters_visible_to(user).values("pk")
        qs = qs.filter(Q(matter__isnull=True) | Q(matter__in=visible))
    return list(qs.select_related("matter", "logged_by").order_by("-at")[:limit])


@dataclass(frozen=True)
class OutsideContactRow:
    id: Any
    contact_id: Any
    contact_name: str
    matter_id: Any
    matter_reference: str
    channel: str
    direction: str
    at: dt.datetime
    logged_by_id: int | None
    logged_by_name: str
    # The matter's responsible lawyer (None for a contact logged on no matter).
    lawyer_id: int | None
    auto: bool


def outside_contacts_between(
    *, start: dt.datetime, end: dt.datetime, user: User | Any, own_only: bool
) -> list[OutsideContactRow]:
    """Every contact outside the portal with `at` in [start, end), both directions,
    oldest first, in one query.

    A lawyer's own rows (`own_only`, or a user who is neither a firm admin nor holds
    insights.view_all): those on matters they are responsible for, and those they
    logged on no matter."""
    if not getattr(user, "is_firm_staff", False):
        return []
    qs = OutsideContact.objects.filter(at__gte=start, at__lt=end)
    if own_only or not (user.is_firm_admin or user.has_perm("insights.view_all")):
        qs = qs.filter(
            Q(matter__responsible_lawyer_id=user.pk) | Q(matter__isnull=True, logged_by_id=user.pk)
        )
    fields = (
        "pk",
        "contact_id",
        "contact__first_name",
        "contact__last_name",
        "matter_id",
        "matter__reference",
        "channel",
        "direction",
        "at",
        "logged_by_id",
        "logged_by__first_name",
        "logged_by__last_name",
        "logged_by__email",
        "matter__responsible_lawyer_id",
        "auto",
    )
    out = []
    for values in qs.order_by("at", "pk").values_list(*fields):
        (pk, contact_id, c_first, c_last, matter_id, reference, channel, direction, at) = values[:9]
        logged_by_id, l_first, l_last, l_email, lawyer_id, auto = values[9:]
        out.append(
            OutsideContactRow(
                id=pk,
                contact_id=contact_id,
                contact_name=f"{c_first} {c_last}".strip(),
                matter_id=matter_id,
                matter_reference=reference if matter_id is not None else "",
                channel=channel,
                direction=direction,
                at=at,
                logged_by_id=logged_by_id,
                logged_by_name=(
                    (f"{l_first} {l_last}".strip() or l_email) if logged_by_id is not None else ""
                ),
                # The matter's responsible lawyer (None for a contact on no matter).
                lawyer_id=lawyer_id if matter_id is not None else None,
                auto=auto,
            )
        )
    return out


def outside_logging_coverage(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """(active staff who logged a contact outside the portal in the last 14 days, active
    staff in all): whether the outside-portal share can be trusted. Two queries."""
    now = now or timezone.now()
    staff = portal_selectors.active_staff()
    logged = (
        OutsideContact.objects.filter(
            created_at__gt=now - COVERAGE_WINDOW,
            created_at__lte=now,
            auto=False,
            logged_by__in=staff.values("pk"),
        )
        .values("logged_by_id")
        .distinct()
        .count()
    )
    return logged, staff.count()

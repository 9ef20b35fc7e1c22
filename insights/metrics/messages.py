"""The message metrics (insights.md §2): the share of client messages that still arrive
outside the portal, and response time against the firm's promise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from insights.metrics import common
from insights.metrics.base import (
    Band,
    Basis,
    Breakdown,
    Column,
    Figure,
    Metric,
    Row,
    Scope,
    register,
)
from insights.models import OutsideContact
from insights.periods import CUSTOM, Period
from insights.selectors.baseline import outside_logging_started_at
from insights.selectors.outside_contacts import outside_contacts_between, outside_logging_coverage
from portal import selectors as portal_selectors

BASELINE_DAYS = 30
TARGET_DAY = 60
PORTAL = "portal"
CHANNEL_LABELS: dict[str, Any] = {PORTAL: _("Portal"), **dict(OutsideContact.Channel.choices)}


def _is_system(scope: Scope) -> bool:
    """A scope built for the whole firm by a job (snapshots, the report command)."""
    return scope.user.pk is None


# --------------------------------------------------------------------------- outside share


def outside_rows(scope: Scope) -> list[Row]:
    start, end = common.bounds(scope)
    own = common.owner(scope)
    staff = common.values(scope, "staff")
    areas = common.values(scope, "practice_area")
    # Once per call, not per row: the firm's zone and the channels' labels.
    tz = ZoneInfo(scope.firm_tz)
    labels = {key: str(label) for key, label in CHANNEL_LABELS.items()}
    portal_label = labels[PORTAL]
    rows: list[Row] = []
    for m in portal_selectors.client_messages_for_insights(
        start=start, end=end, owner_id=own, staff_ids=staff, practice_areas=areas
    ):
        matter_id = m["matter_id"]
        rows.append(
            {
                "at": m["created_at"].astimezone(tz),
                "channel": portal_label,
                "client": m["sender_name"],
                "matter": m["matter__reference"],
                "lawyer": m["lawyer_name"],
                "url": common.link("staff:matter-detail", matter_id),
                "channel_key": PORTAL,
                "lawyer_id": str(m["matter__responsible_lawyer_id"]),
                "matter_id": str(matter_id),
                "_at": m["created_at"],
            }
        )
    outside = outside_contacts_between(
        start=start, end=end, user=scope.user, own_only=scope.own_only
    )
    staff_keys = None if staff is None else {str(s) for s in staff}
    for o in outside:
        if o.direction != OutsideContact.Direction.IN:
            continue
        # Outside contacts carry no practice area of their own: read it from the matter.
        if staff_keys is not None and str(o.lawyer_id) not in staff_keys:
            continue
        rows.append(
            {
                "at": o.at.astimezone(tz),
                "channel": labels.get(o.channel, o.channel),
                "client": o.contact_name,
                "matter": o.matter_reference,
                "lawyer": "",
                "url": common.link("staff:matter-detail", o.matter_id)
                if o.matter_id
                else common.link("staff:contact-detail", o.contact_id),
                "channel_key": o.channel,
                "lawyer_id": str(o.lawyer_id or ""),
                "matter_id": str(o.matter_id or ""),
                "_at": o.at,
                "_matter_id": o.matter_id,
                "_lawyer_id": o.lawyer_id,
            }
        )
    outside_rows_ = [r for r in rows if r["channel_key"] != PORTAL]
    # An outside contact names its matter's responsible lawyer (one query, even for none),
    # and is of its matter's practice area (one more, when that filter is on).
    lawyer_ids = {r["_lawyer_id"] for r in outside_rows_ if r["_lawyer_id"] is not None}
    names = {
        u.pk: u.get_full_name() or u.email
        for u in portal_selectors.staff_with(ids=list(lawyer_ids))
        if u.pk in lawyer_ids
    }
    for r in outside_rows_:
        r["lawyer"] = names.get(r["_lawyer_id"], "")
    if outside_rows_:
        if areas is not None:
            matters = portal_selectors.matters_by_id(
                ids=[r["_matter_id"] for r in outside_rows_ if r["_matter_id"]]
            )
            keep = {pk for pk, m in matters.items() if m.practice_area in areas}
            rows = [r for r in rows if r["channel_key"] == PORTAL or r["_matter_id"] in keep]
    rows.sort(key=lambda r: r["_at"])
    return rows


def outside_value(rows: Sequence[Row]) -> list[Figure]:
    outside = sum(1 for r in rows if r["channel_key"] != PORTAL)
    return [common.rate(rows, numerator=outside, denominator=len(rows))]


def outside_extra(scope: Scope) -> list[Row]:
    """How far the number can be trusted (logging coverage: staff who logged anything in
    the last 14 days) and the progress against the baseline (the share in the first 30
    days after logging began; the aim is half of it by day 60)."""
    now = common.now_of(scope)
    logged, staff = outside_logging_coverage(now=now)
    out: list[Row] = [
        {
            "label": _(
                "Staff who logged a contact outside the portal in the last 14 days (of %(staff)s)"
            )
            % {"staff": staff},
            "_kind": "coverage",
            "_key": "coverage",
            "value": logged,
            "_n": staff,
        }
    ]
    began = outside_logging_started_at()
    if began is None:
        return out
    first_day = common.local_date(began, scope)
    baseline = Period(first_day, first_day + dt.timedelta(days=BASELINE_DAYS), CUSTOM)
    figure = outside_value(outside_rows(scope.with_period(baseline)))[0]
    current = outside_value(outside_rows(scope))[0]
    out.append(
        {
            "label": _("Baseline share (%(start)s to %(end)s)")
            % {
                "start": baseline.start.isoformat(),
                "end": (baseline.end - dt.timedelta(days=1)).isoformat(),
            },
            "_kind": "baseline",
            "_key": "baseline",
            "value": figure.value,
            "_n": figure.n,
        }
    )
    aim = None if figure.value is None else common.quantize(figure.value / 2)
    out.append(
        {
            "label": _("Aim by %(day)s (half the baseline)")
            % {"day": (first_day + dt.timedelta(days=TARGET_DAY)).isoformat()},
            "_kind": "aim",
            "_key": "aim",
            "value": aim,
            "_n": None,
        }
    )
    change = None
    if figure.value and current.value is not None:
        change = common.quantize((current.value - figure.value) * 100 / figure.value)
    out.append(
        {
            "label": _("Change against the baseline (%)"),
            "_kind": "progress",
            "_key": "progress",
            "value": change,
            "_n": current.n,
        }
    )
    return out


OUTSIDE_PORTAL_SHARE = register(
    Metric(
        id="outside_portal_share",
        position=50,
        title=_("Messages outside the portal"),
        question=_("Do clients still write to us outside the portal?"),
        definition=_(
            "Inbound client messages only: contacts from clients logged outside the portal ÷ "
            "(those + messages clients sent in the portal), in the period. The number is "
            "only as good as the logging: the share of staff who logged anything in the last "
            "14 days is shown beside it. Progress is against the baseline, the share in the "
            "first 30 days after logging began; the aim is half of it by day 60."
        ),
        basis=Basis.EVENT,
        period_key="at",
        unit="percent",
        columns=(
            Column("at", _("When"), "datetime"),
            Column("channel", _("Channel")),
            Column("client", _("Client")),
            Column("matter", _("Matter")),
            Column("lawyer", _("Lawyer")),
        ),
        rows=outside_rows,
        value=outside_value,
        breakdowns=(
            Breakdown("channel_key", _("Channel"), "channel"),
            Breakdown("lawyer_id", _("Lawyer"), "lawyer"),
            Breakdown("matter_id", _("Matter"), "matter"),
        ),
        extra=outside_extra,
        digest=True,
    )
)


# --------------------------------------------------------------------------- response time


def _waits(scope: Scope, rows: list[Any]) -> list[Any]:
    staff = common.values(scope, "staff")
    areas = common.values(scope, "practice_area")
    staff_keys = None if staff is None else {str(s) for s in staff}
    out = []
    for w in rows:
        # Own figures: the matters the lawyer is responsible for, never a colleague's
        # matter they only help on.
        if scope.own_only and w.lawyer_id != scope.user.pk:
            continue
        if staff_keys is not None and str(w.lawyer_id) not in staff_keys:
            continue
        if areas is not None and w.practice_area not in areas:
            continue
        out.append(w)
    return out


def _wait_rows(found: Sequence[Any], scope: Scope) -> list[Row]:
    """The rows of these waits; the firm's zone and the labels once per call, not per row."""
    tz = ZoneInfo(scope.firm_tz)
    open_, no_reply, answered = (
        str(_("Still waiting")),
        str(_("No reply needed")),
        str(_("Answered")),
    )
    yes, no = str(_("yes")), str(_("no"))
    rows: list[Row] = []
    for w in found:
        wait = w.wait
        is_open = wait.ended_at is None
        if is_open:
            state = open_
        elif wait.end_kind == "no_reply":
            state = no_reply
        else:
            state = answered
        hours = wait.business_hours
        rows.append(
            {
                "started": wait.started_at.astimezone(tz),
                "matter": w.matter_reference,
                "lawyer": w.lawyer_name,
                "practice_area": w.practice_area_label,
                "ended": None if is_open else wait.ended_at.astimezone(tz),
                "state": state,
                "business_hours": common.quantize(hours),
                "promise_hours": wait.promise_hours,
                "within_promise": yes if wait.within_promise else no,
                "url": w.url,
                "lawyer_id": str(w.lawyer_id),
                "practice_area_key": w.practice_area,
                "_open": is_open,
                "_within": wait.within_promise,
                "_hours": hours,
            }
        )
    return rows


def _user_for_waits(scope: Scope) -> Any:
    return None if _is_system(scope) else scope.user


def response_rows(scope: Scope) -> list[Row]:
    start, end = common.bounds(scope)
    found = portal_selectors.waits_started_between(
        start=start,
        end=end,
        user=_user_for_waits(scope),
        own_only=scope.own_only,
        now=common.now_of(scope),
    )
    return _wait_rows(_waits(scope, found), scope)


def response_value(rows: Sequence[Row]) -> list[Figure]:
    # A wait still open and not yet past the promise is not judged yet.
    judged = [r for r in rows if not (r["_open"] and r["_within"])]
    within = sum(1 for r in judged if r["_within"])
    hours = [r["_hours"] for r in judged]
    return [
        common.rate(
            rows,
            numerator=within,
            denominator=len(judged),
            details=(
                (_("median business hours"), common.text(common.median(hours))),
                (_("p90 business hours"), common.text(common.percentile(hours, 0.9))),
            ),
        )
    ]


def waiting_now(scope: Scope) -> list[Row]:
    found = portal_selectors.waits_open_over_promise(
        user=_user_for_waits(scope), own_only=scope.own_only, now=common.now_of(scope)
    )
    return _wait_rows(_waits(scope, found), scope)


RESPONSE_WITHIN_PROMISE = register(
    Metric(
        id="response_within_promise",
        position=70,
        title=_("Response time against the promise"),
        question=_("Do we answer clients as fast as we promise?"),
        definition=_(
            "A wait starts at the first client message after the firm's last message in a "
            "matter and ends at the firm's next message there, or when staff mark \"no reply "
            'needed" with a reason; it is measured in business hours against the promise in '
            "force when it started. For waits started in the period: the share within the "
            "promise (a wait still open counts once it passes the promise), with the median "
            "and p90. The clients waiting now past the promise are listed apart."
        ),
        basis=Basis.EVENT,
        period_key="started",
        unit="percent",
        columns=(
            Column("started", _("Started"), "datetime"),
            Column("matter", _("Matter")),
            Column("lawyer", _("Lawyer")),
            Column("practice_area", _("Practice area")),
            Column("ended", _("Ended"), "datetime"),
            Column("state", _("State")),
            Column("business_hours", _("Business hours"), "number"),
            Column("promise_hours", _("Promise (hours)"), "number"),
            Column("within_promise", _("Within the promise")),
        ),
        rows=response_rows,
        value=response_value,
        target=Band(low=Decimal("100"), margin=Decimal("10"), label=_("all within the promise")),
        breakdowns=(
            Breakdown("lawyer_id", _("Responsible lawyer"), "lawyer"),
            Breakdown("practice_area_key", _("Practice area"), "practice_area"),
        ),
        actions=waiting_now,
        digest=True,
    )
)

"""Show rate (insights.md §2): do clients turn up?"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
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
from scheduling import selectors as scheduling_selectors

ATTENDED = "attended"
NO_SHOW = "no_show"
BOOKED = "booked"

CLIENT_KINDS = {"new": _("New client"), "returning": _("Returning client")}
PAYMENT_RULES = {
    "NONE": _("Nothing paid when booking"),
    "DEPOSIT": _("Deposit when booking"),
    "FULL_AT_BOOKING": _("Paid in full when booking"),
}
STATUS_LABELS = {ATTENDED: _("Attended"), NO_SHOW: _("No-show"), BOOKED: _("Not marked yet")}


def _reminder_label(channels: tuple[str, ...]) -> str:
    return " + ".join(channels) if channels else str(_("No reminder"))


def _appointment_rows(scope: Scope, statuses: tuple[str, ...]) -> list[Row]:
    start, end = common.bounds(scope)
    appointments = scheduling_selectors.appointments_for_insights(
        start=start,
        end=end,
        owner_id=common.owner(scope),
        staff_ids=common.values(scope, "staff"),
        service_ids=common.values(scope, "service"),
        statuses=statuses,
    )
    kinds = common.values(scope, "client_kind")
    # Once per call, not per row: the firm's zone and every label in the active language.
    tz = ZoneInfo(scope.firm_tz)
    status_labels = {key: str(label) for key, label in STATUS_LABELS.items()}
    kind_labels = {key: str(label) for key, label in CLIENT_KINDS.items()}
    rule_labels = {key: str(label) for key, label in PAYMENT_RULES.items()}
    reminder_labels: dict[tuple[str, ...], str] = {}
    rows = []
    for a in appointments:
        kind = "returning" if a["returning"] else "new"
        if kinds is not None and kind not in kinds:
            continue
        channels = a["reminder_channels"]
        channel = reminder_labels.get(channels)
        if channel is None:
            channel = reminder_labels[channels] = _reminder_label(channels)
        status = a["status"]
        rule = a["payment_rule"]
        rows.append(
            {
                "start": a["start_at"].astimezone(tz),
                "service": a["service__name"],
                "staff": a["staff_name"],
                "client": a["contact_name"],
                "status": status_labels.get(status, status),
                "client_kind": kind_labels[kind],
                "payment_rule": rule_labels.get(rule, rule),
                "reminder_channel": channel,
                "url": common.link("scheduling:staff-appointment", a["id"]),
                "service_id": str(a["service_id"]),
                "staff_id": str(a["staff_id"]),
                "client_kind_key": kind,
                "payment_rule_key": rule,
                "_status": status,
                "_end": a["end_at"],
            }
        )
    return rows


def show_rate_rows(scope: Scope) -> list[Row]:
    return _appointment_rows(scope, (ATTENDED, NO_SHOW))


def show_rate_value(rows: Sequence[Row]) -> list[Figure]:
    attended = sum(1 for r in rows if r["_status"] == ATTENDED)
    return [common.rate(rows, numerator=attended, denominator=len(rows))]


def not_marked_yet(scope: Scope) -> list[Row]:
    """Appointments of the period that are over and still BOOKED: staff mark them on the
    appointment's page (the link), and only then do they count."""
    now = common.now_of(scope)
    return [r for r in _appointment_rows(scope, (BOOKED,)) if r["_end"] <= now]


COLUMNS = (
    Column("start", _("Start"), "datetime"),
    Column("service", _("Service")),
    Column("staff", _("Staff")),
    Column("client", _("Client")),
    Column("status", _("Status")),
    Column("client_kind", _("New or returning")),
    Column("payment_rule", _("Payment when booking")),
    Column("reminder_channel", _("Reminders")),
)

SHOW_RATE = register(
    Metric(
        id="show_rate",
        position=20,
        title=_("Show rate"),
        question=_("Do clients turn up?"),
        definition=_(
            "Attended ÷ (attended + no-show) for appointments starting in the period, in the "
            "firm's time zone. Cancelled and rescheduled appointments are left out (a moved "
            "appointment counts at its final time). Past appointments not marked yet are "
            "listed apart and count once they are marked. A returning client had an attended "
            "appointment or a matter before the appointment."
        ),
        basis=Basis.EVENT,
        period_key="start",
        unit="percent",
        columns=COLUMNS,
        rows=show_rate_rows,
        value=show_rate_value,
        target=Band(low=Decimal("85"), high=Decimal("95"), margin=Decimal("5"), label=_("85–95 %")),
        breakdowns=(
            Breakdown("service_id", _("Service"), "service"),
            Breakdown("staff_id", _("Staff"), "staff"),
            Breakdown("client_kind_key", _("New or returning client"), "client_kind"),
            Breakdown("payment_rule_key", _("Payment when booking"), "payment_rule"),
            Breakdown("reminder_channel", _("Reminder channel"), "reminder_channel"),
        ),
        actions=not_marked_yet,
        digest=True,
    )
)

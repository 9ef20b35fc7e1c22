"""Appointments as the firm's numbers read them (insights.md §2): plain rows, no access
check beyond the owner filter (insights decides who may ask), a flat number of queries
whatever the period holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField, Case, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KT

from scheduling.models import Appointment, Reminder

# The statuses a figure can count: a hold, an expired hold, a cancelled or a moved
# appointment never happened (the replacement of a moved one counts, spec §8).
COUNTED_STATUSES = (
    Appointment.Status.BOOKED,
    Appointment.Status.ATTENDED,
    Appointment.Status.NO_SHOW,
)


def _ids(values: Iterable[Any]) -> list[Any]:
    return [getattr(v, "pk", v) for v in values]


def appointments_for_insights(
    *,
    start: dt.datetime,
    end: dt.datetime,
    owner_id: Any = None,
    staff_ids: Iterable[Any] | None = None,
    service_ids: Iterable[Any] | None = None,
    contact_ids: Iterable[Any] | None = None,
    consultation_only: bool = False,
    statuses: Iterable[str] = COUNTED_STATUSES,
) -> list[dict[str, Any]]:
    """Appointments starting in ``[start, end)`` (UTC), oldest first, as dicts.

    ``owner_id``: only the appointments that staff member holds or that belong to a
    matter they are responsible for. Each row says whether the client was *returning*
    (an ATTENDED appointment or a matter before this start), the payment rule the client
    booked on and the channels its reminders went by. Three queries.
    """
    qs = Appointment.objects.filter(
        start_at__gte=start, start_at__lt=end, status__in=list(statuses)
    )
    if owner_id is not None:
        qs = qs.filter(Q(staff_id=owner_id) | Q(matter__responsible_lawyer_id=owner_id))
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=_ids(staff_ids))
    if service_ids is not None:
        qs = qs.filter(service_id__in=_ids(service_ids))
    if contact_ids is not None:
        qs = qs.filter(contact_id__in=_ids(contact_ids))
    if consultation_only:
        qs = qs.filter(service__is_consultation=True)
    first_attended = (
        Appointment.objects.filter(contact_id=OuterRef("contact_id"), status="attended")
        .order_by("start_at")
        .values("start_at")[:1]
    )
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.annotate(
            first_attended_at=Subquery(first_attended),
            first_matter_at=Min("contact__matters__created_at"),
            # The one key read of the booking's policy: no JSON decoded per row.
            snapshot_payment_rule=KT("policy_snapshot__payment_rule"),
        )
        .annotate(
            # Decided in the database: two instants fewer to read per row.
            returning=Case(
                When(
                    Q(first_attended_at__lt=F("start_at")) | Q(first_matter_at__lt=F("start_at")),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("start_at", "pk")
        .values(
            "id",
            "start_at",
            "end_at",
            "status",
            "created_at",
            "snapshot_payment_rule",
            "service_id",
            "service__name",
            "service__is_consultation",
            "service__payment_rule",
            "staff_id",
            "staff__first_name",
            "staff__last_name",
            "staff__email",
            "contact_id",
            "contact__first_name",
            "contact__last_name",
            "matter_id",
            "matter__responsible_lawyer_id",
            "returning",
        )
    ]
    channels: dict[Any, set[str]] = {}
    # A subquery, not a list of ids: one query however many rows, none or thousands,
    # so a page's query count never depends on its data.
    for appointment_id, channel in Reminder.objects.filter(
        appointment_id__in=qs.values("pk")
    ).values_list("appointment_id", "channel"):
        channels.setdefault(appointment_id, set()).add(str(channel))
    out = []
    for r in rows:
        snapshot_rule = r.pop("snapshot_payment_rule")
        staff_name = _name(r.pop("staff__first_name"), r.pop("staff__last_name"))
        staff_email = r.pop("staff__email")
        r["staff_name"] = staff_name or staff_email
        r["contact_name"] = _name(r.pop("contact__first_name"), r.pop("contact__last_name"))
        r["payment_rule"] = str(snapshot_rule or r["service__payment_rule"])
        r["returning"] = bool(r["returning"])
        r["reminder_channels"] = tuple(sorted(channels.get(r["id"], ())))
        out.append(r)
    return out


def consultation_starts_for_contacts(
    *, contact_ids: Iterable[Any], since: dt.datetime
) -> dict[Any, list[dt.datetime]]:
    """Per contact, the starts of its consultations (booked, attended or no-show; never
    cancelled or moved) from ``since`` on, earliest first. One query, even for none."""
    out: dict[Any, list[dt.datetime]] = {}
    ids = _ids(contact_ids)
    # Asked even for no contacts (matching nothing), so the count of queries is one.
    which = Q(contact_id__in=ids) if ids else Q(contact__isnull=True)
    for contact_id, start_at in (
        Appointment.objects.filter(
            which,
            service__is_consultation=True,
            status__in=COUNTED_STATUSES,
            start_at__gte=since,
        )
        .order_by("start_at")
        .values_list("contact_id", "start_at")
    ):
        out.setdefault(contact_id, []).append(start_at)
    return out


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()

"""Why a time staff typed is not one the public could book: each public rule it breaks
(working hours, minimum notice, horizon, the lawyer's own busy calendar), and whether it
overlaps another appointment, which nobody may book over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scheduling import availability as engine
from scheduling.models import BLOCKING_STATUSES, Appointment, Service
from scheduling.selectors.availability import staff_calendars

if TYPE_CHECKING:
    from portal.models import User

# The rules a staff booking may step outside, with a reason (stored on the appointment).
RULE_HOURS = "hours"
RULE_NOTICE = "notice"
RULE_HORIZON = "horizon"
RULE_BUSY = "busy"
OUTSIDE_RULES = (RULE_HOURS, RULE_NOTICE, RULE_HORIZON, RULE_BUSY)


@dataclass(frozen=True)
class StaffTimeCheck:
    start: dt.datetime
    end: dt.datetime
    # The public rules the time is outside of (OUTSIDE_RULES keys) and what staff read.
    rules: tuple[str, ...]
    warnings: tuple[str, ...]
    # The appointment the time overlaps (buffers included): never booked over.
    conflict: Appointment | None

    @property
    def outside(self) -> bool:
        return bool(self.rules)


def outside_rules_labels(rules: Any) -> list[str]:
    """Short labels of the stored rule keys, for the staff appointment page."""
    labels = {
        RULE_HOURS: _("outside working hours"),
        RULE_NOTICE: _("inside the minimum notice"),
        RULE_HORIZON: _("beyond the booking horizon"),
        RULE_BUSY: _("busy in the lawyer's own calendar"),
    }
    return [labels[r] for r in rules or () if r in labels]


def staff_time_check(
    *,
    service: Service,
    staff: User,
    start: dt.datetime,
    now: dt.datetime | None = None,
    exclude: Any = (),
) -> StaffTimeCheck:
    """The rules this start breaks for this staff member and the appointment it overlaps.

    Three queries (rules, busy times, overlapping appointment), whatever the calendar.
    `service` is the service actually booked at this time (a package's first step).
    """
    now = now or timezone.now()
    end = start + dt.timedelta(minutes=service.duration_minutes)
    b_start = start - dt.timedelta(minutes=service.buffer_before_minutes)
    b_end = end + dt.timedelta(minutes=service.buffer_after_minutes)
    name = staff.get_full_name() or staff.email
    rules: list[str] = []
    warnings: list[str] = []
    (calendar,) = staff_calendars(
        staff=[staff], start=b_start, end=b_end, include_appointments=False
    )
    lo, hi = engine.to_ts(start), engine.to_ts(end)
    if not any(s <= lo and hi <= e for s, e in engine.working_intervals(calendar, start, end)):
        rules.append(RULE_HOURS)
        warnings.append(_("This time is outside the working hours of %(name)s.") % {"name": name})
    notice = service.min_notice_minutes
    if start < now + dt.timedelta(minutes=notice):
        rules.append(RULE_NOTICE)
        warnings.append(
            ngettext(
                "This time is inside the minimum notice: the public books this service at "
                "least %(count)d minute ahead.",
                "This time is inside the minimum notice: the public books this service at "
                "least %(count)d minutes ahead.",
                notice,
            )
            % {"count": notice}
        )
    if start > now + dt.timedelta(days=service.horizon_days):
        rules.append(RULE_HORIZON)
        warnings.append(
            ngettext(
                "This time is beyond the booking horizon: the public books this service at "
                "most %(count)d day ahead.",
                "This time is beyond the booking horizon: the public books this service at "
                "most %(count)d days ahead.",
                service.horizon_days,
            )
            % {"count": service.horizon_days}
        )
    blo, bhi = engine.to_ts(b_start), engine.to_ts(b_end)
    if any(s < bhi and blo < e for s, e in engine.busy_ranges(calendar.busy)):
        rules.append(RULE_BUSY)
        warnings.append(_("The own calendar of %(name)s shows this time as busy.") % {"name": name})
    conflict = (
        Appointment.objects.filter(
            staff=staff,
            status__in=BLOCKING_STATUSES,
            blocked_start__lt=b_end,
            blocked_end__gt=b_start,
        )
        .exclude(pk__in=list(exclude))
        # A hold whose time is up is free again, even before the sweep expires it.
        .exclude(status=Appointment.Status.HELD, hold_expires_at__lte=now)
        .order_by("start_at")
        .first()
    )
    return StaffTimeCheck(
        start=start,
        end=end,
        rules=tuple(rules),
        warnings=tuple(warnings),
        conflict=conflict,
    )

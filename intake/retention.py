"""How long a prospect's inquiry is kept once the firm did not act (spec intake.md §7).

Declined and lost leads keep their answers, drafts and files until `retain_until`
(ATRIUM_PROSPECT_RETENTION_MONTHS after closing, default 12, held to 6–36); answers to
questions marked sensitive go after ATRIUM_PROSPECT_SENSITIVE_MONTHS (default 6, never
later than the rest). What stays is the conflict stub the firm's duties require.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings

PURGEABLE = ("declined", "lost")
PREVIEW_DAYS = 14


def retention_months() -> int:
    return max(6, min(36, int(getattr(settings, "ATRIUM_PROSPECT_RETENTION_MONTHS", 12))))


def sensitive_months() -> int:
    wanted = int(getattr(settings, "ATRIUM_PROSPECT_SENSITIVE_MONTHS", 6))
    return max(1, min(retention_months(), wanted))


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retain_until_for(closed_on: dt.date) -> dt.date:
    return add_months(closed_on, retention_months())


def sensitive_until_for(closed_on: dt.date) -> dt.date:
    return add_months(closed_on, sensitive_months())

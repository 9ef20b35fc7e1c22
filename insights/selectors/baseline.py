"""When the firm began logging contacts outside the portal: the start of the outside-
portal share's baseline window (insights.md §2)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min

from insights.models import OutsideContact


def outside_logging_started_at() -> dt.datetime | None:
    """The first contact outside the portal anyone logged (automatic ones aside), or None
    before the first. One query."""
    first: dt.datetime | None = OutsideContact.objects.filter(auto=False).aggregate(
        first=Min("created_at")
    )["first"]
    return first

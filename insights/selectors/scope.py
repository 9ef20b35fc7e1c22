"""Who may see which figures (insights.md §9), and the scope a metric is computed in.

Firm admins see every figure; any other staff member sees the figures of their own
matters and appointments (``Scope.own_only``) unless they hold ``insights.view_all``;
clients, co-counsel and signed-out visitors see nothing (404, as every staff-only read).
What "own" means is each lower app's insights selector's ``owner_id``: the appointments
they hold or that belong to their matters, the leads assigned to them, the invoices,
messages and waits of matters they are responsible for, the feedback about them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone

from insights.metrics.base import Scope
from insights.periods import Period
from portal import selectors as portal_selectors


def may_see_all(user: Any) -> bool:
    """The whole firm's figures, every lawyer's among them."""
    return bool(
        getattr(user, "is_firm_admin", False)
        or (getattr(user, "is_firm_staff", False) and user.has_perm("insights.view_all"))
    )


def insights_scope(
    *,
    user: Any,
    period: Period,
    filters: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Scope:
    """The scope ``user`` computes metrics in. Raises Http404 for anyone who is not
    active firm staff. ``filters`` are the cleaned filter values by name (staff, service,
    practice_area, source, client_kind, currency; a missing or empty one means all)."""
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    firm = portal_selectors.firm_get()
    return Scope(
        period=period,
        user=user,
        firm_tz=firm.time_zone,
        calendar=portal_selectors.firm_business_calendar(),
        filters=dict(filters or {}),
        own_only=not may_see_all(user),
        now=now or timezone.now(),
    )


def firm_scope(
    *, period: Period, filters: Mapping[str, Any] | None = None, now: dt.datetime | None = None
) -> Scope:
    """The whole firm's scope for jobs with no one signed in (the nightly snapshots, the
    report command, the digest): an unsaved firm-admin stand-in, never stored, whose
    ``pk`` is None (the selectors that take a user read that as "every matter")."""
    system = get_user_model()(role="staff", is_staff=True, is_superuser=True, is_active=True)
    scope = insights_scope(user=system, period=period, filters=filters, now=now)
    return scope

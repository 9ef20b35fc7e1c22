"""Conflict checks as staff may read them: the state for everyone, hits only with the
`intake.view_conflict_report` permission (404 without it, as if the report did not exist)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from core.http import uuid_or_404
from intake.models import ConflictCheck, ConflictHit, Lead


def can_see_reports(user: Any) -> bool:
    return bool(
        user is not None and user.is_firm_staff and user.has_perm("intake.view_conflict_report")
    )


def conflict_check_get_for_report(*, user: Any, check_id: Any) -> ConflictCheck:
    if not can_see_reports(user):
        raise Http404
    check = (
        ConflictCheck.objects.select_related("lead__contact", "decided_by", "run_by")
        .filter(pk=uuid_or_404(check_id))
        .first()
    )
    if check is None:
        raise Http404
    return check


def conflict_hit_get(*, user: Any, check: ConflictCheck, hit_id: Any) -> ConflictHit:
    if not can_see_reports(user):
        raise Http404
    try:
        pk = int(str(hit_id))
    except ValueError:
        raise Http404 from None
    hit = (
        ConflictHit.objects.select_related("conflict_check")
        .filter(pk=pk, conflict_check=check)
        .first()
    )
    if hit is None:
        raise Http404
    return hit


def conflict_hits(*, check: ConflictCheck) -> list[ConflictHit]:
    return list(check.hits.order_by("dismissed", "-score", "pk"))


def latest_check(*, lead: Lead) -> ConflictCheck | None:
    return lead.conflict_checks.select_related("decided_by").order_by("-run_at").first()


def has_serious_hit(*, check: ConflictCheck | None) -> bool:
    """A HIGH hit not dismissed: a paid booking takes no payment (spec §3)."""
    return check is not None and check.hits.filter(grade="HIGH", dismissed=False).exists()

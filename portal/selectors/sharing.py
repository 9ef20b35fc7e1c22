"""Co-counsel grants on a matter."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from core.http import uuid_or_404
from portal.models import (
    CoCounselGrant,
    Matter,
    User,
)
from portal.selectors.matters import matters_visible_to


def cocounsel_grants_for_matter(*, matter: Matter) -> QuerySet[CoCounselGrant]:
    return matter.cocounsel_grants.select_related("user", "granted_by").order_by("-created_at")


def cocounsel_grant_get_for_staff(*, user: User, grant_id: Any) -> CoCounselGrant:
    pk = uuid_or_404(grant_id)
    grant = CoCounselGrant.objects.select_related("matter").filter(pk=pk).first()
    if grant is None or not matters_visible_to(user).filter(pk=grant.matter_id).exists():
        raise Http404
    return grant

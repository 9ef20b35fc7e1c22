"""Reads that check access. Views read matters only through these functions."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from audit import selectors as audit_selectors
from audit.models import AuditEvent
from portal.models import (
    CoCounselGrant,
    Contact,
    Firm,
    Matter,
    TimelineEntry,
    User,
)
from portal.services import FIRM_CACHE_KEY


def firm_get() -> Firm:
    firm = cache.get(FIRM_CACHE_KEY)
    if firm is None:
        firm, _created = Firm.objects.get_or_create(pk=1)
        cache.set(FIRM_CACHE_KEY, firm, 300)
    return firm


def _parse_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def matters_visible_to(user: User | Any) -> QuerySet[Matter]:
    """Matters this user may open, checked against the grants at request time.

    guardian's get_objects_for_user returns every row to a holder of the model-level
    permission by default; accept_global_perms=False keeps it to per-matter grants.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Matter.objects.none()
    if user.is_firm_admin:
        return Matter.objects.all()
    qs = get_objects_for_user(
        user, "portal.view_matter", klass=Matter.objects.all(),
        accept_global_perms=False, with_superuser=False,
    )
    if user.role == User.Role.COCOUNSEL:
        qs = qs.filter(
            cocounsel_grants__user=user,
            cocounsel_grants__revoked_at=None,
            cocounsel_grants__expires_at__gt=timezone.now(),
        )
    elif user.role == User.Role.CLIENT:
        qs = qs.filter(clients__user=user)
    return qs


def matter_get_for_user(*, user: User | Any, matter_id: Any) -> Matter:
    pk = _parse_uuid(matter_id)
    matter = (
        matters_visible_to(user)
        .filter(pk=pk)
        .select_related("responsible_lawyer")
        .first()
    )
    if matter is None:
        raise Http404
    return matter


def matter_list_for_client(*, user: User) -> QuerySet[Matter]:
    shared = TimelineEntry.objects.filter(shared_with_client=True).order_by(
        "-occurred_at", "-created_at"
    )
    return (
        matters_visible_to(user)
        .select_related("responsible_lawyer")
        .prefetch_related(Prefetch("timeline", queryset=shared, to_attr="shared_timeline"))
        .order_by("stage", "-created_at")
        .distinct()
    )


def matter_timeline_for_viewer(*, user: User, matter: Matter) -> QuerySet[TimelineEntry]:
    qs = matter.timeline.select_related("created_by")
    if not user.is_firm_staff:
        qs = qs.filter(shared_with_client=True)
    return qs


def matter_list_for_staff(*, user: User, query: str = "", stage: str = "",
                          practice_area: str = "", tag: str = "") -> QuerySet[Matter]:
    qs = (
        matters_visible_to(user)
        .select_related("responsible_lawyer")
        .prefetch_related("clients", "tags")
        .order_by("-created_at")
    )
    if query:
        qs = qs.filter(
            Q(title__icontains=query) | Q(reference__icontains=query)
            | Q(clients__last_name__icontains=query) | Q(clients__first_name__icontains=query)
        ).distinct()
    if stage:
        qs = qs.filter(stage=stage)
    if practice_area:
        qs = qs.filter(practice_area=practice_area)
    if tag:
        qs = qs.filter(tags__name=tag).distinct()
    return qs


def matter_detail_for_staff(*, user: User, matter_id: Any) -> Matter:
    matter = matter_get_for_user(user=user, matter_id=matter_id)
    if not user.is_firm_staff:
        raise Http404
    return matter


def contacts_for_staff(*, user: User, query: str = "", tag: str = "") -> QuerySet[Contact]:
    if not user.is_firm_staff:
        return Contact.objects.none()
    qs = Contact.objects.select_related("user").prefetch_related("tags")
    if query:
        qs = qs.filter(Q(first_name__icontains=query) | Q(last_name__icontains=query)
                       | Q(email__icontains=query))
    if tag:
        qs = qs.filter(tags__name=tag).distinct()
    return qs


def contact_get_for_staff(*, user: User, contact_id: Any) -> Contact:
    pk = _parse_uuid(contact_id)
    contact = contacts_for_staff(user=user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def cocounsel_grants_for_matter(*, matter: Matter) -> QuerySet[CoCounselGrant]:
    return matter.cocounsel_grants.select_related("user", "granted_by").order_by("-created_at")


def cocounsel_grant_get_for_staff(*, user: User, grant_id: Any) -> CoCounselGrant:
    pk = _parse_uuid(grant_id)
    grant = CoCounselGrant.objects.select_related("matter").filter(pk=pk).first()
    if grant is None or not matters_visible_to(user).filter(pk=grant.matter_id).exists():
        raise Http404
    return grant


def staff_members() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.STAFF, is_active=True).order_by("last_name")


def audit_events_for_staff(*, user: User, action: str = "", actor: str = "",
                           matter_ref: str = "", date_from: Any = None,
                           date_to: Any = None) -> QuerySet[AuditEvent]:
    """The audit log a staff member may read: firm admins all of it, others the rows of
    the matters they may open and the rows of what they did themselves."""
    if not user.is_firm_staff:
        return AuditEvent.objects.none()
    visible = None
    if not user.is_firm_admin:
        visible = Q(matter_id__in=matters_visible_to(user).values("pk")) | Q(actor=user)
    matter_ids = (Matter.objects.filter(reference__icontains=matter_ref).values("pk")
                  if matter_ref else None)
    return audit_selectors.audit_events(visible=visible, action=action, actor_label=actor,
                                        matter_ids=matter_ids, date_from=date_from,
                                        date_to=date_to)


def matters_by_id(*, ids: Any) -> dict[Any, Matter]:
    """Matters by id, in one query (e.g. the matter column of an audit log page)."""
    return Matter.objects.in_bulk([i for i in ids if i is not None])

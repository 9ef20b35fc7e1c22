"""Matters: who may open which (guardian grants checked at request time)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from core.http import uuid_or_404
from portal.models import (
    Contact,
    Matter,
    TimelineEntry,
    User,
)
from portal.search_keys import search_key_filter
from portal.selectors.visibility import shared_q


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
        user,
        "portal.view_matter",
        klass=Matter.objects.all(),
        accept_global_perms=False,
        with_superuser=False,
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
    pk = uuid_or_404(matter_id)
    matter = matters_visible_to(user).filter(pk=pk).select_related("responsible_lawyer").first()
    if matter is None:
        raise Http404
    return matter


def matter_ids_for_client(*, user: User) -> list[Any]:
    """Ids of the matters this client or co-counsel may open, in the portal home's order.

    The one guardian lookup of the portal home: the page, its count and the open tasks
    all work from these ids.
    """
    rows = (
        matters_visible_to(user)
        .order_by("stage", "-created_at")
        .values_list("pk", "stage", "created_at")
        .distinct()
    )
    return [row[0] for row in rows]


def matters_for_client_by_ids(ids: list[Any], *, user: User) -> list[Matter]:
    """These matters (ids from matter_ids_for_client), in that order, with what the
    portal home shows of each: the lawyer and the latest timeline entry this person sees."""
    if not ids:
        return []
    shared = TimelineEntry.objects.filter(shared_q(user)).order_by("-occurred_at", "-created_at")
    found = {
        m.pk: m
        for m in Matter.objects.filter(pk__in=ids)
        .select_related("responsible_lawyer")
        .prefetch_related(Prefetch("timeline", queryset=shared, to_attr="shared_timeline"))
    }
    return [found[pk] for pk in ids if pk in found]


def matter_list_for_client(*, user: User) -> QuerySet[Matter]:
    shared = TimelineEntry.objects.filter(shared_q(user)).order_by("-occurred_at", "-created_at")
    return (
        matters_visible_to(user)
        .select_related("responsible_lawyer")
        .prefetch_related(Prefetch("timeline", queryset=shared, to_attr="shared_timeline"))
        .order_by("stage", "-created_at")
        .distinct()
    )


def matter_timeline_for_viewer(*, user: User, matter: Matter) -> QuerySet[TimelineEntry]:
    return matter.timeline.filter(shared_q(user)).select_related("created_by")


def matter_list_for_staff(
    *, user: User, query: str = "", stage: str = "", practice_area: str = "", tag: str = ""
) -> QuerySet[Matter]:
    qs = (
        matters_visible_to(user)
        .select_related("responsible_lawyer")
        .prefetch_related("clients", "tags")
        .order_by("-created_at")
    )
    own = search_key_filter(query) if query else None
    if own is not None:
        # Reference, title or a client's name, in any case, with or without diacritics.
        # (the same condition on the contacts' own search_text)
        of_clients = Matter.clients.through.objects.filter(
            contact__in=Contact.objects.filter(own)
        ).values("matter_id")
        qs = qs.filter(Q(pk__in=of_clients) | own)
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


def matters_by_id(*, ids: Any) -> dict[Any, Matter]:
    """Matters by id, in one query (e.g. the matter column of an audit log page)."""
    return Matter.objects.in_bulk([i for i in ids if i is not None])

"""The services the firm offers, and who may book which."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portal import selectors as portal_selectors
from scheduling.models import (
    Appointment,
    Service,
)
from scheduling.selectors.availability import _staff_queryset
from scheduling.selectors.invitations import invitation_valid

if TYPE_CHECKING:
    pass


def services_bookable(*, user: Any) -> list[Service]:
    """Services listed on /book/ for this person (invited-only ones are never listed)."""
    audiences = [Service.Audience.ANYONE]
    contact = portal_selectors.contact_for_user(user)
    if (
        getattr(user, "is_authenticated", False)
        and user.is_firm_staff
        or (contact is not None and contact.is_client)
    ):
        audiences.append(Service.Audience.CLIENTS)
    listed = Service.objects.filter(is_active=True, audience__in=audiences).prefetch_related(
        "steps__service"
    )
    # A package is listed only when every one of its steps is open to this person too.
    return [s for s in listed if all(step.service.audience in audiences for step in s.steps.all())]


def may_book(*, service: Service, user: Any, invite: str = "", steps: bool = False) -> bool:
    """Whether this person may book the service; with `steps`, every step of a package
    too (each keeps its own service's audience; the package's invitation is its own)."""
    if getattr(user, "is_authenticated", False) and user.is_firm_staff:
        return True
    if steps and not all(may_book(service=step.service, user=user) for step in service.steps.all()):
        return False
    if service.audience == Service.Audience.ANYONE:
        return True
    if service.audience == Service.Audience.CLIENTS:
        contact = portal_selectors.contact_for_user(user)
        return contact is not None and contact.is_client
    return bool(invite) and invitation_valid(service=service, token=invite)


def service_get_for_booking(
    *, slug: str, user: Any, invite: str = "", with_steps: bool = False
) -> Service:
    """The service with its active staff prefetched (with their booking page profiles, in
    the same query); Http404 when this person may not book."""
    qs = Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("staff", queryset=_staff_queryset().select_related("staff_profile"))
    )
    if with_steps:
        qs = qs.prefetch_related(
            "steps__service", Prefetch("steps__service__staff", queryset=_staff_queryset())
        )
    service = qs.filter(slug=str(slug)[:80]).first()
    if service is None or not may_book(service=service, user=user, invite=invite, steps=with_steps):
        raise Http404
    return service


_SLOTS_SERVICE_FIELDS = (
    "id",
    "slug",
    "audience",
    "duration_minutes",
    "slot_step_minutes",
    "min_notice_minutes",
    "horizon_days",
    "buffer_before_minutes",
    "buffer_after_minutes",
)


# Services as the slots API last read them, per slug and availability version (this
# process only): a cache miss of the answer then skips the two service queries. Saving
# a service, its staff or a staff member replaces the version (scheduling.slots_cache),
# so an entry is never used after such a change; version "0" (no version yet, as after a
# cache clear) is never kept, and entries live no longer than a cached answer.
_SLOTS_SERVICES: dict[tuple[str, str], tuple[float, Service | None]] = {}
_SLOTS_SERVICES_MAX = 256


def service_get_for_slots(*, slug: str, invite: str = "", version: str = "") -> Service:
    """The service for the anonymous slots API: only the columns free slots need, and its
    active staff with their names and zones; Http404 when it is not offered there.
    ``version``: the availability version the caller read (reuses this process's last
    lookup made under it)."""
    slug = str(slug)[:80]
    key = (slug, version)
    now = time.monotonic()
    kept = _SLOTS_SERVICES.get(key) if version and version != "0" else None
    if kept is not None and kept[0] > now:
        service = kept[1]
    else:
        staff = _staff_queryset().only("id", "first_name", "last_name", "time_zone")
        service = (
            Service.objects.filter(is_active=True, slug=slug)
            .only(*_SLOTS_SERVICE_FIELDS)
            .prefetch_related(Prefetch("staff", queryset=staff))
            .first()
        )
        if version and version != "0":
            if len(_SLOTS_SERVICES) >= _SLOTS_SERVICES_MAX:
                _SLOTS_SERVICES.clear()
            _SLOTS_SERVICES[key] = (now + settings.ATRIUM_SLOTS_CACHE_SECONDS, service)
    if service is None or not may_book(service=service, user=None, invite=invite):
        raise Http404
    return service


def services_active() -> QuerySet[Service]:
    """Every bookable service (for the staff booking form)."""
    return Service.objects.filter(is_active=True)


def services_for_staff(*, user: Any) -> list[Service]:
    """Every service, bookable first, with who offers it and its package steps (staff only)."""
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    upcoming = Count(
        "appointments",
        filter=Q(
            appointments__status=Appointment.Status.BOOKED,
            appointments__start_at__gte=timezone.now(),
        ),
    )
    return list(
        Service.objects.annotate(upcoming=upcoming)
        .prefetch_related(
            Prefetch("staff", queryset=portal_selectors.users_by_id()), "steps__service"
        )
        .order_by("-is_active", "position", "name")
    )


def service_get_for_staff(*, user: Any, service_id: Any) -> Service:
    """One service for the staff editing pages; Http404 for anyone else or an unknown id."""
    if not getattr(user, "is_firm_staff", False):
        raise Http404
    service = (
        Service.objects.prefetch_related("staff", "steps__service").filter(pk=service_id).first()
    )
    if service is None:
        raise Http404
    return service

"""Reads of staff and contacts, access-checked for staff."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from core.http import uuid_or_404
from portal.models import (
    Contact,
    User,
)


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
    pk = uuid_or_404(contact_id)
    contact = contacts_for_staff(user=user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def active_staff() -> QuerySet[User]:
    """Every active staff member (unordered: callers choose)."""
    return User.objects.filter(role=User.Role.STAFF, is_active=True)


def staff_members() -> QuerySet[User]:
    return active_staff().order_by("last_name")


def staff_get_by_calendar_token(*, token: str) -> User | None:
    """The active staff member whose private calendar feed this token opens, if any."""
    if not token or len(token) > 64:
        return None
    return active_staff().filter(calendar_token=token).first()

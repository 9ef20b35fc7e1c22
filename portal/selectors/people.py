"""Reads of staff and contacts, access-checked for staff."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core.http import uuid_or_404
from notifications.channels import Channel
from notifications.compose import Recipient
from portal.models import ConsentRecord, Contact, Matter, Tag, User
from portal.search_keys import search_key_filter
from portal.selectors.firm import firm_get
from portal.selectors.matters import matters_visible_to


def contacts_visible_to(user: User | None) -> QuerySet[Contact]:
    """The staff access policy for contacts: firm admins see every contact; other staff
    see the clients of the matters they may open and the contacts on no matter yet (new
    inquiries); nobody else sees any."""
    if user is None or not user.is_firm_staff:
        return Contact.objects.none()
    if user.is_firm_admin:
        return Contact.objects.all()
    clients = Matter.clients.through.objects
    on_my_matters = clients.filter(matter_id__in=matters_visible_to(user).values("pk")).values(
        "contact_id"
    )
    on_any_matter = clients.values("contact_id")
    return Contact.objects.filter(Q(pk__in=on_my_matters) | ~Q(pk__in=on_any_matter))


def contacts_for_staff(
    *,
    user: User | None,
    query: str = "",
    tag: Any = None,
    kind: str = "",
    stage: str = "",
    priority: str = "",
) -> QuerySet[Contact]:
    """The contacts this staff member may see, filtered; the filters combine.

    `tag` is a tag id; `stage` and `priority` are those of a matter the contact is a
    client of and the staff member may open (both of the same matter when both are given),
    so a filter never tells anything about a matter they may not open. One query whatever
    the filters (an EXISTS subquery, no join that repeats a contact).
    """
    qs = contacts_visible_to(user).select_related("user").prefetch_related("tags")
    if query:
        # Any case, with or without diacritics, by name, email, phone or organisation.
        condition = search_key_filter(query)
        if condition is not None:
            qs = qs.filter(condition)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(Exists(Contact.tags.through.objects.filter(contact=OuterRef("pk"), tag=tag)))
    if stage or priority:
        matters = matters_visible_to(user)
        if stage:
            matters = matters.filter(stage=stage)
        if priority:
            matters = matters.filter(priority=priority)
        qs = qs.filter(
            Exists(
                Matter.clients.through.objects.filter(
                    contact=OuterRef("pk"), matter__in=matters.values("pk")
                )
            )
        )
    return qs


def contact_get_for_staff(*, user: User, contact_id: Any) -> Contact:
    pk = uuid_or_404(contact_id)
    contact = contacts_for_staff(user=user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def contact_visible_or_none(*, user: User, contact_id: Any) -> Contact | None:
    """This contact if this staff member may open it, else None (never a 404: the caller
    says something else, such as whom to ask)."""
    return contacts_visible_to(user).filter(pk=contact_id).first()


def contact_by_id(contact_id: Any) -> Contact | None:
    """A contact by id, for services and composers that act for the firm (no user)."""
    return Contact.objects.select_related("user").filter(pk=contact_id).first()


def consents_for_contact(
    *, user: User, contact_id: Any = None, contact: Contact | None = None
) -> list[ConsentRecord]:
    """A contact's consents, newest first, for staff who may see the contact (404 else).

    A caller that already holds the contact from contact_get_for_staff (the same check)
    passes it as `contact`, so the page does not read it twice."""
    if contact is None:
        contact = contact_get_for_staff(user=user, contact_id=contact_id)
    return list(ConsentRecord.objects.filter(contact=contact).order_by("-given_at", "-pk"))


def active_staff() -> QuerySet[User]:
    """Every active staff member (unordered: callers choose)."""
    return User.objects.filter(role=User.Role.STAFF, is_active=True)


def staff_with(*, ids: list[Any]) -> QuerySet[User]:
    """Active staff, plus these people even if they have left (to keep a saved choice)."""
    return User.objects.filter(Q(role=User.Role.STAFF, is_active=True) | Q(pk__in=ids))


def users_by_id() -> QuerySet[User]:
    """Every account by id (to prefetch who offers a service, including staff who left)."""
    return User.objects.order_by("id")


def contact_for_user(user: User | Any) -> Contact | None:
    """A signed-in client's own contact (None for anyone else)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_client:
        return None
    try:
        return user.contact
    except Contact.DoesNotExist:
        return None


def contact_is_account_holder(contact: Contact) -> bool:
    """A client, or anyone with a login: a public booking with their email is not
    attached to them until they confirm it from that email."""
    return contact.kind == Contact.Kind.CLIENT or contact.user_id is not None


def staff_members() -> QuerySet[User]:
    return active_staff().order_by("last_name")


def staff_get_by_calendar_token(*, token: str) -> User | None:
    """The active staff member whose private calendar feed this token opens, if any."""
    if not token or len(token) > 64:
        return None
    return active_staff().filter(calendar_token=token).first()


def contact_recipient(contact: Contact) -> Recipient:
    """How to reach a contact: their addresses, language, zone, consent and quiet hours."""
    return Recipient(
        name=contact.first_name or contact.full_name,
        email=contact.email or (contact.user.email if contact.user is not None else ""),
        phone=str(contact.phone) if contact.phone else "",
        language=contact.language,
        time_zone=contact.time_zone,
        sms_consent=contact.sms_consent,
        prefers_sms=contact.preferred_channel == Channel.SMS,
        quiet_start=contact.quiet_hours_start,
        quiet_end=contact.quiet_hours_end,
    )


def user_recipient(user: User) -> Recipient:
    """How to reach a user: through their contact when they have one (clients)."""
    try:
        contact = user.contact
    except Contact.DoesNotExist:
        contact = None
    if contact is not None:
        recipient = contact_recipient(contact)
        recipient.email = user.email or recipient.email
        return recipient
    firm = firm_get()
    return Recipient(
        name=user.first_name or user.email,
        email=user.email,
        phone="",
        language=user.language or firm.default_language,
        time_zone=user.time_zone or firm.time_zone,
        sms_consent=False,
        prefers_sms=False,
    )


def staff_for_admin(*, user: User) -> QuerySet[User]:
    """Every staff account, signed-in or not, with `has_mfa` (firm admins only)."""
    if not user.is_firm_admin:
        return User.objects.none()
    return (
        User.objects.filter(role=User.Role.STAFF)
        .annotate(has_mfa=Exists(Authenticator.objects.filter(user=OuterRef("pk"))))
        .order_by("-is_active", "last_name", "first_name")
    )


def staff_get_for_admin(*, user: User, staff_id: Any) -> User:
    try:
        pk = int(staff_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = staff_for_admin(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def tags_for_admin(*, user: User) -> QuerySet[Tag]:
    """Every tag with how many contacts and matters carry it (firm admins only)."""
    if not user.is_firm_admin:
        return Tag.objects.none()
    return Tag.objects.annotate(
        contact_count=Count("contacts", distinct=True), matter_count=Count("matters", distinct=True)
    ).order_by("category", "name")


def tag_get_for_admin(*, user: User, tag_id: Any) -> Tag:
    try:
        pk = int(tag_id)
    except (TypeError, ValueError):
        raise Http404 from None
    tag = tags_for_admin(user=user).filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag

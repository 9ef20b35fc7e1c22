"""Writes of users' preferences and of contacts."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import events
from core.errors import ServiceError
from core.http import RequestMeta
from notifications.channels import Channel
from portal.audit_actions import PortalAction
from portal.events import ContactNamesChanged
from portal.models import (
    Contact,
    Matter,
    MatterParty,
    Tag,
    User,
)


def user_preferences_update(
    *,
    user: User,
    meta: RequestMeta | None = None,
    language: str | None = None,
    time_zone: str | None = None,
    activity_notices: str | None = None,
) -> User:
    fields = []
    if activity_notices is not None and activity_notices != user.activity_notices:
        if activity_notices not in User.ActivityNotices.values:
            raise ServiceError(_("Choose how often to hear about clients from the list."))
        user.activity_notices = activity_notices
        fields.append("activity_notices")
    if language is not None and language != user.language:
        user.language = language
        fields.append("language")
    if time_zone is not None and time_zone != user.time_zone:
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        with transaction.atomic():
            user.save(update_fields=fields)
            if hasattr(user, "contact") and user.contact is not None:
                contact = user.contact
                contact_fields = []
                if "language" in fields:
                    contact.language = user.language
                    contact_fields.append("language")
                if "time_zone" in fields and user.time_zone:
                    contact.time_zone = user.time_zone
                    contact_fields.append("time_zone")
                if contact_fields:
                    contact.save(update_fields=contact_fields)
            audit_record(
                action=PortalAction.PREFERENCES_UPDATED,
                actor=user,
                meta=meta,
                obj=user,
                data={"fields": fields},
            )
    return user


def user_calendar_token_rotate(*, user: User, meta: RequestMeta | None = None) -> str:
    """A new secret address for the staff member's calendar feed; the old one stops."""
    with transaction.atomic():
        user.calendar_token = secrets.token_urlsafe(32)
        user.save(update_fields=["calendar_token"])
        audit_record(action=PortalAction.CALENDAR_TOKEN_ROTATED, actor=user, meta=meta, obj=user)
    return user.calendar_token


# What the conflict check reads of a contact (intake re-indexes it when one changes).
NAME_FIELDS = frozenset(
    {"first_name", "last_name", "email", "phone", "organisation_name", "tax_id", "date_of_birth"}
)


class DuplicateEmailError(ServiceError):
    """Another contact already has this email address (any case): the form links to it
    instead of saving a second record of the same person."""

    def __init__(self, existing: Contact) -> None:
        super().__init__(_("A contact with this email address already exists."))
        self.existing = existing


def _refuse_duplicate_email(email: str, *, exclude: Any = None) -> None:
    """Raise DuplicateEmailError if another contact has `email` (compared in any case)."""
    email = (email or "").strip()
    if not email:
        return
    others = Contact.objects.filter(email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    existing = others.order_by("created_at").first()
    if existing is not None:
        raise DuplicateEmailError(existing)


def contact_create(
    *, actor: User, meta: RequestMeta | None = None, data: dict[str, Any], tags: Iterable[Tag] = ()
) -> Contact:
    """A new contact; refused (DuplicateEmailError) when the email is another contact's."""
    _refuse_duplicate_email(data.get("email", ""))
    contact = Contact(**data)
    try:
        contact.full_clean()
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    with transaction.atomic():
        contact.save()
        contact.tags.set(list(tags))
        audit_record(action=PortalAction.CONTACT_CREATED, actor=actor, meta=meta, obj=contact)
        events.publish(ContactNamesChanged(contact_id=contact.pk))
    return contact


def contact_for_booking(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    language: str = "en",
    time_zone: str = "UTC",
) -> tuple[Contact, bool]:
    """The contact a public booking is for: matched by email; a new person is a prospect.
    Returns (contact, created).

    A public booking never changes an existing contact (typing a client's address must
    not alter their record). Runs inside the booking's transaction.
    """
    contact = Contact.objects.filter(email__iexact=email).order_by("created_at").first()
    if contact is not None:
        return contact, False
    return _prospect_create(
        source="booking",
        first_name=first_name,
        last_name=last_name,
        email=email.lower(),
        phone=phone,
        language=language,
        time_zone=time_zone,
    ), True


def _prospect_create(*, source: str, **fields: str) -> Contact:
    """A new prospect from a public page, checked, audited with its source and indexed."""
    contact = Contact(kind=Contact.Kind.PROSPECT, **fields)
    contact.full_clean()
    contact.save()
    audit_record(action=PortalAction.CONTACT_CREATED, obj=contact, data={"source": source})
    events.publish(ContactNamesChanged(contact_id=contact.pk))
    return contact


def contact_for_intake(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    language: str = "en",
) -> tuple[Contact, bool]:
    """The contact a public intake form is from: an existing one matched by email, then
    by E.164 phone (a returning prospect is not duplicated), or a new prospect.

    A public form never changes an existing contact: typing a client's address must not
    alter their record or reach their portal. Returns (contact, created).
    """
    contact = None
    if email:
        contact = Contact.objects.filter(email__iexact=email).order_by("created_at").first()
    if contact is None and phone:
        contact = Contact.objects.filter(phone=phone).order_by("created_at").first()
    if contact is not None:
        return contact, False
    contact = _prospect_create(
        source="intake",
        first_name=first_name,
        last_name=last_name,
        email=email.lower(),
        phone=phone,
        language=language,
    )
    return contact, True


def contact_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    contact: Contact,
    data: dict[str, Any],
    tags: Iterable[Tag] | None = None,
) -> Contact:
    changed = [f for f, v in data.items() if getattr(contact, f) != v]
    if "email" in changed:
        _refuse_duplicate_email(data["email"], exclude=contact.pk)
    for field, value in data.items():
        setattr(contact, field, value)
    try:
        contact.full_clean()
    except ValidationError as exc:
        contact.refresh_from_db()
        raise ServiceError(_validation_message(exc)) from exc
    with transaction.atomic():
        if changed:
            contact.save(update_fields=changed)
        if tags is not None:
            contact.tags.set(list(tags))
            changed.append("tags")
        if changed:
            audit_record(
                action=PortalAction.CONTACT_UPDATED,
                actor=actor,
                meta=meta,
                obj=contact,
                data={"fields": changed},
            )
        if set(changed) & NAME_FIELDS:
            events.publish(ContactNamesChanged(contact_id=contact.pk))
    return contact


def _validation_message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def contact_reduce_to_stub(*, contact_id: Any, reason: str) -> bool:
    """Keep of a former prospect only what the conflict check needs: names, aliases,
    organisation and identifiers (email, phone, tax id, date of birth). Notes, tags,
    channel and quiet-hour choices go, and a portal account made for the inquiry is
    switched off. Refused (False) for a client or anyone on a matter, whose record the
    matter's own retention governs. Called by the prospect retention purge."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None or contact.kind != Contact.Kind.PROSPECT:
            return False
        if (
            Matter.objects.filter(clients=contact).exists()
            or MatterParty.objects.filter(contact=contact).exists()
        ):
            return False
        contact.notes = ""
        contact.preferred_channel = Channel.EMAIL
        contact.sms_consent = False
        contact.quiet_hours_start = None
        contact.quiet_hours_end = None
        contact.save(
            update_fields=[
                "notes",
                "preferred_channel",
                "sms_consent",
                "quiet_hours_start",
                "quiet_hours_end",
            ]
        )
        contact.tags.clear()
        user = contact.user
        account_closed = False
        if user is not None and user.is_active and not user.is_firm_side:
            User.objects.filter(pk=user.pk).update(is_active=False)
            account_closed = True
        audit_record(
            action=PortalAction.CONTACT_REDUCED,
            obj=contact,
            data={"reason": reason[:100], "account_closed": account_closed},
        )
    return True

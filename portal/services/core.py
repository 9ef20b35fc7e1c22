"""Every write of the portal app: one transaction each, an audit row per state change."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import (
    CoCounselGrant,
    Contact,
    Firm,
    Invitation,
    Matter,
    MatterStageChange,
    MatterUserObjectPermission,
    Tag,
    TimelineEntry,
    User,
)

FIRM_CACHE_KEY = "atrium:firm:v1"
VIEW_MATTER = "view_matter"

# ---------------------------------------------------------------------------
# Firm
# ---------------------------------------------------------------------------
def firm_update(*, actor: User, meta: RequestMeta | None = None, data: dict[str, Any],
                logo: UploadedFile | None = None, clear_logo: bool = False) -> Firm:
    with transaction.atomic():
        firm, _created = Firm.objects.select_for_update().get_or_create(pk=1)
        changed = []
        for field, value in data.items():
            if getattr(firm, field) != value:
                setattr(firm, field, value)
                changed.append(field)
        if clear_logo and firm.logo:
            firm.logo.delete(save=False)
            firm.logo = ""  # type: ignore[assignment]
            changed.append("logo")
        if logo is not None:
            firm.logo.save(f"logo-{secrets.token_hex(8)}", logo, save=False)
            changed.append("logo")
        if changed:
            firm.save()
            audit_record(action=PortalAction.FIRM_UPDATED, actor=actor, meta=meta,
                         obj=firm, data={"fields": changed})
        cache.delete(FIRM_CACHE_KEY)
        # Again after commit, in case another request cached the old row meanwhile.
        transaction.on_commit(lambda: cache.delete(FIRM_CACHE_KEY))
    return firm


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------
def user_preferences_update(*, user: User, meta: RequestMeta | None = None,
                            language: str | None = None, time_zone: str | None = None) -> User:
    fields = []
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
            audit_record(action=PortalAction.PREFERENCES_UPDATED, actor=user,
                         meta=meta, obj=user, data={"fields": fields})
    return user


def user_calendar_token_rotate(*, user: User, meta: RequestMeta | None = None) -> str:
    """A new secret address for the staff member's calendar feed; the old one stops."""
    with transaction.atomic():
        user.calendar_token = secrets.token_urlsafe(32)
        user.save(update_fields=["calendar_token"])
        audit_record(action=PortalAction.CALENDAR_TOKEN_ROTATED, actor=user, meta=meta,
                     obj=user)
    return user.calendar_token


# ---------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------
def contact_create(*, actor: User, meta: RequestMeta | None = None, data: dict[str, Any],
                   tags: Iterable[Tag] = ()) -> Contact:
    contact = Contact(**data)
    try:
        contact.full_clean()
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    with transaction.atomic():
        contact.save()
        contact.tags.set(list(tags))
        audit_record(action=PortalAction.CONTACT_CREATED, actor=actor, meta=meta,
                     obj=contact)
    return contact


def contact_for_booking(*, first_name: str, last_name: str, email: str, phone: str = "",
                        language: str = "en", time_zone: str = "UTC") -> Contact:
    """The contact a public booking is for: matched by email; a new person is a prospect.

    Runs inside the booking's transaction (the booking service calls it).
    """
    contact = Contact.objects.filter(email__iexact=email).order_by("created_at").first()
    if contact is not None:
        if phone and not contact.phone:
            contact.phone = phone
            contact.save(update_fields=["phone"])
        return contact
    contact = Contact(kind=Contact.Kind.PROSPECT, first_name=first_name, last_name=last_name,
                      email=email.lower(), phone=phone, language=language,
                      time_zone=time_zone)
    contact.full_clean()
    contact.save()
    audit_record(action=PortalAction.CONTACT_CREATED, obj=contact, data={"source": "booking"})
    return contact


def contact_update(*, actor: User, meta: RequestMeta | None = None, contact: Contact,
                   data: dict[str, Any], tags: Iterable[Tag] | None = None) -> Contact:
    changed = [f for f, v in data.items() if getattr(contact, f) != v]
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
            audit_record(action=PortalAction.CONTACT_UPDATED, actor=actor,
                         meta=meta, obj=contact, data={"fields": changed})
    return contact


# ---------------------------------------------------------------------------
# Matters and their grants
# ---------------------------------------------------------------------------
def _matter_expected_users(matter: Matter) -> set[int]:
    ids = {matter.responsible_lawyer_id}
    ids |= set(matter.team.values_list("id", flat=True))
    ids |= set(matter.clients.exclude(user=None).values_list("user_id", flat=True))
    ids |= set(
        matter.cocounsel_grants.filter(revoked_at=None).values_list("user_id", flat=True)
    )
    return ids


def _matter_sync_grants(*, matter: Matter, actor: User | None,
                        meta: RequestMeta | None = None) -> None:
    """Make guardian's per-matter grants match the matter's people, auditing each change."""
    expected = _matter_expected_users(matter)
    current = set(
        MatterUserObjectPermission.objects.filter(
            content_object=matter, permission__codename=VIEW_MATTER
        ).values_list("user_id", flat=True)
    )
    users = User.objects.in_bulk(expected | current)
    for user_id in sorted(expected - current):
        assign_perm(VIEW_MATTER, users[user_id], matter)
        audit_record(action=PortalAction.PERMISSION_GRANTED, actor=actor, meta=meta,
                     matter_id=matter.pk, obj=matter, data={"user": users[user_id].email})
    for user_id in sorted(current - expected):
        remove_perm(VIEW_MATTER, users[user_id], matter)
        audit_record(action=PortalAction.PERMISSION_REVOKED, actor=actor, meta=meta,
                     matter_id=matter.pk, obj=matter, data={"user": users[user_id].email})


@dataclass(frozen=True)
class MatterData:
    reference: str
    title: str
    practice_area: str
    priority: str
    responsible_lawyer: User
    team: list[User]
    clients: list[Contact]
    tags: list[Tag]


def _validation_message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _check_matter_people(data: MatterData) -> None:
    staff = [data.responsible_lawyer, *data.team]
    if any(not u.is_firm_staff for u in staff):
        raise ServiceError(_("The responsible lawyer and the team must be active staff."))
    if not data.clients:
        raise ServiceError(_("A matter needs at least one client."))


def matter_create(*, actor: User, meta: RequestMeta | None = None, data: MatterData) -> Matter:
    _check_matter_people(data)
    try:
        with transaction.atomic():
            matter = Matter(
                reference=data.reference, title=data.title, practice_area=data.practice_area,
                priority=data.priority, responsible_lawyer=data.responsible_lawyer,
            )
            matter.full_clean()
            matter.save()
            matter.team.set(data.team)
            matter.clients.set(data.clients)
            matter.tags.set(data.tags)
            audit_record(action=PortalAction.MATTER_CREATED, actor=actor, meta=meta,
                         matter_id=matter.pk, obj=matter, data={"reference": matter.reference})
            _matter_sync_grants(matter=matter, actor=actor, meta=meta)
    except IntegrityError as exc:
        raise ServiceError(_("A matter with this reference already exists.")) from exc
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    return matter


def matter_update(*, actor: User, meta: RequestMeta | None = None, matter: Matter,
                  data: MatterData) -> Matter:
    _check_matter_people(data)
    try:
        with transaction.atomic():
            matter = Matter.objects.select_for_update().get(pk=matter.pk)
            for field in ("reference", "title", "practice_area", "priority",
                          "responsible_lawyer"):
                setattr(matter, field, getattr(data, field))
            matter.full_clean()
            matter.save(update_fields=["reference", "title", "practice_area", "priority",
                                       "responsible_lawyer"])
            matter.team.set(data.team)
            matter.clients.set(data.clients)
            matter.tags.set(data.tags)
            audit_record(action=PortalAction.MATTER_UPDATED, actor=actor, meta=meta,
                         matter_id=matter.pk, obj=matter)
            _matter_sync_grants(matter=matter, actor=actor, meta=meta)
    except IntegrityError as exc:
        raise ServiceError(_("A matter with this reference already exists.")) from exc
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    return matter


def matter_change_stage(*, actor: User, meta: RequestMeta | None = None, matter: Matter,
                        to_stage: str, note: str = "") -> Matter:
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        if not locked.can_move_to(to_stage):
            raise ServiceError(
                _("A matter cannot move from “%(from)s” to “%(to)s”.")
                % {"from": locked.get_stage_display(),
                   "to": dict(Matter.Stage.choices).get(to_stage, to_stage)}
            )
        from_stage = locked.stage
        now = timezone.now()
        locked.stage = to_stage
        locked.stage_changed_at = now
        locked.save(update_fields=["stage", "stage_changed_at"])
        MatterStageChange.objects.create(matter=locked, from_stage=from_stage, to_stage=to_stage,
                                         changed_by=actor, note=note, changed_at=now)
        TimelineEntry.objects.create(
            matter=locked, kind=TimelineEntry.Kind.STAGE,
            title=str(dict(Matter.Stage.choices)[to_stage]),
            body=note, occurred_at=now, shared_with_client=True, created_by=actor,
        )
        audit_record(action=PortalAction.MATTER_STAGE_CHANGED, actor=actor, meta=meta,
                     matter_id=locked.pk, obj=locked, data={"from": from_stage, "to": to_stage})
    return locked


def timeline_entry_add(*, actor: User, meta: RequestMeta | None = None, matter: Matter, kind: str,
                       title: str, body: str = "", occurred_at: dt.datetime | None = None,
                       shared_with_client: bool = True) -> TimelineEntry:
    with transaction.atomic():
        entry = TimelineEntry(matter=matter, kind=kind, title=title, body=body,
                              occurred_at=occurred_at or timezone.now(),
                              shared_with_client=shared_with_client, created_by=actor)
        entry.full_clean()
        entry.save()
        audit_record(action=PortalAction.TIMELINE_ADDED, actor=actor, meta=meta,
                     matter_id=matter.pk, obj=entry, data={"kind": kind, "shared": shared_with_client})
    return entry


def matter_record_view(*, user: User, meta: RequestMeta | None = None, matter: Matter) -> None:
    audit_record(action=PortalAction.MATTER_VIEWED, actor=user, meta=meta,
                 matter_id=matter.pk, obj=matter)


# ---------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, actor: User, meta: RequestMeta | None = None, email: str, role: str,
                      contact: Contact | None = None,
                      grant: CoCounselGrant | None = None) -> Invitation:
    """Create an invitation and queue its email; the link is made by the worker."""
    from portal import tasks

    with transaction.atomic():
        # An older open invitation for the same address stops working.
        Invitation.objects.filter(email__iexact=email, accepted_at=None).update(
            expires_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            email=email.lower(), role=role, contact=contact, grant=grant, created_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=settings.ATRIUM_INVITATION_DAYS),
        )
        audit_record(action=PortalAction.INVITATION_SENT, actor=actor, meta=meta,
                     obj=invitation, matter_id=grant.matter_id if grant else None,
                     data={"email": invitation.email, "role": role})
        transaction.on_commit(lambda: tasks.invitation_deliver.delay(str(invitation.pk)))
    return invitation


def invitation_deliver(*, invitation_id: str) -> str | None:
    """Make the link and send it, once: the claim is a conditional UPDATE on sent_at."""
    from portal import emails

    token = secrets.token_urlsafe(32)
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at=None, accepted_at=None, expires_at__gt=now
    ).update(sent_at=now, token_hash=_token_hash(token))
    if not claimed:
        return None
    invitation = Invitation.objects.select_related("contact", "created_by").get(pk=invitation_id)
    try:
        emails.send_invitation(invitation=invitation, token=token)
    except Exception:
        # Release the claim so a retry can send a fresh link.
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None, token_hash=None)
        raise
    return token


def invitation_get_valid(*, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("contact", "grant")
        .filter(token_hash=_token_hash(token), accepted_at=None, expires_at__gt=timezone.now())
        .first()
    )


def invitation_accept(*, token: str, password: str, meta: RequestMeta | None = None) -> User:
    """Set the password and open the account; the link then stops working."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_hash=_token_hash(token), accepted_at=None,
                    expires_at__gt=timezone.now())
            .first()
        )
        if invitation is None:
            raise ServiceError(_("This invitation link is no longer valid. Ask the firm to "
                                 "send you a new one."))
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None and (not user.is_active or user.role != invitation.role):
            # A disabled account stays disabled, and a link never sets the password of an
            # account of another kind (a staff login through a client invitation).
            raise ServiceError(_("This invitation link is no longer valid. Ask the firm to "
                                 "send you a new one."))
        if user is None:
            user = User(email=invitation.email, role=invitation.role)
            if invitation.contact is not None:
                user.first_name = invitation.contact.first_name
                user.last_name = invitation.contact.last_name
                user.language = invitation.contact.language
                user.time_zone = invitation.contact.time_zone
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_record(action=PortalAction.INVITATION_ACCEPTED, actor=user, meta=meta,
                     obj=invitation)
        if invitation.contact is not None and invitation.contact.user_id != user.pk:
            contact = invitation.contact
            contact.user = user
            contact.save(update_fields=["user"])
            for matter in contact.matters.all():
                _matter_sync_grants(matter=matter, actor=user, meta=meta)
    return user


# ---------------------------------------------------------------------------
# Clients and co-counsel
# ---------------------------------------------------------------------------
def client_invite(*, actor: User, meta: RequestMeta | None = None, contact: Contact) -> Invitation:
    if not contact.email:
        raise ServiceError(_("Add an email address to this contact before inviting them."))
    existing = User.objects.filter(email__iexact=contact.email).first()
    if existing is not None and existing.role != User.Role.CLIENT:
        raise ServiceError(_("This email address belongs to a staff or co-counsel account."))
    return invitation_create(actor=actor, meta=meta, email=contact.email,
                             role=User.Role.CLIENT, contact=contact)


def cocounsel_share(*, actor: User, meta: RequestMeta | None = None, matter: Matter, email: str,
                    first_name: str, last_name: str, expires_at: dt.datetime) -> CoCounselGrant:
    if expires_at <= timezone.now():
        raise ServiceError(_("Choose an end date in the future."))
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and user.role != User.Role.COCOUNSEL:
            raise ServiceError(_("This email address belongs to a client or staff account."))
        if user is None:
            user = User.objects.create_user(email=email, first_name=first_name,
                                            last_name=last_name, role=User.Role.COCOUNSEL)
        grant, created = CoCounselGrant.objects.get_or_create(
            matter=matter, user=user, revoked_at=None,
            defaults={"expires_at": expires_at, "granted_by": actor},
        )
        if not created:
            grant.expires_at = expires_at
            grant.save(update_fields=["expires_at"])
        _matter_sync_grants(matter=matter, actor=actor, meta=meta)
        if not user.has_usable_password():
            invitation_create(actor=actor, meta=meta, email=user.email,
                              role=User.Role.COCOUNSEL, grant=grant)
    return grant


def cocounsel_revoke(*, actor: User, meta: RequestMeta | None = None,
                     grant: CoCounselGrant) -> CoCounselGrant:
    with transaction.atomic():
        grant = CoCounselGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            _matter_sync_grants(matter=grant.matter, actor=actor, meta=meta)
    return grant

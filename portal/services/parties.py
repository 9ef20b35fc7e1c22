"""Matter parties and contact aliases (for intake's conflict check, spec intake.md §1)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import events
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.events import ContactNamesChanged, MatterPartiesChanged
from portal.models import Contact, ContactAlias, Matter, MatterParty, User


def contact_names_changed(contact: Contact) -> None:
    events.publish(ContactNamesChanged(contact_id=contact.pk))


def matter_parties_sync_clients(*, matter: Matter, actor: User | None) -> None:
    """Every client of the matter is its CLIENT party; a client removed ends theirs."""
    clients = set(matter.clients.values_list("pk", flat=True))
    current = {
        p.contact_id: p
        for p in MatterParty.objects.filter(matter=matter, role=MatterParty.Role.CLIENT)
    }
    changed = False
    for contact_id in clients - set(current):
        MatterParty.objects.create(
            matter=matter, contact_id=contact_id, role=MatterParty.Role.CLIENT, added_by=actor
        )
        changed = True
    for contact_id, party in current.items():
        if contact_id in clients and party.ended_at is not None:
            MatterParty.objects.filter(pk=party.pk).update(ended_at=None)
            changed = True
        elif contact_id not in clients and party.ended_at is None:
            MatterParty.objects.filter(pk=party.pk).update(ended_at=timezone.now())
            changed = True
    if changed:
        events.publish(MatterPartiesChanged(matter_id=matter.pk, contact_id=None))


def matter_party_add(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    contact: Contact,
    role: str,
    note: str = "",
) -> MatterParty:
    if role not in MatterParty.Role.values:
        raise ServiceError(_("Choose the party's role."))
    try:
        with transaction.atomic():
            party = MatterParty(
                matter=matter, contact=contact, role=role, note=note[:300], added_by=actor
            )
            party.full_clean(exclude=["matter", "contact"])
            party.save()
            audit_record(
                action=PortalAction.PARTY_ADDED,
                actor=actor,
                meta=meta,
                matter_id=matter.pk,
                obj=party,
                data={"role": role},
            )
            events.publish(MatterPartiesChanged(matter_id=matter.pk, contact_id=contact.pk))
    except IntegrityError as exc:
        raise ServiceError(_("This person is already a party in this role.")) from exc
    return party


def matter_party_set_role(
    *, actor: User, meta: RequestMeta | None = None, party: MatterParty, role: str
) -> MatterParty:
    if role not in MatterParty.Role.values:
        raise ServiceError(_("Choose the party's role."))
    if role == party.role:
        return party
    try:
        with transaction.atomic():
            old = party.role
            MatterParty.objects.filter(pk=party.pk).update(role=role)
            party.role = role
            audit_record(
                action=PortalAction.PARTY_CHANGED,
                actor=actor,
                meta=meta,
                matter_id=party.matter_id,
                obj=party,
                data={"from": old, "to": role},
            )
            events.publish(
                MatterPartiesChanged(matter_id=party.matter_id, contact_id=party.contact_id)
            )
    except IntegrityError as exc:
        raise ServiceError(_("This person is already a party in this role.")) from exc
    return party


def matter_party_end(*, actor: User, meta: RequestMeta | None = None, party: MatterParty) -> None:
    with transaction.atomic():
        MatterParty.objects.filter(pk=party.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        audit_record(
            action=PortalAction.PARTY_ENDED,
            actor=actor,
            meta=meta,
            matter_id=party.matter_id,
            obj=party,
        )
        events.publish(MatterPartiesChanged(matter_id=party.matter_id, contact_id=party.contact_id))


def contact_alias_add(
    *, actor: User | None, meta: RequestMeta | None = None, contact: Contact, kind: str, name: str
) -> ContactAlias:
    if kind not in ContactAlias.Kind.values:
        raise ServiceError(_("Choose what kind of name this is."))
    alias = ContactAlias(contact=contact, kind=kind, name=name.strip()[:200])
    alias.full_clean(exclude=["contact"])
    with transaction.atomic():
        alias.save()
        audit_record(
            action=PortalAction.ALIAS_ADDED,
            actor=actor,
            meta=meta,
            obj=contact,
            data={"kind": kind},
        )
        contact_names_changed(contact)
    return alias

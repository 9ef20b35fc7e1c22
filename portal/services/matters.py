"""Writes of matters: people and their grants, stages, the timeline, status updates."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import audit_record
from core import events
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.events import MatterStageChanged
from portal.models import (
    Contact,
    Matter,
    MatterStageChange,
    MatterUserObjectPermission,
    Tag,
    TimelineEntry,
    User,
)
from portal.services.client_notices import matter_news_notify
from portal.services.parties import matter_parties_sync_clients
from portal.services.people import _validation_message

VIEW_MATTER = "view_matter"


def _matter_expected_users(matter: Matter) -> set[int]:
    ids = {matter.responsible_lawyer_id}
    ids |= set(matter.team.values_list("id", flat=True))
    ids |= set(matter.clients.exclude(user=None).values_list("user_id", flat=True))
    ids |= set(matter.cocounsel_grants.filter(revoked_at=None).values_list("user_id", flat=True))
    return ids


def _matter_sync_grants(
    *, matter: Matter, actor: User | None, meta: RequestMeta | None = None
) -> None:
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
        audit_record(
            action=PortalAction.PERMISSION_GRANTED,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=matter,
            data={"user": users[user_id].email},
        )
    for user_id in sorted(current - expected):
        remove_perm(VIEW_MATTER, users[user_id], matter)
        audit_record(
            action=PortalAction.PERMISSION_REVOKED,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=matter,
            data={"user": users[user_id].email},
        )


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


def _check_matter_people(data: MatterData) -> None:
    staff = [data.responsible_lawyer, *data.team]
    if any(not u.is_firm_staff for u in staff):
        raise ServiceError(_("The responsible lawyer and the team must be active staff."))
    if not data.clients:
        raise ServiceError(_("A matter needs at least one client."))


def matter_create(*, actor: User, meta: RequestMeta | None = None, data: MatterData) -> Matter:
    """Create a matter. Staff who create it keep access: a creator who is neither the
    responsible lawyer nor on the team (nor a firm admin) joins the team."""
    _check_matter_people(data)
    on_it = {data.responsible_lawyer.pk, *(u.pk for u in data.team)}
    if actor.is_firm_staff and not actor.is_firm_admin and actor.pk not in on_it:
        data = dataclasses.replace(data, team=[*data.team, actor])
    try:
        with transaction.atomic():
            matter = Matter(
                reference=data.reference,
                title=data.title,
                practice_area=data.practice_area,
                priority=data.priority,
                responsible_lawyer=data.responsible_lawyer,
            )
            matter.full_clean()
            matter.save()
            matter.team.set(data.team)
            matter.clients.set(data.clients)
            matter_parties_sync_clients(matter=matter, actor=actor)
            matter.tags.set(data.tags)
            audit_record(
                action=PortalAction.MATTER_CREATED,
                actor=actor,
                meta=meta,
                matter_id=matter.pk,
                obj=matter,
                data={"reference": matter.reference},
            )
            _matter_sync_grants(matter=matter, actor=actor, meta=meta)
    except IntegrityError as exc:
        raise ServiceError(_("A matter with this reference already exists.")) from exc
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    return matter


def matter_update(
    *, actor: User, meta: RequestMeta | None = None, matter: Matter, data: MatterData
) -> Matter:
    _check_matter_people(data)
    try:
        with transaction.atomic():
            matter = Matter.objects.select_for_update().get(pk=matter.pk)
            for field in ("reference", "title", "practice_area", "priority", "responsible_lawyer"):
                setattr(matter, field, getattr(data, field))
            matter.full_clean()
            matter.save(
                update_fields=[
                    "reference",
                    "title",
                    "practice_area",
                    "priority",
                    "responsible_lawyer",
                ]
            )
            matter.team.set(data.team)
            matter.clients.set(data.clients)
            matter_parties_sync_clients(matter=matter, actor=actor)
            matter.tags.set(data.tags)
            audit_record(
                action=PortalAction.MATTER_UPDATED,
                actor=actor,
                meta=meta,
                matter_id=matter.pk,
                obj=matter,
            )
            _matter_sync_grants(matter=matter, actor=actor, meta=meta)
    except IntegrityError as exc:
        raise ServiceError(_("A matter with this reference already exists.")) from exc
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    return matter


def matter_change_stage(
    *, actor: User, meta: RequestMeta | None = None, matter: Matter, to_stage: str, note: str = ""
) -> Matter:
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        if not locked.can_move_to(to_stage):
            raise ServiceError(
                _("A matter cannot move from “%(from)s” to “%(to)s”.")
                % {
                    "from": locked.get_stage_display(),
                    "to": dict(Matter.Stage.choices).get(to_stage, to_stage),
                }
            )
        from_stage = locked.stage
        now = timezone.now()
        locked.stage = to_stage
        locked.stage_changed_at = now
        locked.save(update_fields=["stage", "stage_changed_at"])
        MatterStageChange.objects.create(
            matter=locked,
            from_stage=from_stage,
            to_stage=to_stage,
            changed_by=actor,
            note=note,
            changed_at=now,
        )
        TimelineEntry.objects.create(
            matter=locked,
            kind=TimelineEntry.Kind.STAGE,
            title=str(dict(Matter.Stage.choices)[to_stage]),
            body=note,
            occurred_at=now,
            shared_with_client=True,
            created_by=actor,
        )
        matter_news_notify(matter_id=locked.pk)
        events.publish(
            MatterStageChanged(
                matter_id=locked.pk,
                from_stage=from_stage,
                to_stage=to_stage,
                changed_by_id=actor.pk,
            )
        )
        audit_record(
            action=PortalAction.MATTER_STAGE_CHANGED,
            actor=actor,
            meta=meta,
            matter_id=locked.pk,
            obj=locked,
            data={"from": from_stage, "to": to_stage},
        )
    return locked


def timeline_entry_add(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    kind: str,
    title: str,
    body: str = "",
    occurred_at: dt.datetime | None = None,
    shared_with_client: bool = True,
    shared_with_cocounsel: bool = False,
    notify: bool = True,
) -> TimelineEntry:
    """Post an entry; a shared one tells the clients (unless `notify` is False)."""
    with transaction.atomic():
        entry = TimelineEntry(
            matter=matter,
            kind=kind,
            title=title,
            body=body,
            occurred_at=occurred_at or timezone.now(),
            shared_with_client=shared_with_client,
            shared_with_cocounsel=shared_with_cocounsel,
            created_by=actor,
        )
        entry.full_clean()
        entry.save()
        audit_record(
            action=PortalAction.TIMELINE_ADDED,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=entry,
            data={"kind": kind, "shared": shared_with_client, "cocounsel": shared_with_cocounsel},
        )
        if shared_with_client and notify:
            matter_news_notify(matter_id=matter.pk)
    return entry


def matter_record_view(*, user: User, meta: RequestMeta | None = None, matter: Matter) -> None:
    audit_record(
        action=PortalAction.MATTER_VIEWED, actor=user, meta=meta, matter_id=matter.pk, obj=matter
    )


def status_update_post_many(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matters: Sequence[Matter],
    title: str,
    body: str = "",
    kind: str = TimelineEntry.Kind.UPDATE,
    occurred_at: dt.datetime | None = None,
) -> list[TimelineEntry]:
    """One client-visible update on several matters; all or none are posted."""
    if not matters:
        raise ServiceError(_("Choose at least one matter."))
    if kind not in (TimelineEntry.Kind.UPDATE, TimelineEntry.Kind.EVENT):
        raise ServiceError(_("Choose a status update or a key event."))
    try:
        with transaction.atomic():
            return [
                timeline_entry_add(
                    actor=actor,
                    meta=meta,
                    matter=matter,
                    kind=kind,
                    title=title,
                    body=body,
                    occurred_at=occurred_at,
                    shared_with_client=True,
                )
                for matter in matters
            ]
    except ValidationError as exc:
        raise ServiceError(" ".join(str(m) for m in exc.messages)) from exc

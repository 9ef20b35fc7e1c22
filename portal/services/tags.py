"""Tags on contacts and matters, kept by firm admins: create, rename, merge, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import Contact, Matter, Tag, User
from portal.services.people import _validation_message


def _require_admin(actor: User) -> None:
    if not actor.is_firm_admin:
        raise ServiceError(_("Only firm admins change the tags."))


def _save(tag: Tag) -> Tag:
    tag.name = " ".join((tag.name or "").split())
    if not tag.name:
        raise ServiceError(_("Give the tag a name."))
    if tag.category not in Tag.Category.values:
        raise ServiceError(_("Choose a category from the list."))
    try:
        with transaction.atomic():
            tag.full_clean(validate_unique=False, validate_constraints=False)
            tag.save()
    except IntegrityError as exc:
        raise ServiceError(
            _("A tag with this name exists in this category already; merge them instead.")
        ) from exc
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    return tag


def tag_create(*, actor: User, meta: RequestMeta | None = None, name: str, category: str) -> Tag:
    _require_admin(actor)
    with transaction.atomic():
        tag = _save(Tag(name=name, category=category))
        audit_record(action=PortalAction.TAG_CREATED, actor=actor, meta=meta, obj=tag)
    return tag


def tag_update(
    *, actor: User, meta: RequestMeta | None = None, tag: Tag, name: str, category: str
) -> Tag:
    _require_admin(actor)
    with transaction.atomic():
        before = tag.name
        tag.name, tag.category = name, category
        tag = _save(tag)
        audit_record(
            action=PortalAction.TAG_UPDATED,
            actor=actor,
            meta=meta,
            obj=tag,
            data={"from": before, "to": tag.name},
        )
    return tag


def _move(through: Any, field: str, source: Tag, target: Tag) -> None:
    """Re-point one M2M table's rows from source to target, without duplicates."""
    have = set(through.objects.filter(tag_id=target.pk).values_list(field, flat=True))
    moving = through.objects.filter(tag_id=source.pk)
    through.objects.bulk_create(
        [
            through(**{field: owner, "tag_id": target.pk})
            for owner in moving.values_list(field, flat=True)
            if owner not in have
        ]
    )
    moving.delete()


def tag_merge(*, actor: User, meta: RequestMeta | None = None, source: Tag, target: Tag) -> Tag:
    """Everything tagged `source` is tagged `target` instead; `source` is deleted."""
    _require_admin(actor)
    if source.pk == target.pk:
        raise ServiceError(_("Choose another tag to merge into."))
    with transaction.atomic():
        _move(Contact.tags.through, "contact_id", source, target)
        _move(Matter.tags.through, "matter_id", source, target)
        audit_record(
            action=PortalAction.TAG_MERGED,
            actor=actor,
            meta=meta,
            obj=target,
            data={"merged": source.name, "into": target.name},
        )
        source.delete()
    return target


def tag_delete(*, actor: User, meta: RequestMeta | None = None, tag: Tag) -> None:
    _require_admin(actor)
    with transaction.atomic():
        audit_record(
            action=PortalAction.TAG_DELETED,
            actor=actor,
            meta=meta,
            obj=tag,
            data={"name": tag.name},
        )
        tag.delete()

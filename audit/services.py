"""Writing audit rows. Every app's services call audit_record for each state change."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from audit import actions
from audit.models import AuditEvent
from core.http import USER_AGENT_MAX, AtriumUser, RequestMeta

# Keys that never go into an audit row, whatever a caller passes.
SECRET_KEYS = frozenset(
    {
        "password",
        "password1",
        "password2",
        "token",
        "code",
        "secret",
        "body",
        "text",
        "csrfmiddlewaretoken",
    }
)

MatterKey = uuid.UUID | str | None


def clean_value(value: Any) -> Any:
    """A value safe to store: secrets dropped, lines escaped, sizes capped."""
    if isinstance(value, str):
        # Escaped so that a value can never forge a new line in an exported log.
        return value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")[:500]
    if isinstance(value, dict):
        return {
            str(k): clean_value(v) for k, v in value.items() if str(k).lower() not in SECRET_KEYS
        }
    if isinstance(value, list | tuple):
        return [clean_value(v) for v in value][:50]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return clean_value(str(value))


def _check(action: str) -> None:
    if not actions.is_declared(action):
        raise LookupError(f"audit action {action!r} is not declared (see audit/actions.py)")


def _row(
    *,
    action: str,
    actor: AtriumUser | None,
    meta: RequestMeta | None,
    matter_id: MatterKey,
    object_type: str,
    object_id: str,
    data: dict[str, Any] | None,
    actor_label: str,
    at: dt.datetime | None = None,
) -> AuditEvent:
    _check(action)
    label = actor_label or (actor.email if actor is not None else "")
    return AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        actor_label=clean_value(label)[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        matter_id=matter_id,
        ip=meta.ip if meta is not None else None,
        user_agent=clean_value(meta.user_agent if meta is not None else "")[:USER_AGENT_MAX],
        data=clean_value(data or {}),
        at=at or timezone.now(),
    )


def audit_record(
    *,
    action: str,
    actor: AtriumUser | None = None,
    meta: RequestMeta | None = None,
    matter_id: MatterKey = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """One row: `action` must be declared; `obj` is named by model name and pk."""
    row = _row(
        action=action,
        actor=actor,
        meta=meta,
        matter_id=matter_id,
        object_type=obj._meta.model_name or "" if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
        actor_label=actor_label,
    )
    row.save(force_insert=True)
    return row


def audit_record_many(
    *,
    action: str,
    actor: AtriumUser | None,
    meta: RequestMeta | None,
    matter_id: MatterKey,
    object_type: str,
    object_ids: Iterable[Any],
    at: dt.datetime | None = None,
) -> int:
    """The same action on many objects, in one INSERT (e.g. messages marked read)."""
    rows = [
        _row(
            action=action,
            actor=actor,
            meta=meta,
            matter_id=matter_id,
            object_type=object_type,
            object_id=str(pk),
            data=None,
            actor_label="",
            at=at,
        )
        for pk in object_ids
    ]
    AuditEvent.objects.bulk_create(rows)
    return len(rows)

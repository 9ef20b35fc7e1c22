"""The staff audit log page: which rows a staff member may read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from audit import selectors as audit_selectors
from portal.models import (
    Document,
    DocumentVersion,
    Folder,
    Matter,
    User,
)
from portal.selectors.matters import matters_visible_to

if TYPE_CHECKING:
    from audit.models import AuditEvent


def audit_events_for_staff(
    *,
    user: User,
    action: str = "",
    actor: str = "",
    matter_ref: str = "",
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[AuditEvent]:
    """The audit log a staff member may read: firm admins all of it, others the rows of
    the matters they may open and the rows of what they did themselves."""
    if not user.is_firm_staff:
        return audit_selectors.no_audit_events()
    visible = None
    if not user.is_firm_admin:
        visible = Q(matter_id__in=matters_visible_to(user).values("pk")) | Q(actor=user)
    matter_ids = (
        Matter.objects.filter(reference__icontains=matter_ref).values("pk") if matter_ref else None
    )
    return audit_selectors.audit_events(
        visible=visible,
        action=action,
        actor_label=actor,
        matter_ids=matter_ids,
        date_from=date_from,
        date_to=date_to,
    )


def audit_object_labels(*, events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """What each row is about in words ("Lease.pdf, version 2"), keyed by (type, id):
    one query per kind of object on the page, whatever the number of rows."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type in _LABELLED and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    labels: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        labels.update(_LABELLED[object_type](_valid_ids(object_type, ids)))
    return labels


def _valid_ids(object_type: str, ids: set[str]) -> list[Any]:
    field = _ID_FIELDS[object_type]
    valid = []
    for value in ids:
        try:
            valid.append(field.to_python(value))
        except ValidationError:
            continue
    return valid


def _version_labels(ids: list[Any]) -> dict[tuple[str, str], str]:
    rows = DocumentVersion.objects.filter(pk__in=ids).values_list("pk", "number", "document__name")
    return {
        ("documentversion", str(pk)): _("%(name)s, version %(number)s")
        % {"name": name, "number": number}
        for pk, number, name in rows
    }


def _document_labels(ids: list[Any]) -> dict[tuple[str, str], str]:
    rows = Document.objects.filter(pk__in=ids).values_list("pk", "name")
    return {("document", str(pk)): name for pk, name in rows}


def _folder_labels(ids: list[Any]) -> dict[tuple[str, str], str]:
    rows = Folder.objects.filter(pk__in=ids).values_list("pk", "name")
    return {("folder", str(pk)): _("folder %(name)s") % {"name": name} for pk, name in rows}


_LABELLED: dict[str, Callable[[list[Any]], dict[tuple[str, str], str]]] = {
    "documentversion": _version_labels,
    "document": _document_labels,
    "folder": _folder_labels,
}
_ID_FIELDS = {
    "documentversion": DocumentVersion._meta.pk,
    "document": Document._meta.pk,
    "folder": Folder._meta.pk,
}

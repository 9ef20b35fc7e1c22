"""The firm's edits to the notification texts."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import AtriumUser, RequestMeta
from core.languages import CODES
from notifications import registry
from notifications.audit_actions import NotificationsAction
from notifications.models import NotificationTemplate
from notifications.text import placeholders_in


def editable_placeholders(event: str) -> tuple[str, ...]:
    """The placeholders of an editable notice; () for an unknown or fixed one."""
    try:
        return registry.notice(event).placeholders
    except LookupError:
        return ()


def _check(*, event: str, channel: str, language: str, subject: str, body: str) -> None:
    allowed = editable_placeholders(event)
    if not allowed or channel not in ("email", "sms") or language not in CODES:
        raise ServiceError(_("This template does not exist."))
    if not body.strip():
        raise ServiceError(_("The text cannot be empty."))
    if channel == "email" and not subject.strip():
        raise ServiceError(_("An email needs a subject."))
    unknown = (placeholders_in(subject) | placeholders_in(body)) - set(allowed)
    if unknown:
        raise ServiceError(
            _("Unknown placeholder: %(names)s. You can use: %(allowed)s.")
            % {
                "names": ", ".join("{" + n + "}" for n in sorted(unknown)),
                "allowed": ", ".join("{" + n + "}" for n in allowed),
            }
        )


def template_save(
    *,
    actor: AtriumUser,
    meta: RequestMeta | None = None,
    event: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
) -> NotificationTemplate:
    subject = (subject or "").replace("\r", "").replace("\n", " ").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    if channel == "sms":
        subject = ""
    _check(event=event, channel=channel, language=language, subject=subject, body=body)
    with transaction.atomic():
        template, _created = NotificationTemplate.objects.select_for_update().get_or_create(
            event=event,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body": body, "updated_by_id": actor.pk},
        )
        if not _created:
            template.subject, template.body, template.updated_by_id = subject, body, actor.pk
            template.save(update_fields=["subject", "body", "updated_by", "updated_at"])
        # The wording itself is not logged, only which template changed.
        audit_record(
            action=NotificationsAction.TEMPLATE_CHANGED,
            actor=actor,
            meta=meta,
            obj=template,
            data={"event": event, "channel": channel, "language": language},
        )
    return template


def template_reset(
    *, actor: AtriumUser, meta: RequestMeta | None = None, event: str, channel: str, language: str
) -> None:
    with transaction.atomic():
        deleted, _detail = NotificationTemplate.objects.filter(
            event=event, channel=channel, language=language
        ).delete()
        if deleted:
            audit_record(
                action=NotificationsAction.TEMPLATE_CHANGED,
                actor=actor,
                meta=meta,
                data={"event": event, "channel": channel, "language": language, "reset": True},
            )

"""Secure messages: sending (with attachments) and marking read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, audit_record_many
from core.errors import ServiceError
from core.http import RequestMeta
from notifications import services as notifications
from notifications.outbox import object_key
from portal import selectors
from portal.audit_actions import PortalAction
from portal.models import (
    MESSAGE_MAX_CHARS,
    Matter,
    Message,
    User,
)
from portal.services.documents import _attachments_folder, document_upload
from portal.services.inbox import inbox_touch

MESSAGE_NOTICE = "message"


def _message_recipients(*, matter: Matter, side: str) -> list[User]:
    if side == Message.Side.FIRM:
        return list(
            User.objects.filter(
                contact__matters=matter, is_active=True, role=User.Role.CLIENT
            ).distinct()
        )
    staff_ids = {matter.responsible_lawyer_id, *matter.team.values_list("id", flat=True)}
    return list(User.objects.filter(pk__in=staff_ids, is_active=True))


def secure_message_notify(*, matter: Matter, recipients: list[User], sender: User) -> None:
    """Tell each recipient that a secure message waits for them, at most once per few minutes.

    Several messages within NOTIFICATIONS_MESSAGE_DIGEST_MINUTES of the first make one
    notice per recipient and matter. The notice carries no text and no file name, only a
    link (portal.notices). Runs inside the transaction that stores the message.
    """
    due_at = timezone.now() + dt.timedelta(minutes=settings.NOTIFICATIONS_MESSAGE_DIGEST_MINUTES)
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen or not user.is_active or user.pk == sender.pk:
            continue
        seen.add(user.pk)
        for channel in selectors.user_recipient(user).notice_channels():
            notifications.notice_batch_add(
                event=MESSAGE_NOTICE,
                key=f"message:{matter.pk}:{user.pk}",
                channel=channel,
                due_at=due_at,
                recipient_id=user.pk,
                about=object_key("matter", matter.pk),
            )


def message_send(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    matter: Matter,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> Message:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ServiceError(_("Write a message before sending."))
    if len(text) > MESSAGE_MAX_CHARS:
        raise ServiceError(
            _("A message can be at most %(n)s characters long.") % {"n": f"{MESSAGE_MAX_CHARS:,}"}
        )
    side = Message.Side.FIRM if actor.is_firm_side else Message.Side.CLIENT
    with transaction.atomic():
        message = Message.objects.create(
            matter=matter,
            sender=actor,
            side=side,
            text=text,
            # The promise in force when the client wrote judges the wait it starts.
            promise_hours=selectors.firm_get().response_hours
            if side == Message.Side.CLIENT
            else None,
        )
        if files:
            versions = document_upload(
                actor=actor,
                meta=meta,
                matter=matter,
                folder=_attachments_folder(matter),
                files=files,
                _bypass_folder_check=True,
                _notify=False,  # the message notice covers its attachments
            )
            message.attachments.set(versions)
        audit_record(
            action=PortalAction.MESSAGE_SENT,
            actor=actor,
            meta=meta,
            matter_id=matter.pk,
            obj=message,
            data={"side": side, "attachments": len(files), "chars": len(text)},
        )
        secure_message_notify(
            matter=matter, sender=actor, recipients=_message_recipients(matter=matter, side=side)
        )
        transaction.on_commit(inbox_touch)
    return message


NO_REPLY_REASON_MAX = 300


def message_mark_no_reply_needed(
    *, actor: User, message_id: Any, reason: str, meta: RequestMeta | None = None
) -> Message:
    """ "No reply needed" on a client message the client still waits on: the wait ends.

    Staff who may open the matter only; the reason is required and audited. A message
    the firm already answered, or one marked before, is refused (its wait has ended).
    """
    reason = " ".join((reason or "").split())
    if not getattr(actor, "is_firm_staff", False):
        raise ServiceError(_("Only the firm can mark messages as needing no reply."))
    if not reason:
        raise ServiceError(_("Say why no reply is needed."))
    if len(reason) > NO_REPLY_REASON_MAX:
        raise ServiceError(_("Keep the reason under 300 characters."))
    try:
        pk = uuid.UUID(str(message_id))
    except ValueError as exc:
        raise ServiceError(_("That message does not exist.")) from exc
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=pk, matter__in=selectors.matters_visible_to(actor).values("pk"))
            .select_related("matter")
            .first()
        )
        if message is None:
            raise ServiceError(_("That message does not exist."))
        if message.side != Message.Side.CLIENT:
            raise ServiceError(_("Only a client's message can need no reply."))
        if message.no_reply_needed_at is not None:
            raise ServiceError(_("This message is already marked as needing no reply."))
        if Message.objects.filter(
            matter_id=message.matter_id, side=Message.Side.FIRM, created_at__gt=message.created_at
        ).exists():
            raise ServiceError(_("The firm has already answered this message."))
        if Message.objects.filter(
            matter_id=message.matter_id,
            no_reply_needed_at__isnull=False,
            no_reply_needed_at__gt=message.created_at,
        ).exists():
            raise ServiceError(_("What the client wrote up to here already needs no reply."))
        message.no_reply_needed_at = timezone.now()
        message.no_reply_reason = reason
        message.no_reply_by = actor
        message.save(update_fields=["no_reply_needed_at", "no_reply_reason", "no_reply_by"])
        audit_record(
            action=PortalAction.MESSAGE_NO_REPLY,
            actor=actor,
            meta=meta,
            matter_id=message.matter_id,
            obj=message,
            data={"reason": reason},
        )
        transaction.on_commit(inbox_touch)
    return message


def messages_mark_read(
    *, user: User, meta: RequestMeta | None = None, matter: Matter, message_ids: Sequence[Any]
) -> int:
    """Mark the other side's unread messages as read, with one audit row each.

    Two queries whatever the number: the rows are written with bulk_create.
    """
    side = Message.Side.CLIENT if user.is_firm_side else Message.Side.FIRM
    # Co-counsel reading does not tell the firm the client has read it, and vice versa.
    if user.is_cocounsel or not message_ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        unread = list(
            Message.objects.select_for_update()
            .filter(
                matter=matter,
                pk__in=list(message_ids),
                side=side,
                read_at=None,
            )
            .values_list("pk", flat=True)
        )
        if not unread:
            return 0
        Message.objects.filter(pk__in=unread).update(read_at=now, read_by=user)
        audit_record_many(
            action=PortalAction.MESSAGE_READ,
            actor=user,
            meta=meta,
            matter_id=matter.pk,
            object_type="message",
            object_ids=unread,
            at=now,
        )
    return len(unread)

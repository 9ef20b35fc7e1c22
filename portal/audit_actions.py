"""The audit actions portal records (declared in PortalConfig.ready())."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalAction(models.TextChoices):
    LOGIN = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    LOGOUT = "auth.logout", _("Signed out")
    INVITATION_SENT = "invitation.sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    PERMISSION_GRANTED = "permission.granted", _("Access granted")
    PERMISSION_REVOKED = "permission.revoked", _("Access revoked")
    MATTER_CREATED = "matter.created", _("Matter created")
    MATTER_UPDATED = "matter.updated", _("Matter updated")
    MATTER_VIEWED = "matter.viewed", _("Matter viewed")
    MATTER_STAGE_CHANGED = "matter.stage_changed", _("Matter stage changed")
    TIMELINE_ADDED = "timeline.added", _("Timeline entry added")
    CONTACT_CREATED = "contact.created", _("Contact created")
    CONTACT_UPDATED = "contact.updated", _("Contact updated")
    CONSENT_GIVEN = "consent.given", _("Consent given")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    FIRM_UPDATED = "firm.updated", _("Firm settings changed")
    PREFERENCES_UPDATED = "user.preferences", _("Preferences changed")
    CALENDAR_TOKEN_ROTATED = "calendar.token_rotated", _("Calendar feed address changed")
    MESSAGE_SENT = "message.sent", _("Message sent")
    MESSAGE_READ = "message.read", _("Message read")
    DOCUMENT_UPLOADED = "document.uploaded", _("Document uploaded")
    DOCUMENT_VERSION = "document.version", _("New document version")
    DOCUMENT_VIEWED = "document.viewed", _("Document viewed")
    DOCUMENT_DOWNLOADED = "document.downloaded", _("Document downloaded")
    DOCUMENT_SHARED = "document.shared", _("Document sharing changed")
    DOCUMENT_DELETED = "document.deleted", _("Document deleted")
    DOCUMENT_RESTORED = "document.restored", _("Document restored")
    FOLDER_CREATED = "folder.created", _("Folder created")
    REQUEST_CREATED = "request.created", _("Documents requested")
    REQUEST_ITEM_SUBMITTED = "request.item_submitted", _("Requested document provided")
    REQUEST_ITEM_REVIEWED = "request.item_reviewed", _("Requested document reviewed")
    TASK_ASSIGNED = "task.assigned", _("Client task assigned")
    TASK_DONE = "task.done", _("Client task done")
    INBOX_NO_REPLY = "inbox.no_reply", _("Marked as needing no reply")

"""Portal models, one module per noun, all importable from portal.models."""

from __future__ import annotations

from portal.models.client_tasks import ClientTask
from portal.models.consents import ConsentRecord
from portal.models.documents import UNDO_DAYS, Document, DocumentVersion, Folder, version_key
from portal.models.firm import Firm, FirmClosure, FirmOfficeHours, FirmText
from portal.models.inbox import InboxDismissal
from portal.models.invitations import Invitation
from portal.models.matters import (
    Matter,
    MatterGroupObjectPermission,
    MatterStageChange,
    MatterUserObjectPermission,
    PracticeArea,
    TimelineEntry,
)
from portal.models.messages import MESSAGE_MAX_CHARS, Message
from portal.models.parties import ContactAlias, MatterParty
from portal.models.people import Contact, Tag, User, UserManager
from portal.models.profiles import SPOKEN_LANGUAGES, StaffProfile
from portal.models.requests import DocumentRequest, DocumentRequestItem
from portal.models.revisions import Revision
from portal.models.sharing import CoCounselGrant

__all__ = [
    "ClientTask",
    "CoCounselGrant",
    "ConsentRecord",
    "Contact",
    "ContactAlias",
    "Document",
    "DocumentRequest",
    "DocumentRequestItem",
    "DocumentVersion",
    "Firm",
    "FirmClosure",
    "FirmOfficeHours",
    "FirmText",
    "Folder",
    "InboxDismissal",
    "Invitation",
    "Matter",
    "MatterGroupObjectPermission",
    "MatterParty",
    "MatterStageChange",
    "MatterUserObjectPermission",
    "Message",
    "MESSAGE_MAX_CHARS",
    "PracticeArea",
    "Revision",
    "SPOKEN_LANGUAGES",
    "StaffProfile",
    "Tag",
    "TimelineEntry",
    "UNDO_DAYS",
    "User",
    "UserManager",
    "version_key",
]

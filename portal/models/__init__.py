"""Portal models, one module per area; everything is importable from portal.models."""

from portal.models.core import *  # noqa: F403
from portal.models.core import (  # noqa: F401
    CoCounselGrant,
    Contact,
    Firm,
    Invitation,
    Matter,
    MatterGroupObjectPermission,
    MatterStageChange,
    MatterUserObjectPermission,
    PracticeArea,
    Tag,
    TimelineEntry,
    User,
    UserManager,
)
from portal.models.documents import (  # noqa: F401
    MESSAGE_MAX_CHARS,
    UNDO_DAYS,
    ClientTask,
    Document,
    DocumentRequest,
    DocumentRequestItem,
    DocumentVersion,
    Folder,
    Message,
)

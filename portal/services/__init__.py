"""Every write of the portal app, one module per area, all re-exported here."""

from portal.services.core import *  # noqa: F403
from portal.services.core import (  # noqa: F401
    FIRM_CACHE_KEY,
    VIEW_MATTER,
    MatterData,
    ServiceError,
    _matter_sync_grants,
    audit_record,
    client_invite,
    client_ip,
    cocounsel_revoke,
    cocounsel_share,
    contact_create,
    contact_update,
    firm_update,
    invitation_accept,
    invitation_create,
    invitation_deliver,
    invitation_get_valid,
    matter_change_stage,
    matter_create,
    matter_record_view,
    matter_update,
    timeline_entry_add,
    user_calendar_token_rotate,
    user_preferences_update,
)

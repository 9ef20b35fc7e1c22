"""Access-checked reads of the portal app, one module per area, all re-exported here."""

from portal.selectors.core import *  # noqa: F403
from portal.selectors.core import (  # noqa: F401
    audit_events_for_staff,
    cocounsel_grant_get_for_staff,
    cocounsel_grants_for_matter,
    contact_get_for_staff,
    contacts_for_staff,
    firm_get,
    matter_detail_for_staff,
    matter_get_for_user,
    matter_list_for_client,
    matter_list_for_staff,
    matter_timeline_for_viewer,
    matters_visible_to,
    staff_members,
)

"""Every access-checked read of the portal app, one module per noun, all re-exported here.

Views and other apps import `from portal import selectors`, never a module inside it.
"""

from __future__ import annotations

from portal.selectors.audit_log import audit_events_for_staff, audit_object_labels
from portal.selectors.client_tasks import (
    client_task_get_for_user,
    client_tasks_due,
    client_tasks_for_viewer,
    open_tasks_for_client,
    overdue_tasks_for_staff,
)
from portal.selectors.documents import (
    document_get_for_user,
    documents_for_viewer,
    folder_get_for_user,
    folders_for_viewer,
    version_get_for_user,
)
from portal.selectors.firm import FIRM_CACHE_KEY, firm_get
from portal.selectors.firm_texts import (
    firm_text,
    firm_text_default,
    firm_text_is_custom,
    firm_texts_for_edit,
)
from portal.selectors.inbox import InboxRow, inbox_for_staff, inbox_waiting_count, with_inbox
from portal.selectors.matters import (
    matter_detail_for_staff,
    matter_get_for_user,
    matter_ids_for_client,
    matter_list_for_client,
    matter_list_for_staff,
    matter_timeline_for_viewer,
    matters_by_id,
    matters_for_client_by_ids,
    matters_visible_to,
)
from portal.selectors.messages import (
    ResponseTime,
    business_hours_between,
    matter_response_times,
    messages_for_viewer,
    response_times,
)
from portal.selectors.parties import (
    contacts_for_index,
    matter_parties_for_index,
    matter_parties_for_matter,
)
from portal.selectors.people import (
    active_staff,
    consents_for_contact,
    contact_by_id,
    contact_for_user,
    contact_get_for_staff,
    contact_is_account_holder,
    contact_recipient,
    contact_visible_or_none,
    contacts_for_staff,
    contacts_visible_to,
    staff_for_admin,
    staff_get_by_calendar_token,
    staff_get_for_admin,
    staff_members,
    staff_with,
    tag_get_for_admin,
    tags_for_admin,
    user_recipient,
    users_by_id,
)
from portal.selectors.profiles import (
    StaffCard,
    staff_card,
    staff_photo_get,
    staff_profile_for_edit,
)
from portal.selectors.requests import (
    document_requests_due,
    document_requests_for_viewer,
    request_item_get_for_user,
)
from portal.selectors.revisions import (
    client_task_get_for_staff,
    document_get_for_staff,
    document_request_get_for_staff,
    folder_get_for_staff,
    revisions_for,
    timeline_entry_get_for_staff,
)
from portal.selectors.search import (
    SEARCH_CONFIGS,
    SEARCH_MIN_CHARS,
    PeopleResults,
    SearchResults,
    people_and_references_for_staff,
    search_config,
    search_for_user,
)
from portal.selectors.sharing import cocounsel_grant_get_for_staff, cocounsel_grants_for_matter
from portal.selectors.silence import (
    silent_matter_get_for_user,
    silent_matters_by_lawyer,
    silent_matters_for_user,
)

__all__ = [
    "PeopleResults",
    "people_and_references_for_staff",
    "client_task_get_for_staff",
    "document_get_for_staff",
    "document_request_get_for_staff",
    "folder_get_for_staff",
    "revisions_for",
    "timeline_entry_get_for_staff",
    "InboxRow",
    "StaffCard",
    "inbox_for_staff",
    "inbox_waiting_count",
    "with_inbox",
    "contacts_for_index",
    "matter_parties_for_index",
    "matter_parties_for_matter",
    "active_staff",
    "audit_events_for_staff",
    "audit_object_labels",
    "business_hours_between",
    "client_task_get_for_user",
    "client_tasks_due",
    "client_tasks_for_viewer",
    "cocounsel_grant_get_for_staff",
    "cocounsel_grants_for_matter",
    "contact_for_user",
    "consents_for_contact",
    "contact_by_id",
    "contact_get_for_staff",
    "contact_is_account_holder",
    "contact_recipient",
    "contact_visible_or_none",
    "contacts_for_staff",
    "contacts_visible_to",
    "document_get_for_user",
    "document_requests_due",
    "document_requests_for_viewer",
    "documents_for_viewer",
    "FIRM_CACHE_KEY",
    "firm_get",
    "firm_text",
    "firm_text_default",
    "firm_text_is_custom",
    "firm_texts_for_edit",
    "folder_get_for_user",
    "folders_for_viewer",
    "matter_detail_for_staff",
    "matter_get_for_user",
    "matter_ids_for_client",
    "matter_list_for_client",
    "matters_for_client_by_ids",
    "matter_list_for_staff",
    "matter_response_times",
    "matter_timeline_for_viewer",
    "matters_by_id",
    "matters_visible_to",
    "messages_for_viewer",
    "open_tasks_for_client",
    "overdue_tasks_for_staff",
    "request_item_get_for_user",
    "response_times",
    "ResponseTime",
    "search_config",
    "SEARCH_CONFIGS",
    "search_for_user",
    "SEARCH_MIN_CHARS",
    "SearchResults",
    "silent_matter_get_for_user",
    "silent_matters_by_lawyer",
    "silent_matters_for_user",
    "staff_for_admin",
    "staff_card",
    "staff_photo_get",
    "staff_profile_for_edit",
    "tag_get_for_admin",
    "tags_for_admin",
    "staff_get_by_calendar_token",
    "staff_get_for_admin",
    "staff_members",
    "staff_with",
    "user_recipient",
    "users_by_id",
    "version_get_for_user",
]

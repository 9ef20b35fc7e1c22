"""Every write of the portal app, one module per noun, all re-exported here.

Views and other apps import `from portal import services`, never a module inside it.
"""

from __future__ import annotations

from portal.services.client_tasks import client_task_complete, client_task_create
from portal.services.consents import (
    consent_record,
    consent_text_sha256,
    consent_withdraw,
    sms_consent_give,
)
from portal.services.documents import (
    ATTACHMENTS_FOLDER,
    document_delete,
    document_record_download,
    document_record_view,
    document_restore,
    document_set_shared,
    document_upload,
    document_version_extract_text,
    document_version_rescan,
    documents_text_extract_pending,
    folder_create,
    folder_set_cocounsel,
    upload_sha256,
    uploads_check,
)
from portal.services.due_notices import due_reminders_queue
from portal.services.edits import (
    client_task_cancel,
    client_task_update,
    document_edit,
    document_request_update,
    document_request_withdraw,
    folder_rename,
    request_item_withdraw,
    timeline_entry_correct,
    timeline_entry_withdraw,
)
from portal.services.firm import (
    firm_closure_add,
    firm_closure_remove,
    firm_hours_update,
    firm_update,
)
from portal.services.firm_texts import firm_text_save
from portal.services.inbox import client_activity_notify, inbox_dismiss
from portal.services.invitations import (
    client_invite,
    invitation_accept,
    invitation_create,
    invitation_deliver,
    invitation_get_valid,
    invitations_unsent_deliver,
)
from portal.services.matters import (
    VIEW_MATTER,
    MatterData,
    matter_change_stage,
    matter_create,
    matter_record_view,
    matter_update,
    status_update_post_many,
    timeline_entry_add,
)
from portal.services.messages import (
    message_mark_no_reply_needed,
    message_send,
    messages_mark_read,
    secure_message_notify,
)
from portal.services.parties import (
    contact_alias_add,
    matter_party_add,
    matter_party_end,
    matter_party_set_role,
)
from portal.services.people import (
    DuplicateEmailError,
    contact_create,
    contact_for_booking,
    contact_for_intake,
    contact_reduce_to_stub,
    contact_update,
    user_calendar_token_rotate,
    user_preferences_update,
)
from portal.services.profiles import staff_profile_update
from portal.services.requests import (
    REQUESTS_FOLDER,
    document_request_create,
    request_item_review,
    request_item_upload,
)
from portal.services.sharing import cocounsel_revoke, cocounsel_share
from portal.services.silence import checkin_draft, checkin_send, silence_digest_send
from portal.services.staff import (
    staff_create,
    staff_invite_again,
    staff_role,
    staff_set_active,
    staff_set_role,
)
from portal.services.tags import tag_create, tag_delete, tag_merge, tag_update

__all__ = [
    "client_task_cancel",
    "client_task_update",
    "document_edit",
    "document_request_update",
    "document_request_withdraw",
    "folder_rename",
    "request_item_withdraw",
    "timeline_entry_correct",
    "timeline_entry_withdraw",
    "contact_alias_add",
    "matter_party_add",
    "matter_party_end",
    "matter_party_set_role",
    "ATTACHMENTS_FOLDER",
    "checkin_draft",
    "checkin_send",
    "client_activity_notify",
    "client_invite",
    "client_task_complete",
    "client_task_create",
    "cocounsel_revoke",
    "cocounsel_share",
    "consent_record",
    "consent_text_sha256",
    "consent_withdraw",
    "sms_consent_give",
    "DuplicateEmailError",
    "contact_create",
    "contact_for_booking",
    "contact_for_intake",
    "contact_reduce_to_stub",
    "contact_update",
    "document_delete",
    "document_record_download",
    "document_record_view",
    "document_request_create",
    "document_restore",
    "document_set_shared",
    "document_upload",
    "upload_sha256",
    "uploads_check",
    "document_version_extract_text",
    "documents_text_extract_pending",
    "document_version_rescan",
    "due_reminders_queue",
    "firm_text_save",
    "firm_closure_add",
    "firm_closure_remove",
    "firm_hours_update",
    "firm_update",
    "inbox_dismiss",
    "folder_create",
    "folder_set_cocounsel",
    "invitation_accept",
    "invitation_create",
    "invitation_deliver",
    "invitation_get_valid",
    "invitations_unsent_deliver",
    "matter_change_stage",
    "matter_create",
    "matter_record_view",
    "matter_update",
    "MatterData",
    "message_mark_no_reply_needed",
    "message_send",
    "messages_mark_read",
    "request_item_review",
    "request_item_upload",
    "REQUESTS_FOLDER",
    "secure_message_notify",
    "silence_digest_send",
    "staff_create",
    "staff_profile_update",
    "staff_invite_again",
    "staff_role",
    "staff_set_active",
    "staff_set_role",
    "status_update_post_many",
    "tag_create",
    "tag_delete",
    "tag_merge",
    "tag_update",
    "timeline_entry_add",
    "user_calendar_token_rotate",
    "user_preferences_update",
    "VIEW_MATTER",
]

from __future__ import annotations

from django.urls import path

from portal.views import (
    business_hours,
    client,
    client_tasks,
    documents,
    edits,
    help_pages,
    inbox,
    messages,
    parties,
    requests,
    search,
    silence,
    staff,
    tags,
    team,
    updates,
)

app_name = "portal"

urlpatterns = [
    path("", client.portal_home, name="home"),
    path("matters/<str:matter_id>/", client.matter_detail, name="matter-detail"),
    path("preferences/", client.preferences, name="preferences"),
    path("help/", help_pages.client_help, name="help"),
]

staff_urlpatterns = [
    path("", staff.staff_home, name="home"),
    path("contacts/", staff.contact_list, name="contact-list"),
    path("contacts/new/", staff.contact_create, name="contact-create"),
    path("contacts/<str:contact_id>/", staff.contact_detail, name="contact-detail"),
    path("contacts/<str:contact_id>/edit/", staff.contact_edit, name="contact-edit"),
    path("contacts/<str:contact_id>/invite/", staff.contact_invite, name="contact-invite"),
    path("matters/", staff.matter_list, name="matter-list"),
    path("matters/new/", staff.matter_create, name="matter-create"),
    path("matters/<str:matter_id>/", staff.matter_detail, name="matter-detail"),
    path("matters/<str:matter_id>/edit/", staff.matter_edit, name="matter-edit"),
    path("matters/<str:matter_id>/parties/", parties.matter_parties, name="matter-parties"),
    path(
        "matters/<str:matter_id>/parties/<int:party_id>/end/",
        parties.matter_party_end,
        name="matter-party-end",
    ),
    path("matters/<str:matter_id>/stage/", staff.matter_stage, name="matter-stage"),
    path(
        "matters/<str:matter_id>/timeline/", staff.matter_timeline_add, name="matter-timeline-add"
    ),
    path("matters/<str:matter_id>/share/", staff.matter_share, name="matter-share"),
    path("grants/<str:grant_id>/revoke/", staff.grant_revoke, name="grant-revoke"),
    path("audit/", staff.audit_log, name="audit-log"),
    path("audit/export.csv", staff.audit_export, name="audit-export"),
    path("settings/", staff.firm_settings, name="firm-settings"),
    path("settings/hours/", business_hours.firm_hours, name="firm-hours"),
    path("settings/hours/closures/", business_hours.firm_closure_add, name="firm-closure-add"),
    path(
        "settings/hours/closures/<int:closure_id>/remove/",
        business_hours.firm_closure_remove,
        name="firm-closure-remove",
    ),
    path("help/", help_pages.staff_help, name="help"),
    path("texts/<str:key>/", help_pages.firm_text_edit, name="firm-text-edit"),
]

# ---------------------------------------------------------------------------
# Messages, documents, requests, tasks and search (issue 3)
# ---------------------------------------------------------------------------
urlpatterns += [
    path("matters/<str:matter_id>/messages/", messages.message_list, name="message-list"),
    path("matters/<str:matter_id>/documents/", documents.document_list, name="document-list"),
    path("documents/<str:document_id>/", documents.document_detail, name="document-detail"),
    path(
        "versions/<str:version_id>/download/", documents.version_download, name="version-download"
    ),
    path("matters/<str:matter_id>/requests/", requests.request_list, name="request-list"),
    path(
        "request-items/<str:item_id>/upload/",
        requests.request_item_upload,
        name="request-item-upload",
    ),
    path("matters/<str:matter_id>/tasks/", client_tasks.task_list, name="task-list"),
    path("tasks/<str:task_id>/done/", client_tasks.task_done, name="task-done"),
    path("search/", search.search, name="search"),
]

staff_urlpatterns += [
    path("matters/<str:matter_id>/folders/new/", documents.folder_create, name="folder-create"),
    path(
        "folders/<str:folder_id>/cocounsel/",
        documents.folder_share_cocounsel,
        name="folder-share-cocounsel",
    ),
    path("documents/<str:document_id>/share/", documents.document_share, name="document-share"),
    path("documents/<str:document_id>/delete/", documents.document_delete, name="document-delete"),
    path(
        "documents/<str:document_id>/restore/", documents.document_restore, name="document-restore"
    ),
    path("matters/<str:matter_id>/requests/new/", requests.request_create, name="request-create"),
    path(
        "request-items/<str:item_id>/review/",
        requests.request_item_review,
        name="request-item-review",
    ),
    path("matters/<str:matter_id>/tasks/new/", client_tasks.task_create, name="task-create"),
    path("tasks/overdue/", client_tasks.tasks_overdue, name="tasks-overdue"),
    path("updates/", updates.status_update, name="status-update"),
    path("search/", search.staff_search, name="search"),
    path("notifications/silence/", silence.silence_list, name="silence-list"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("team/", team.team_list, name="team-list"),
    path("team/new/", team.team_create, name="team-create"),
    path("team/<str:staff_id>/", team.team_detail, name="team-detail"),
    path("team/<str:staff_id>/update/", team.team_update, name="team-update"),
    path("team/<str:staff_id>/profile/", team.team_profile, name="team-profile"),
    path("profile/", team.my_profile, name="profile"),
    path("tags/", tags.tag_list, name="tag-list"),
    path("tags/<str:tag_id>/", tags.tag_edit, name="tag-edit"),
    path("tags/<str:tag_id>/merge/", tags.tag_merge, name="tag-merge"),
    path("tags/<str:tag_id>/delete/", tags.tag_delete, name="tag-delete"),
    path("inbox/<str:matter_id>/no-reply/", inbox.inbox_dismiss, name="inbox-dismiss"),
    path(
        "messages/<str:message_id>/no-reply/",
        messages.message_no_reply,
        name="message-no-reply",
    ),
    path("notifications/silence/<str:matter_id>/", silence.silence_checkin, name="silence-checkin"),
]

# Correcting and withdrawing what staff posted (issue 12, item 4)
staff_urlpatterns += [
    path("timeline/<str:entry_id>/edit/", edits.timeline_edit, name="timeline-edit"),
    path("timeline/<str:entry_id>/withdraw/", edits.timeline_withdraw, name="timeline-withdraw"),
    path("tasks/<str:task_id>/edit/", edits.task_edit, name="task-edit"),
    path("tasks/<str:task_id>/cancel/", edits.task_cancel, name="task-cancel"),
    path("requests/<str:request_id>/edit/", edits.request_edit, name="request-edit"),
    path("requests/<str:request_id>/withdraw/", edits.request_withdraw, name="request-withdraw"),
    path(
        "request-items/<str:item_id>/withdraw/",
        edits.request_item_withdraw,
        name="request-item-withdraw",
    ),
    path("folders/<str:folder_id>/edit/", edits.folder_edit, name="folder-edit"),
    path("documents/<str:document_id>/edit/", edits.document_edit, name="document-edit"),
]

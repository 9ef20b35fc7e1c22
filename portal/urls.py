from __future__ import annotations

from django.urls import path

from portal.views import client, staff

app_name = "portal"

urlpatterns = [
    path("", client.portal_home, name="home"),
    path("matters/<str:matter_id>/", client.matter_detail, name="matter-detail"),
    path("preferences/", client.preferences, name="preferences"),
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
    path("matters/<str:matter_id>/stage/", staff.matter_stage, name="matter-stage"),
    path("matters/<str:matter_id>/timeline/", staff.matter_timeline_add,
         name="matter-timeline-add"),
    path("matters/<str:matter_id>/share/", staff.matter_share, name="matter-share"),
    path("grants/<str:grant_id>/revoke/", staff.grant_revoke, name="grant-revoke"),
    path("audit/", staff.audit_log, name="audit-log"),
    path("settings/", staff.firm_settings, name="firm-settings"),
]

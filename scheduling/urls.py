from __future__ import annotations

from django.urls import path

from scheduling.views import api, catalogue, connections, invitations, manage, public, staff

app_name = "scheduling"
urlpatterns = [
    path("book/", public.book, name="book"),
    path("book/<slug:slug>/", public.book_service, name="book-service"),
    path("manage/<str:token>/", manage.booking_detail, name="booking-detail"),
    path("manage/<str:token>/calendar.ics", manage.booking_ics, name="booking-ics"),
    path("manage/<str:token>/reschedule/", manage.booking_reschedule, name="booking-reschedule"),
    path("manage/<str:token>/cancel/", manage.booking_cancel, name="booking-cancel"),
    path("manage/<str:token>/release/", manage.booking_release, name="booking-release"),
    path("booking/confirm/<str:token>/", manage.booking_owner_check, name="booking-owner-check"),
    path("calendar/<str:token>.ics", manage.staff_feed, name="staff-feed"),
    path("api/slots/", api.api_slots, name="api-slots"),
    path("api/bookings/", api.api_bookings, name="api-bookings"),
    path("api/openapi.json", api.api_openapi, name="api-openapi"),
    path("staff/schedule/", staff.staff_calendar, name="staff-calendar"),
    path("staff/schedule/book/", staff.staff_book, name="staff-book"),
    path("staff/schedule/availability/", staff.staff_availability, name="staff-availability"),
    path(
        "staff/team/<str:staff_id>/hours/",
        staff.team_availability,
        name="team-availability",
    ),
    path("staff/schedule/calendars/", connections.staff_calendars, name="staff-calendars"),
    path(
        "staff/schedule/calendars/guide/",
        connections.staff_calendar_guide,
        name="staff-calendar-guide",
    ),
    path(
        "staff/schedule/calendars/setup/",
        connections.staff_calendar_setup,
        name="staff-calendar-setup",
    ),
    path(
        "staff/schedule/calendars/connect/<slug:provider>/",
        connections.staff_calendar_oauth_start,
        name="staff-calendar-oauth-start",
    ),
    path(
        "calendar/oauth/<slug:provider>/callback/",
        connections.calendar_oauth_callback,
        name="calendar-oauth-callback",
    ),
    path("calendar/push/google/", connections.calendar_push_google, name="calendar-push-google"),
    path(
        "calendar/push/microsoft/",
        connections.calendar_push_microsoft,
        name="calendar-push-microsoft",
    ),
    path(
        "staff/schedule/calendars/caldav/",
        connections.staff_calendar_caldav,
        name="staff-calendar-caldav",
    ),
    path(
        "staff/schedule/calendars/<uuid:calendar_id>/",
        connections.staff_calendar_detail,
        name="staff-calendar-detail",
    ),
    path(
        "staff/schedule/invitations/contact/<str:contact_id>/",
        invitations.contact_invitations,
        name="staff-contact-invitations",
    ),
    path(
        "staff/schedule/invitations/matter/<str:matter_id>/",
        invitations.matter_invitations,
        name="staff-matter-invitations",
    ),
    path(
        "staff/schedule/invitations/<str:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="staff-invitation-revoke",
    ),
    path("staff/services/", catalogue.staff_services, name="staff-services"),
    path("staff/services/new/", catalogue.staff_service_new, name="staff-service-new"),
    path(
        "staff/services/<uuid:service_id>/edit/",
        catalogue.staff_service_edit,
        name="staff-service-edit",
    ),
    path(
        "staff/services/<uuid:service_id>/archive/",
        catalogue.staff_service_archive,
        name="staff-service-archive",
    ),
    path(
        "staff/appointments/<uuid:appointment_id>/",
        staff.staff_appointment,
        name="staff-appointment",
    ),
    path(
        "staff/notifications/appointments/<uuid:appointment_id>/",
        staff.appointment_reminders,
        name="appointment-reminders",
    ),
    path(
        "staff/appointments/<uuid:appointment_id>/follow-up/",
        staff.staff_appointment_follow_up,
        name="staff-appointment-follow-up",
    ),
    path(
        "staff/appointments/<uuid:appointment_id>/<str:action>/",
        staff.staff_appointment_action,
        name="staff-appointment-action",
    ),
]

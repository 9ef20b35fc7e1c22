from __future__ import annotations

from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("book/", views.book, name="book"),
    path("book/<slug:slug>/", views.book_service, name="book-service"),
    path("manage/<str:token>/", views.booking_detail, name="booking-detail"),
    path("manage/<str:token>/calendar.ics", views.booking_ics, name="booking-ics"),
    path("manage/<str:token>/reschedule/", views.booking_reschedule, name="booking-reschedule"),
    path("manage/<str:token>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("calendar/<str:token>.ics", views.staff_feed, name="staff-feed"),
    path("api/slots/", views.api_slots, name="api-slots"),
    path("api/bookings/", views.api_bookings, name="api-bookings"),
    path("staff/schedule/", views.staff_calendar, name="staff-calendar"),
    path("staff/schedule/book/", views.staff_book, name="staff-book"),
    path("staff/schedule/availability/", views.staff_availability,
         name="staff-availability"),
    path("staff/services/", views.staff_services, name="staff-services"),
    path("staff/services/new/", views.staff_service_new, name="staff-service-new"),
    path("staff/services/<uuid:service_id>/edit/", views.staff_service_edit,
         name="staff-service-edit"),
    path("staff/services/<uuid:service_id>/archive/", views.staff_service_archive,
         name="staff-service-archive"),
    path("staff/appointments/<uuid:appointment_id>/", views.staff_appointment,
         name="staff-appointment"),
    path("staff/appointments/<uuid:appointment_id>/<str:action>/",
         views.staff_appointment_action, name="staff-appointment-action"),
]

from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("staff/notifications/templates/", views.template_list, name="template-list"),
    path(
        "staff/notifications/templates/<str:event>/<str:channel>/<str:language>/",
        views.template_edit,
        name="template-edit",
    ),
    path(
        "staff/notifications/templates/<str:event>/<str:channel>/<str:language>/reset/",
        views.template_reset,
        name="template-reset",
    ),
    path(
        "notifications/twilio/status/<uuid:delivery_id>/", views.twilio_status, name="twilio-status"
    ),
]

from __future__ import annotations

from django.urls import URLPattern, path

from insights.views import feedback, outside_contacts, pages

app_name = "insights"
urlpatterns: list[URLPattern] = []

# Feedback (the client's page by link; staff lists) and contacts outside the portal.
urlpatterns += [
    path("feedback/<str:token>/", feedback.feedback_page, name="feedback"),
    path("staff/insights/feedback/", feedback.feedback_list, name="feedback-list"),
    path(
        "staff/insights/feedback/<int:feedback_id>/done/",
        feedback.feedback_follow_up_done,
        name="feedback-done",
    ),
    path(
        "staff/insights/outside-contacts/contact/<str:contact_id>/",
        outside_contacts.outside_contact_new,
        name="outside-contact-new",
    ),
    path(
        "staff/insights/outside-contacts/matter/<str:matter_id>/",
        outside_contacts.outside_contact_new_for_matter,
        name="outside-contact-new-matter",
    ),
]

# The pages (spec insights.md §5, §7): the overview, its PDF, a metric's page and its CSV.
urlpatterns += [
    path("staff/insights/", pages.overview, name="overview"),
    path("staff/insights/overview.pdf", pages.overview_pdf, name="overview-pdf"),
    path("staff/insights/<slug:metric_id>.csv", pages.export_csv, name="metric-csv"),
    path("staff/insights/<slug:metric_id>/", pages.detail, name="metric-detail"),
]

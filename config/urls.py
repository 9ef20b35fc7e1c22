from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from config import health
from portal.urls import staff_urlpatterns
from portal.views import public

# The admin signs in through allauth, so it gets the same rate limits and MFA gate.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way
admin.site.site_header = "Atrium"

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("invite/<str:token>/", public.invitation_accept, name="invitation-accept"),
    path("i18n/language/", public.set_language, name="set-language"),
    path("i18n/time-zone/", public.set_time_zone, name="set-time-zone"),
    path("branding/logo", public.firm_logo, name="firm-logo"),
    path("people/photo/<str:key>/", public.staff_photo, name="staff-photo"),
    path("portal/", include("portal.urls", namespace="portal")),
    path("staff/", include((staff_urlpatterns, "staff"), namespace="staff")),
    path("admin/", admin.site.urls),
    path("", include("scheduling.urls", namespace="scheduling")),
    path("", include("billing.urls", namespace="billing")),
    path("", include("intake.urls", namespace="intake")),
    path("", include("insights.urls", namespace="insights")),
    path("", include("notifications.urls", namespace="notifications")),
]

handler404 = "portal.views.public.not_found"
handler500 = "portal.views.public.server_error"

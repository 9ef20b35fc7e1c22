"""Pages anyone may open: the home redirect, invitations, language and time zone."""

from __future__ import annotations

import mimetypes

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from core.http import RequestMeta
from core.validators import available_time_zones
from portal import selectors, services
from portal.forms import SetPasswordForm
from portal.middleware import TZ_COOKIE
from portal.selectors import firm_get


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    if user.is_firm_staff:
        return redirect("staff:home")
    return redirect("portal:home")


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_get_valid(token=token)
    if invitation is None:
        # One answer for unknown, used and expired links: nothing to enumerate.
        return render(request, "portal/invitation_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                meta=RequestMeta.from_request(request),
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
            return render(request, "portal/invitation_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # The password was just chosen: setting up two-step sign-in next does not ask
        # for it again (allauth reads this record, as after a sign-in with the password).
        record_authentication(request, user, method="password", email=user.email)
        messages.success(request, _("Your password is set. Welcome!"))
        return redirect("home")
    return render(
        request, "portal/invitation_accept.html", {"form": form, "email": invitation.email}
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in person's choice is remembered on their account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.user_preferences_update(
            user=request.user, meta=RequestMeta.from_request(request), language=language
        )
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_POST
def set_time_zone(request: HttpRequest) -> HttpResponse:
    """Remember the zone the browser reported (or the person chose) for anonymous pages."""
    tz_name = request.POST.get("time_zone", "")
    if tz_name not in available_time_zones():
        return JsonResponse({"error": _("Unknown time zone.")}, status=400)
    response = JsonResponse({"time_zone": tz_name})
    response.set_cookie(
        TZ_COOKIE,
        tz_name,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_GET
def firm_logo(request: HttpRequest) -> FileResponse:
    firm = firm_get()
    if not firm.logo:
        raise Http404
    try:
        handle = firm.logo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(firm.logo.name or "")[0] or "image/png"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
def staff_photo(request: HttpRequest, key: str) -> FileResponse:
    """A staff member's photo for the public booking page: always the JPEG we re-encoded
    (portal/photos.py), served from the private storage under its unguessable key."""
    profile = selectors.staff_photo_get(key=key)
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    # A new photo gets a new key, so the old address may be kept a day.
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-site"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the error page must render when the cache or the database is
    # what failed (no firm, no user, no context processors).
    # The nonce of the Content-Security-Policy (django-csp) lets its one <style> apply.
    nonce = str(getattr(request, "csp_nonce", ""))
    return HttpResponseServerError(loader.get_template("500.html").render({"csp_nonce": nonce}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)

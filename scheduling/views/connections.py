"""Staff pages for calendar connections: the list with health, one connection, the guide,
the Google and Microsoft sign-in and setup pages, and the push endpoints they call."""

from __future__ import annotations

import json
import time

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from portal.types import Request
from scheduling import selectors, services, tasks
from scheduling.forms import (
    CalDAVConnectForm,
    CalDAVPasswordForm,
    CalendarSettingsForm,
    ExternalCalendarForm,
)
from scheduling.models import ExternalCalendar


@staff_required
@require_http_methods(["GET", "POST"])
def staff_calendars(request: Request) -> HttpResponse:
    """Every connection the viewer manages (admins: the firm's), with its health."""
    form = ExternalCalendarForm()
    if request.method == "POST":
        form = ExternalCalendarForm(request.POST)
        if form.is_valid():
            try:
                services.external_calendar_add(
                    staff=request.user, meta=RequestMeta.from_request(request), **form.cleaned_data
                )
            except ServiceError as exc:
                form.add_error("url", str(exc))
            else:
                messages.success(request, _("Calendar added. Its busy times are read shortly."))
                return redirect("scheduling:staff-calendars")
    calendars = selectors.calendar_connections_visible_to(user=request.user)
    return render(
        request,
        "scheduling/staff_calendars.html",
        {
            "calendars": calendars,
            "form": form,
            "flagged": selectors.calendar_changes_flagged(user=request.user),
            "oauth": [
                (provider, provider.label)
                for provider in ExternalCalendar.Provider
                if services.oauth_connector(provider) is not None
            ],
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_calendar_detail(request: Request, calendar_id: str) -> HttpResponse:
    calendar = selectors.calendar_connection_get(user=request.user, calendar_id=calendar_id)
    meta = RequestMeta.from_request(request)
    settings_form = CalendarSettingsForm(initial={"fail_closed": calendar.fail_closed})
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "restore":
            link = selectors.calendar_change_get(
                user=request.user, link_id=request.POST.get("link")
            )
            services.calendar_event_restore(link=link, actor=request.user)
            messages.success(request, _("Atrium's version was put back in the calendar."))
            return redirect("scheduling:staff-calendars")
        if action == "sync":
            if calendar.status == calendar.Health.DISCONNECTED:
                raise Http404
            tasks.calendar_sync.delay(str(calendar.pk))
            messages.success(request, _("Reading the calendar now. Reload in a minute."))
            return redirect("scheduling:staff-calendar-detail", calendar_id=calendar.pk)
        if action == "settings":
            settings_form = CalendarSettingsForm(request.POST)
            if settings_form.is_valid():
                services.calendar_settings_update(
                    calendar=calendar,
                    actor=request.user,
                    meta=meta,
                    fail_closed=settings_form.cleaned_data["fail_closed"],
                )
                messages.success(request, _("Saved."))
                return redirect("scheduling:staff-calendar-detail", calendar_id=calendar.pk)
        elif action == "choose" and calendar.can_write:
            try:
                services.caldav_choose(
                    calendar=calendar,
                    busy_ids=request.POST.getlist("busy"),
                    write_id=request.POST.get("write", ""),
                    actor=request.user,
                    meta=meta,
                )
            except ServiceError as exc:
                messages.error(request, str(exc))
            else:
                tasks.calendar_sync.delay(str(calendar.pk))
                messages.success(request, _("Saved. The chosen calendars are read now."))
            return redirect("scheduling:staff-calendar-detail", calendar_id=calendar.pk)
        elif action == "password" and calendar.is_caldav:
            password_form = CalDAVPasswordForm(request.POST)
            if password_form.is_valid():
                try:
                    services.caldav_reconnect(
                        calendar=calendar,
                        password=password_form.cleaned_data["password"],
                        actor=request.user,
                        meta=meta,
                    )
                except ServiceError as exc:
                    messages.error(request, str(exc))
                else:
                    tasks.calendar_sync.delay(str(calendar.pk))
                    messages.success(request, _("Reconnected."))
            return redirect("scheduling:staff-calendar-detail", calendar_id=calendar.pk)
        elif action == "disconnect":
            services.connection_disconnect(calendar=calendar, actor=request.user, meta=meta)
            messages.success(request, _("Disconnected. Its busy times were deleted."))
            return redirect("scheduling:staff-calendar-detail", calendar_id=calendar.pk)
        elif action == "remove":
            services.external_calendar_remove(calendar=calendar, actor=request.user, meta=meta)
            messages.success(request, _("Calendar removed."))
            return redirect("scheduling:staff-calendars")
        else:
            raise Http404
    return render(
        request,
        "scheduling/staff_calendar_detail.html",
        {
            "calendar": calendar,
            "settings_form": settings_form,
            "password_form": CalDAVPasswordForm(),
        },
        status=400 if settings_form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff_calendar_caldav(request: Request) -> HttpResponse:
    """Connect a CalDAV account (iCloud, Nextcloud, Fastmail, Synology, Radicale)."""
    form = CalDAVConnectForm()
    if request.method == "POST":
        form = CalDAVConnectForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                calendar = services.caldav_connect(
                    staff=request.user,
                    url=data["url"],
                    username=data["username"],
                    password=data["password"],
                    name=data["name"],
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                tasks.calendar_sync.delay(str(calendar.pk))
                messages.success(
                    request,
                    _("Connected. Choose which calendars count as busy and where appointments go."),
                )
                return redirect("scheduling:staff-calendar-detail", calendar_id=calendar.pk)
    return render(
        request,
        "scheduling/staff_calendar_caldav.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def staff_calendar_guide(request: Request) -> HttpResponse:
    """How to subscribe to the staff feed in Google Calendar, Outlook and Apple Calendar."""
    user = request.user
    feed_url = ""
    if user.calendar_token:
        feed_url = absolute_url(
            reverse("scheduling:staff-feed", kwargs={"token": user.calendar_token})
        )
    return render(
        request,
        "scheduling/staff_calendar_guide.html",
        {"feed_url": feed_url, "webcal_url": feed_url.replace("https://", "webcal://", 1)},
    )


# --- Google and Microsoft (OAuth) -------------------------------------------------------

OAUTH_SESSION_KEY = "scheduling:calendar-oauth:%s"
# A sign-in started longer ago than this is refused at the callback (start again).
OAUTH_FLOW_SECONDS = 15 * 60


@staff_required
@require_POST
def staff_calendar_oauth_start(request: Request, provider: str) -> HttpResponse:
    """Send the staff member to Google or Microsoft to allow access to their calendars.

    The flow (state, PKCE verifier) stays in this session only; the callback accepts it
    once.
    """
    connector = services.oauth_connector(provider)
    if connector is None:
        raise Http404
    url, flow = connector.authorization_start(redirect_uri=selectors.oauth_redirect_uri(provider))
    request.session[OAUTH_SESSION_KEY % provider] = {
        "flow": flow,
        "staff": str(request.user.pk),
        "started": int(time.time()),
    }
    return redirect(url)


@staff_required
@require_GET
def calendar_oauth_callback(request: Request, provider: str) -> HttpResponse:
    """Where Google or Microsoft send the staff member back (the registered redirect URI)."""
    connector = services.oauth_connector(provider)
    if connector is None:
        raise Http404
    pending = request.session.pop(OAUTH_SESSION_KEY % provider, None)
    if (
        not isinstance(pending, dict)
        or pending.get("staff") != str(request.user.pk)
        or int(time.time()) - int(pending.get("started", 0)) > OAUTH_FLOW_SECONDS
    ):
        messages.error(
            request,
            _("This sign-in was already used or took too long. Start connecting again."),
        )
        return redirect("scheduling:staff-calendars")
    try:
        calendar = connector.authorization_finish(
            flow=pending.get("flow") or {},
            params={k: str(v) for k, v in request.GET.items()},
            redirect_uri=selectors.oauth_redirect_uri(provider),
            staff=request.user,
            actor=request.user,
            meta=RequestMeta.from_request(request),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("scheduling:staff-calendars")
    tasks.calendar_sync.delay(str(calendar.pk))
    messages.success(
        request,
        _("Connected. Choose which calendars count as busy and where appointments go."),
    )
    return redirect("scheduling:staff-calendar-detail", calendar_id=calendar.pk)


@firm_admin_required
@require_GET
def staff_calendar_setup(request: Request) -> HttpResponse:
    """Firm admins: register the firm's Google and Microsoft apps, checked step by step."""
    return render(
        request,
        "scheduling/staff_calendar_setup.html",
        {
            "providers": selectors.calendar_setup_checks(visited_host=request.get_host()),
            "push_allowed": services.push_allowed(),
        },
    )


@csrf_exempt
@require_POST
def calendar_push_google(request: HttpRequest) -> HttpResponse:
    """A Google channel says a calendar changed: check its token, then only queue a sync."""
    connector = services.oauth_connector(ExternalCalendar.Provider.GOOGLE)
    if connector is None:
        raise Http404
    calendar_id = connector.push_received(headers=request.headers)
    if calendar_id is None:
        return HttpResponseForbidden()
    tasks.calendar_sync.delay(str(calendar_id))
    return HttpResponse(status=200)


MAX_PUSH_BYTES = 1024 * 1024


@csrf_exempt
@require_POST
def calendar_push_microsoft(request: HttpRequest) -> HttpResponse:
    """Microsoft Graph notifications (and its endpoint validation): only ever queue syncs."""
    connector = services.oauth_connector(ExternalCalendar.Provider.MICROSOFT)
    if connector is None:
        raise Http404
    token = request.GET.get("validationToken")
    if token is not None:
        # Graph checks the endpoint by asking it to echo this token as plain text.
        return HttpResponse(token[:4096], content_type="text/plain; charset=utf-8")
    if len(request.body) > MAX_PUSH_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return HttpResponseBadRequest()
    if not isinstance(payload, dict):
        return HttpResponseBadRequest()
    calendar_ids = connector.push_received(payload=payload)
    if calendar_ids is None:
        return HttpResponseForbidden()
    for calendar_id in dict.fromkeys(calendar_ids):
        tasks.calendar_sync.delay(str(calendar_id))
    return HttpResponse(status=202)

"""The client (and co-counsel) portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.decorators import portal_user_required
from core.http import RequestMeta
from portal import selectors, services
from portal.forms import PreferencesForm, StaffPreferencesForm, time_zone_datalist
from portal.types import Request

PAGE_SIZE = 20


@portal_user_required
def portal_home(request: Request) -> HttpResponse:
    # One guardian lookup for the whole page: the ids, paged in memory, then this page's
    # matters; the open tasks (portal_extras) reuse the ids.
    ids = selectors.matter_ids_for_client(user=request.user)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.matters_for_client_by_ids(
        list(page.object_list), user=request.user
    )
    return render(request, "portal/home.html", {"page": page, "visible_matter_ids": ids})


@portal_user_required
def matter_detail(request: Request, matter_id: str) -> HttpResponse:
    user = request.user
    matter = selectors.matter_get_for_user(user=user, matter_id=matter_id)
    services.matter_record_view(user=user, meta=RequestMeta.from_request(request), matter=matter)
    timeline = selectors.matter_timeline_for_viewer(user=user, matter=matter)
    page = Paginator(timeline, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/matter_detail.html", {"matter": matter, "page": page})


@portal_user_required
def preferences(request: Request) -> HttpResponse:
    user = request.user
    # Without a saved zone, offer the one the pages use now (browser or firm), not UTC:
    # saving only a new language must not move every time the client sees.
    initial = {
        "language": user.language or request.LANGUAGE_CODE,
        "time_zone": user.time_zone or timezone.get_current_timezone_name(),
        "activity_notices": user.activity_notices,
    }
    form_class = StaffPreferencesForm if user.is_firm_staff else PreferencesForm
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(
            user=user,
            meta=RequestMeta.from_request(request),
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
            activity_notices=form.cleaned_data.get("activity_notices"),
        )
        messages.success(request, _("Your preferences are saved."))
        return redirect("portal:preferences")
    return render(
        request, "portal/preferences.html", {"form": form, "tz_choices": time_zone_datalist()}
    )

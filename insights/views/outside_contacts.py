"""Logging a contact outside the portal, from the staff contact and matter pages.

The pages carry a quick form (portal.staff_panels): open it, pick the channel, save;
it posts here. The same address shows the whole form (time, direction) on its own page,
and shows it again with the message when something was refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from insights import services
from insights.feedback_forms import OutsideContactForm
from portal import selectors as portal_selectors
from portal.types import Request


def _matters_of(user: Any, contact: Any) -> list[tuple[str, str]]:
    rows = portal_selectors.matters_visible_to(user).filter(clients=contact).order_by("reference")
    return [(str(m.pk), f"{m.reference} {m.title}") for m in rows]


def _clients_of(matter: Any) -> list[tuple[str, str]]:
    return [(str(c.pk), c.full_name) for c in matter.clients.order_by("last_name", "first_name")]


def _log(request: Request, form: OutsideContactForm, *, contact_id: Any, matter_id: Any) -> bool:
    """Save through the service; False (with the reason on the form) when refused."""
    try:
        services.outside_contact_log(
            actor=request.user,
            contact_id=contact_id,
            matter_id=matter_id or None,
            channel=form.cleaned_data["channel"],
            direction=form.cleaned_data["direction"],
            at=form.cleaned_data["at"],
            nudge=form.cleaned_data["nudge"],
            meta=RequestMeta.from_request(request),
        )
    except ServiceError as exc:
        form.add_error(None, str(exc))
        return False
    if form.cleaned_data["nudge"]:
        messages.success(
            request, _("Logged. The client will get our “please use the portal” text.")
        )
    else:
        messages.success(request, _("Logged."))
    return True


@staff_required
@require_http_methods(["GET", "POST"])
def outside_contact_new(request: Request, contact_id: str) -> HttpResponse:
    contact = portal_selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    matters = _matters_of(request.user, contact)
    form = OutsideContactForm(request.POST or None, matters=matters)
    if request.method == "POST" and form.is_valid():
        if _log(request, form, contact_id=contact.pk, matter_id=form.cleaned_data.get("matter")):
            return redirect("staff:contact-detail", contact_id=contact.pk)
    return render(
        request,
        "insights/outside_contact_form.html",
        {
            "form": form,
            "contact": contact,
            "action": reverse("insights:outside-contact-new", args=[contact.pk]),
            "back": reverse("staff:contact-detail", args=[contact.pk]),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def outside_contact_new_for_matter(request: Request, matter_id: str) -> HttpResponse:
    matter = portal_selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    clients = _clients_of(matter)
    form = OutsideContactForm(request.POST or None, contacts=clients)
    if request.method == "POST" and form.is_valid():
        if _log(request, form, contact_id=form.cleaned_data["contact"], matter_id=matter.pk):
            return redirect("staff:matter-detail", matter_id=matter.pk)
    return render(
        request,
        "insights/outside_contact_form.html",
        {
            "form": form,
            "matter": matter,
            "action": reverse("insights:outside-contact-new-matter", args=[matter.pk]),
            "back": reverse("staff:matter-detail", args=[matter.pk]),
        },
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------------
# The quick forms on portal's pages (portal.staff_panels)
# ---------------------------------------------------------------------------
def quick_form_for_contact(request: HttpRequest, contact: Any) -> str:
    form = OutsideContactForm(matters=_matters_of(request.user, contact))
    return render_to_string(
        "insights/_outside_contact_quick.html",
        {"form": form, "action": reverse("insights:outside-contact-new", args=[contact.pk])},
        request=request,
    )


def quick_form_for_matter(request: HttpRequest, matter: Any) -> str:
    clients = _clients_of(matter)
    if not clients:
        return ""
    form = OutsideContactForm(contacts=clients)
    return render_to_string(
        "insights/_outside_contact_quick.html",
        {
            "form": form,
            "action": reverse("insights:outside-contact-new-matter", args=[matter.pk]),
        },
        request=request,
    )

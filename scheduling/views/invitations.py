"""Staff pages: send, list and withdraw personal booking invitations (from a contact or a
matter page) for the firm's "invited only" services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors as portal_selectors
from portal.types import Request
from scheduling import selectors, services
from scheduling.forms import BookingInvitationForm

if TYPE_CHECKING:
    from portal.models import Contact, Matter


def _page(
    request: Request,
    *,
    contacts: list[Contact],
    matter: Matter | None,
    back_url: str,
    title: str,
    contact: Contact | None = None,
) -> HttpResponse:
    first = contacts[0] if contacts else None
    form = BookingInvitationForm(
        request.POST or None,
        contacts=contacts,
        initial={"email": first.email if first else "", "days": 14},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and contacts:
            chosen = form.chosen_contact()
            try:
                services.booking_invitation_create(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    service=form.cleaned_data["service"],
                    contact=chosen,
                    matter=matter,
                    email=form.cleaned_data["email"],
                    days=form.cleaned_data["days"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("The invitation is on its way to %(email)s.")
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect(request.path)
        status = 400
    rows = selectors.invitations_for_staff(user=request.user, contact=contact, matter=matter)
    return render(
        request,
        "scheduling/staff_invitations.html",
        {
            "title": title,
            "back_url": back_url,
            "form": form,
            "has_services": form.fields["service"].queryset.exists(),  # type: ignore[attr-defined]  # a ModelChoiceField
            "has_contacts": bool(contacts),
            "rows": [(r, selectors.invitation_status(r)) for r in rows],
            "return_to": request.path,
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def contact_invitations(request: Request, contact_id: str) -> HttpResponse:
    contact = portal_selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    return _page(
        request,
        contacts=[contact],
        matter=None,
        contact=contact,
        back_url=reverse("staff:contact-detail", kwargs={"contact_id": contact.pk}),
        title=contact.full_name,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def matter_invitations(request: Request, matter_id: str) -> HttpResponse:
    matter = portal_selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    return _page(
        request,
        contacts=list(matter.clients.all()),
        matter=matter,
        back_url=reverse("staff:matter-detail", kwargs={"matter_id": matter.pk}),
        title=f"{matter.reference} {matter.title}",
    )


@staff_required
@require_POST
def invitation_revoke(request: Request, invitation_id: str) -> HttpResponse:
    invitation = selectors.invitation_get_for_staff(user=request.user, invitation_id=invitation_id)
    # Only staff who may see the contact may withdraw its invitations.
    contact = portal_selectors.contact_get_for_staff(
        user=request.user, contact_id=invitation.contact_id
    )
    if services.booking_invitation_revoke(
        actor=request.user, invitation=invitation, meta=RequestMeta.from_request(request)
    ):
        messages.success(request, _("The invitation was withdrawn; its link no longer books."))
    else:
        messages.error(request, _("This invitation was already used, withdrawn or over."))
    back: Any = request.POST.get("next") or ""
    if not isinstance(back, str) or not back.startswith("/staff/") or "//" in back:
        back = reverse("scheduling:staff-contact-invitations", kwargs={"contact_id": contact.pk})
    return redirect(back)

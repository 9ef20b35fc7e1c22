"""Staff page of a matter's parties: who is on it and in what role (for conflict checks)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
from portal.models import MatterParty
from portal.types import Request


@staff_required
@require_http_methods(["GET", "POST"])
def matter_parties(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    if request.method == "POST":
        first = request.POST.get("first_name", "").strip()[:80]
        last = request.POST.get("last_name", "").strip()[:80]
        organisation = request.POST.get("organisation_name", "").strip()[:200]
        role = request.POST.get("role", "")
        meta = RequestMeta.from_request(request)
        try:
            if not (first and last) and not organisation:
                raise ServiceError(_("Give a first and last name, or an organisation."))
            contact = services.contact_create(
                actor=request.user,
                meta=meta,
                data={
                    "kind": "other_party",
                    "first_name": first or organisation[:80],
                    "last_name": last or "-",
                    "organisation_name": organisation,
                },
            )
            services.matter_party_add(
                actor=request.user,
                meta=meta,
                matter=matter,
                contact=contact,
                role=role,
                note=request.POST.get("note", ""),
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Party added; the conflict check runs again for this matter.")
            )
            return redirect("staff:matter-parties", matter_id=matter.pk)
    return render(
        request,
        "staff/matter_parties.html",
        {
            "matter": matter,
            "parties": selectors.matter_parties_for_matter(matter=matter),
            "roles": MatterParty.Role.choices,
        },
    )


@staff_required
@require_POST
def matter_party_end(request: Request, matter_id: str, party_id: int) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    party = next(
        (p for p in selectors.matter_parties_for_matter(matter=matter) if p.pk == party_id), None
    )
    if party is None:
        raise Http404
    services.matter_party_end(
        actor=request.user, meta=RequestMeta.from_request(request), party=party
    )
    return redirect("staff:matter-parties", matter_id=matter.pk)

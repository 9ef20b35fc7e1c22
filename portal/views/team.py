"""Staff accounts for firm admins: the list, invite, role, sign-in on and off, MFA status;
and the booking page profile every staff member keeps (admins keep anyone's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from portal import selectors, services
from portal.forms import StaffCreateForm, StaffProfileForm, StaffRoleForm
from portal.models import User
from portal.types import Request


@firm_admin_required
def team_list(request: Request) -> HttpResponse:
    people = list(selectors.staff_for_admin(user=request.user))
    for person in people:
        person.staff_role = services.staff_role(person)  # type: ignore[attr-defined]  # display
    return render(request, "staff/team_list.html", {"people": people})


@firm_admin_required
def team_create(request: Request) -> HttpResponse:
    form = StaffCreateForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_create(
                actor=request.user, meta=RequestMeta.from_request(request), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(email)s can now set a password from the invitation we sent.")
                % {"email": user.email},
            )
            return redirect("staff:team-detail", staff_id=user.pk)
    return render(request, "staff/team_form.html", {"form": form})


@firm_admin_required
def team_detail(request: Request, staff_id: str) -> HttpResponse:
    person = selectors.staff_get_for_admin(user=request.user, staff_id=staff_id)
    role = services.staff_role(person)
    return render(
        request,
        "staff/team_detail.html",
        {"person": person, "role": role, "form": StaffRoleForm(initial={"role": role})},
    )


@firm_admin_required
@require_POST
def team_update(request: Request, staff_id: str) -> HttpResponse:
    person = selectors.staff_get_for_admin(user=request.user, staff_id=staff_id)
    meta = RequestMeta.from_request(request)
    action = request.POST.get("action", "")
    try:
        if action == "role":
            form = StaffRoleForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Choose lawyer, paralegal or firm admin."))
            services.staff_set_role(
                actor=request.user, meta=meta, user=person, role=form.cleaned_data["role"]
            )
            messages.success(request, _("The role is changed from the next page they open."))
        elif action in ("deactivate", "reactivate"):
            services.staff_set_active(
                actor=request.user, meta=meta, user=person, active=action == "reactivate"
            )
            messages.success(
                request,
                _("Sign-in is on again.")
                if action == "reactivate"
                else _("Sign-in is off and every session has ended."),
            )
        elif action == "invite":
            services.staff_invite_again(actor=request.user, meta=meta, user=person)
            messages.success(request, _("A new invitation is on its way."))
        else:
            raise ServiceError(_("Choose what to change."))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("staff:team-detail", staff_id=person.pk)


def _profile_page(request: Request, person: User, *, back: str) -> HttpResponse:
    profile = selectors.staff_profile_for_edit(user=person)
    form = StaffProfileForm(
        request.POST or None,
        request.FILES or None,
        instance=profile,
        firm_language=selectors.firm_get().default_language,
    )
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in StaffProfileForm.Meta.fields}
        try:
            services.staff_profile_update(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                user=person,
                data=data,
                photo=form.cleaned_data.get("photo_upload"),
                clear_photo=form.cleaned_data.get("clear_photo", False),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The profile is saved; the booking page shows it now."))
            return redirect(request.path)
    return render(
        request,
        "staff/profile_form.html",
        {
            "form": form,
            "person": person,
            "profile": selectors.staff_profile_for_edit(user=person),
            "own": person.pk == request.user.pk,
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@staff_required
def my_profile(request: Request) -> HttpResponse:
    """The signed-in staff member's own profile on the booking page."""
    return _profile_page(request, request.user, back="staff:home")


@firm_admin_required
def team_profile(request: Request, staff_id: str) -> HttpResponse:
    person = selectors.staff_get_for_admin(user=request.user, staff_id=staff_id)
    return _profile_page(request, person, back="staff:team-detail")

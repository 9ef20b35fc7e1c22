"""Staff pages: contacts, matters, sharing, the audit log and firm settings."""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.csv_export import safe_text
from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.forms import flash_form_errors
from core.http import RequestMeta
from portal import contact_sections, selectors, services, staff_panels
from portal.forms import (
    AuditFilterForm,
    ContactForm,
    FirmForm,
    MatterForm,
    ShareForm,
    StageForm,
    TimelineEntryForm,
    time_zone_datalist,
)
from portal.models import Contact, Matter, Tag
from portal.types import Request

PAGE_SIZE = 25


@staff_required
def staff_home(request: Request) -> HttpResponse:
    user = request.user
    mine = selectors.matter_list_for_staff(user=user)[:10]
    # Open items from the apps above portal ("Call the client back" after low feedback).
    panels = staff_panels.render(staff_panels.HOME, request=request)
    return render(request, "staff/home.html", {"matters": mine, "panels": panels})


# ---------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------
@staff_required
def contact_list(request: Request) -> HttpResponse:
    # Every filter lives in the address (a list can be bookmarked and shared); a value
    # that is not on offer is ignored, never an error.
    query = request.GET.get("q", "")[:100]
    tags = list(Tag.objects.all())
    tag = _choice(request, "tag", [str(t.pk) for t in tags])
    kind = _choice(request, "kind", Contact.Kind.values)
    stage = _choice(request, "stage", Matter.Stage.values)
    priority = _choice(request, "priority", Matter.Priority.values)
    contacts = selectors.contacts_for_staff(
        user=request.user,
        query=query,
        tag=int(tag) if tag else None,
        kind=kind,
        stage=stage,
        priority=priority,
    )
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/contact_list.html",
        {
            "page": page,
            "q": query,
            "tag": tag,
            "kind": kind,
            "stage": stage,
            "priority": priority,
            "filtered": bool(query or tag or kind or stage or priority),
            "tag_groups": _tag_groups(tags),
            "kinds": Contact.Kind.choices,
            "stages": Matter.Stage.choices,
            "priorities": Matter.Priority.choices,
        },
    )


def _choice(request: Request, name: str, allowed: list[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _tag_groups(tags: list[Tag]) -> list[tuple[str, list[Tag]]]:
    """The tags under their category's name, in the categories' order."""
    labels = dict(Tag.Category.choices)
    groups: dict[str, list[Tag]] = {}
    for t in tags:
        groups.setdefault(t.category, []).append(t)
    return [(str(labels.get(cat, cat)), items) for cat, items in groups.items()]


@staff_required
def contact_create(request: Request) -> HttpResponse:
    form = ContactForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "tags"}
        try:
            contact = services.contact_create(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                data=data,
                tags=form.cleaned_data["tags"],
            )
        except services.DuplicateEmailError as exc:
            duplicate = _duplicate_notice(request, form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Contact saved."))
            return redirect("staff:contact-detail", contact_id=contact.pk)
    return render(
        request,
        "staff/contact_form.html",
        {"form": form, "duplicate": duplicate, "tz_choices": time_zone_datalist()},
    )


def _duplicate_notice(
    request: Request, form: ContactForm, exc: services.DuplicateEmailError
) -> dict[str, Any]:
    """The email field's error, and what the page says of the contact who has the address:
    a link when this staff member may open that contact, else whom to ask."""
    form.add_error("email", str(exc))
    existing = selectors.contact_visible_or_none(user=request.user, contact_id=exc.existing.pk)
    return {"contact": existing}


@staff_required
def contact_detail(request: Request, contact_id: str) -> HttpResponse:
    contact = selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    matters = selectors.matters_visible_to(request.user).filter(clients=contact)
    return render(
        request,
        "staff/contact_detail.html",
        {
            "contact": contact,
            "matters": matters,
            "invitations": contact.invitations.all()[:5],
            "consents": selectors.consents_for_contact(user=request.user, contact=contact),
            # Appointments and invoices, from the apps above portal.
            "sections": contact_sections.sections(user=request.user, contact=contact),
            "quick_actions": staff_panels.render(
                staff_panels.CONTACT, request=request, obj=contact
            ),
        },
    )


@staff_required
def contact_edit(request: Request, contact_id: str) -> HttpResponse:
    contact = selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    form = ContactForm(request.POST or None, instance=contact)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "tags"}
        # The ModelForm already copied the values onto the instance; reload so the service
        # sees what changed.
        contact.refresh_from_db()
        try:
            services.contact_update(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                contact=contact,
                data=data,
                tags=form.cleaned_data["tags"],
            )
        except services.DuplicateEmailError as exc:
            duplicate = _duplicate_notice(request, form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Contact saved."))
            return redirect("staff:contact-detail", contact_id=contact.pk)
    if request.method == "POST":
        contact.refresh_from_db()
    return render(
        request,
        "staff/contact_form.html",
        {
            "form": form,
            "contact": contact,
            "duplicate": duplicate,
            "tz_choices": time_zone_datalist(),
        },
    )


@require_POST
@staff_required
def contact_invite(request: Request, contact_id: str) -> HttpResponse:
    contact = selectors.contact_get_for_staff(user=request.user, contact_id=contact_id)
    try:
        services.client_invite(
            actor=request.user, meta=RequestMeta.from_request(request), contact=contact
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": contact.email})
    return redirect("staff:contact-detail", contact_id=contact.pk)


# ---------------------------------------------------------------------------
# Matters
# ---------------------------------------------------------------------------
@staff_required
def matter_list(request: Request) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    stage = request.GET.get("stage", "")
    stage = stage if stage in Matter.Stage.values else ""
    matters = selectors.with_inbox(
        selectors.matter_list_for_staff(user=request.user, query=query, stage=stage)
    )
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/matter_list.html",
        {"page": page, "q": query, "stage": stage, "stages": Matter.Stage.choices},
    )


def _matter_data(form: MatterForm) -> services.MatterData:
    data = form.cleaned_data
    return services.MatterData(
        reference=data["reference"],
        title=data["title"],
        practice_area=data["practice_area"],
        priority=data["priority"],
        responsible_lawyer=data["responsible_lawyer"],
        team=list(data["team"]),
        clients=list(data["clients"]),
        tags=list(data["tags"]),
    )


@staff_required
def matter_create(request: Request) -> HttpResponse:
    form = MatterForm(
        request.POST or None, user=request.user, initial={"responsible_lawyer": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            matter = services.matter_create(
                actor=request.user, meta=RequestMeta.from_request(request), data=_matter_data(form)
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Matter created."))
            return redirect("staff:matter-detail", matter_id=matter.pk)
    return render(request, "staff/matter_form.html", {"form": form})


@staff_required
def matter_detail(request: Request, matter_id: str) -> HttpResponse:
    user = request.user
    matter = selectors.matter_detail_for_staff(user=user, matter_id=matter_id)
    services.matter_record_view(user=user, meta=RequestMeta.from_request(request), matter=matter)
    return _matter_page(request, matter)


def _matter_page(
    request: Request,
    matter: Matter,
    *,
    timeline_form: TimelineEntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The staff matter page; a refused timeline form comes back with what was typed."""
    user = request.user
    timeline = selectors.matter_timeline_for_viewer(user=user, matter=matter)[:50]
    allowed = [(s, label) for s, label in Matter.Stage.choices if matter.can_move_to(s)]
    return render(
        request,
        "staff/matter_detail.html",
        {
            "matter": matter,
            "timeline": timeline,
            "clients": matter.clients.select_related("user"),
            "team": matter.team.all(),
            "grants": selectors.cocounsel_grants_for_matter(matter=matter),
            "stage_form": StageForm(initial={"stage": allowed[0][0] if allowed else ""}),
            "allowed_stages": allowed,
            "timeline_form": timeline_form
            or TimelineEntryForm(initial={"occurred_at": timezone.localtime()}),
            "share_form": ShareForm(),
            "stage_history": matter.stage_changes.select_related("changed_by")[:20],
            "quick_actions": staff_panels.render(staff_panels.MATTER, request=request, obj=matter),
        },
        status=status,
    )


@staff_required
def matter_edit(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    initial = {
        "reference": matter.reference,
        "title": matter.title,
        "practice_area": matter.practice_area,
        "priority": matter.priority,
        "responsible_lawyer": matter.responsible_lawyer_id,
        "team": list(matter.team.values_list("pk", flat=True)),
        "clients": list(matter.clients.values_list("pk", flat=True)),
        "tags": list(matter.tags.values_list("pk", flat=True)),
    }
    form = MatterForm(request.POST or None, initial=initial, matter=matter, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.matter_update(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                matter=matter,
                data=_matter_data(form),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Matter saved."))
            return redirect("staff:matter-detail", matter_id=matter.pk)
    return render(request, "staff/matter_form.html", {"form": form, "matter": matter})


@require_POST
@staff_required
def matter_stage(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage from the list."))
    else:
        try:
            services.matter_change_stage(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                matter=matter,
                to_stage=form.cleaned_data["stage"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Stage changed."))
    return redirect("staff:matter-detail", matter_id=matter.pk)


@require_POST
@staff_required
def matter_timeline_add(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    form = TimelineEntryForm(request.POST)
    if form.is_valid():
        services.timeline_entry_add(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            matter=matter,
            **form.cleaned_data,
        )
        messages.success(request, _("Added to the timeline."))
        return redirect("staff:matter-detail", matter_id=matter.pk)
    return _matter_page(request, matter, timeline_form=form, status=400)


@require_POST
@staff_required
def matter_share(request: Request, matter_id: str) -> HttpResponse:
    matter = selectors.matter_detail_for_staff(user=request.user, matter_id=matter_id)
    form = ShareForm(request.POST)
    if form.is_valid():
        tz = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
        end_of_day = dt.datetime.combine(
            form.cleaned_data["expires_on"], dt.time(23, 59, 59), tzinfo=tz
        )
        try:
            services.cocounsel_share(
                actor=request.user,
                meta=RequestMeta.from_request(request),
                matter=matter,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                expires_at=end_of_day,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The matter is shared."))
    else:
        flash_form_errors(request, form)
    return redirect("staff:matter-detail", matter_id=matter.pk)


@require_POST
@staff_required
def grant_revoke(request: Request, grant_id: str) -> HttpResponse:
    grant = selectors.cocounsel_grant_get_for_staff(user=request.user, grant_id=grant_id)
    services.cocounsel_revoke(
        actor=request.user, meta=RequestMeta.from_request(request), grant=grant
    )
    messages.success(request, _("Access revoked."))
    return redirect("staff:matter-detail", matter_id=grant.matter_id)


# ---------------------------------------------------------------------------
# Audit log and firm settings
# ---------------------------------------------------------------------------
@staff_required
def audit_log(request: Request) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(_audit_rows(request, form), 50).get_page(request.GET.get("page"))
    _label_rows(list(page))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "staff/audit_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


# One export holds at most this many rows (newest first); narrow the filters for older ones.
AUDIT_EXPORT_MAX_ROWS = 10_000


@staff_required
def audit_export(request: Request) -> HttpResponse:
    """The filtered audit log as CSV (UTF-8 with a BOM, so spreadsheets read Polish)."""
    form = AuditFilterForm(request.GET or None)
    rows = list(_audit_rows(request, form)[:AUDIT_EXPORT_MAX_ROWS])
    _label_rows(rows)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("When (UTC)"),
            _("Who"),
            _("Action"),
            _("What"),
            _("Object"),
            _("Matter"),
            _("IP address"),
        ]
    )
    for event in rows:
        writer.writerow(
            _csv_safe(value)
            for value in (
                event.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_label,
                event.action,
                event.action_label,
                event.object_label,
                event.matter.reference if event.matter else "",
                event.ip or "",
            )
        )
    return response


def _audit_rows(request: Request, form: AuditFilterForm) -> Any:
    filters = form.cleaned_data if form.is_valid() else {}
    return selectors.audit_events_for_staff(
        user=request.user,
        action=filters.get("action", ""),
        actor=filters.get("actor", ""),
        matter_ref=filters.get("matter", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )


def _label_rows(events: list[Any]) -> None:
    """Each row's matter and what it is about in words, for the page or the export."""
    matters = selectors.matters_by_id(ids={e.matter_id for e in events})
    labels = selectors.audit_object_labels(events=events)
    for event in events:
        event.matter = matters.get(event.matter_id)
        event.object_label = labels.get((event.object_type, event.object_id), "")


def _csv_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (names are typed by
    people): the one escaping every export uses (core.csv_export)."""
    return safe_text(value)


@firm_admin_required
def firm_settings(request: Request) -> HttpResponse:
    firm = selectors.firm_get()
    form = FirmForm(request.POST or None, request.FILES or None, instance=firm)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in FirmForm.Meta.fields}
        services.firm_update(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            data=data,
            logo=form.cleaned_data.get("logo_upload"),
            clear_logo=form.cleaned_data.get("clear_logo", False),
        )
        messages.success(request, _("Firm settings saved."))
        return redirect("staff:firm-settings")
    return render(
        request, "staff/firm_settings.html", {"form": form, "tz_choices": time_zone_datalist()}
    )

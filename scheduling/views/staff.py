"""Staff pages: the schedule, booking for a client, one appointment, working hours."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import firm_admin_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from core.time import day_window, parse_date, wall_clock_to_utc
from core.validators import date_in_sane_range
from portal import selectors as portal_selectors
from portal import services as portal_services
from portal.types import Request
from scheduling import selectors, services
from scheduling.forms import (
    AvailabilityRuleForm,
    ExternalCalendarForm,
    FollowUpForm,
    StaffBookingForm,
    StaffRescheduleForm,
)
from scheduling.models import AvailabilityRule, ExternalCalendar

if TYPE_CHECKING:
    from portal.models import User


def _local_dt(value: dt.datetime, tz: str) -> dt.datetime:
    """A naive wall-clock time from a datetime-local input, in this zone, to UTC."""
    try:
        return wall_clock_to_utc(value, tz)
    except (OverflowError, ValueError) as exc:
        raise ServiceError(_("Enter a date within the next years.")) from exc


@staff_required
@require_GET
def staff_calendar(request: Request) -> HttpResponse:
    staff_all = selectors.staff_list()
    me = request.user
    wanted = request.GET.get("staff", "")
    staff = next((s for s in staff_all if str(s.pk) == wanted), None) or (
        me if me in staff_all or not staff_all else staff_all[0]
    )
    tz = timezone.get_current_timezone_name()
    zone = ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    day = parse_date(request.GET.get("date"), default=today)
    # Keep the window where dates exist (and views make sense).
    day = min(max(day, today - dt.timedelta(days=3650)), today + dt.timedelta(days=3650))
    week = request.GET.get("view") == "week"
    first = day - dt.timedelta(days=day.weekday()) if week else day
    last = first + dt.timedelta(days=6) if week else day
    start, end = day_window(start=first, end=last, zone=zone)
    rows = selectors.appointments_for_staff_range(staff=staff, start=start, end=end, viewer=me)
    days = []
    for i in range((last - first).days + 1):
        d = first + dt.timedelta(days=i)
        days.append((d, [a for a in rows if a.start_at.astimezone(zone).date() == d]))
    step = dt.timedelta(days=7 if week else 1)
    return render(
        request,
        "scheduling/staff_calendar.html",
        {
            "staff_all": staff_all,
            "staff": staff,
            "days": days,
            "week": week,
            "day": day,
            "prev": day - step,
            "next": day + step,
            "zone": zone,
        },
    )


def _confirmed_starts(request: Request) -> list[dt.datetime] | None:
    """The series dates staff saw and confirmed (hidden fields), None when unreadable."""
    values = request.POST.getlist("occurrence")
    if not values or len(values) > selectors.MAX_OCCURRENCES:
        return None
    try:
        starts = [dt.datetime.fromisoformat(v[:40]) for v in values]
    except ValueError:
        return None
    if any(s.tzinfo is None or not date_in_sane_range(s) for s in starts):
        return None
    return starts


@staff_required
@require_http_methods(["GET", "POST"])
def staff_book(request: Request) -> HttpResponse:
    """Book for a client. A series is shown first: the date each check-in would take
    (moved to the nearest free time where needed); staff confirm those dates."""
    form = StaffBookingForm(request.POST or None, initial={"repeat_monthly": 1}, user=request.user)
    proposal: list[selectors.Occurrence] = []
    warnings: tuple[str, ...] = ()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            start = _local_dt(data["start"], timezone.get_current_timezone_name())
            if data["repeat_monthly"] > 1:
                proposal = selectors.series_proposal(
                    service=data["service"],
                    staff=data["staff"],
                    first_start=start,
                    count=data["repeat_monthly"],
                )
                if "confirm" not in request.POST:
                    return _staff_book_page(request, form, proposal, warnings)
                expected = _confirmed_starts(request)
                if expected is None:
                    raise ServiceError(_("Check the proposed dates and confirm them again."))
                booked: list[Any] = services.recurring_book(
                    service=data["service"],
                    staff=data["staff"],
                    contact=data["contact"],
                    matter=data["matter"],
                    first_start=start,
                    count=data["repeat_monthly"],
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    expected=expected,
                )
            else:
                booked = services.appointment_book(
                    service=data["service"],
                    start_at=start,
                    staff=data["staff"],
                    contact=data["contact"],
                    matter=data["matter"],
                    time_zone=data["contact"].time_zone,
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    origin="staff",
                    # Staff may step outside the public rules with a reason.
                    staff_reason=data["reason"],
                )
        except services.OutsideRules as exc:
            # Shown with the reason field; once seen, an empty reason is an error.
            warnings = exc.warnings
            if "outside" in request.POST:
                form.add_error("reason", _("Say why this time is booked outside the usual rules."))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if isinstance(booked, services.BookedAppointments) and booked.held:
                messages.success(request, _("The time is held until the client finishes booking."))
            elif len(booked) > 1:
                messages.success(
                    request,
                    _("Booked %(count)d check-ins.") % {"count": len(booked)},
                )
            else:
                messages.success(request, _("Booked."))
            return redirect("scheduling:staff-appointment", appointment_id=booked[0].pk)
    return _staff_book_page(request, form, proposal, warnings)


def _staff_book_page(
    request: Request,
    form: StaffBookingForm,
    proposal: list[selectors.Occurrence],
    warnings: tuple[str, ...] = (),
) -> HttpResponse:
    return render(
        request,
        "scheduling/staff_book.html",
        {
            "form": form,
            "proposal": proposal,
            "complete": bool(proposal) and all(o.start is not None for o in proposal),
            "warnings": warnings,
            "ask_reason": bool(warnings) or bool(form["reason"].value()) or "reason" in form.errors,
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def staff_appointment(request: Request, appointment_id: Any) -> HttpResponse:
    appointment = selectors.appointment_get_for_staff(
        user=request.user, appointment_id=appointment_id
    )
    return _appointment_page(request, appointment)


def _client_matters(request: Request, appointment: Any) -> list[Any]:
    return list(
        portal_selectors.matters_visible_to(request.user)
        .filter(clients=appointment.contact_id)
        .order_by("-created_at")
    )


def _follow_up_form(request: Request, appointment: Any, data: Any = None) -> FollowUpForm:
    contact = appointment.contact
    language = contact.language or portal_selectors.firm_get().default_language
    return FollowUpForm(
        data,
        matters=_client_matters(request, appointment),
        initial={
            "matter": str(appointment.matter_id or ""),
            "summary": portal_selectors.firm_text(key="meeting_followup", language=language),
        },
    )


def _moves_later_steps(appointment: Any, start_at: dt.datetime) -> bool:
    """A package step moved past what the next step allows: the later ones move along."""
    bounds = selectors.package_step_bounds(appointment=appointment)
    end = start_at + dt.timedelta(minutes=appointment.service.duration_minutes)
    return (
        bounds is not None
        and not bounds.allows(start_at, end)
        and (bounds.earliest is None or start_at >= bounds.earliest)
    )


def _appointment_page(
    request: Request,
    appointment: Any,
    follow_up: FollowUpForm | None = None,
    moves: list[selectors.StepMove] | None = None,
) -> HttpResponse:
    if follow_up is None and appointment.status == "attended" and not appointment.followed_up_at:
        follow_up = _follow_up_form(request, appointment)
    return render(
        request,
        "scheduling/staff_appointment.html",
        {
            "appointment": appointment,
            "history": selectors.appointment_history(appointment=appointment),
            "form": StaffRescheduleForm(),
            "follow_up": follow_up,
            "outside_rules": selectors.outside_rules_labels(appointment.outside_rules),
            "moves": moves,
            "move_plan": selectors.move_fingerprint(moves) if moves else "",
            "move_start": (
                timezone.localtime(moves[0].to.start).strftime("%Y-%m-%dT%H:%M") if moves else ""
            ),
        },
        status=400 if follow_up is not None and follow_up.is_bound else 200,
    )


@staff_required
@require_POST
def staff_appointment_follow_up(request: Request, appointment_id: Any) -> HttpResponse:
    """After a meeting: the summary, the client's steps and the team's, with one notice."""
    appointment = selectors.appointment_get_for_staff(
        user=request.user, appointment_id=appointment_id
    )
    form = _follow_up_form(request, appointment, request.POST)
    if not form.is_valid():
        return _appointment_page(request, appointment, form)
    matter = next(
        (
            m
            for m in _client_matters(request, appointment)
            if str(m.pk) == form.cleaned_data["matter"]
        ),
        None,
    )
    try:
        if matter is None:
            raise ServiceError(_("Choose one of this client's matters."))
        services.appointment_follow_up(
            actor=request.user,
            meta=RequestMeta.from_request(request),
            appointment=appointment,
            matter=matter,
            summary=form.cleaned_data["summary"],
            client_steps=[services.Step(a, d) for a, d in form.steps("client")],
            firm_steps=[services.Step(a, d) for a, d in form.steps("firm")],
        )
    except ServiceError as exc:
        form.add_error(None, str(exc))
        return _appointment_page(request, appointment, form)
    messages.success(request, _("Follow-up sent. The client gets one notice."))
    return redirect("scheduling:staff-appointment", appointment_id=appointment.pk)


@staff_required
@require_GET
def appointment_reminders(request: Request, appointment_id: Any) -> HttpResponse:
    appointment = selectors.appointment_get_for_staff(
        user=request.user, appointment_id=appointment_id
    )
    return render(request, "scheduling/appointment_reminders.html", {"appointment": appointment})


@staff_required
@require_POST
def staff_appointment_action(request: Request, appointment_id: Any, action: str) -> HttpResponse:
    appointment = selectors.appointment_get_for_staff(
        user=request.user, appointment_id=appointment_id
    )
    target = appointment
    try:
        if action in ("attended", "no_show"):
            services.appointment_mark(
                appointment=appointment,
                status=action,
                actor=request.user,
                meta=RequestMeta.from_request(request),
            )
        elif action == "cancel" and appointment.is_held:
            # Nothing was confirmed to the client: the time is released, not cancelled.
            services.booking_hold_release(
                token=appointment.manage_token,
                reason="staff",
                actor=request.user,
                meta=RequestMeta.from_request(request),
            )
        elif action == "cancel":
            services.appointment_cancel(
                appointment=appointment,
                actor=request.user,
                meta=RequestMeta.from_request(request),
                by_client=False,
            )
        elif action == "reschedule":
            form = StaffRescheduleForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Enter the new start time."))
            start_at = _local_dt(form.cleaned_data["start"], timezone.get_current_timezone_name())
            if _moves_later_steps(appointment, start_at):
                if "confirm_move" not in request.POST:
                    # First the plan: the later steps' new dates, times and people.
                    moves = selectors.package_move_plan(appointment=appointment, start=start_at)
                    if moves is None:
                        raise services.PackageCannotMove(services.package_cannot_move_text())
                    return _appointment_page(request, appointment, moves=moves)
                target = services.package_reschedule(
                    appointment=appointment,
                    start_at=start_at,
                    expected=request.POST.get("plan", "")[:2000],
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                )[0]
            else:
                target = services.appointment_reschedule(
                    appointment=appointment,
                    start_at=start_at,
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                )
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("scheduling:staff-appointment", appointment_id=target.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_availability(request: Request) -> HttpResponse:
    return _availability_page(
        request, staff=request.user, here=reverse("scheduling:staff-availability")
    )


@firm_admin_required
@require_http_methods(["GET", "POST"])
def team_availability(request: Request, staff_id: str) -> HttpResponse:
    """A firm admin keeps a colleague's working hours, days off and busy calendars."""
    person = portal_selectors.staff_get_for_admin(user=request.user, staff_id=staff_id)
    if person.pk == request.user.pk:
        return redirect("scheduling:staff-availability")
    return _availability_page(
        request,
        staff=person,
        here=reverse("scheduling:team-availability", kwargs={"staff_id": person.pk}),
    )


def _availability_page(request: Request, *, staff: User, here: str) -> HttpResponse:
    """Working hours, days off and external calendars of `staff` (the viewer, or a
    colleague a firm admin manages); every change is audited with the viewer as actor."""
    actor = request.user
    own = staff.pk == actor.pk
    meta = RequestMeta.from_request(request)
    rule_form = AvailabilityRuleForm()
    calendar_form = ExternalCalendarForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add-rule":
            rule_form = AvailabilityRuleForm(request.POST)
            if rule_form.is_valid():
                rule = rule_form.save(commit=False)
                rule.staff = staff
                services.availability_rule_add(rule=rule, actor=actor, meta=meta)
                return redirect(here)
        elif action == "remove-rule":
            rule_id = request.POST.get("rule", "")
            rule = (
                AvailabilityRule.objects.filter(staff=staff, pk=int(rule_id)).first()
                if rule_id.isascii() and rule_id.isdigit() and len(rule_id) < 19
                else None
            )
            if rule is None:
                raise Http404
            services.availability_rule_remove(rule=rule, actor=actor, meta=meta)
            return redirect(here)
        elif action == "add-calendar":
            calendar_form = ExternalCalendarForm(request.POST)
            if calendar_form.is_valid():
                try:
                    services.external_calendar_add(
                        staff=staff, actor=actor, meta=meta, **calendar_form.cleaned_data
                    )
                except ServiceError as exc:
                    calendar_form.add_error("url", str(exc))
                else:
                    return redirect(here)
        elif action == "remove-calendar":
            try:
                calendar = ExternalCalendar.objects.filter(
                    staff=staff, pk=request.POST.get("calendar", "")
                ).first()
            except (ValueError, TypeError, ValidationError):
                calendar = None
            if calendar is None:
                raise Http404
            services.external_calendar_remove(calendar=calendar, actor=actor, meta=meta)
            return redirect(here)
        elif action == "rotate-feed" and own:
            # The feed address is the owner's secret: nobody else makes or sees one.
            portal_services.user_calendar_token_rotate(user=staff, meta=meta)
            return redirect(here)
    feed_url = ""
    if own and staff.calendar_token:
        feed_url = absolute_url(
            reverse("scheduling:staff-feed", kwargs={"token": staff.calendar_token})
        )
    return render(
        request,
        "scheduling/staff_availability.html",
        {
            "person": staff,
            "own": own,
            "rules": AvailabilityRule.objects.filter(staff=staff),
            "calendars": selectors.external_calendars_for(staff=staff),
            "rule_form": rule_form,
            "calendar_form": calendar_form,
            "feed_url": feed_url,
        },
        status=400 if rule_form.errors or calendar_form.errors else 200,
    )

"""Writes of the firm's own settings."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import time
from core.business_time import BusinessCalendar, OpeningHours
from core.errors import ServiceError
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.models import (
    Firm,
    FirmClosure,
    FirmOfficeHours,
    User,
)
from portal.selectors.firm import CALENDAR_VERSION_KEY, FIRM_CACHE_KEY
from portal.services.people import _validation_message


def firm_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    data: dict[str, Any],
    logo: UploadedFile | None = None,
    clear_logo: bool = False,
) -> Firm:
    with transaction.atomic():
        firm, _created = Firm.objects.select_for_update().get_or_create(pk=1)
        changed = []
        for field, value in data.items():
            if getattr(firm, field) != value:
                setattr(firm, field, value)
                changed.append(field)
        if clear_logo and firm.logo:
            firm.logo.delete(save=False)
            firm.logo = ""
            changed.append("logo")
        if logo is not None:
            firm.logo.save(f"logo-{secrets.token_hex(8)}", logo, save=False)
            changed.append("logo")
        if changed:
            firm.save()
            audit_record(
                action=PortalAction.FIRM_UPDATED,
                actor=actor,
                meta=meta,
                obj=firm,
                data={"fields": changed},
            )
        cache.delete(FIRM_CACHE_KEY)
        # Again after commit, in case another request cached the old row meanwhile.
        transaction.on_commit(lambda: cache.delete(FIRM_CACHE_KEY))
    return firm


def _calendar_touch() -> None:
    try:
        cache.incr(CALENDAR_VERSION_KEY)
    except ValueError:
        cache.set(CALENDAR_VERSION_KEY, 2, None)


def _touch_firm(firm: Firm) -> None:
    """A change of hours or closures is a change of the firm: its updated_at and the
    calendar version key the cached calendar (portal.selectors.firm)."""
    firm.save(update_fields=["updated_at"])
    cache.delete(FIRM_CACHE_KEY)
    _calendar_touch()

    def after_commit() -> None:
        cache.delete(FIRM_CACHE_KEY)
        _calendar_touch()

    transaction.on_commit(after_commit)


def _check_hours(hours: Sequence[tuple[int, dt.time, dt.time]]) -> list[OpeningHours]:
    try:
        rows = sorted(OpeningHours(int(d), o, c) for d, o, c in hours)
    except (TypeError, ValueError) as exc:
        raise ServiceError(_("Each interval must close after it opens.")) from exc
    if not rows:
        raise ServiceError(_("Give the office at least one opening interval in the week."))
    for before, after in zip(rows, rows[1:], strict=False):
        if before.weekday == after.weekday and after.opens_second < before.closes_second:
            raise ServiceError(
                _("On %(day)s two intervals overlap (%(a)s and %(b)s).")
                % {
                    "day": WEEKDAYS[before.weekday],
                    "a": f"{before.opens:%H:%M}–{before.closes:%H:%M}",
                    "b": f"{after.opens:%H:%M}–{after.closes:%H:%M}",
                }
            )
    return rows


def firm_hours_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    hours: Sequence[tuple[int, dt.time, dt.time]],
    country: str,
    subdivision: str = "",
) -> Firm:
    """Replace the weekly opening hours and the region of the public holidays.

    `hours` are (weekday, opens, closes) rows, Monday 0; several per weekday for a break.
    Overlapping intervals, no interval at all or a region the holidays library does not
    know are refused, and nothing is stored.
    """
    if not actor.is_firm_admin:
        raise ServiceError(_("Only a firm admin can change the office hours."))
    rows = _check_hours(hours)
    country = (country or "").strip().upper()
    subdivision = (subdivision or "").strip().upper()
    if country and subdivision.startswith(f"{country}-"):
        subdivision = subdivision[len(country) + 1 :]
    if not country:
        raise ServiceError(_("Choose the country whose public holidays the office keeps."))
    with transaction.atomic():
        firm, _created = Firm.objects.select_for_update().get_or_create(pk=1)
        try:
            BusinessCalendar.build(
                time_zone=firm.time_zone,
                hours=rows,
                country=country,
                subdivision=subdivision or None,
            )
        except ValueError as exc:
            raise ServiceError(
                _(
                    "No public holidays are known for %(region)s. Check the country and region codes."
                )
                % {"region": f"{country} {subdivision}".strip()}
            ) from exc
        before = [
            (h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}")
            for h in FirmOfficeHours.objects.order_by("weekday", "opens")
        ]
        after = [(h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in rows]
        changed = []
        if before != after:
            FirmOfficeHours.objects.all().delete()
            FirmOfficeHours.objects.bulk_create(
                FirmOfficeHours(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in rows
            )
            changed.append("office_hours")
        if firm.country != country:
            firm.country = country
            changed.append("country")
        if firm.subdivision != subdivision:
            firm.subdivision = subdivision
            changed.append("subdivision")
        if changed:
            firm.save(update_fields=["country", "subdivision"])
            audit_record(
                action=PortalAction.FIRM_HOURS_UPDATED,
                actor=actor,
                meta=meta,
                obj=firm,
                data={
                    "fields": changed,
                    "hours": [list(row) for row in after],
                    "country": country,
                    "subdivision": subdivision,
                },
            )
            _touch_firm(firm)
    return firm


def firm_closure_add(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    date: dt.date,
    reason: str,
) -> FirmClosure:
    """A day the office is closed (besides weekends and public holidays), with the reason."""
    if not actor.is_firm_admin:
        raise ServiceError(_("Only a firm admin can change the closure days."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_("Say why the office is closed that day."))
    with transaction.atomic():
        firm, _created = Firm.objects.select_for_update().get_or_create(pk=1)
        today = timezone.now().astimezone(time.zone(firm.time_zone)).date()
        if date < today:
            raise ServiceError(_("That day is in the past. Add a closure from today on."))
        if date > today + dt.timedelta(days=3 * 366):
            raise ServiceError(_("Add closures at most three years ahead."))
        if FirmClosure.objects.filter(date=date).exists():
            raise ServiceError(_("The office is already closed on that day."))
        closure = FirmClosure(date=date, reason=reason, created_by=actor)
        try:
            closure.full_clean()
        except ValidationError as exc:
            raise ServiceError(_validation_message(exc)) from exc
        closure.save()
        audit_record(
            action=PortalAction.FIRM_CLOSURE_ADDED,
            actor=actor,
            meta=meta,
            obj=closure,
            data={"date": date.isoformat(), "reason": reason},
        )
        _touch_firm(firm)
    return closure


def firm_closure_remove(*, actor: User, meta: RequestMeta | None = None, closure_id: Any) -> None:
    """The office opens after all on a closure day."""
    if not actor.is_firm_admin:
        raise ServiceError(_("Only a firm admin can change the closure days."))
    with transaction.atomic():
        firm, _created = Firm.objects.select_for_update().get_or_create(pk=1)
        closure = FirmClosure.objects.filter(pk=closure_id).first()
        if closure is None:
            raise ServiceError(_("That closure day was already removed."))
        audit_record(
            action=PortalAction.FIRM_CLOSURE_REMOVED,
            actor=actor,
            meta=meta,
            obj=closure,
            data={"date": closure.date.isoformat(), "reason": closure.reason},
        )
        closure.delete()
        _touch_firm(firm)

"""Where, when and on what terms: what every booking page and message tells the client.

Texts are built in the active language (callers wrap them in translation.override for a
message), so the same words reach the confirmation page, the emails, reminders and the
calendar file.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import selectors as portal_selectors
from scheduling.models import LocationKind

if TYPE_CHECKING:
    import uuid

    from scheduling.models import Appointment, Service


@dataclass(frozen=True)
class Place:
    """How the appointment happens: `text` to read, `url` to open (map or video)."""

    kind: str
    text: str
    url: str = ""


def booking_code(ref: uuid.UUID | str) -> str:
    """A short code a person can read out on the phone: 'K7QF-2M9X' (from the booking's
    key; the manage link's token, not this code, is what opens a booking)."""
    raw = str(ref).replace("-", "")
    letters = base64.b32encode(bytes.fromhex(raw[:10])).decode().rstrip("=")
    return f"{letters[:4]}-{letters[4:8]}"


def appointment_place(appointment: Appointment) -> Place:
    """Where to go, or how the call happens."""
    return service_place(appointment.service, phone=str(appointment.contact.phone or ""))


def service_place(service: Service, *, phone: str = "") -> Place:
    """Where a service happens (before booking, without the booker's number)."""
    detail = service.location_detail.strip()
    if service.location_kind == LocationKind.VIDEO:
        if detail.startswith("https://"):
            return Place("video", _("Video call: %(link)s") % {"link": detail}, detail)
        return Place("video", _("Video call: we will send you the link before the meeting."))
    if service.location_kind == LocationKind.PHONE:
        if phone:
            return Place(
                "phone", _("Phone call: we will call you on %(phone)s.") % {"phone": phone}
            )
        return Place("phone", _("Phone call: we will call you on the number you gave us."))
    if detail:
        return Place(
            "office",
            _("At the office: %(address)s") % {"address": detail},
            "https://www.openstreetmap.org/search?query=" + quote_plus(detail),
        )
    firm = portal_selectors.firm_get()
    return Place("office", _("At the office of %(firm)s") % {"firm": firm.name})


def format_money(amount: Decimal, currency: str) -> str:
    """'100,00 zł' in the active language (Babel)."""
    locale = (translation.get_language() or "en").replace("-", "_")
    return str(format_currency(amount, currency, locale=locale))


def cancellation_terms(service: Service) -> str:
    """The cancellation terms in one sentence."""
    hours = service.cancel_deadline_hours
    if service.cancel_fee > Decimal("0"):
        fee = format_money(service.cancel_fee, portal_selectors.firm_get().currency)
        return ngettext(
            "Free cancellation until %(hours)d hour before; later, the fee is %(fee)s.",
            "Free cancellation until %(hours)d hours before; later, the fee is %(fee)s.",
            hours,
        ) % {"hours": hours, "fee": fee}
    return _("You can cancel or change it free of charge until it starts.")


def price_text(service: Service) -> str:
    if service.price <= Decimal("0"):
        return _("Free")
    return format_money(service.price, portal_selectors.firm_get().currency)


# Bumped when the meaning of a snapshot's keys changes.
POLICY_VERSION = 1


def policy_snapshot(service: Service) -> dict[str, Any]:
    """The terms a booking of this service is made on, as stored on the appointment
    (amounts as strings, the firm's currency): what the client saw and accepted."""
    return {
        "version": POLICY_VERSION,
        "service": str(service.pk),
        "price": str(service.price),
        "currency": portal_selectors.firm_get().currency,
        "payment_rule": service.payment_rule,
        "pay_at_booking": str(service.amount_at_booking),
        "cancel_deadline_hours": int(service.cancel_deadline_hours),
        "cancel_fee": str(service.cancel_fee),
        "no_show_fee": "0",
    }


def policy_cancellation(appointment: Appointment) -> tuple[int, Decimal]:
    """(free-cancellation hours before, late fee) the appointment was booked on; an
    appointment booked before snapshots existed uses its service's current terms."""
    snap = appointment.policy_snapshot or {}
    try:
        return int(snap["cancel_deadline_hours"]), Decimal(str(snap["cancel_fee"]))
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return appointment.service.cancel_deadline_hours, Decimal(appointment.service.cancel_fee)


def policy_terms(snapshot: dict[str, Any], *, booked: bool = False) -> list[str]:
    """The stored terms as sentences in the active language: what is paid now (or, once
    `booked`, was paid when booking), the cancellation deadline and fee, and what a
    cancellation refunds."""
    currency = str(snapshot.get("currency") or portal_selectors.firm_get().currency)
    try:
        pay = Decimal(str(snapshot.get("pay_at_booking") or "0"))
        fee = Decimal(str(snapshot.get("cancel_fee") or "0"))
        hours = int(snapshot.get("cancel_deadline_hours") or 0)
    except (TypeError, ValueError, ArithmeticError):
        return []
    lines = []
    if pay > 0 and booked:
        if snapshot.get("payment_rule") == "DEPOSIT":
            lines.append(
                _("A deposit of %(amount)s was paid when booking; the rest is invoiced later.")
                % {"amount": format_money(pay, currency)}
            )
        else:
            lines.append(
                _("%(amount)s was paid when booking.") % {"amount": format_money(pay, currency)}
            )
    elif pay > 0:
        if snapshot.get("payment_rule") == "DEPOSIT":
            lines.append(
                _("A deposit of %(amount)s is paid now; the rest is invoiced later.")
                % {"amount": format_money(pay, currency)}
            )
        else:
            lines.append(
                _("%(amount)s is paid now, when you book.")
                % {"amount": format_money(pay, currency)}
            )
    if fee > 0:
        lines.append(
            ngettext(
                "Free cancellation until %(hours)d hour before; later, the fee is %(fee)s.",
                "Free cancellation until %(hours)d hours before; later, the fee is %(fee)s.",
                hours,
            )
            % {"hours": hours, "fee": format_money(fee, currency)}
        )
        if pay > 0:
            lines.append(
                _(
                    "If you cancel in time, the payment is refunded in full; if you cancel "
                    "later, it is refunded less the fee."
                )
            )
    elif pay > 0:
        lines.append(_("If you cancel before the appointment, the payment is refunded in full."))
    else:
        lines.append(_("You can cancel or change it free of charge until it starts."))
    return lines


def appointment_terms(appointment: Appointment) -> str:
    """The terms of a booking in one paragraph, as the client accepted them (the stored
    snapshot); older appointments without one show their service's current terms."""
    if appointment.policy_snapshot:
        lines = policy_terms(appointment.policy_snapshot, booked=True)
        if lines:
            return " ".join(lines)
    return cancellation_terms(appointment.service)


def service_terms(service: Service) -> str:
    """The terms a booking of this service would be made on (shown before booking)."""
    return " ".join(policy_terms(policy_snapshot(service))) or cancellation_terms(service)

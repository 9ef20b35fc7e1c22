"""The payment step of a paid booking: the pay page and the page Checkout returns to.

Public pages opened by the booking's manage token (the credential, as on the booking's
own pages; they work inside the firm's embedded frame, so no CSRF cookie). The amount is
the appointment's stored terms, never the form's.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from billing.services import bookings
from core.errors import ServiceError
from core.http import RequestMeta, rate_limited
from scheduling import selectors as scheduling_selectors
from scheduling import services as scheduling_services


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def booking_pay(request: HttpRequest, token: str) -> HttpResponse:
    """What is paid, on what terms, how long the time is kept; Pay goes to Checkout,
    the other button gives the time back."""
    booking = scheduling_selectors.booking_get_by_token(token=token)
    detail = reverse("scheduling:booking-detail", kwargs={"token": booking.token})
    if not booking.is_held or booking.is_lapsed or bookings.STEP_KEY not in booking.pending_steps:
        return redirect(detail)
    if booking.pending_steps[0] != bookings.STEP_KEY and booking.next_url:
        return redirect(booking.next_url)  # an earlier step (the intake form) comes first
    first = booking.appointments[0]
    error = ""
    if request.method == "POST":
        meta = RequestMeta.from_request(request)
        if request.POST.get("action") == "release":
            scheduling_services.booking_hold_release(
                token=booking.token, reason="client", meta=meta
            )
            return redirect(detail)
        try:
            url = bookings.booking_pay_start(
                token=booking.token, meta=meta, locale=translation.get_language() or ""
            )
        except ServiceError as exc:
            error = str(exc)
        else:
            return redirect(url)
    amount = bookings.amount_due(first)
    left = 0
    if booking.hold_expires_at is not None:
        left = max(0, int((booking.hold_expires_at - timezone.now()).total_seconds()))
    response = render(
        request,
        "billing/booking/pay.html",
        {
            "booking": booking,
            "appointment": first,
            "amount": amount,
            "price": (first.policy_snapshot or {}).get("price"),
            "terms": scheduling_selectors.policy_terms(first.policy_snapshot or {}),
            "code": scheduling_selectors.booking_code(booking.booking_ref),
            "zone": ZoneInfo(first.time_zone),
            "seconds_left": left,
            "countdown": f"{left // 60}:{left % 60:02d}",
            "error": error,
            "processing": bookings.booking_payment_state(token=booking.token) == "PROCESSING",
        },
        status=400 if error else 200,
    )
    return _no_store(response)


@require_GET
def booking_paid(request: HttpRequest, token: str) -> HttpResponse:
    """Back from Checkout: "payment is being confirmed" until the webhook confirms the
    booking (the page refreshes itself), then the booking's own page."""
    booking = scheduling_selectors.booking_get_by_token(token=token)
    detail = reverse("scheduling:booking-detail", kwargs={"token": booking.token})
    if not booking.is_held:
        return redirect(detail)
    state = bookings.booking_payment_state(token=booking.token)
    if state == "SUCCEEDED" and booking.next_url:
        return redirect(_local(booking.next_url))
    response = render(
        request,
        "billing/booking/paid.html",
        {
            "booking": booking,
            "state": state,
            "failed": state in ("FAILED", "EXPIRED", "CANCELED"),
            "pay_url": reverse("billing:booking-pay", kwargs={"token": booking.token}),
        },
    )
    return _no_store(response)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def fee_pay(request: HttpRequest, token: str) -> HttpResponse:
    """A late-cancellation fee's pay page, opened from the link in its notice (or the
    portal): the amount, what it is for, and Pay, which goes to Checkout (or the demo
    checkout) like every payment. A paid or cancelled fee only says so."""
    fee = bookings.fee_request_by_token(token)
    error = ""
    if request.method == "POST":
        if rate_limited(request, scope="billing-fee-pay", limit=20, window=600):
            error = str(_("Too many tries. Please wait a few minutes and try again."))
        else:
            try:
                url = bookings.fee_pay_start(
                    token=token,
                    meta=RequestMeta.from_request(request),
                    locale=translation.get_language() or "",
                )
            except ServiceError as exc:
                error = str(exc)
            else:
                return redirect(url)
    rows = scheduling_selectors.appointments_by_ids(ids=[fee.appointment_id])
    appointment = rows[0] if rows else None
    response = render(
        request,
        "billing/booking/fee.html",
        {
            "fee": fee,
            "appointment": appointment,
            "zone": ZoneInfo(appointment.time_zone if appointment else "UTC"),
            "processing": bookings.fee_payment_state(fee) == "PROCESSING",
            "error": error,
        },
        status=400 if error else 200,
    )
    return _no_store(response)


@require_GET
def fee_paid(request: HttpRequest, token: str) -> HttpResponse:
    """Back from Checkout: "payment is being confirmed" until the webhook records it
    (the page refreshes itself), then "paid, thank you"."""
    fee = bookings.fee_request_by_token(token)
    state = bookings.fee_payment_state(fee)
    paid = fee.status == fee.Status.PAID
    response = render(
        request,
        "billing/booking/fee_paid.html",
        {
            "fee": fee,
            "paid": paid,
            "state": state,
            "failed": not paid and state in ("FAILED", "EXPIRED", "CANCELED", ""),
            "pay_url": reverse("billing:fee-pay", kwargs={"token": token}),
        },
    )
    return _no_store(response)

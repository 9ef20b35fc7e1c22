"""Paid consultations (spec §6 F7, F8): the payment step of a booking, what a lapsed
hold does to its payment, and the refunds and fees of a cancellation.

A service whose payment rule asks for money at booking gets the "payment" booking step
(scheduling.booking_flow): its booking is inserted HELD, blocking the time for the
service's hold minutes, and the booker pays on Stripe Checkout (or the local demo
checkout). The payment is recorded only from the verified, re-fetched Stripe object
(billing.services.online); in that transaction the held booking is confirmed. When the
hold lapses first, the Checkout session is expired; a payment that still lands takes the
same time again if it is free and is refunded in full otherwise. The amounts always come
from the appointment's policy snapshot, never from a form.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from billing import gateway as gw
from billing import selectors as billing_selectors
from billing.audit_actions import BillingAction
from billing.models import STANDALONE_KINDS, Payment, PaymentAttempt, PaymentRequest, Refund
from billing.money import Money, MoneyError, check_amount, normalize_currency
from billing.selectors import billing_settings_get
from billing.services import online
from billing.services.reminders import firm_today
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from core.validators import validate_plain_text
from notifications.outbox import object_key
from notifications.services import notice_queue
from portal import selectors as portal_selectors
from scheduling import selectors as scheduling_selectors
from scheduling import services as scheduling_services
from scheduling.booking_flow import BookingContext

if TYPE_CHECKING:
    from portal.models import User
    from scheduling.events import (
        AppointmentCancelled,
        AppointmentHoldExpired,
        AppointmentHoldReleased,
    )
    from scheduling.models import Appointment

logger = logging.getLogger(__name__)

STEP_KEY = "payment"
# Bank confirmation (BLIK, Przelewy24) can lag: the hold is kept this much longer, never
# beyond scheduling's HOLD_MAX_MINUTES from its start.
PROCESSING_EXTEND_MINUTES = 20
CONSULTATION = PaymentRequest.Kind.CONSULTATION_FEE
CENT = Decimal("0.01")


# ---------------------------------------------------------------------------
# The booking step
# ---------------------------------------------------------------------------


def amount_due(appointment: Appointment) -> Money | None:
    """What the booker pays to confirm the booking, from the terms stored on its first
    appointment (None: nothing to pay)."""
    snapshot = appointment.policy_snapshot or {}
    try:
        amount = Decimal(str(snapshot.get("pay_at_booking") or "0"))
        currency = str(snapshot.get("currency") or "")
        if amount <= 0 or not currency:
            return None
        return Money(amount, currency)
    except (ArithmeticError, ValueError):
        return None


def payment_step_applies(context: BookingContext) -> bool:
    """A public or portal booking of a service that is paid when booking. Staff booking
    for a client confirm at once (the fee is settled another way)."""
    if context.origin == "staff" or not context.appointment_ids:
        return False
    rows = scheduling_selectors.appointments_by_ids(ids=context.appointment_ids[:1])
    return bool(rows) and amount_due(rows[0]) is not None


def payment_step_url(context: BookingContext) -> str:
    return reverse("billing:booking-pay", kwargs={"token": context.token})


def _request_for_booking(first: Appointment, amount: Money) -> PaymentRequest:
    """The booking's open consultation-fee request (one per booking), locked."""
    request = (
        PaymentRequest.objects.select_for_update()
        .filter(appointment_id=first.pk, kind=CONSULTATION, status=PaymentRequest.Status.OPEN)
        .first()
    )
    if request is None:
        request = PaymentRequest.objects.create(
            kind=CONSULTATION,
            contact_id=first.contact_id,
            appointment_id=first.pk,
            amount=amount.amount,
            currency=amount.currency,
            expires_at=first.hold_expires_at,
        )
    return request


def booking_pay_start(*, token: str, meta: RequestMeta | None = None, locale: str = "") -> str:
    """The booker presses "Pay": the booking's request, an attempt (its key stored
    first) and a Checkout Session; returns the URL to send the booker to. Refused once
    the hold lapsed or while a payment is being confirmed."""
    booking = scheduling_selectors.booking_get_by_token(token=token)
    if not booking.is_held or booking.is_lapsed:
        raise scheduling_services.HoldLapsed(
            _("The time you picked was released. Please choose a time again to book.")
        )
    if STEP_KEY not in booking.pending_steps:
        raise ServiceError(_("There is nothing to pay for this booking."))
    first = booking.appointments[0]
    amount = amount_due(first)
    if amount is None:
        raise ServiceError(_("There is nothing to pay for this booking."))
    with transaction.atomic():
        request = _request_for_booking(first, amount)
    return _checkout(
        request.pk,
        kind="consultation_fee",
        success_path=reverse("billing:booking-paid", kwargs={"token": booking.token}),
        cancel_path=reverse("billing:booking-pay", kwargs={"token": booking.token}),
        locale=locale,
        meta=meta,
        matter_id=first.matter_id,
        data={"booking": True},
    )


def _checkout(
    request_id: Any,
    *,
    kind: str,
    success_path: str,
    cancel_path: str,
    locale: str,
    meta: RequestMeta | None,
    matter_id: Any,
    data: dict[str, Any],
) -> str:
    """An attempt (its key stored first) and a Checkout Session for an open fee
    request, the previous open sessions expired; returns the URL to send the payer to.
    The amount is the request row's, never a form's."""
    with transaction.atomic():
        request = PaymentRequest.objects.select_for_update().get(pk=request_id)
        if request.status != PaymentRequest.Status.OPEN:
            raise ServiceError(_("There is nothing to pay for this booking."))
        if request.attempts.filter(status=PaymentAttempt.Status.PROCESSING).exists():
            raise ServiceError(_("Your bank is still confirming the payment. Please wait."))
        previous = list(
            request.attempts.filter(status=PaymentAttempt.Status.OPEN).exclude(
                checkout_session_id=None
            )
        )
        attempt_id = uuid.uuid4()
        attempt = PaymentAttempt.objects.create(
            id=attempt_id,
            request=request,
            amount=request.amount,
            currency=request.currency,
            idempotency_key=f"cs:{attempt_id}",
            expires_at=timezone.now() + dt.timedelta(minutes=online.SESSION_MINUTES, seconds=30),
        )
    client = online.gateway()
    for old in previous:
        online._expire_replaced(client, old)
    try:
        session = client.create_payment_session(
            attempt_id=attempt.pk,
            request_id=request.pk,
            kind=kind,
            amount=Money(attempt.amount, attempt.currency),
            # A neutral reference with digits, never a name (the booking code may have none).
            reference=f"ATR-{request.pk.int % 10**8:08d}",
            success_url=absolute_url(success_path) + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=absolute_url(cancel_path),
            expires_at=attempt.expires_at,
            idempotency_key=attempt.idempotency_key,
            locale=locale or None,
        )
    except gw.GatewayOutcomeUnknown:
        found = online._lookup(client, attempt)
        if found is None:
            raise ServiceError(
                _("The payment service did not answer. Please try again in a minute.")
            ) from None
        session = found
    except gw.GatewayError as exc:
        PaymentAttempt.objects.filter(pk=attempt.pk, status=PaymentAttempt.Status.CREATED).update(
            status=PaymentAttempt.Status.FAILED, failure_code=(exc.code or "refused")[:60]
        )
        logger.warning("checkout session refused for attempt %s: %s", attempt.pk, exc)
        raise ServiceError(_("Online payment is not available right now.")) from None
    PaymentAttempt.objects.filter(pk=attempt.pk, status=PaymentAttempt.Status.CREATED).update(
        status=PaymentAttempt.Status.OPEN,
        checkout_session_id=session.id,
        checkout_url=session.url or "",
    )
    audit_record(
        action=BillingAction.PAYMENT_STARTED,
        actor_label="booker",
        meta=meta,
        obj=attempt,
        matter_id=matter_id,
        data={"amount": str(attempt.amount), "currency": attempt.currency, **data},
    )
    return session.url or ""


def booking_payment_state(*, token: str) -> str:
    """What the return page shows for this booking's latest payment attempt: "" (none),
    or its status (the page never settles anything; the webhook does)."""
    booking = scheduling_selectors.booking_get_by_token(token=token)
    attempt = (
        PaymentAttempt.objects.filter(
            request__kind=CONSULTATION,
            request__appointment_id__in=[a.pk for a in booking.appointments],
        )
        .order_by("-created_at")
        .first()
    )
    return str(attempt.status) if attempt is not None else ""


# ---------------------------------------------------------------------------
# Settlement hooks (called by online.session_settle, in its transaction)
# ---------------------------------------------------------------------------


def consultation_paid(request: PaymentRequest, payment: Payment, late: bool) -> None:
    """The fee is in: the held booking moves on (confirmed after its last step). When
    the hold was lost meanwhile, the same time is booked again if it is still free;
    otherwise the payment goes back in full."""
    rows = scheduling_selectors.appointments_by_ids(ids=[request.appointment_id])
    if not rows:
        _refund_automatic(payment, reason="booking gone")
        return
    first = rows[0]
    if first.status == first.Status.HELD:
        scheduling_services.booking_step_complete(token=first.manage_token, step_key=STEP_KEY)
        return
    if first.status != first.Status.EXPIRED:
        # Released by the booker (or staff) before the money came: it goes back.
        if first.status not in (first.Status.BOOKED, first.Status.ATTENDED):
            _refund_automatic(payment, reason="booking released")
        return
    service = first.package or first.service
    try:
        with transaction.atomic():
            booked = scheduling_services.appointment_book(
                service=service,
                start_at=first.start_at,
                staff=first.staff,
                contact=first.contact,
                matter=first.matter,
                time_zone=first.time_zone,
                origin=first.origin,
                steps_apply=False,
            )
    except ServiceError:
        _refund_automatic(payment, reason="slot lost")
        _slot_lost_notify(payment, first)
        return
    PaymentRequest.objects.filter(pk=request.pk).update(appointment_id=booked[0].pk)
    audit_record(
        action=BillingAction.BOOKING_REBOOKED,
        actor_label="system:webhook",
        obj=booked[0],
        matter_id=booked[0].matter_id,
        data={"expired": str(first.pk), "payment": str(payment.pk)},
    )


SLOT_LOST_NOTICE = "slot_lost_refund"
SLOT_LOST_STAFF_NOTICE = "slot_lost_staff"


def _slot_lost_notify(payment: Payment, appointment: Appointment) -> None:
    """The payment came after the held time went to someone else: the booker is told it
    is being refunded, with a link to pick a new time (their language, the firm as
    sender), and the firm admins are alerted. In the settling transaction: sent once."""
    about = object_key("payment", payment.pk)
    context = {"appointment": str(appointment.pk)}
    notice_queue(
        event=SLOT_LOST_NOTICE,
        channels=portal_selectors.contact_recipient(appointment.contact).notice_channels(),
        about=about,
        context=context,
    )
    for admin in portal_selectors.staff_with(ids=[]):
        if admin.is_firm_admin:
            notice_queue(
                event=SLOT_LOST_STAFF_NOTICE,
                channels=["email"],
                recipient_id=admin.pk,
                about=about,
                context=context,
            )


def consultation_processing(request: PaymentRequest) -> None:
    """BLIK or Przelewy24 completed and the bank is confirming: keep the time longer."""
    rows = scheduling_selectors.appointments_by_ids(ids=[request.appointment_id])
    if not rows or rows[0].status != rows[0].Status.HELD:
        return
    try:
        scheduling_services.booking_hold_extend(
            token=rows[0].manage_token, minutes=PROCESSING_EXTEND_MINUTES
        )
    except ServiceError:
        return


def _refund_automatic(payment: Payment, *, reason: str, amount: Decimal | None = None) -> None:
    """Give a payment back without a staff member (the policy decides): a PENDING refund
    row with its key, sent to Stripe once this transaction commits (and by the
    reconciliation if that send fails)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    reserved = sum(
        (r.amount for r in payment.refunds.filter(status__in=Refund.RESERVING)), Decimal(0)
    )
    left = payment.refundable - reserved
    value = left if amount is None else min(amount, left)
    if value <= 0:
        return
    refund_id = uuid.uuid4()
    refund = Refund.objects.create(
        id=refund_id,
        payment=payment,
        amount=value,
        reason=reason[:300],
        idempotency_key=f"re:{refund_id}",
        status=Refund.Status.PENDING,
    )
    audit_record(
        action=BillingAction.REFUND_REQUESTED,
        actor_label="system:policy",
        obj=refund,
        data={"amount": str(value), "currency": payment.currency, "automatic": reason},
    )
    transaction.on_commit(lambda: refund_send_automatic(refund_id=refund_id))


def refund_send_automatic(*, refund_id: Any) -> None:
    """Send a policy refund that is still PENDING without a Stripe id (safe to repeat:
    the stored key makes Stripe answer the same refund)."""
    refund = (
        Refund.objects.select_related("payment")
        .filter(pk=refund_id, status=Refund.Status.PENDING, provider_refund_id=None)
        .first()
    )
    if refund is None:
        return
    try:
        online.refund_send_system(refund)
    except ServiceError as exc:
        logger.warning("automatic refund %s not sent: %s", refund_id, exc)


# ---------------------------------------------------------------------------
# Scheduling events (after commit)
# ---------------------------------------------------------------------------


def _open_requests(appointment_ids: Any) -> list[PaymentRequest]:
    return list(
        PaymentRequest.objects.filter(
            kind=CONSULTATION,
            appointment_id__in=list(appointment_ids),
            status=PaymentRequest.Status.OPEN,
        )
    )


def _hold_ended(appointment_ids: Any, *, actor_label: str) -> None:
    """A held booking lost its time: its Checkout sessions are expired, after the
    transaction that released the time commits (a Stripe call never runs inside a
    database transaction, the webhook's included, holding its locks while it waits)."""
    ids = list(appointment_ids)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _hold_ended_now(ids, actor_label=actor_label))
    else:
        _hold_ended_now(ids, actor_label=actor_label)


def _hold_ended_now(appointment_ids: Any, *, actor_label: str) -> None:
    """Expire the sessions of the held booking's open attempts. A session that completed
    meanwhile is settled instead (the late-payment rules then apply)."""
    client = online.gateway()
    for request in _open_requests(appointment_ids):
        for attempt in request.attempts.filter(
            status__in=(PaymentAttempt.Status.OPEN, PaymentAttempt.Status.CREATED)
        ):
            if attempt.checkout_session_id:
                try:
                    client.expire_checkout_session(
                        attempt.checkout_session_id, idempotency_key=f"exp:{attempt.pk}"
                    )
                except gw.CheckoutSessionAlreadyComplete:
                    online.session_settle(
                        session_id=attempt.checkout_session_id, actor_label=actor_label
                    )
                    continue
                except gw.GatewayError as exc:
                    # Left OPEN: the reconciliation re-fetches it after its expiry.
                    logger.warning("could not expire session of attempt %s: %s", attempt.pk, exc)
                    continue
            PaymentAttempt.objects.filter(
                pk=attempt.pk,
                status__in=(PaymentAttempt.Status.OPEN, PaymentAttempt.Status.CREATED),
            ).update(status=PaymentAttempt.Status.EXPIRED, last_event_at=timezone.now())
        PaymentRequest.objects.filter(pk=request.pk, status=PaymentRequest.Status.OPEN).update(
            status=PaymentRequest.Status.EXPIRED
        )


def on_hold_expired(event: AppointmentHoldExpired) -> None:
    _hold_ended(event.appointment_ids, actor_label="system:holds")


def on_hold_released(event: AppointmentHoldReleased) -> None:
    _hold_ended(event.appointment_ids, actor_label="system:holds")


def _paid_request_for(appointment: Appointment) -> PaymentRequest | None:
    """The paid consultation fee of this appointment or of one it replaced; for a step
    of a package, the package's (paid once, on its first appointment)."""
    chain = [appointment, *scheduling_selectors.appointment_history(appointment=appointment)]
    paid = PaymentRequest.objects.filter(kind=CONSULTATION, status=PaymentRequest.Status.PAID)
    found = paid.filter(appointment_id__in=[a.pk for a in chain]).order_by("-created_at").first()
    if found is None and appointment.booking_group:
        found = (
            paid.filter(appointment__booking_group=appointment.booking_group)
            .order_by("-created_at")
            .first()
        )
    return found


def step_share(appointment: Appointment, paid: Decimal) -> Decimal:
    """What of a package's prepayment pays for this one step: the payment split over the
    package's appointments by their services' prices (evenly when none has a price),
    the rounding remainder on the first. A booking of one appointment: all of it."""
    rows = scheduling_selectors.booking_rows(appointment)
    ids = [row.pk for row in rows]
    chain = {appointment.pk} | {
        a.pk for a in scheduling_selectors.appointment_history(appointment=appointment)
    }
    position = next((i for i, pk in enumerate(ids) if pk in chain), None)
    if len(rows) <= 1 or position is None:
        return paid if len(rows) <= 1 else (paid / len(rows)).quantize(CENT, ROUND_DOWN)
    weights = [max(Decimal(row.service.price), Decimal(0)) for row in rows]
    if sum(weights) <= 0:
        weights = [Decimal(1)] * len(rows)
    total = sum(weights)
    shares = [(paid * w / total).quantize(CENT, ROUND_DOWN) for w in weights]
    shares[0] += paid - sum(shares)
    return shares[position]


def on_appointment_cancelled(event: AppointmentCancelled) -> None:
    """The F8 matrix for a confirmed booking that is cancelled: what was prepaid for it
    is refunded in full (less the disclosed fee after the deadline, when the client
    cancels); a late cancellation without a prepayment creates the fee's request, which
    the client is sent and can pay online. A step of a prepaid package was paid with the
    package: its share is refunded by the same rule and no fee is asked for."""
    rows = scheduling_selectors.appointments_by_ids(ids=[event.appointment_id])
    if not rows:
        return
    appointment = rows[0]
    fee = Decimal(event.fee or 0) if event.by_client else Decimal("0")
    request = _paid_request_for(appointment)
    if request is not None:
        with transaction.atomic():
            payments = list(
                Payment.objects.select_for_update()
                .filter(attempt__request=request, status=Payment.Status.SUCCEEDED)
                .order_by("received_at")
            )
            share = step_share(appointment, sum((p.amount for p in payments), Decimal(0)))
            for payment in payments:
                portion = min(share, payment.refundable)
                share -= portion
                keep = min(fee, portion)
                fee -= keep
                if portion - keep > 0:
                    _refund_automatic(
                        payment,
                        reason="cancelled late, less the fee" if keep else "cancelled in time",
                        amount=portion - keep,
                    )
        return
    if fee <= 0:
        return
    currency = str((appointment.policy_snapshot or {}).get("currency") or "")
    if not currency:
        return
    with transaction.atomic():
        if PaymentRequest.objects.filter(
            kind=PaymentRequest.Kind.CANCELLATION_FEE, appointment_id=appointment.pk
        ).exists():
            return
        terms = billing_settings_get().default_terms_days
        fee_request = PaymentRequest.objects.create(
            kind=PaymentRequest.Kind.CANCELLATION_FEE,
            contact_id=appointment.contact_id,
            appointment_id=appointment.pk,
            amount=fee,
            currency=currency,
            due_date=firm_today() + dt.timedelta(days=terms),
        )
        audit_record(
            action=BillingAction.FEE_REQUESTED,
            actor_label="system:policy",
            obj=fee_request,
            matter_id=appointment.matter_id,
            data={"amount": str(fee), "currency": currency, "appointment": str(appointment.pk)},
        )
        notice_queue(
            event=FEE_NOTICE,
            channels=portal_selectors.contact_recipient(appointment.contact).notice_channels(),
            about=object_key("request", fee_request.pk),
        )


# ---------------------------------------------------------------------------
# Paying a late-cancellation fee (a signed link: no login needed, as for a booking)
# ---------------------------------------------------------------------------

FEE_NOTICE = "cancellation_fee"
FEE_SALT = "billing.fee-link"


def fee_link(request: PaymentRequest) -> str:
    """The pay page of a fee request (the signature is the credential; the request's
    own state decides what the page offers, so a paid or cancelled fee asks for nothing)."""
    token = signing.dumps(str(request.pk), salt=FEE_SALT)
    return reverse("billing:fee-pay", kwargs={"token": token})


def fee_request_by_token(token: str) -> PaymentRequest:
    """The fee request a pay link names; 404 for a forged or unknown one."""
    if not token or len(token) > 200:
        raise Http404
    try:
        pk = uuid.UUID(signing.loads(token, salt=FEE_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    request = (
        PaymentRequest.objects.select_related("contact")
        .filter(pk=pk, kind__in=STANDALONE_KINDS)
        .first()
    )
    if request is None:
        raise Http404
    return request


def fee_payment_state(request: PaymentRequest) -> str:
    """The latest attempt's status ("" for none), for the pay and return pages."""
    attempt = request.attempts.order_by("-created_at").first()
    return str(attempt.status) if attempt is not None else ""


def fee_pay_start(*, token: str, meta: RequestMeta | None = None, locale: str = "") -> str:
    """The client presses "Pay" on the fee page: an attempt and a Checkout Session for
    the fee (the same path as every payment); returns the URL to send them to."""
    request = fee_request_by_token(token)
    fee = request.is_fee
    if request.status == PaymentRequest.Status.PAID:
        raise ServiceError(
            _("This fee is paid; there is nothing left to pay.")
            if fee
            else _("This payment request is paid; there is nothing left to pay.")
        )
    if request.is_waived:
        raise ServiceError(
            _("The firm waived this fee; there is nothing to pay.")
            if fee
            else _("The firm withdrew this payment request; there is nothing to pay.")
        )
    if request.status != PaymentRequest.Status.OPEN:
        raise ServiceError(
            _("The firm cancelled this fee; there is nothing to pay.")
            if fee
            else _("The firm cancelled this payment request; there is nothing to pay.")
        )
    rows = scheduling_selectors.appointments_by_ids(ids=[request.appointment_id])
    page = reverse("billing:fee-pay", kwargs={"token": token})
    return _checkout(
        request.pk,
        kind=str(request.kind).lower(),
        success_path=reverse("billing:fee-paid", kwargs={"token": token}),
        cancel_path=page,
        locale=locale,
        meta=meta,
        matter_id=rows[0].matter_id if rows else None,
        data={"fee": True},
    )


WAIVE_REASON_MAX = 300


def may_waive_fees(user: User) -> bool:
    return user.is_firm_admin or user.has_perm("billing.waive_fee")


def fee_waive(
    *, actor: User, meta: RequestMeta | None = None, fee_id: Any, reason: str
) -> PaymentRequest:
    """Staff waive an open late-cancellation fee, with a reason (billing.waive_fee or a
    firm admin; audited): it leaves the client's open fees, its pay link says it was
    waived, and no reminder asks for it. A Checkout session the client left open is
    expired first; while a payment is being confirmed nothing is waived."""
    if not may_waive_fees(actor):
        raise ServiceError(_("You may not waive fees."))
    fee = billing_selectors.fee_get_for_staff(user=actor, fee_id=fee_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the fee is waived."))
    if len(reason) > WAIVE_REASON_MAX:
        raise ServiceError(
            _("The reason has at most %(max)d characters.") % {"max": WAIVE_REASON_MAX}
        )
    try:
        validate_plain_text(reason)
    except ValidationError:
        raise ServiceError(_("Use plain text, without < or > characters.")) from None
    _fee_must_be_open(fee)
    online.checkout_sessions_expire(fee.pk)
    with transaction.atomic():
        fee = PaymentRequest.objects.select_for_update().get(pk=fee.pk)
        _fee_must_be_open(fee)
        if PaymentAttempt.objects.filter(
            request=fee,
            status__in=(PaymentAttempt.Status.OPEN, PaymentAttempt.Status.PROCESSING),
        ).exists():
            raise ServiceError(
                _("The client is paying this fee right now: try again in a few minutes.")
            )
        now = timezone.now()
        PaymentRequest.objects.filter(pk=fee.pk, status=PaymentRequest.Status.OPEN).update(
            status=PaymentRequest.Status.CANCELLED,
            waived_at=now,
            waived_by=actor,
            waive_reason=reason,
        )
        rows = scheduling_selectors.appointments_by_ids(ids=[fee.appointment_id])
        audit_record(
            action=BillingAction.FEE_WAIVED,
            actor=actor,
            meta=meta,
            obj=fee,
            matter_id=rows[0].matter_id if rows else None,
            data={"amount": str(fee.amount), "currency": fee.currency, "reason": reason},
        )
    fee.refresh_from_db()
    return fee


REQUEST_NOTICE = "payment_request"
DESCRIPTION_MAX = 200


@transaction.atomic
def payment_request_create(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    contact_id: Any,
    amount: Decimal,
    currency: str,
    description: str,
    due_date: dt.date,
    reminders: bool = True,
) -> PaymentRequest:
    """Staff ask a contact they may see for an amount of its own (not an invoice: an
    advance on court fees, say), due by a date, with or without payment reminders
    (audited). The client gets one content-free notice with the pay link."""
    contact = portal_selectors.contact_get_for_staff(user=actor, contact_id=contact_id)
    try:
        currency = normalize_currency(currency)
        amount = check_amount(amount, currency)
    except MoneyError as exc:
        raise ServiceError(str(exc)) from None
    if amount <= 0:
        raise ServiceError(_("The amount must be more than zero."))
    description = (description or "").strip()
    if not description:
        raise ServiceError(_("Say what the payment is for."))
    if len(description) > DESCRIPTION_MAX:
        raise ServiceError(
            _("The description has at most %(max)d characters.") % {"max": DESCRIPTION_MAX}
        )
    try:
        validate_plain_text(description)
    except ValidationError:
        raise ServiceError(_("Use plain text, without < or > characters.")) from None
    if due_date < firm_today():
        raise ServiceError(_("The due date cannot be in the past."))
    request = PaymentRequest.objects.create(
        kind=PaymentRequest.Kind.OTHER,
        contact=contact,
        amount=amount,
        currency=currency,
        description=description,
        due_date=due_date,
        reminders=bool(reminders),
        created_by=actor,
    )
    audit_record(
        action=BillingAction.REQUEST_CREATED,
        actor=actor,
        meta=meta,
        obj=request,
        data={
            "amount": str(amount),
            "currency": currency,
            "due_date": due_date.isoformat(),
            "reminders": bool(reminders),
        },
    )
    notice_queue(
        event=REQUEST_NOTICE,
        channels=portal_selectors.contact_recipient(contact).notice_channels(),
        about=object_key("request", request.pk),
    )
    return request


@transaction.atomic
def payment_request_update(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    request_id: Any,
    due_date: dt.date,
    reminders: bool,
) -> PaymentRequest:
    """Staff set an open request's due date and whether payment reminders follow it
    (whoever may see the contact; audited). A new due date starts its reminder steps
    again around that date; a paid, waived or cancelled request is not changed."""
    fee = billing_selectors.fee_get_for_staff(user=actor, fee_id=request_id)
    fee = PaymentRequest.objects.select_for_update().get(pk=fee.pk)
    _fee_must_be_open(fee)
    if due_date < timezone.localtime(fee.created_at).date():
        raise ServiceError(_("The due date cannot be before the day the fee was asked for."))
    changes: dict[str, Any] = {"reminders": bool(reminders)}
    if due_date != fee.due_date:
        changes.update(due_date=due_date, last_reminder_step="")
    PaymentRequest.objects.filter(pk=fee.pk).update(**changes)
    audit_record(
        action=BillingAction.REQUEST_UPDATED,
        actor=actor,
        meta=meta,
        obj=fee,
        data={
            "due_date": due_date.isoformat(),
            "was_due": fee.due_date.isoformat() if fee.due_date else None,
            "reminders": bool(reminders),
        },
    )
    fee.refresh_from_db()
    return fee


def _fee_must_be_open(fee: PaymentRequest) -> None:
    if fee.status == PaymentRequest.Status.PAID:
        raise ServiceError(
            _("This fee is paid: refund the payment instead.")
            if fee.is_fee
            else _("This payment request is paid: refund the payment instead.")
        )
    if fee.status != PaymentRequest.Status.OPEN:
        raise ServiceError(
            _("This fee is no longer open.")
            if fee.is_fee
            else _("This payment request is no longer open.")
        )


def cancellation_fee_paid(request: PaymentRequest, payment: Payment, late: bool) -> None:
    """A fee paid after staff waived it (the client's Checkout completed as the waiver
    went through): the money goes back in full."""
    if PaymentRequest.objects.filter(pk=request.pk, waived_at__isnull=False).exists():
        _refund_automatic(payment, reason="fee waived")


def open_fees_for_contact(contact_id: Any) -> list[tuple[PaymentRequest, str]]:
    """A contact's unpaid late-cancellation fees with their pay links (portal list)."""
    return [
        (request, fee_link(request))
        for request in PaymentRequest.objects.filter(
            contact_id=contact_id,
            kind__in=STANDALONE_KINDS,
            status=PaymentRequest.Status.OPEN,
        ).order_by("created_at")
    ]


def register() -> None:
    """Hook the consultation fee into settlement (called from BillingConfig.ready())."""
    online.REQUEST_PAID[CONSULTATION] = consultation_paid
    online.REQUEST_PAID[PaymentRequest.Kind.CANCELLATION_FEE] = cancellation_fee_paid
    online.REQUEST_PROCESSING[CONSULTATION] = consultation_processing

"""Paying online through Stripe Checkout, the webhook, reconciliation and refunds
(spec §5, §6 F1, §9).

Money is recorded only from a Stripe object Atrium re-fetched after a verified event (or
found by reconciliation): never from a redirect or a URL parameter. Each attempt's
idempotency key is stored on its row before Stripe is called, so a retry reuses it.
Every state change is a conditional UPDATE or runs under ``select_for_update``, so a
repeated or late event changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from billing import demo_gateway
from billing import gateway as gw
from billing.audit_actions import BillingAction
from billing.demo_gateway import DemoGateway, demo_enabled, demo_webhook_secret
from billing.models import (
    Allocation,
    CreditNote,
    DemoCheckoutSession,
    Invoice,
    Payment,
    PaymentAttempt,
    PaymentRequest,
    Refund,
    StripeEvent,
)
from billing.money import Money, MoneyError, check_amount, format_money, parse_amount
from billing.selectors import (
    billing_settings_get,
    invoice_get_for_client,
    payment_get_for_staff,
    refund_get_for_staff,
)
from billing.services.invoices import credit_note_issue, invoice_settle
from billing.services.payments import payment_settle
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from notifications.services import notice_queue
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    import stripe

    from portal.models import User

logger = logging.getLogger(__name__)

SESSION_MINUTES = 30  # Stripe's shortest Checkout lifetime
METHOD_OF = {"card": Payment.Method.CARD, "blik": Payment.Method.BLIK, "p24": Payment.Method.P24}
SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
REFUND_EVENTS = frozenset({"refund.updated", "refund.created", "charge.refunded"})


# What the services call: the real gateway or, without a key, the local demo.
Gateway = gw.StripeGateway | DemoGateway


_http_client: stripe.HTTPClient | None = None

# What a request of a kind does besides settling, in the settling transaction: a paid
# consultation fee confirms its held booking (billing.services.bookings registers them).
# `paid(request, payment, late)` once the money is in; `processing(request)` when the
# bank is still confirming (BLIK, Przelewy24).
REQUEST_PAID: dict[str, Callable[[PaymentRequest, Payment, bool], None]] = {}
REQUEST_PROCESSING: dict[str, Callable[[PaymentRequest], None]] = {}
FEE_KINDS = (
    PaymentRequest.Kind.CONSULTATION_FEE,
    PaymentRequest.Kind.CANCELLATION_FEE,
    PaymentRequest.Kind.OTHER,
)


def use_http_client(client: stripe.HTTPClient | None) -> None:
    """Tests hand the real gateway an HTTP layer (``tests/billing/stripe_fake.py``)."""
    global _http_client  # noqa: PLW0603 - the one replaceable seam, as the spec asks
    _http_client = client


def gateway() -> Gateway:
    if demo_enabled():
        return DemoGateway()
    return gw.StripeGateway(http_client=_http_client)


def webhook_secrets() -> list[str]:
    configured = list(settings.STRIPE_WEBHOOK_SECRETS)
    return configured if not demo_enabled() else [*configured, demo_webhook_secret()]


# ---------------------------------------------------------------------------
# Starting a payment
# ---------------------------------------------------------------------------


# Stripe's smallest charge per currency (docs.stripe.com/currencies, minimum charge).
STRIPE_MINIMUM = {"PLN": Decimal("2.00"), "EUR": Decimal("0.50"), "USD": Decimal("0.50")}


def _request_for_invoice(invoice: Invoice) -> PaymentRequest:
    """The open request for the invoice's balance (one per invoice; its amount follows
    the balance, never a form; part-payments as the firm's settings allow)."""
    minimum = billing_settings_get().partial_payment_minimum
    request = (
        PaymentRequest.objects.select_for_update()
        .filter(invoice=invoice, status=PaymentRequest.Status.OPEN)
        .first()
    )
    if request is None:
        request = PaymentRequest.objects.create(
            kind=PaymentRequest.Kind.INVOICE_BALANCE,
            contact_id=invoice.contact_id,
            invoice=invoice,
            amount=invoice.balance,
            currency=invoice.currency,
            allow_partial=minimum is not None,
            min_amount=minimum,
        )
    elif request.amount != invoice.balance or request.min_amount != minimum:
        request.amount = invoice.balance
        request.allow_partial = minimum is not None
        request.min_amount = minimum
        request.save(update_fields=["amount", "allow_partial", "min_amount"])
    return request


def part_payment_floor(request: PaymentRequest) -> Decimal:
    """The smallest part the client may pay on this request."""
    floor = max(
        Decimal(request.min_amount or 0), STRIPE_MINIMUM.get(request.currency, Decimal("0.50"))
    )
    return min(floor, Decimal(request.amount))


def part_payment_allowed(invoice: Invoice) -> Decimal | None:
    """For the invoice page: the smallest part the client may pay, or None when only the
    whole balance can be paid online."""
    minimum = billing_settings_get().partial_payment_minimum
    if minimum is None or invoice.balance <= 0:
        return None
    floor = max(minimum, STRIPE_MINIMUM.get(invoice.currency, Decimal("0.50")))
    return floor if floor < invoice.balance else None


def _chosen_amount(request: PaymentRequest, text: str | None, language: str) -> Decimal:
    """What this attempt asks for: the request's amount, or a part the client typed,
    checked against the request row (never trusted from the form)."""
    if text is None or not text.strip():
        return Decimal(request.amount)
    if not request.allow_partial:
        raise ServiceError(
            _("This invoice is paid in full online; a part-payment is not possible.")
        )
    try:
        amount = parse_amount(text, request.currency, language)
    except MoneyError as exc:
        raise ServiceError(str(exc)) from None
    if amount > request.amount:
        raise ServiceError(
            _("You can pay at most %(balance)s, what is left to pay.")
            % {"balance": format_money(request.amount, request.currency, language)}
        )
    floor = part_payment_floor(request)
    if amount < floor:
        raise ServiceError(
            _("A part-payment is at least %(minimum)s.")
            % {"minimum": format_money(floor, request.currency, language)}
        )
    return amount


def invoice_pay_start(
    *, user: User, meta: RequestMeta | None = None, invoice_id: Any, amount: str | None = None
) -> str:
    """The client presses "Pay": a request, an attempt (its key stored first) and a
    Checkout Session; returns the URL to send the client to. ``amount`` is a part the
    client typed, where the firm allows part-payments; otherwise the whole balance."""
    invoice = invoice_get_for_client(user=user, invoice_id=invoice_id)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.balance <= 0:
            raise ServiceError(_("This invoice is paid; there is nothing left to pay."))
        if PaymentAttempt.objects.filter(
            request__invoice=invoice, status=PaymentAttempt.Status.PROCESSING
        ).exists():
            raise ServiceError(_("A payment of this invoice is being confirmed by your bank."))
        request = _request_for_invoice(invoice)
        chosen = _chosen_amount(request, amount, user.language or invoice.language)
        previous = list(
            request.attempts.filter(status=PaymentAttempt.Status.OPEN).exclude(
                checkout_session_id=None
            )
        )
        attempt_id = uuid.uuid4()
        attempt = PaymentAttempt.objects.create(
            id=attempt_id,
            request=request,
            amount=chosen,
            currency=request.currency,
            idempotency_key=f"cs:{attempt_id}",
            expires_at=timezone.now() + dt.timedelta(minutes=SESSION_MINUTES, seconds=30),
        )
    client = gateway()
    for old in previous:
        _expire_replaced(client, old)
    return_path = reverse("billing:portal-payment-return", args=[invoice.pk])
    try:
        session = client.create_payment_session(
            attempt_id=attempt.pk,
            request_id=request.pk,
            kind="invoice_balance",
            amount=Money(attempt.amount, attempt.currency),
            reference=invoice.number or "",
            success_url=absolute_url(return_path) + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=absolute_url(reverse("billing:portal-invoice", args=[invoice.pk])),
            expires_at=attempt.expires_at,
            idempotency_key=attempt.idempotency_key,
            locale=user.language or invoice.language,
        )
    except gw.GatewayOutcomeUnknown:
        found = _lookup(client, attempt)
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
        actor=user,
        meta=meta,
        obj=attempt,
        matter_id=invoice.matter_id,
        data={"amount": str(attempt.amount), "currency": attempt.currency},
    )
    return session.url or ""


def _lookup(client: Gateway, attempt: PaymentAttempt) -> gw.CheckoutSession | None:
    """After a 5xx or a timeout: the session Stripe may have made for this attempt."""
    finder = getattr(client, "find_checkout_session", None)
    if finder is None:
        return None
    try:
        found: gw.CheckoutSession | None = finder(
            attempt_id=attempt.pk, created_after=attempt.created_at - dt.timedelta(minutes=5)
        )
    except gw.GatewayError:
        return None
    return found


def _expire_replaced(client: Gateway, attempt: PaymentAttempt) -> None:
    """A newer attempt replaces an open one: expire its session first. A session that
    completed meanwhile is left to its events (money facts win)."""
    try:
        client.expire_checkout_session(
            attempt.checkout_session_id or "", idempotency_key=f"exp:{attempt.pk}"
        )
    except gw.CheckoutSessionAlreadyComplete:
        return
    except gw.GatewayError:
        logger.warning("could not expire replaced session of attempt %s", attempt.pk)
        return
    PaymentAttempt.objects.filter(pk=attempt.pk, status=PaymentAttempt.Status.OPEN).update(
        status=PaymentAttempt.Status.CANCELED
    )


def checkout_sessions_expire(request_id: Any) -> None:
    """Expire the open Checkout sessions of a request staff are closing (call outside
    any transaction: Atrium never waits on Stripe while holding locks). A session that
    completed meanwhile stays open here and is settled by its events."""
    client = gateway()
    for attempt in PaymentAttempt.objects.filter(
        request_id=request_id, status=PaymentAttempt.Status.OPEN
    ):
        _expire_replaced(client, attempt)


# ---------------------------------------------------------------------------
# The webhook
# ---------------------------------------------------------------------------


class WebhookRefused(Exception):
    """400: nothing was written."""


def webhook_receive(payload: bytes, signature: str | None) -> StripeEvent | None:
    """Verify, store once and schedule processing. None: a duplicate (already stored)."""
    try:
        event = gw.verify_webhook(payload, signature, webhook_secrets())
    except gw.WebhookVerificationError as exc:
        logger.warning("stripe webhook refused: %s", exc.reason)
        raise WebhookRefused(exc.reason) from None
    if event.livemode != settings.STRIPE_EXPECT_LIVEMODE:
        logger.warning("stripe webhook refused: livemode %s", event.livemode)
        raise WebhookRefused("livemode")
    try:
        with transaction.atomic():
            row = StripeEvent.objects.create(
                event_id=event.id,
                type=event.type[:100],
                livemode=event.livemode,
                object_id=(event.object_id or "")[:255],
                payload=event.payload,
            )
            transaction.on_commit(lambda: _enqueue(row.event_id))
    except IntegrityError:
        return None
    return row


def _enqueue(event_id: str) -> None:
    from billing import tasks

    try:
        tasks.stripe_event_process.delay(event_id)
    except Exception:  # noqa: BLE001 - the broker is down: reconciliation picks it up
        logger.warning("could not enqueue stripe event %s; reconciliation will", event_id)


def stripe_event_process(*, event_id: str) -> str:
    """Claim the event, re-fetch its object and apply its current state. Returns the
    event's final status."""
    with transaction.atomic():
        _commit_without_flush_wait()
        claimed = StripeEvent.objects.filter(
            event_id=event_id,
            status__in=(StripeEvent.Status.RECEIVED, StripeEvent.Status.FAILED),
        ).update(
            status=StripeEvent.Status.PROCESSING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    if not claimed:
        return (
            StripeEvent.objects.filter(event_id=event_id).values_list("status", flat=True).first()
            or ""
        )
    row = StripeEvent.objects.get(event_id=event_id)
    status, error = StripeEvent.Status.PROCESSED, ""
    try:
        if row.type in SESSION_EVENTS:
            session_settle(session_id=row.object_id, actor_label="system:webhook")
        elif row.type == "payment_intent.succeeded":
            intent_id = row.object_id
            attempt = PaymentAttempt.objects.filter(payment_intent_id=intent_id).first()
            meta = (row.payload.get("data") or {}).get("object", {}).get("metadata") or {}
            attempt_id = _uuid(meta.get("atrium_attempt"))
            if attempt is None and attempt_id is not None:
                attempt = PaymentAttempt.objects.filter(pk=attempt_id).first()
            if attempt is not None and attempt.checkout_session_id:
                session_settle(session_id=attempt.checkout_session_id, actor_label="system:webhook")
            else:
                status = StripeEvent.Status.IGNORED
        elif row.type in REFUND_EVENTS:
            if not refund_event_apply(event_type=row.type, object_id=row.object_id):
                status = StripeEvent.Status.IGNORED
        elif row.type in DISPUTE_EVENTS:
            if not dispute_event_apply(dispute_id=row.object_id):
                status = StripeEvent.Status.IGNORED
        else:
            status = StripeEvent.Status.IGNORED
    except SettlementMismatch as exc:
        status, error = StripeEvent.Status.FAILED, str(exc)[:200]
        logger.error("stripe event %s not settled: %s", event_id, exc)
    except gw.GatewayError as exc:
        status, error = StripeEvent.Status.FAILED, str(exc)[:200]
    with transaction.atomic():
        _commit_without_flush_wait()
        StripeEvent.objects.filter(pk=row.pk).update(
            status=status, processed_at=timezone.now(), error=error
        )
    return str(status)


def _commit_without_flush_wait() -> None:
    """Let the enclosing transaction commit without waiting for PostgreSQL to flush its WAL
    (``synchronous_commit`` off for this transaction only). Used for the event's own
    bookkeeping (claimed, processed), never for money: the receiving insert and every
    payment write commit synchronously. Losing such a commit in a database crash is
    harmless. WAL is written in order, so a later synchronous commit makes it durable
    too, and otherwise the event is left RECEIVED or PROCESSING, which
    ``reconcile`` processes again from Stripe's current state. Inside a caller's
    transaction it does nothing, so it never relaxes anyone else's writes."""
    # Only when the atomic block just opened is the outermost one: no caller's writes
    # share its commit.
    if connection.vendor != "postgresql" or len(connection.atomic_blocks) != 1:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class SettlementMismatch(Exception):
    """The object Stripe has does not match the attempt: never settle."""


def session_settle(*, session_id: str, actor_label: str) -> str:
    """Apply what Stripe says the session is now (re-fetched), whatever event brought us
    here. Returns the attempt's status."""
    session = gateway().retrieve_checkout_session(session_id)
    with transaction.atomic():
        attempt = (
            PaymentAttempt.objects.select_for_update()
            .select_related("request")
            .filter(checkout_session_id=session.id)
            .first()
        )
        if attempt is None:
            raise SettlementMismatch("no attempt for this session")
        expected = str(attempt.pk)
        if session.metadata.get("atrium_attempt") != expected or (
            session.client_reference_id not in (None, expected)
        ):
            raise SettlementMismatch("metadata does not name the attempt")
        if session.livemode != settings.STRIPE_EXPECT_LIVEMODE and not demo_enabled():
            raise SettlementMismatch("livemode")
        if session.amount_total != Money(attempt.amount, attempt.currency):
            raise SettlementMismatch("amount or currency differ")
        intent = session.payment_intent
        if session.status == "complete" and session.payment_status == "paid":
            if intent is None or not intent.succeeded:
                raise SettlementMismatch("paid session without a succeeded intent")
            _succeed(attempt, intent, actor_label=actor_label)
        elif session.status == "complete":
            if intent is not None and intent.status in ("requires_payment_method", "canceled"):
                _move(attempt, PaymentAttempt.Status.FAILED, failure="async_failed")
            else:
                was_open = attempt.status == PaymentAttempt.Status.OPEN
                _move(
                    attempt, PaymentAttempt.Status.PROCESSING, intent_id=session.payment_intent_id
                )
                processing = REQUEST_PROCESSING.get(attempt.request.kind)
                if was_open and processing is not None:
                    processing(attempt.request)
        elif session.status == "expired":
            _move(attempt, PaymentAttempt.Status.EXPIRED)
        attempt.refresh_from_db(fields=["status"])
        return str(attempt.status)


def _move(
    attempt: PaymentAttempt, to: str, *, intent_id: str | None = None, failure: str = ""
) -> None:
    if not to in PaymentAttempt.TRANSITIONS.get(attempt.status, ()):  # noqa: E713
        return  # never backwards: a late 'completed' after success changes nothing
    fields: dict[str, Any] = {"status": to, "last_event_at": timezone.now()}
    if intent_id:
        fields["payment_intent_id"] = intent_id
    if failure:
        fields["failure_code"] = failure
    PaymentAttempt.objects.filter(pk=attempt.pk, status=attempt.status).update(**fields)


def _succeed(attempt: PaymentAttempt, intent: gw.PaymentIntent, *, actor_label: str) -> None:
    """One Payment per PaymentIntent (UNIQUE), allocated to the request's invoice first,
    with its receipt and notice, in this transaction."""
    if Payment.objects.filter(provider_payment_intent=intent.id).exists():
        _move(attempt, PaymentAttempt.Status.SUCCEEDED, intent_id=intent.id)
        return
    if intent.amount_received != Money(attempt.amount, attempt.currency):
        raise SettlementMismatch("amount received differs")
    late = attempt.status in (
        PaymentAttempt.Status.EXPIRED,
        PaymentAttempt.Status.FAILED,
        PaymentAttempt.Status.CANCELED,
    )
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        status=PaymentAttempt.Status.SUCCEEDED,
        payment_intent_id=intent.id,
        last_event_at=timezone.now(),
    )
    request = attempt.request
    method = METHOD_OF.get(
        intent.payment_method_types[0] if intent.payment_method_types else "card",
        Payment.Method.OTHER,
    )
    payment = Payment.objects.create(
        contact_id=request.contact_id,
        method=method,
        amount=attempt.amount,
        currency=attempt.currency,
        attempt=attempt,
        provider_payment_intent=intent.id,
        provider_charge=intent.latest_charge_id,
    )
    order = [request.invoice_id] if request.invoice_id else None
    payment_settle(
        payment,
        actor=None,
        order=order if order and _open(order[0]) else None,
        # A fee paid for itself (a booking's) pays no invoice and leaves no credit.
        allocate=request.kind not in FEE_KINDS,
    )
    # A request that lapsed meanwhile (its hold expired) is still paid: money facts win.
    # A part-payment leaves an invoice's request open for the rest (its balance decides).
    if not (request.invoice_id and _open(request.invoice_id)):
        PaymentRequest.objects.filter(
            pk=request.pk,
            status__in=(PaymentRequest.Status.OPEN, PaymentRequest.Status.EXPIRED),
        ).update(status=PaymentRequest.Status.PAID)
    audit_record(
        action=BillingAction.PAYMENT_SETTLED,
        actor_label=actor_label,
        obj=payment,
        data={
            "amount": str(payment.amount),
            "currency": payment.currency,
            "method": method,
            "late": late,
        },
    )
    paid = REQUEST_PAID.get(request.kind)
    if paid is not None:
        paid(request, payment, late)


def _open(invoice_id: Any) -> bool:
    return Invoice.objects.filter(pk=invoice_id, balance__gt=0).exists()


def attempt_status_for_client(*, user: User, invoice_id: Any, session_id: str) -> str:
    """What the return page shows: the attempt's state (never settles anything itself
    except by re-fetching from Stripe, which is evidence)."""
    invoice = invoice_get_for_client(user=user, invoice_id=invoice_id)
    attempt = PaymentAttempt.objects.filter(
        request__invoice=invoice, checkout_session_id=session_id or None
    ).first()
    if attempt is None:
        return ""
    return str(attempt.status)


# ---------------------------------------------------------------------------
# Reconciliation
# ---------------------------------------------------------------------------


def reconcile(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Settle what missed webhooks left open: attempts past their expiry, events stuck
    RECEIVED (Celery was down) or PROCESSING (a worker died)."""
    now = now or timezone.now()
    done = {"attempts": 0, "events": 0}
    stale_events = StripeEvent.objects.filter(
        status=StripeEvent.Status.RECEIVED, received_at__lt=now - dt.timedelta(minutes=5)
    ).values_list("event_id", flat=True)[:500]
    for event_id in list(stale_events):
        stripe_event_process(event_id=event_id)
        done["events"] += 1
    StripeEvent.objects.filter(
        status=StripeEvent.Status.PROCESSING, claimed_at__lt=now - dt.timedelta(minutes=10)
    ).update(status=StripeEvent.Status.FAILED, error="reclaimed")
    open_attempts = PaymentAttempt.objects.filter(
        status__in=(PaymentAttempt.Status.OPEN, PaymentAttempt.Status.PROCESSING),
        expires_at__lt=now - dt.timedelta(minutes=5),
    ).exclude(checkout_session_id=None)
    # Policy refunds (a lost slot, a cancellation) whose send after commit failed.
    unsent = Refund.objects.select_related("payment").filter(
        status=Refund.Status.PENDING,
        provider_refund_id=None,
        requested_by=None,
        created_at__lt=now - dt.timedelta(minutes=5),
    )
    for refund in list(unsent[:100]):
        try:
            refund_send_system(refund)
        except ServiceError as exc:
            logger.warning("reconcile: refund %s: %s", refund.pk, exc)
    for attempt in list(open_attempts[:200]):
        try:
            session_settle(
                session_id=attempt.checkout_session_id or "", actor_label="system:reconcile"
            )
        except (SettlementMismatch, gw.GatewayError) as exc:
            logger.warning("reconcile: attempt %s: %s", attempt.pk, exc)
            continue
        done["attempts"] += 1
    return done


# ---------------------------------------------------------------------------
# Refunds
# ---------------------------------------------------------------------------


def may_refund(user: User) -> bool:
    return user.is_firm_admin or user.has_perm("billing.refund")


def needs_second_approval(amount: Decimal, currency: str) -> bool:
    """Above the firm's threshold (in the firm's currency), a refund waits for a second
    staff member; one in another currency always does (amounts are never converted)."""
    if currency != portal_selectors.firm_get().currency:
        return True
    return amount > billing_settings_get().refund_second_approval_above


def refund_create(
    *,
    actor: User,
    meta: RequestMeta | None = None,
    payment_id: Any,
    amount: Decimal,
    reason: str,
    bank_reference: str = "",
) -> Refund:
    """Give back part or all of a payment, never more than is left of it. Above the firm's
    threshold it waits for another staff member's approval (``refund_approve``); otherwise
    card, BLIK and P24 payments go back through Stripe at once (key ``re:{refund.id}``
    stored first) and others are recorded with the bank reference of the transfer back."""
    if not may_refund(actor):
        raise ServiceError(_("You may not refund payments."))
    payment = payment_get_for_staff(user=actor, payment_id=payment_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > 300 or "<" in reason or ">" in reason:
        raise ServiceError(
            _("Give the reason for the refund in plain text (at most 300 characters).")
        )
    try:
        amount = check_amount(amount, payment.currency)
    except MoneyError as exc:
        raise ServiceError(str(exc)) from None
    online = payment.provider_payment_intent is not None
    approval = needs_second_approval(amount, payment.currency)
    if not online and not approval and not bank_reference.strip():
        raise ServiceError(_("Enter the bank reference of the transfer back to the client."))
    if len(bank_reference) > 100 or "<" in bank_reference or ">" in bank_reference:
        raise ServiceError(_("Enter the bank reference as plain text (at most 100 characters)."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.SUCCEEDED:
            raise ServiceError(_("A disputed or reversed payment cannot be refunded."))
        reserved = sum(
            (r.amount for r in payment.refunds.filter(status__in=Refund.RESERVING)), Decimal(0)
        )
        left = payment.refundable - reserved
        if amount <= 0 or amount > left:
            raise ServiceError(
                _("A refund can be at most what is left of the payment, %(left)s.")
                % {"left": format_money(left, payment.currency)}
            )
        refund_id = uuid.uuid4()
        refund = Refund.objects.create(
            id=refund_id,
            payment=payment,
            amount=amount,
            reason=reason,
            idempotency_key=f"re:{refund_id}",
            bank_reference=bank_reference.strip()[:100],
            requested_by=actor,
            status=Refund.Status.REQUESTED if approval else Refund.Status.PENDING,
        )
        audit_record(
            action=BillingAction.REFUND_REQUESTED,
            actor=actor,
            meta=meta,
            obj=refund,
            data={
                "amount": str(amount),
                "currency": payment.currency,
                "second_approval": approval,
            },
        )
        if approval:
            return refund
        if not online:
            _refund_succeeded(refund, actor=actor)
            refund.refresh_from_db()
            return refund
    return _refund_send(refund, payment, actor=actor, meta=meta)


def refund_approve(
    *, actor: User, meta: RequestMeta | None = None, refund_id: Any, bank_reference: str = ""
) -> Refund:
    """The second approval of a refund above the threshold, by someone other than the
    person who asked for it; then the money goes back as for any refund."""
    refund = _refund_for_decision(actor, refund_id)
    bank_reference = (bank_reference or "").strip() or refund.bank_reference
    online = refund.payment.provider_payment_intent is not None
    if not online and not bank_reference:
        raise ServiceError(_("Enter the bank reference of the transfer back to the client."))
    if len(bank_reference) > 100 or "<" in bank_reference or ">" in bank_reference:
        raise ServiceError(_("Enter the bank reference as plain text (at most 100 characters)."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        moved = Refund.objects.filter(pk=refund.pk, status=Refund.Status.REQUESTED).update(
            status=Refund.Status.PENDING,
            approved_by=actor,
            decided_at=timezone.now(),
            bank_reference=bank_reference[:100],
        )
        if not moved:
            raise ServiceError(_("This refund was decided already."))
        if payment.status != Payment.Status.SUCCEEDED:
            raise ServiceError(_("A disputed or reversed payment cannot be refunded."))
        refund.refresh_from_db()
        audit_record(
            action=BillingAction.REFUND_APPROVED,
            actor=actor,
            meta=meta,
            obj=refund,
            data={"amount": str(refund.amount), "currency": payment.currency},
        )
        if not online:
            _refund_succeeded(refund, actor=actor)
            refund.refresh_from_db()
            return refund
    return _refund_send(refund, payment, actor=actor, meta=meta)


def refund_reject(*, actor: User, meta: RequestMeta | None = None, refund_id: Any) -> Refund:
    """A refund waiting for approval is rejected by another staff member, or withdrawn
    (cancelled) by the person who asked for it. No money moves."""
    if not may_refund(actor):
        raise ServiceError(_("You may not refund payments."))
    refund = refund_get_for_staff(user=actor, refund_id=refund_id)
    to = Refund.Status.CANCELLED if refund.requested_by_id == actor.pk else Refund.Status.REJECTED
    with transaction.atomic():
        if not Refund.objects.filter(pk=refund.pk, status=Refund.Status.REQUESTED).update(
            status=to, approved_by=actor, decided_at=timezone.now()
        ):
            raise ServiceError(_("This refund was decided already."))
        audit_record(
            action=BillingAction.REFUND_REJECTED,
            actor=actor,
            meta=meta,
            obj=refund,
            data={"amount": str(refund.amount), "status": str(to)},
        )
    refund.refresh_from_db()
    return refund


def _refund_for_decision(actor: User, refund_id: Any) -> Refund:
    if not may_refund(actor):
        raise ServiceError(_("You may not refund payments."))
    refund = refund_get_for_staff(user=actor, refund_id=refund_id)
    if refund.status != Refund.Status.REQUESTED:
        raise ServiceError(_("This refund was decided already."))
    if refund.requested_by_id == actor.pk:
        raise ServiceError(_("Another staff member must approve a refund you asked for."))
    return refund


def refund_send_system(refund: Refund) -> Refund:
    """Send a PENDING refund the policy made (no staff member): a lost slot, a
    cancellation in time."""
    return _refund_send(refund, refund.payment, actor=None, meta=None)


def _refund_send(
    refund: Refund, payment: Payment, *, actor: User | None, meta: RequestMeta | None
) -> Refund:
    """A PENDING refund of an online payment goes to Stripe with its stored key."""
    try:
        answer = gateway().create_refund(
            refund_id=refund.pk,
            payment_intent_id=payment.provider_payment_intent or "",
            amount=Money(refund.amount, payment.currency),
            idempotency_key=refund.idempotency_key,
        )
    except gw.GatewayOutcomeUnknown:
        # Unknown outcome: the refund stays PENDING with its key; a retry is safe.
        raise ServiceError(
            _("The payment service did not answer; the refund is pending. Try again later.")
        ) from None
    except gw.GatewayError as exc:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, failure_reason=(exc.code or "refused")[:100]
        )
        audit_record(action=BillingAction.REFUND_FAILED, actor=actor, meta=meta, obj=refund)
        raise ServiceError(
            _("The payment service refused the refund (%(code)s).") % {"code": exc.code or "?"}
        ) from None
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        Refund.objects.filter(pk=refund.pk).update(provider_refund_id=answer.id)
        _refund_apply_state(refund, answer, actor=actor)
    refund.refresh_from_db()
    return refund


def _refund_apply_state(refund: Refund, answer: gw.Refund, *, actor: User | None) -> None:
    """What Stripe says the refund is now; only PENDING moves (never backwards)."""
    if answer.status == "succeeded":
        _refund_succeeded(refund, actor=actor)
    elif answer.status in ("failed", "canceled"):
        if Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, failure_reason=(answer.failure_reason or "")[:100]
        ):
            audit_record(
                action=BillingAction.REFUND_FAILED,
                actor=actor,
                actor_label="" if actor else "system:webhook",
                obj=refund,
                data={"reason": (answer.failure_reason or "")[:100]},
            )


def refund_event_apply(*, event_type: str, object_id: str) -> bool:
    """``refund.*`` and ``charge.refunded``: re-fetch the refund(s) and apply their state.
    False: nothing of Atrium's is concerned (the event is ignored)."""
    client = gateway()
    if event_type.startswith("refund."):
        refunds = list(Refund.objects.filter(provider_refund_id=object_id))
        if not refunds:
            answer = client.retrieve_refund(object_id)
            pk = _uuid(answer.metadata.get("atrium_refund"))
            refunds = list(Refund.objects.filter(pk=pk)) if pk else []
    else:
        refunds = list(
            Refund.objects.filter(
                payment__provider_charge=object_id, status=Refund.Status.PENDING
            ).exclude(provider_refund_id=None)
        )
    if not refunds:
        return False
    for refund in refunds:
        if refund.status != Refund.Status.PENDING:
            continue
        answer = client.retrieve_refund(refund.provider_refund_id or object_id)
        if answer.metadata.get("atrium_refund") != str(refund.pk):
            raise SettlementMismatch("refund metadata does not name the refund")
        if answer.amount != Money(refund.amount, refund.payment.currency):
            raise SettlementMismatch("refund amount differs")
        with transaction.atomic():
            locked = Refund.objects.select_for_update().get(pk=refund.pk)
            if not locked.provider_refund_id:
                Refund.objects.filter(pk=refund.pk).update(provider_refund_id=answer.id)
            _refund_apply_state(locked, answer, actor=None)
    return True


def _return_to_invoices(payment_id: Any, amount: Decimal) -> list[Invoice]:
    """Money that went back to the client (a refund, a lost dispute) reopens the invoices
    it had paid, newest allocation first; returns the invoices touched."""
    Payment.objects.filter(pk=payment_id).update(refunded_total=F("refunded_total") + amount)
    left = amount
    touched = []
    for allocation in Allocation.objects.filter(payment_id=payment_id).order_by("-pk"):
        if left <= 0:
            break
        invoice = Invoice.objects.select_for_update().get(pk=allocation.invoice_id)
        part = min(left, allocation.amount)
        Invoice.objects.filter(pk=invoice.pk).update(refunded_total=F("refunded_total") + part)
        invoice.refresh_from_db()
        invoice_settle(invoice)
        touched.append((invoice, part))
        left -= part
    return [i for i, _part in touched]


def _refund_succeeded(refund: Refund, *, actor: User | None) -> None:
    """PENDING → SUCCEEDED: the payment's refunded total, and for an invoice payment the
    reopened share or, for a full refund of a whole invoice, its credit note."""
    if not Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.SUCCEEDED
    ):
        return
    issuer = actor or refund.requested_by
    for invoice in _return_to_invoices(refund.payment_id, refund.amount):
        whole = (
            invoice.refunded_total == invoice.total
            and invoice.credited_total == 0
            and not CreditNote.objects.filter(invoice=invoice).exists()
        )
        if whole and issuer is not None:
            note = credit_note_issue(
                actor=issuer,
                invoice_id=invoice.pk,
                reason=CreditNote.Reason.REFUND,
                allow_above_balance=True,
                check_access=False,
            )
            Refund.objects.filter(pk=refund.pk).update(credit_note=note)
    audit_record(
        action=BillingAction.REFUND_SETTLED,
        actor=actor,
        actor_label="" if actor else "system:webhook",
        obj=refund,
        data={"amount": str(refund.amount)},
    )


# ---------------------------------------------------------------------------
# Disputes (chargebacks)
# ---------------------------------------------------------------------------

PAYMENT_DISPUTED = "payment_disputed"
DISPUTE_EVENTS = frozenset(
    {"charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed"}
)


def dispute_event_apply(*, dispute_id: str) -> bool:
    """Re-fetch the dispute and apply its current state to the payment: open → DISPUTED
    (reminders for its invoices pause, staff are told), won → back to SUCCEEDED, lost →
    REVERSED and the invoices' balance reopens. Never backwards: a reversed payment stays
    reversed, and a late "created" after "closed" finds the closed state."""
    dispute = gateway().retrieve_dispute(dispute_id)
    payment = (
        Payment.objects.filter(provider_charge=dispute.charge_id).first()
        if dispute.charge_id
        else None
    )
    if payment is None and dispute.payment_intent_id:
        payment = Payment.objects.filter(provider_payment_intent=dispute.payment_intent_id).first()
    if payment is None:
        return False
    if dispute.amount.currency != payment.currency:
        raise SettlementMismatch("dispute currency differs")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        status = payment.status
        if status == Payment.Status.REVERSED:
            return True
        if dispute.status == "lost":
            amount = min(dispute.amount.amount, payment.refundable)
            Payment.objects.filter(pk=payment.pk).update(
                status=Payment.Status.REVERSED, provider_dispute=dispute.id
            )
            invoices = _return_to_invoices(payment.pk, amount) if amount > 0 else []
            _dispute_audit(payment, dispute, invoices=[i.number or "" for i in invoices])
        elif dispute.status == "won":
            if status == Payment.Status.DISPUTED:
                Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.SUCCEEDED)
                _dispute_audit(payment, dispute)
        elif status == Payment.Status.SUCCEEDED:
            Payment.objects.filter(pk=payment.pk).update(
                status=Payment.Status.DISPUTED, provider_dispute=dispute.id
            )
            audit_record(
                action=BillingAction.PAYMENT_DISPUTED,
                actor_label="system:webhook",
                obj=payment,
                data={
                    "amount": str(dispute.amount.amount),
                    "currency": payment.currency,
                    "reason": dispute.reason[:60],
                },
            )
            _notify_staff_of_dispute(payment)
    return True


def _dispute_audit(
    payment: Payment, dispute: gw.Dispute, invoices: list[str] | None = None
) -> None:
    audit_record(
        action=BillingAction.PAYMENT_DISPUTE_CLOSED,
        actor_label="system:webhook",
        obj=payment,
        data={
            "outcome": dispute.status,
            "amount": str(dispute.amount.amount),
            "reopened": invoices or [],
        },
    )


def _notify_staff_of_dispute(payment: Payment) -> None:
    for admin in portal_selectors.staff_with(ids=[]):
        if not admin.is_firm_admin:
            continue
        notice_queue(
            event=PAYMENT_DISPUTED,
            channels=["email"],
            recipient_id=admin.pk,
            about=f"payment:{payment.pk}",
        )


def demo_checkout_answer(*, session_id: str, outcome: str, method: str) -> str:
    """The demo checkout page's Pay or Cancel: completes the open session and sends
    Stripe's event, signed, through webhook_receive. Returns where the payer goes next."""
    with transaction.atomic():
        row = DemoCheckoutSession.objects.select_for_update().get(pk=session_id)
        if row.status != "open" or row.expires_at <= timezone.now() or outcome == "cancel":
            return row.cancel_url
        row.status = "complete"
        row.method = method if method in row.methods else "card"
        row.payment_status = "paid"
        row.payment_intent_id = f"pi_demo_{row.id[8:]}"
        row.save()
    payload = demo_gateway.event_json(
        "checkout.session.completed", demo_gateway.session_as_stripe_json(row)
    )
    webhook_receive(payload, gw.sign_webhook_for_demo(payload, demo_webhook_secret()))
    return row.success_url.replace("{CHECKOUT_SESSION_ID}", row.id)

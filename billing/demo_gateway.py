"""A local stand-in for Stripe when no ``STRIPE_SECRET_KEY`` is set (``make run``).

It answers the calls the services make to ``StripeGateway`` from ``DemoCheckoutSession``
rows, with the same typed values. The demo checkout page completes a session and then
sends Stripe's event for it, signed with the demo webhook secret, through the same
``webhook_receive`` the real endpoint uses: verification, the unique event row, the
re-fetch (answered from here) and settlement are the real code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from billing.gateway import (
    CheckoutSession,
    CheckoutSessionAlreadyComplete,
    Dispute,
    GatewayNotFound,
    PaymentIntent,
    Refund,
    check_idempotency_key,
    check_metadata,
    methods_for,
)
from billing.models import DemoCheckoutSession
from billing.money import Money
from core.links import absolute_url


def demo_enabled() -> bool:
    return not settings.STRIPE_SECRET_KEY


def demo_webhook_secret() -> str:
    """The secret the demo signs its events with: derived from SECRET_KEY, never a
    Stripe secret, and accepted only while no Stripe key is configured."""
    digest = hashlib.sha256(f"atrium-demo-webhook:{settings.SECRET_KEY}".encode()).hexdigest()
    return f"whsec_demo_{digest[:32]}"


def _intent_id(session: DemoCheckoutSession) -> str:
    return session.payment_intent_id or f"pi_demo_{session.id[8:]}"


def _intent(session: DemoCheckoutSession) -> PaymentIntent:
    amount = Money.from_minor_units(session.amount_minor, session.currency)
    paid = session.payment_status == "paid"
    return PaymentIntent(
        id=_intent_id(session),
        status="succeeded" if paid else "processing",
        amount=amount,
        amount_received=amount if paid else Money.zero(session.currency),
        metadata=_metadata(session),
        customer_id=None,
        payment_method_id=None,
        payment_method_types=(session.method or "card",),
        latest_charge_id=f"ch_demo_{session.id[8:]}" if paid else None,
        last_error_code=None,
        last_decline_code=None,
        livemode=False,
    )


def _metadata(session: DemoCheckoutSession) -> dict[str, str]:
    return check_metadata(
        {
            "atrium_attempt": session.attempt_id,
            "atrium_request": session.request_id,
            "kind": session.kind,
        }
    )


def _session(row: DemoCheckoutSession) -> CheckoutSession:
    complete = row.status == "complete"
    return CheckoutSession(
        id=row.id,
        mode="payment",
        status=row.status,
        payment_status=row.payment_status,
        amount_total=Money.from_minor_units(row.amount_minor, row.currency),
        client_reference_id=str(row.attempt_id),
        metadata=_metadata(row),
        payment_intent_id=_intent_id(row) if complete else None,
        payment_intent=_intent(row) if complete else None,
        setup_intent_id=None,
        customer_id=None,
        url=absolute_url(reverse("billing:demo-checkout", args=[row.id])),
        expires_at=row.expires_at,
        payment_method_types=tuple(row.methods),
        livemode=False,
    )


def session_as_stripe_json(row: DemoCheckoutSession) -> dict[str, Any]:
    """The session as Stripe's event would carry it."""
    return {
        "id": row.id,
        "object": "checkout.session",
        "mode": "payment",
        "status": row.status,
        "payment_status": row.payment_status,
        "amount_total": row.amount_minor,
        "currency": row.currency.lower(),
        "client_reference_id": str(row.attempt_id),
        "metadata": _metadata(row),
        "payment_intent": _intent_id(row) if row.status == "complete" else None,
        "expires_at": int(row.expires_at.timestamp()),
        "payment_method_types": row.methods,
        "livemode": False,
    }


def event_json(type_: str, obj: Mapping[str, Any]) -> bytes:
    event = {
        "id": f"evt_demo_{secrets.token_hex(12)}",
        "object": "event",
        "type": type_,
        "api_version": settings.STRIPE_API_VERSION,
        "created": int(timezone.now().timestamp()),
        "livemode": False,
        "data": {"object": dict(obj)},
    }
    return json.dumps(event, separators=(",", ":")).encode()


class DemoGateway:
    """The subset of ``StripeGateway`` the services use, answered locally."""

    livemode = False

    def create_payment_session(
        self,
        *,
        attempt_id: object,
        request_id: object,
        kind: str,
        amount: Money,
        reference: str,
        success_url: str,
        cancel_url: str,
        expires_at: dt.datetime,
        idempotency_key: str,
        methods: Sequence[str] | None = None,
        **_ignored: Any,
    ) -> CheckoutSession:
        check_idempotency_key(idempotency_key)
        check_metadata({"atrium_attempt": attempt_id, "atrium_request": request_id, "kind": kind})
        attempt_uuid, request_uuid = uuid.UUID(str(attempt_id)), uuid.UUID(str(request_id))
        existing = DemoCheckoutSession.objects.filter(attempt_id=attempt_uuid).first()
        if existing is not None:  # an idempotent replay
            return _session(existing)
        row = DemoCheckoutSession.objects.create(
            id=f"cs_demo_{secrets.token_hex(16)}",
            attempt_id=attempt_uuid,
            request_id=request_uuid,
            kind=kind,
            amount_minor=amount.minor_units,
            currency=amount.currency,
            methods=list(methods_for(amount.currency, methods)),
            success_url=success_url,
            cancel_url=cancel_url,
            expires_at=expires_at,
        )
        return _session(row)

    def _row(self, session_id: str) -> DemoCheckoutSession:
        row = DemoCheckoutSession.objects.filter(pk=session_id).first()
        if row is None:
            raise GatewayNotFound("no such checkout session", http_status=404)
        if row.status == "open" and row.expires_at <= timezone.now():
            row.status = "expired"
            row.save(update_fields=["status"])
        return row

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        return _session(self._row(session_id))

    def expire_checkout_session(self, session_id: str, *, idempotency_key: str) -> CheckoutSession:
        row = self._row(session_id)
        if row.status == "complete":
            raise CheckoutSessionAlreadyComplete(_session(row))
        if row.status == "open":
            row.status = "expired"
            row.save(update_fields=["status"])
        return _session(row)

    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntent:
        row = DemoCheckoutSession.objects.filter(payment_intent_id=payment_intent_id).first()
        if row is None:
            raise GatewayNotFound("no such payment intent", http_status=404)
        return _intent(row)

    def create_refund(
        self,
        *,
        refund_id: object,
        payment_intent_id: str,
        amount: Money,
        idempotency_key: str,
        reason: str | None = None,
    ) -> Refund:
        row = DemoCheckoutSession.objects.filter(payment_intent_id=payment_intent_id).first()
        if row is None:
            raise GatewayNotFound("no such payment intent", http_status=404)
        row.refunded_minor += amount.minor_units
        row.save(update_fields=["refunded_minor"])
        return Refund(
            id=f"re_demo_{str(refund_id).replace('-', '')[:24]}",
            status="succeeded",
            amount=amount,
            payment_intent_id=payment_intent_id,
            charge_id=None,
            failure_reason=None,
            metadata=check_metadata({"atrium_refund": refund_id}),
        )

    def retrieve_refund(self, refund_id: str) -> Refund:
        raise GatewayNotFound("demo refunds settle at once", http_status=404)

    def retrieve_dispute(self, dispute_id: str) -> Dispute:
        raise GatewayNotFound("the demo has no disputes", http_status=404)

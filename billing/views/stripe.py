"""The Stripe webhook and the local demo checkout (only without a Stripe key)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import services
from billing.demo_gateway import demo_enabled
from billing.models import DemoCheckoutSession
from billing.money import Money

MAX_BODY = 512 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """POST /billing/stripe/webhook/: 400 and no write unless Stripe signed this body."""
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return HttpResponseBadRequest("too large")
    body = request.body
    if len(body) > MAX_BODY:
        return HttpResponseBadRequest("too large")
    try:
        services.webhook_receive(body, request.headers.get("Stripe-Signature"))
    except services.WebhookRefused:
        return HttpResponseBadRequest("refused")
    return HttpResponse("ok")


def _demo_row(session_id: str) -> DemoCheckoutSession:
    if not demo_enabled() or len(session_id) > 64:
        raise Http404
    row = DemoCheckoutSession.objects.filter(pk=session_id).first()
    if row is None:
        raise Http404
    return row


def demo_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """A page marked as a demo that stands in for Stripe Checkout. Paying completes the
    session and sends Stripe's event, signed, through the webhook processing."""
    row = _demo_row(session_id)
    if request.method == "POST":
        return redirect(
            services.demo_checkout_answer(
                session_id=row.pk,
                outcome=request.POST.get("outcome", ""),
                method=request.POST.get("method", "card"),
            )
        )
    return render(
        request,
        "billing/demo_checkout.html",
        {
            "row": row,
            "amount": Money.from_minor_units(row.amount_minor, row.currency),
        },
    )

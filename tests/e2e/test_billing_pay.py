"""Ewa, on a phone in Polish, opens her invoice, pays on the demo checkout (no Stripe
keys) and sees her receipt."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from billing.models import Invoice, Payment, StripeEvent
from portal.models import Firm
from tests import factories
from tests.billing.helpers import issued
from tests.e2e.conftest import PHONE, new_page


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.django_db(transaction=True)
def test_ewa_pays_her_invoice_on_the_demo_checkout_and_sees_the_receipt(
    browser: Any, live_server: Any, screenshot: Any, settings: Any
) -> None:
    # given an issued payment request and no Stripe keys
    settings.SITE_URL = live_server.url
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRETS = []
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska Family Law"})
    cache.clear()
    admin = factories.AdminFactory(email="anna@firm.example")
    user, contact = factories.client_with_contact(
        email="ewa@example.com", first_name="Ewa", last_name="Wiśniewska", language="pl"
    )
    contact.language = "pl"
    contact.save(update_fields=["language"])
    invoice = issued(actor=admin, contact=contact)
    base = live_server.url

    # when Ewa signs in on a phone and opens her invoices
    page = new_page(browser, PHONE, locale="pl-PL")
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/portal/invoices/")
    assert invoice.number in page.content()
    assert _fits(page)
    screenshot(page, "billing-01-invoices-pl-390")
    page.click(f"text={invoice.number}")
    assert "nie faktura VAT" in page.content()
    assert _fits(page)
    screenshot(page, "billing-02-invoice-pl-390")

    # and pays on the demo checkout
    page.click("text=online")
    page.wait_for_load_state()
    assert "/billing/demo-checkout/" in page.url
    assert "demonstracyjna" in page.content()
    assert _fits(page)
    screenshot(page, "billing-03-demo-checkout-pl-390")
    page.click("text=Zapłać (demo)")
    page.wait_for_load_state()

    # then the return page shows the payment received and the receipt
    page.wait_for_selector("text=Płatność otrzymana", timeout=15000)
    payment = Payment.objects.get()
    assert payment.receipt_number and payment.receipt_number in page.content()
    assert _fits(page)
    screenshot(page, "billing-04-paid-receipt-pl-390")
    invoice.refresh_from_db()
    assert invoice.settlement == Invoice.Settlement.PAID
    assert StripeEvent.objects.get().status == "PROCESSED"

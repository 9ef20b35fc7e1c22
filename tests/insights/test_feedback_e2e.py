"""In Chromium at 390 px with JavaScript off: a client answers the feedback link in
Polish; the lawyer sees "call the client back" on their phone and marks it done, and logs
a contact outside the portal in three taps. Screenshots saved under var/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from insights.models import Feedback, FeedbackRequest, OutsideContact
from insights.selectors import feedback_token_hash
from portal.models import Firm
from tests import factories
from tests.e2e.conftest import PHONE, save_screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOKEN = "e2e-feedback-token-0123456789abcdefghijkl"


def _phone(browser: Any, *, locale: str) -> Any:
    context = browser.new_context(
        viewport=PHONE, locale=locale, timezone_id="Europe/Warsaw", java_script_enabled=False
    )
    return context.new_page()


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_client_answers_on_a_phone_without_javascript_and_the_lawyer_calls_back(
    browser: Any, live_server: Any
) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska & Nowak"})
    cache.clear()
    lawyer = factories.StaffFactory(email="anna@firm.example", first_name="Anna", language="en")
    _user, ewa = factories.client_with_contact(
        email="ewa@example.com", first_name="Ewa", last_name="Nowak"
    )
    ewa.language = "pl"
    ewa.save(update_fields=["language"])
    now = timezone.now()
    FeedbackRequest.objects.create(
        kind=FeedbackRequest.Kind.CSAT_CONSULT,
        contact=ewa,
        staff=lawyer,
        language="pl",
        token_hash=feedback_token_hash(TOKEN),
        send_after=now - dt.timedelta(hours=1),
        sent_at=now - dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(days=29),
    )
    base = live_server.url

    # the client opens the email's "2" link: the score is chosen, nothing is stored yet
    page = _phone(browser, locale="pl-PL")
    page.goto(f"{base}/feedback/{TOKEN}/?score=2")
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert "Kowalska & Nowak" in page.inner_text("main")
    assert page.is_checked("input[name=score][value='2']")
    assert not Feedback.objects.exists()
    _no_sideways_scroll(page)
    save_screenshot(page, "feedback-01-client-page-pl-390")

    page.fill("textarea[name=comment]", "Długo czekałam na odpowiedź.")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-recorded]").count() == 1
    save_screenshot(page, "feedback-02-client-thanks-pl-390")
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment) == (2, "Długo czekałam na odpowiedź.")

    # the lawyer's home on a phone: call the client back, then done
    staff = _phone(browser, locale="en-GB")
    sign_in(staff, base, lawyer.email, code_secret=lawyer.totp_secret)
    staff.goto(f"{base}/staff/")
    item = staff.locator("[data-follow-ups]")
    assert "Ewa Nowak" in item.inner_text() and "Długo czekałam" in item.inner_text()
    _no_sideways_scroll(staff)
    save_screenshot(staff, "feedback-03-lawyer-home-390")
    item.locator("button[type=submit]").click()
    staff.wait_for_load_state()
    assert staff.locator("[data-follow-ups]").count() == 0
    feedback.refresh_from_db()
    assert feedback.followed_up_by == lawyer

    # three taps on the contact page: open, phone, save
    staff.goto(f"{base}/staff/contacts/{ewa.pk}/")
    staff.click("[data-outside-contact] summary")
    staff.check("[data-outside-contact] input[name=channel][value=phone]")
    save_screenshot(staff, "feedback-04-outside-contact-quick-390")
    staff.click("[data-outside-contact] button[type=submit]")
    staff.wait_for_load_state()
    logged = OutsideContact.objects.get()
    assert (logged.contact, logged.channel, logged.direction) == (ewa, "phone", "in")
    _no_sideways_scroll(staff)

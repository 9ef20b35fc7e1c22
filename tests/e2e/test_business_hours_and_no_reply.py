"""At phone width in Polish: a firm admin sets the office hours with a lunch break and a
closure day, the client reads those hours, and a lawyer marks a thank-you as needing
no reply, which ends the wait shown on the message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal import services
from portal.models import Firm, FirmClosure, FirmOfficeHours, Message
from tests import factories
from tests.e2e.conftest import PHONE, new_page, sign_in


@pytest.mark.django_db(transaction=True)
def test_office_hours_closures_and_no_reply_on_a_phone(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska & Nowak"})
    cache.clear()
    admin = factories.AdminFactory(email="anna@firm.example", first_name="Anna", language="pl")
    client_user, contact = factories.client_with_contact(
        email="ewa@example.com", first_name="Ewa", last_name="Wiśniewska", language="pl"
    )
    matter = factories.make_matter(lawyer=admin, clients=[contact], title="Rozwód Ewy")
    services.message_send(actor=client_user, matter=matter, text="Dziękuję bardzo!")
    base = live_server.url
    page = new_page(browser, PHONE, locale="pl-PL")
    sign_in(page, base, admin.email, code_secret=admin.totp_secret)

    # when: the admin sets the hours (a lunch break on Monday, Saturday mornings)
    page.goto(f"{base}/staff/settings/")
    page.click("a[href='/staff/settings/hours/']")
    page.fill("#id_day_0", "9:00-13:00, 14:00-17:00")
    page.fill("#id_day_5", "10:00-12:00")
    page.fill("#id_day_6", "9:00-12:00, 11:00-13:00")  # overlapping: refused
    page.click("#hours-form button[type=submit]")
    page.wait_for_selector(".errorlist")
    screenshot(page, "business-hours-01-overlap-refused-pl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not FirmOfficeHours.objects.filter(weekday=6).exists()
    page.fill("#id_day_6", "")
    page.click("#hours-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    # and a closure day
    page.fill("#id_date", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.fill("#id_reason", "Sylwester")
    page.click("#closure-form button[type=submit]")
    page.wait_for_selector("ul.closures")
    screenshot(page, "business-hours-02-saved-pl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert FirmClosure.objects.get().reason == "Sylwester"

    # then: the client reads the hours in Polish
    client_page = new_page(browser, PHONE, locale="pl-PL")
    sign_in(client_page, base, client_user.email)
    client_page.goto(f"{base}/portal/")
    promise = client_page.inner_text(".promise")
    assert "Pon 9:00–13:00, 14:00–17:00" in promise and "So 10:00–12:00" in promise
    screenshot(client_page, "business-hours-03-client-home-pl")
    assert client_page.evaluate("document.documentElement.scrollWidth") <= 390

    # and the lawyer marks the thank-you as needing no reply
    page.goto(f"{base}/portal/matters/{matter.pk}/messages/")
    page.click("details.no-reply summary")
    page.fill("details.no-reply input[name=reason]", "Tylko podziękowanie")
    page.click("details.no-reply button[type=submit]")
    page.wait_for_selector(".no-reply-note")
    screenshot(page, "business-hours-04-no-reply-pl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Message.objects.get().no_reply_reason == "Tylko podziękowanie"

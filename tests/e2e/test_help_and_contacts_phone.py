"""On a 390 px phone, in Polish: a client reads the portal's help page; a lawyer filters the
contact list, is warned when adding a contact whose email exists, and opens the existing
contact with its appointments and invoices (issue 12, items 5 and 9). Screenshots saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal.models import Firm, Matter
from tests import factories
from tests.e2e.conftest import PHONE, new_page, sign_in
from tests.scheduling.helpers import make_appointment, make_service


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_a_client_reads_the_help_page_on_a_phone_in_polish(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska & Nowak"})
    cache.clear()
    client_user, _contact = factories.client_with_contact(
        email="ewa@example.com", first_name="Ewa", last_name="Nowak", language="pl"
    )
    base = live_server.url

    page = new_page(browser, PHONE, locale="pl-PL")
    sign_in(page, base, client_user.email)
    page.goto(f"{base}/portal/help/")

    text = page.inner_text("main")
    assert "Logowanie" in text
    assert "Przesyłanie z telefonu" in text
    assert page.evaluate("document.documentElement.lang") == "pl"
    _no_sideways_scroll(page)
    screenshot(page, "help-01-client-help-pl-390")


@pytest.mark.django_db(transaction=True)
def test_a_lawyer_filters_contacts_and_is_sent_to_the_existing_one_on_a_phone(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska & Nowak"})
    cache.clear()
    lawyer = factories.StaffFactory(
        email="anna@firm.example", first_name="Anna", last_name="Kowalska", language="pl"
    )
    _user, ewa = factories.client_with_contact(
        email="ewa.wisniewska@example.com", first_name="Ewa", last_name="Wiśniewska"
    )
    factories.make_matter(
        lawyer=lawyer, clients=[ewa], title="Rozwód", priority=Matter.Priority.HIGH
    )
    other = factories.ContactFactory(first_name="Piotr", last_name="Zieliński")
    factories.make_matter(lawyer=lawyer, clients=[other], title="Umowa")
    service = make_service(staff=[lawyer], name="Konsultacja")
    make_appointment(
        service=service,
        staff=lawyer,
        contact=ewa,
        start=timezone.now().replace(microsecond=0) + dt.timedelta(days=2),
    )
    base = live_server.url
    page = new_page(browser, PHONE, locale="pl-PL")
    sign_in(page, base, lawyer.email, code_secret=lawyer.totp_secret)

    # the contact list, filtered to clients with a high-priority matter
    page.goto(f"{base}/staff/contacts/")
    page.select_option("select[name=kind]", "client")
    page.select_option("select[name=priority]", "high")
    page.click("#contact-filters button[type=submit]")
    page.wait_for_load_state()
    assert "priority=high" in page.url and "kind=client" in page.url
    listing = page.inner_text("main table")
    assert "Wiśniewska" in listing
    assert "Zieliński" not in listing
    _no_sideways_scroll(page)
    screenshot(page, "contacts-01-filtered-pl-390")

    # adding Ewa again, her address typed in capitals
    page.goto(f"{base}/staff/contacts/new/")
    page.fill("input[name=first_name]", "Ewa")
    page.fill("input[name=last_name]", "Wiśniewska")
    page.fill("input[name=email]", "EWA.Wisniewska@example.com")
    page.fill("input[name=time_zone]", "Europe/Warsaw")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector("[data-duplicate]")
    assert "Kontakt z tym adresem e-mail już istnieje." in page.inner_text("main")
    _no_sideways_scroll(page)
    screenshot(page, "contacts-02-duplicate-warning-pl-390")

    # the warning opens the existing contact, with her appointment
    page.click("[data-existing]")
    page.wait_for_selector("[data-section=appointments]")
    assert f"/staff/contacts/{ewa.pk}/" in page.url
    assert "Konsultacja" in page.inner_text("[data-section=appointments]")
    _no_sideways_scroll(page)
    screenshot(page, "contacts-03-existing-contact-pl-390")

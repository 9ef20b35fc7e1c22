"""The intake form on a phone in Polish: as a booking step (saved as the person types,
questions appearing as they answer), and the same form with JavaScript off."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from intake import services as intake_services
from intake.models import IntakeSubmission
from portal.models import Firm
from scheduling.models import Appointment
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.intake.helpers import published_form
from tests.scheduling.helpers import make_service, working_week


def _firm() -> Any:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kancelaria Kowalska"})
    cache.clear()
    return factories.AdminFactory(
        first_name="Anna", last_name="Kowalska", time_zone="Europe/Warsaw"
    )


@pytest.mark.django_db(transaction=True)
def test_a_prospect_books_and_answers_the_form_on_a_phone_in_polish(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given a free call that asks the first-consultation form before booking
    admin = _firm()
    working_week(admin, days=range(7))
    service = make_service(staff=[admin], slug="rozmowa", name="Bezpłatna rozmowa", minutes=15)
    form = published_form(admin, name="Pierwsza konsultacja")
    intake_services.service_intake_set(service_id=service.pk, form=form, actor=admin)

    # when a prospect books on a phone in Polish
    page = new_page(browser, PHONE, locale="pl-PL")
    page.goto(f"{live_server.url}/book/rozmowa/")
    page.locator(".days .day").nth(1).click()
    page.wait_for_selector(".slots .slot")
    page.locator(".slots .slot").first.click()
    page.fill("input[name=first_name]", "Łukasz")
    page.fill("input[name=last_name]", "Wiśniewski")
    page.fill("input[name=email]", "lukasz@example.com")
    page.click("button[type=submit] >> text=Potwierdź rezerwację")

    # then the booking waits for the form, which shows the caution first
    page.wait_for_url("**/intake/booking/**")
    assert Appointment.objects.get().status == "held"
    assert "Prosimy jeszcze nie przesyłać poufnych szczegółów" in page.inner_text("main")
    assert page.is_hidden("#q-other_parties")
    page.fill("#f-first_name", "Łukasz")
    page.fill("#f-last_name", "Wiśniewski")
    page.fill("#f-email", "lukasz@example.com")
    page.select_option("#f-topic", "family")
    page.check("input[name=has_other_side][value=yes]")
    # the follow-up question appears as soon as they answer "yes"
    page.wait_for_selector("#q-other_parties", state="visible")
    page.fill("input[name=other_parties__name] >> nth=0", "Tomasz Wiśniewski")
    page.click("text=Dodaj kolejną osobę")
    assert page.locator(".party-row").count() == 3
    page.wait_for_selector("[data-save-status]:has-text('Zapisano')")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "intake-phone-pl-01-form")

    # a reload (a lost connection, a closed tab) keeps what was typed
    page.reload()
    assert page.input_value("input[name=other_parties__name] >> nth=0") == "Tomasz Wiśniewski"
    assert page.is_visible("#q-other_parties")

    page.click("button[type=submit] >> text=Wyślij")
    page.wait_for_url("**/manage/**")
    screenshot(page, "intake-phone-pl-02-booked")
    assert Appointment.objects.get().status == "booked"
    submission = IntakeSubmission.objects.get()
    assert submission.answers["other_parties"][0]["name"] == "Tomasz Wiśniewski"
    assert submission.lead.practice_area == "family"


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_server_decides_what_comes_next(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    admin = _firm()
    form = published_form(admin, name="Zapytanie")
    context = browser.new_context(viewport=PHONE, locale="pl-PL", java_script_enabled=False)
    page = context.new_page()

    page.goto(f"{live_server.url}/intake/f/{form.slug}/")
    # without the script every question is rendered; the hidden one is not shown
    assert page.is_hidden("#q-other_parties")
    page.fill("#f-first_name", "Jan")
    page.fill("#f-last_name", "Nowak")
    page.fill("#f-email", "jan.nowak@example.com")
    page.select_option("#f-topic", "property")
    page.check("input[name=has_other_side][value=yes]")
    page.click("button[type=submit] >> text=Wyślij")

    # the server shows the follow-up, asks for it, and keeps every typed value
    page.wait_for_selector("#q-other_parties", state="visible")
    assert "Prosimy o odpowiedź na to pytanie." in page.inner_text("#q-other_parties")
    assert page.input_value("#f-first_name") == "Jan"
    screenshot(page, "intake-phone-pl-03-nojs")
    page.fill("input[name=other_parties__name] >> nth=0", "Nowak Deweloper sp. z o.o.")
    page.click("button[type=submit] >> text=Wyślij")
    page.wait_for_selector("text=Otrzymaliśmy Twoje odpowiedzi.")
    assert IntakeSubmission.objects.get().answers["other_parties"][0]["name"] == (
        "Nowak Deweloper sp. z o.o."
    )

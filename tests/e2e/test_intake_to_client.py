"""From a booked free call to a signed engagement letter, on a phone in Polish: the prospect
books, answers the form from the link in the email, staff find the lead, run the conflict
check and send the letter, the new client sets a password and signs in the portal (typed
name and a drawn signature), and staff retain them, which opens the matter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache

from intake import services as intake_services
from intake.models import ConflictCheck, Engagement, Lead
from portal.models import Contact, Firm, Matter
from scheduling.models import Appointment
from tests import factories
from tests.e2e.conftest import PHONE, new_page, sign_in
from tests.intake.helpers import letter_template, published_form
from tests.scheduling.helpers import make_service, working_week

FORM_LINK = re.compile(r"https?://[^\s\"]+(/intake/d/[^\s\"/]+/)")
INVITE_LINK = re.compile(r"https?://[^\s\"]+(/invite/[A-Za-z0-9_\-]+/)")


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_a_prospect_becomes_a_client_who_signs_the_letter_on_a_phone_in_polish(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given a firm whose free call sends the first-consultation form after booking
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kancelaria Kowalska"})
    cache.clear()
    lawyer = factories.AdminFactory(
        first_name="Anna",
        last_name="Kowalska",
        email="anna@kowalska.example",
        time_zone="Europe/Warsaw",
        language="pl",
    )
    working_week(lawyer, days=range(7))
    call = make_service(staff=[lawyer], slug="rozmowa", name="Bezpłatna rozmowa", minutes=15)
    form = published_form(lawyer, name="Pierwsza konsultacja")
    intake_services.service_intake_set(service_id=call.pk, form=form, timing="after", actor=lawyer)
    letter_template(
        lawyer,
        name="Rodzinne",
        language="pl",
        body=(
            "Szanowny Panie {{ client.full_name }},\n\n"
            "{{ firm.name }} będzie Pana reprezentować w sprawie: {{ matter.scope }}.\n"
            "Wynagrodzenie ryczałtowe: {{ fee.amount }}.\n\n{{ lawyer.full_name }}"
        ),
    )

    # when a prospect books the free call on a phone in Polish
    prospect = new_page(browser, PHONE, locale="pl-PL")
    prospect.goto(f"{live_server.url}/book/rozmowa/")
    prospect.locator(".days .day").nth(1).click()
    prospect.wait_for_selector(".slots .slot")
    prospect.locator(".slots .slot").first.click()
    prospect.fill("input[name=first_name]", "Łukasz")
    prospect.fill("input[name=last_name]", "Wiśniewski")
    prospect.fill("input[name=email]", "lukasz@example.com")
    prospect.click("button[type=submit] >> text=Potwierdź rezerwację")
    prospect.wait_for_selector("text=Kod rezerwacji")
    assert Appointment.objects.get().status == "booked"
    screenshot(prospect, "intake-to-client-pl-01-booked")

    # then one email brings the form's link, and the prospect answers it
    links = [m for m in mail.outbox if "/intake/d/" in m.body]
    assert [m.to for m in links] == [["lukasz@example.com"]]
    prospect.goto(live_server.url + FORM_LINK.search(links[0].body).group(1))
    assert "Prosimy jeszcze nie przesyłać poufnych szczegółów" in prospect.inner_text("main")
    prospect.fill("#f-first_name", "Łukasz")
    prospect.fill("#f-last_name", "Wiśniewski")
    prospect.fill("#f-email", "lukasz@example.com")
    prospect.select_option("#f-topic", "family")
    prospect.check("input[name=has_other_side][value=yes]")
    prospect.wait_for_selector("#q-other_parties", state="visible")
    prospect.fill("input[name=other_parties__name] >> nth=0", "Tomasz Wiśniewski")
    _fits(prospect)
    screenshot(prospect, "intake-to-client-pl-02-form")
    prospect.click("button[type=submit] >> text=Wyślij")
    prospect.wait_for_selector("text=Otrzymaliśmy Twoje odpowiedzi.")
    prospect.context.close()
    lead = Lead.objects.get()
    assert lead.contact.email == "lukasz@example.com"

    # when the lawyer signs in on her phone and opens the lead from the list
    staff = new_page(browser, PHONE, locale="pl-PL")
    sign_in(staff, live_server.url, lawyer.email, lawyer.totp_secret)
    assert staff.url == f"{live_server.url}/staff/"
    staff.goto(f"{live_server.url}/staff/intake/leads/")
    staff.click("main >> text=Łukasz Wiśniewski")
    staff.wait_for_url(f"**/staff/intake/leads/{lead.pk}/")
    # the answers read as asked, each party's role in the staff member's language
    assert "Tomasz Wiśniewski · Druga strona" in staff.inner_text("main")

    # and runs the conflict check: nobody at the firm is on the other side
    checks = ConflictCheck.objects.filter(lead=lead).count()
    staff.click(f"form[action$='/leads/{lead.pk}/conflict-check/'] button")
    staff.wait_for_selector(".msg-success")
    assert ConflictCheck.objects.filter(lead=lead).count() == checks + 1
    lead.refresh_from_db()
    assert lead.conflict_state == "clear"
    _fits(staff)
    screenshot(staff, "intake-to-client-pl-03-lead-checked")

    # and prepares the engagement letter and sends it for signature
    staff.click(f"a[href$='/leads/{lead.pk}/letter/']")
    staff.fill("textarea[name=scope]", "Rozwód i podział majątku")
    staff.click("main form button[type=submit]")
    staff.wait_for_url("**/staff/intake/letters/**")
    send = staff.locator("form[action$='/send/']")
    if send.locator("input[name=without_consultation]").count():
        send.locator("input[name=without_consultation]").check()
    send.locator("button[type=submit]").click()
    staff.wait_for_selector(".msg-success")
    engagement = Engagement.objects.get(lead=lead)
    assert engagement.status == "sent"
    screenshot(staff, "intake-to-client-pl-04-letter-sent")

    # then the person is invited to the portal with one email, and sets a password
    invites = [m for m in mail.outbox if "/invite/" in m.body]
    assert [m.to for m in invites] == [["lukasz@example.com"]]
    client = new_page(browser, PHONE, locale="pl-PL")
    client.goto(live_server.url + INVITE_LINK.search(invites[0].body).group(1))
    client.fill("input[name=password1]", "Wiosna-w-Krakowie-2026")
    client.fill("input[name=password2]", "Wiosna-w-Krakowie-2026")
    client.click("main button[type=submit]")
    client.wait_for_url(f"{live_server.url}/portal/")

    # when they open the letter, type their name, draw a signature and sign
    client.goto(f"{live_server.url}/portal/letters/{engagement.pk}/")
    assert "Rozwód i podział majątku" in client.inner_text("main")
    client.check("input[name=agreed]")
    client.fill("input[name=typed_name]", "Łukasz Wiśniewski")
    client.locator("canvas").scroll_into_view_if_needed()
    pad = client.locator("canvas").bounding_box()
    assert pad is not None
    client.mouse.move(pad["x"] + 20, pad["y"] + pad["height"] / 2)
    client.mouse.down()
    for step in range(1, 12):
        client.mouse.move(
            pad["x"] + 20 + step * 20, pad["y"] + pad["height"] / 2 + (-1) ** step * 15
        )
    client.mouse.up()
    assert client.input_value("input[name=drawn_signature]").startswith("data:image/png")
    _fits(client)
    screenshot(client, "intake-to-client-pl-05-signing")
    client.click(f"form[action$='/letters/{engagement.pk}/sign/'] button[type=submit]")
    client.wait_for_selector("text=Pobierz podpisany egzemplarz (PDF)")
    assert "Dziękujemy: umowa jest podpisana." in client.inner_text("main")
    _fits(client)
    screenshot(client, "intake-to-client-pl-06-signed")

    # then the letter is signed with both signatures kept as evidence
    engagement.refresh_from_db()
    assert engagement.status == "signed"
    assert engagement.evidence.typed_name == "Łukasz Wiśniewski"
    assert bytes(engagement.evidence.drawn_png).startswith(b"\x89PNG")

    # when the lawyer retains the new client, which opens the matter
    staff.goto(f"{live_server.url}/staff/intake/leads/{lead.pk}/retain/")
    staff.fill("input[name=reference]", "RODZ-2026-001")
    staff.fill("input[name=title]", "Rozwód Wiśniewski")
    # the retainer's due date comes prefilled, in the form a Polish date picker shows
    assert staff.input_value("input[name=retainer_due]") != ""
    staff.click("main form button[type=submit]")
    staff.wait_for_url("**/staff/matters/**")
    screenshot(staff, "intake-to-client-pl-07-matter")

    # then the lead is retained, the matter is theirs and they see it in the portal
    lead.refresh_from_db()
    matter = Matter.objects.get(reference="RODZ-2026-001")
    assert lead.status == "retained" and lead.matter_id == matter.pk
    contact = Contact.objects.get(email="lukasz@example.com")
    assert contact.kind == "client"
    client.goto(f"{live_server.url}/portal/")
    assert "Rozwód Wiśniewski" in client.inner_text("main")
    _fits(client)

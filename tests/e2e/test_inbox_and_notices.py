"""At phone width in Polish: a lawyer answers a client from the inbox; a client gets the
"news on your matter" notice for a new document and opens it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notifications import services as notifications
from portal import services
from portal.models import Firm, Message
from tests import factories
from tests.e2e.conftest import PHONE, new_page, sign_in


def _matter() -> tuple[Any, Any, Any]:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska & Nowak"})
    cache.clear()
    lawyer = factories.StaffFactory(
        email="anna@firm.example", first_name="Anna", last_name="Kowalska", language="pl"
    )
    client_user, contact = factories.client_with_contact(
        email="ewa@example.com", first_name="Ewa", last_name="Wiśniewska", language="pl"
    )
    contact.language = "pl"
    contact.save()
    matter = factories.make_matter(lawyer=lawyer, clients=[contact], title="Rozwód Ewy")
    return lawyer, client_user, matter


@pytest.mark.django_db(transaction=True)
def test_a_lawyer_answers_a_client_from_the_inbox_on_a_phone(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given: the client wrote yesterday
    lawyer, client_user, matter = _matter()
    services.message_send(actor=client_user, matter=matter, text="Czy potrzebujecie czegoś?")
    Message.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    base = live_server.url
    page = new_page(browser, PHONE, locale="pl-PL")
    sign_in(page, base, lawyer.email, code_secret=lawyer.totp_secret)

    # when: she opens the menu, sees one matter waiting and goes to the inbox
    page.goto(f"{base}/staff/")
    page.click("summary[aria-label]")
    badge = page.inner_text(".menu-inbox")
    assert "Skrzynka" in badge and "1" in badge
    page.click(".menu-inbox")
    page.wait_for_selector(".inbox-row")
    screenshot(page, "inbox-01-lawyer-phone-pl")
    assert matter.reference in page.inner_text(".inbox-row")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # and answers from there
    page.click(".inbox-row >> text=Odpowiedz")
    assert "Czy potrzebujecie czegoś?" in page.inner_text("main")
    page.fill("#id_text", "Dzień dobry, na razie niczego więcej nie potrzebujemy.")
    page.click("#send-message")
    page.wait_for_selector(".msg-success")
    screenshot(page, "inbox-02-lawyer-answered-pl")

    # then: nobody waits any more
    page.goto(f"{base}/staff/inbox/")
    assert "Nikt nie czeka na odpowiedź." in page.inner_text("main")
    screenshot(page, "inbox-03-empty-pl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_a_client_gets_the_new_document_notice_and_opens_it_on_a_phone(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given: the lawyer shares a document
    lawyer, client_user, matter = _matter()
    folder = services.folder_create(actor=lawyer, matter=matter, name="Pisma")
    services.document_upload(
        actor=lawyer,
        matter=matter,
        folder=folder,
        files=[SimpleUploadedFile("pozew-rozwodowy.txt", b"Pozew")],
    )
    # when: the batching window has passed and the sweep runs
    notifications.deliveries_sweep(now=timezone.now() + dt.timedelta(minutes=10))
    # then: one email in Polish with one link and no file name
    (message,) = [m for m in mail.outbox if m.to == [client_user.email]]
    assert message.subject == "Nowe informacje w Twojej sprawie"
    assert "pozew" not in message.body.lower()
    # The one action link; the privacy notice link sits in the foot below "-- ".
    (link,) = re.findall(r"https?://\S+", message.body.rsplit("\n-- \n", 1)[0])

    # when: the client opens the link on a phone
    base = live_server.url
    page = new_page(browser, PHONE, locale="pl-PL")
    sign_in(page, base, client_user.email)
    page.goto(base + urlsplit(link).path)
    screenshot(page, "notice-01-client-opens-link-pl")
    assert matter.title in page.inner_text("main")
    page.click("main >> text=Dokumenty")
    page.wait_for_load_state()
    screenshot(page, "notice-02-client-sees-document-pl")
    assert "pozew-rozwodowy.txt" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""A client uploads a photo against a requested item and writes; staff answer; client reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal import services
from portal.models import DocumentRequestItem, DocumentVersion, Firm, Message
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, new_page, sign_in
from tests.portal.filesamples import png


@pytest.mark.django_db(transaction=True)
def test_client_uploads_a_photo_and_writes_staff_answer_client_reads(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given a matter with a checklist item waiting for a photo of an ID
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska Family Law"})
    cache.clear()
    lawyer = factories.StaffFactory(
        email="anna@firm.example", first_name="Anna", last_name="Kowalska"
    )
    client_user, contact = factories.client_with_contact(
        email="ewa@example.com", first_name="Ewa", last_name="Nowak"
    )
    matter = factories.make_matter(lawyer=lawyer, clients=[contact], title="Ewa's divorce")
    checklist = services.document_request_create(
        actor=lawyer,
        matter=matter,
        title="Before the hearing",
        due_date=timezone.localdate() + dt.timedelta(days=5),
        items=["Photo of your ID card"],
    )
    item = checklist.items.get()
    base = live_server.url

    # when the client, on a phone, uploads a photo against the item
    page = new_page(browser, PHONE)
    sign_in(page, base, client_user.email)
    page.goto(f"{base}/portal/matters/{matter.pk}/")
    screenshot(page, "portal-messages-01-client-matter")
    page.click("text=Requested documents")
    page.set_input_files(
        f"#files-{item.pk}",
        files=[{"name": "IMG_2041.png", "mimeType": "image/png", "buffer": png(64, 48)}],
    )
    page.click(f"#item-{item.pk} button[type=submit]")
    page.wait_for_selector(".msg-success")
    screenshot(page, "portal-messages-02-client-uploaded-photo")
    assert "Waiting for review" in page.inner_text(f"#item-{item.pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # and sends a message
    page.goto(f"{base}/portal/matters/{matter.pk}/messages/")
    page.fill("#id_text", "I uploaded my ID. Is anything else needed?")
    page.click("#send-message")
    page.wait_for_selector(".msg-success")
    screenshot(page, "portal-messages-03-client-sent")
    page.context.close()

    # then the file and the message are stored
    item.refresh_from_db()
    assert item.status == DocumentRequestItem.Status.SUBMITTED
    assert DocumentVersion.objects.get(request_item=item).content_type == "image/png"

    # when the lawyer signs in with a code and answers
    staff_page = new_page(browser, DESKTOP)
    sign_in(staff_page, base, lawyer.email, code_secret=lawyer.totp_secret)
    staff_page.goto(f"{base}/portal/matters/{matter.pk}/messages/")
    assert "Is anything else needed?" in staff_page.inner_text("main")
    staff_page.fill("#id_text", "Thank you, Ewa. Nothing else for now.")
    staff_page.click("#send-message")
    staff_page.wait_for_selector(".msg-success")
    screenshot(staff_page, "portal-messages-04-staff-answered")
    staff_page.context.close()

    # when the client opens the thread again
    page = new_page(browser, PHONE)
    sign_in(page, base, client_user.email)
    page.goto(f"{base}/portal/matters/{matter.pk}/messages/")

    # then they read the answer, and the firm sees that they read it
    assert "Nothing else for now." in page.inner_text("main")
    screenshot(page, "portal-messages-05-client-reads-answer")
    answer = Message.objects.get(side="firm")
    assert answer.read_by == client_user and answer.read_at is not None
    page.context.close()

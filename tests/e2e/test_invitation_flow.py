"""Staff invite a client; the client accepts, sets a password and sees only their matter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache

from portal.models import Firm
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, new_page, totp_code

LINK_RE = re.compile(r"https?://[^\s\"]+/invite/([A-Za-z0-9_\-]+)/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_staff_invite_client_who_accepts_and_sees_only_their_matter(
    browser: Any, live_server: Any, screenshot: Any, size: str, viewport: dict[str, int]
) -> None:
    # given a firm, a lawyer enrolled in MFA, a client contact with a matter, and another matter
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kowalska Family Law"})
    cache.clear()
    lawyer = factories.StaffFactory(email=f"lawyer-{size}@firm.example", first_name="Anna")
    contact = factories.ContactFactory(
        email=f"ewa-{size}@example.com", first_name="Ewa", last_name="Nowak"
    )
    factories.make_matter(lawyer=lawyer, clients=[contact], title="Ewa's divorce")
    factories.make_matter(
        lawyer=lawyer, clients=[factories.ContactFactory()], title="Another family's estate"
    )

    # when the lawyer signs in with password and code and invites the client
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", lawyer.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.fill("input[name=code]", totp_code(lawyer.totp_secret))
    screenshot(page, f"foundation-{size}-01-staff-mfa-code")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")
    screenshot(page, f"foundation-{size}-02-staff-home")
    page.goto(f"{live_server.url}/staff/contacts/{contact.pk}/")
    page.click("#invite-button")
    page.wait_for_selector(".msg-success")
    screenshot(page, f"foundation-{size}-03-invitation-sent")
    page.context.close()

    # then the client gets one email with the link
    assert len(mail.outbox) == 1
    token = LINK_RE.search(mail.outbox[0].body).group(1)

    # when the client opens it on their own device and sets a password
    client_page = new_page(browser, viewport, locale="pl-PL")
    client_page.goto(f"{live_server.url}/invite/{token}/")
    screenshot(client_page, f"foundation-{size}-04-set-password")
    client_page.fill("input[name=password1]", "Wiosna-w-Krakowie-2026")
    client_page.fill("input[name=password2]", "Wiosna-w-Krakowie-2026")
    client_page.click("main button[type=submit]")
    client_page.wait_for_url(f"{live_server.url}/portal/")
    screenshot(client_page, f"foundation-{size}-05-portal-home")

    # then they see their matter and nothing else
    body = client_page.inner_text("main")
    assert "Ewa's divorce" in body
    assert "Another family" not in body
    client_page.click("text=Ewa's divorce")
    client_page.wait_for_selector("h1")
    assert client_page.inner_text("h1") == "Ewa's divorce"
    screenshot(client_page, f"foundation-{size}-06-matter")
    if size == "phone":
        # nothing overflows the phone's width
        assert client_page.evaluate("document.documentElement.scrollWidth") <= 390
    client_page.context.close()

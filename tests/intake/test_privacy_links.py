"""Every invitation, booking form, intake form and email foot links to the firm's privacy
notice (issue 10 §9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from portal import services as portal_services
from scheduling import services
from tests import factories
from tests.intake.helpers import published_form
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db

PRIVACY = "http://testserver/privacy/"
SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)


def _privacy_link_in(text: str) -> bool:
    return "/privacy/" in text


def test_the_invitation_email_links_to_the_privacy_notice_in_both_parts(
    firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = factories.AdminFactory()
    contact = factories.ContactFactory(email="new.client@example.com", language="pl")
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.client_invite(actor=admin, contact=contact)
    (message,) = mail.outbox
    assert "Informacja o prywatności: " in message.body
    assert _privacy_link_in(message.body.split("-- \n")[-1])
    html = message.alternatives[0][0]
    assert 'href="' in html and "/privacy/" in html


def test_account_emails_carry_the_privacy_link(client: Any, firm: Any) -> None:
    factories.UserFactory(email="known@example.com")
    client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    (message,) = mail.outbox
    assert _privacy_link_in(message.body.split("-- \n")[-1])


def test_notices_from_the_outbox_end_with_the_privacy_link_and_sms_do_not(
    firm: Any, frozen: Any, lawyers: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    service = make_service(staff=[lawyers[0]], slug="free-call", name="Free call", minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_book(
            service=service,
            start_at=SLOT_UTC,
            booker=services.BookerData(
                first_name="Łukasz",
                last_name="Wiśniewski",
                email="lukasz@example.com",
                language="pl",
            ),
            time_zone="Europe/Warsaw",
        )
    confirmation = next(m for m in mail.outbox if "Free call" in m.body)
    foot = confirmation.body.rstrip().rsplit("-- \n", 1)[-1]
    assert foot.startswith("Informacja o prywatności: ") and foot.endswith("/privacy/")


def test_the_firms_own_wording_keeps_the_link(firm: Any) -> None:
    from notifications.compose import render

    subject, body = render(
        None, event="booked", channel="email", language="en", values={"name": "Ann"}
    )
    assert body.rstrip().endswith("/privacy/")
    _, sms = render(None, event="booked", channel="sms", language="en", values={"name": "Ann"})
    assert "/privacy/" not in sms


def test_the_booking_form_links_to_the_privacy_notice(
    client: Any, frozen: Any, lawyers: list[Any]
) -> None:
    make_service(staff=lawyers, slug="intro")
    body = client.get("/book/intro/", {"tz": "Europe/Warsaw"}).content.decode()
    assert 'class="booker-form"' in body
    form = body.split('class="booker-form"', 1)[1].split("</form>", 1)[0]
    assert 'href="/privacy/"' in form


def test_the_intake_form_links_to_the_privacy_notice(client: Any, firm: Any) -> None:
    admin = factories.AdminFactory()
    form = published_form(admin)
    body = client.get(
        reverse("intake:form-start", kwargs={"slug": form.slug}), follow=True
    ).content.decode()
    assert 'href="/privacy/"' in body

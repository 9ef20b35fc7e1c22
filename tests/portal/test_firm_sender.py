"""Emails come from the firm, with replies going where the firm says (issue: booking, language quality)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from notifications import services as notification_services
from portal import services
from tests import factories
from tests.notifications.conftest import make_notices

pytestmark = pytest.mark.django_db

SETTINGS = {
    "name": "Kowalska & Nowak",
    "primary_color": "#112233",
    "accent_color": "#445566",
    "time_zone": "Europe/Warsaw",
    "default_language": "en",
    "currency": "PLN",
    "reply_to_email": "biuro@kowalska-nowak.pl",
    "promise_channels_en": "Portal",
    "response_hours": 24,
    "silence_days": 21,
}


@pytest.fixture
def named_firm(client: Any, world: Any) -> Any:
    client.force_login(world.admin)
    response = client.post(reverse("staff:firm-settings"), SETTINGS)
    assert response.status_code == 302
    client.logout()
    return world


def test_notices_come_from_the_firm_and_replies_go_to_its_address(named_firm: Any) -> None:
    make_notices(user=named_firm.client_a, matter=named_firm.matter_a, count=1)

    notification_services.deliveries_sweep()

    (message,) = mail.outbox
    assert message.from_email == "Kowalska & Nowak <no-reply@atrium.local>"
    assert message.reply_to == ["biuro@kowalska-nowak.pl"]
    assert "Atrium" not in message.message()["From"]


def test_account_emails_name_the_firm_not_example_com(client: Any, named_firm: Any) -> None:
    factories.UserFactory(email="known@example.com")

    client.post(reverse("account_reset_password"), {"email": "known@example.com"})

    (message,) = mail.outbox
    assert "Kowalska & Nowak" in message.body
    assert "example.com!" not in message.body and "[example.com]" not in message.subject
    assert message.from_email == "Kowalska & Nowak <no-reply@atrium.local>"
    assert message.reply_to == ["biuro@kowalska-nowak.pl"]


def test_invitations_come_from_the_firm(
    named_firm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    contact = factories.ContactFactory(email="new.client@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.client_invite(actor=named_firm.admin, contact=contact)

    message = mail.outbox[-1]
    assert message.from_email == "Kowalska & Nowak <no-reply@atrium.local>"
    assert message.reply_to == ["biuro@kowalska-nowak.pl"]


def test_without_a_reply_to_address_replies_go_to_the_sender(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    client.post(reverse("staff:firm-settings"), {**SETTINGS, "reply_to_email": ""})
    make_notices(user=world.client_a, matter=world.matter_a, count=1)

    notification_services.deliveries_sweep()

    (message,) = mail.outbox
    assert message.reply_to == []
    assert message.from_email.startswith("Kowalska & Nowak <")


def test_a_reply_to_that_is_not_an_address_is_refused(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    response = client.post(
        reverse("staff:firm-settings"), {**SETTINGS, "reply_to_email": "not an address"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()

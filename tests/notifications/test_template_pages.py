from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications import services
from notifications.models import NotificationTemplate
from tests.notifications.conftest import make_notices


def _url(event: str = "message", channel: str = "email", language: str = "en") -> str:
    return reverse(
        "notifications:template-edit",
        kwargs={"event": event, "channel": channel, "language": language},
    )


def test_staff_list_shows_every_template_with_sms_segments(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    page = client.get(reverse("notifications:template-list")).content.decode()
    assert "1 segment (GSM-7)" in page
    assert "UCS-2" in page


def test_preview_renders_sample_values_and_counts_segments(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    response = client.post(
        _url("reminder", "sms", "pl"),
        {"body": "{firm}: wizyta {when}. Zmiana: {link}", "action": "preview"},
    )
    page = response.content.decode()
    assert "Atrium Law: wizyta Mon 9 Mar, 10:00 CET" in page
    assert "UCS-2" in page
    assert not NotificationTemplate.objects.exists()


def test_saved_text_is_used_for_the_next_message_and_audited(client: Any, world: Any) -> None:
    # given
    client.force_login(world.admin)
    response = client.post(
        _url(),
        {
            "subject": "News from {firm}",
            "body": "Hi {name}, read it here: {link}",
            "action": "save",
        },
    )
    assert response.status_code == 302
    make_notices(user=world.client_a, matter=world.matter_a, count=1)
    # when
    services.deliveries_sweep()
    # then
    assert mail.outbox[0].subject == "News from Test Firm"
    assert mail.outbox[0].body.startswith(f"Hi {world.client_a.first_name}, read it here: http")
    assert AuditEvent.objects.filter(action="notification.template_changed").exists()


def test_unknown_placeholder_is_refused_with_a_message(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    response = client.post(_url(), {"subject": "x", "body": "{text} {link}", "action": "save"})
    assert response.status_code == 200
    assert "Unknown placeholder" in response.content.decode()
    assert not NotificationTemplate.objects.exists()


def test_unknown_event_or_language_is_404(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    assert client.get(_url("nope")).status_code == 404
    assert client.get(_url(language="de")).status_code == 404


def test_reset_brings_the_default_back(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    client.post(_url(), {"subject": "S {firm}", "body": "B {link}", "action": "save"})
    client.post(
        reverse(
            "notifications:template-reset",
            kwargs={"event": "message", "channel": "email", "language": "en"},
        )
    )
    assert not NotificationTemplate.objects.exists()


def test_text_goes_out_in_the_clients_language(world: Any) -> None:
    world.contact_a.language = "ru"
    world.contact_a.save()
    make_notices(
        user=world.client_a,
        matter=world.matter_a,
        count=1,
        due=timezone.now() - dt.timedelta(seconds=1),
    )
    services.deliveries_sweep()
    assert mail.outbox[0].subject == "У вас новое защищённое сообщение"

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import Firm

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_firm_admin_sets_branding_and_it_shows_on_every_page(client: Any, world: Any) -> None:
    client.force_login(world.admin)

    response = client.post(
        reverse("staff:firm-settings"),
        {
            "name": "Lis & Partners",
            "primary_color": "#123456",
            "accent_color": "#abcdef",
            "time_zone": "Europe/Madrid",
            "default_language": "es",
            "currency": "eur",
            "promise_channels_en": "Portal messages only",
            "response_hours": 8,
            "silence_days": 14,
            "logo_upload": SimpleUploadedFile("logo.png", PNG, "image/png"),
        },
    )

    assert response.status_code == 302
    firm = Firm.objects.get(pk=1)
    assert (firm.name, firm.currency, firm.response_hours) == ("Lis & Partners", "EUR", 8)
    client.force_login(world.client_a)
    for url in (reverse("portal:home"), reverse("portal:preferences"), reverse("account_email")):
        page = client.get(url).content.decode()
        assert "Lis &amp; Partners" in page
        assert "#123456" in page
        assert reverse("firm-logo") in page
    home = client.get(reverse("portal:home")).content.decode()
    assert "Portal messages only" in home and "8 business hours" in home
    logo = client.get(reverse("firm-logo"))
    assert logo.status_code == 200 and b"".join(logo.streaming_content) == PNG
    client.logout()
    assert "Lis &amp; Partners" in client.get(reverse("account_login")).content.decode()


def test_clients_choice_of_language_is_remembered(client: Any, world: Any) -> None:
    client.force_login(world.client_a)

    client.post(reverse("set-language"), {"language": "ru", "next": "/portal/"})
    client.cookies.clear()
    client.force_login(world.client_a)
    page = client.get(reverse("portal:home"))

    world.client_a.refresh_from_db()
    assert world.client_a.language == "ru"
    assert page.headers["Content-Language"] == "ru"


def test_language_switch_refuses_foreign_redirects(client: Any, firm: Any) -> None:
    response = client.post(
        reverse("set-language"), {"language": "pl", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(client: Any, world: Any) -> None:
    import datetime as dt

    from portal.models import TimelineEntry

    TimelineEntry.objects.create(
        matter=world.matter_a,
        title="Hearing",
        occurred_at=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC),
    )
    world.client_a.time_zone = "America/New_York"
    world.client_a.save(update_fields=["time_zone"])
    client.force_login(world.client_a)

    page = client.get(reverse("portal:matter-detail", args=[world.matter_a.pk])).content.decode()

    assert "1 July 2026, 08:00 (America/New_York)" in page


def test_anonymous_visitors_get_the_zone_their_browser_reported(client: Any, firm: Any) -> None:
    client.post(reverse("set-time-zone"), {"time_zone": "Asia/Tokyo"})

    page = client.get(reverse("account_login")).content.decode()

    assert "Asia/Tokyo" in page
    assert client.post(reverse("set-time-zone"), {"time_zone": "Nope/Nope"}).status_code == 400


def test_healthz_reports_each_dependency(client: Any, firm: Any) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert set(response.json()) >= {"database", "cache", "broker"}


def test_healthz_is_unhealthy_when_the_broker_is_unreachable(
    client: Any, firm: Any, settings: Any
) -> None:
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json()["broker"] == "down"

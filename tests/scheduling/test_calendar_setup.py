"""The Google and Microsoft setup page for firm admins: what to register, and what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from scheduling.models import ExternalCalendar
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("scheduling:staff-calendar-setup")
GOOGLE_ID = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"
MICROSOFT_ID = "1b2c3d4e-5f60-4a1b-9c2d-3e4f5a6b7c8d"


@pytest.fixture
def admin(firm: Any, settings: Any) -> Any:
    settings.ALLOWED_HOSTS = ["*"]
    return factories.AdminFactory(email="boss@firm.example")


def _checks(html: str, provider: str) -> list[tuple[str, str]]:
    section = html.split(f'data-setup="{provider}"', 1)[1].split("</section>", 1)[0]
    items = section.split("<li data-ok=")[1:]
    return [
        (item[1:].split('"', 1)[0], item.split(">", 1)[1].split("</li>", 1)[0]) for item in items
    ]


def test_nothing_registered_shows_the_redirect_uris_and_what_is_missing(
    client, admin, settings
) -> None:
    settings.SITE_URL = "https://law.example.com"
    client.force_login(admin)
    response = client.get(URL, HTTP_HOST="law.example.com")
    html = response.content.decode()
    assert response.status_code == 200
    # the exact redirect URIs to register, from SITE_URL
    assert "https://law.example.com/calendar/oauth/google/callback/" in html
    assert "https://law.example.com/calendar/oauth/microsoft/callback/" in html
    assert "https://www.googleapis.com/auth/calendar.events" in html
    assert "Calendars.ReadWrite" in html
    failed = [text for ok, text in _checks(html, "google") if ok == "no"]
    assert any("ATRIUM_GOOGLE_CLIENT_ID is missing" in text for text in failed)
    assert "ATRIUM_MICROSOFT_CLIENT_SECRET is missing." in html
    assert html.count("Not ready") == 2
    # nothing to try yet
    assert "Try it" not in html


def test_a_correct_registration_is_ready_and_can_be_tried(client, admin, settings) -> None:
    settings.SITE_URL = "https://law.example.com"
    settings.ATRIUM_GOOGLE_CLIENT_ID = GOOGLE_ID
    settings.ATRIUM_GOOGLE_CLIENT_SECRET = "GOCSPX-secret"
    settings.ATRIUM_MICROSOFT_CLIENT_ID = MICROSOFT_ID
    settings.ATRIUM_MICROSOFT_CLIENT_SECRET = "ms-secret"
    client.force_login(admin)
    html = client.get(URL, HTTP_HOST="law.example.com").content.decode()
    assert [ok for ok, _text in _checks(html, "google")] == ["yes"] * 4
    assert [ok for ok, _text in _checks(html, "microsoft")] == ["yes"] * 3
    assert html.count("Not ready") == 0
    assert "GOCSPX-secret" not in html and "ms-secret" not in html  # never shown
    # and the calendars page offers both sign-ins
    page = client.get(reverse("scheduling:staff-calendars")).content.decode()
    assert 'data-connect="google"' in page and 'data-connect="microsoft"' in page


def test_http_a_wrong_host_a_malformed_id_and_testing_mode_are_named(
    client, admin, settings
) -> None:
    settings.SITE_URL = "http://law.example.com"
    settings.ATRIUM_GOOGLE_CLIENT_ID = "not-a-client-id"
    settings.ATRIUM_GOOGLE_CLIENT_SECRET = "x"
    ExternalCalendar.objects.create(
        staff=admin,
        provider=ExternalCalendar.Provider.GOOGLE,
        name="Work",
        status=ExternalCalendar.Health.BROKEN,
        last_error="auth_testing",
    )
    client.force_login(admin)
    html = client.get(URL, HTTP_HOST="portal.other.example").content.decode()
    failed = [text for ok, text in _checks(html, "google") if ok == "no"]
    assert any("uses http" in text for text in failed)
    assert any("portal.other.example" in text and "law.example.com" in text for text in failed)
    assert any("not a web client id" in text for text in failed)
    assert any("Testing mode" in text for text in failed)


def test_localhost_may_use_http(client, admin, settings) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000"
    client.force_login(admin)
    html = client.get(URL, HTTP_HOST="127.0.0.1:8000").content.decode()
    assert _checks(html, "google")[0][0] == "yes"
    assert "cannot tell Atrium about changes" in html  # no push without public https


def test_only_firm_admins_see_it(client, firm) -> None:
    client.force_login(factories.StaffFactory())
    assert client.get(URL).status_code == 404


def test_without_a_registration_there_is_no_sign_in_and_no_push(client, firm) -> None:
    client.force_login(factories.StaffFactory())
    page = client.get(reverse("scheduling:staff-calendars")).content.decode()
    assert "data-connect=" not in page and "Not set up for this firm yet" in page
    start = reverse("scheduling:staff-calendar-oauth-start", kwargs={"provider": "google"})
    assert client.post(start).status_code == 404
    assert client.post(reverse("scheduling:calendar-push-google")).status_code == 404
    assert client.post(reverse("scheduling:calendar-push-microsoft")).status_code == 404

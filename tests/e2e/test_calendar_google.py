"""A firm admin on a phone checks the Google setup, connects their Google Calendar (Google's
consent screen answered by the test: the browser is sent straight back with a code, and
Google's token and calendar endpoints answer through `responses` in the live server),
then picks a second busy calendar."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import responses

from scheduling.models import ExternalCalendar
from tests import factories
from tests.e2e.conftest import PHONE, new_page, sign_in
from tests.scheduling.test_google_calendar import (
    API,
    CLIENT_ID,
    COURT,
    GRANTED,
    PRIMARY,
    TOKEN_URL,
    events_url,
    fixture,
    listing,
    token_reply,
)


@pytest.mark.django_db(transaction=True)
def test_admin_checks_the_setup_and_connects_google_on_a_phone(
    browser: Any, live_server: Any, screenshot: Any, settings: Any, firm: Any
) -> None:
    settings.ATRIUM_GOOGLE_CLIENT_ID = CLIENT_ID
    settings.ATRIUM_GOOGLE_CLIENT_SECRET = "GOCSPX-test-client-secret"
    settings.SITE_URL = live_server.url
    admin = factories.AdminFactory(email="lawyer0@firm.example", first_name="Anna")
    base = live_server.url
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google_api:
        google_api.add(responses.POST, TOKEN_URL, json=token_reply())
        google_api.add(
            responses.GET, f"{API}/users/me/calendarList", json=fixture("calendar_list.json")
        )
        for calendar_id in (PRIMARY, COURT):
            google_api.add(responses.GET, events_url(calendar_id), json=listing([], sync="sync-1"))
        page = new_page(browser, PHONE)
        consent: list[str] = []

        def google_consent(route: Any) -> None:
            # Atrium's answer sends the browser to Google; Google's consent screen,
            # accepted, sends it straight back to the redirect URI with a code.
            answer = route.fetch(max_redirects=0)
            location = answer.headers["location"]
            consent.append(location)
            query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
            back = (
                query["redirect_uri"]
                + "?"
                + urlencode({"state": query["state"], "code": "4/0AeaYSHB-code", "scope": GRANTED})
            )
            route.fulfill(status=302, headers={"Location": back})

        page.route(f"{base}/staff/schedule/calendars/connect/google/", google_consent)
        sign_in(page, base, admin.email, admin.totp_secret)
        # when: the admin opens the setup page
        page.goto(f"{base}/staff/schedule/calendars/setup/")
        screenshot(page, "calsync-phone-en-google-setup")
        google = page.locator("[data-setup=google]")
        assert "Ready" in google.locator("h2").inner_text()
        assert f"{base}/calendar/oauth/google/callback/" in google.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # when: they connect their own Google Calendar from the connections page
        page.goto(f"{base}/staff/schedule/calendars/")
        screenshot(page, "calsync-phone-en-connections")
        page.click("[data-connect=google]")
        page.wait_for_url("**/staff/schedule/calendars/*-*/")
        screenshot(page, "calsync-phone-en-google-connected")
        text = page.locator("main").inner_text()
        assert PRIMARY in text and "Connected." in text
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # when: the court calendar counts as busy too
        page.get_by_label("Court dates counts as busy").check()
        page.click("[data-caldav] button[type=submit]")
        page.wait_for_selector("text=Saved.")
    # then: one connection, both calendars busy, appointments to the primary one
    [calendar] = ExternalCalendar.objects.all()
    assert len(consent) == 1 and consent[0].startswith("https://accounts.google.com/")
    assert "code_challenge=" in consent[0]
    assert calendar.provider == ExternalCalendar.Provider.GOOGLE and calendar.staff == admin
    assert {c["id"] for c in calendar.busy_calendars} == {PRIMARY, COURT}
    assert calendar.write_calendar_id == PRIMARY

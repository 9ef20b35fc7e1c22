"""Connecting Google from the staff pages: the start, the provider's redirect back, and the
callback's refusals (replayed, another person's, too old). Google answers through
`responses`; the session carries the flow exactly as a browser would."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from scheduling.models import ExternalCalendar
from tests import factories
from tests.scheduling.conftest import NOW
from tests.scheduling.test_google_calendar import (
    API,
    CLIENT_ID,
    GRANTED,
    PRIMARY,
    TOKEN_URL,
    events_url,
    fixture,
    listing,
)
from tests.scheduling.test_google_calendar import token_reply as google_token

pytestmark = pytest.mark.django_db
START = reverse("scheduling:staff-calendar-oauth-start", kwargs={"provider": "google"})
CALLBACK = reverse("scheduling:calendar-oauth-callback", kwargs={"provider": "google"})


@pytest.fixture(autouse=True)
def _google(settings: Any) -> None:
    settings.ATRIUM_GOOGLE_CLIENT_ID = CLIENT_ID
    settings.ATRIUM_GOOGLE_CLIENT_SECRET = "GOCSPX-test-client-secret"
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def google_api() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, TOKEN_URL, json=google_token())
        mock.add(responses.GET, f"{API}/users/me/calendarList", json=fixture("calendar_list.json"))
        # the first read, queued by the callback
        mock.add(responses.GET, events_url(PRIMARY), json=listing([], sync="sync-1"))
        yield mock


def _start(client: Any) -> dict[str, str]:
    response = client.post(START)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["redirect_uri"] == "http://testserver" + CALLBACK
    return query


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_connecting_google_from_the_calendars_page(client, frozen, lawyers, google_api) -> None:
    client.force_login(lawyers[0])
    page = client.get(reverse("scheduling:staff-calendars")).content.decode()
    assert 'data-connect="google"' in page
    query = _start(client)
    # when: Google sends the person back with a code
    response = client.get(
        CALLBACK, {"state": query["state"], "code": "4/0AeaYSHB-code", "scope": GRANTED}
    )
    # then: connected, and the connection page opens
    calendar = ExternalCalendar.objects.get()
    assert calendar.provider == ExternalCalendar.Provider.GOOGLE
    assert calendar.staff == lawyers[0] and calendar.status == ExternalCalendar.Health.OK
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "scheduling:staff-calendar-detail", kwargs={"calendar_id": calendar.pk}
    )
    detail = client.get(response["Location"]).content.decode()
    assert calendar.account_email in detail and "Reconnect Google Calendar" in detail
    # when: the same answer is replayed
    again = client.get(CALLBACK, {"state": query["state"], "code": "4/0AeaYSHB-code"})
    # then: refused with a message, nothing more stored, Google not asked again
    assert again.status_code == 302 and again["Location"] == reverse("scheduling:staff-calendars")
    assert "already used" in " ".join(_messages(again))
    assert ExternalCalendar.objects.count() == 1
    assert len([c for c in google_api.calls if c.request.url == TOKEN_URL]) == 1


def test_a_refusal_at_google_is_shown_and_stores_nothing(client, lawyers, google_api) -> None:
    client.force_login(lawyers[0])
    query = _start(client)
    response = client.get(CALLBACK, {"state": query["state"], "error": "access_denied"})
    assert response.status_code == 302
    assert _messages(response) and ExternalCalendar.objects.count() == 0


def test_another_persons_sign_in_is_refused(client, lawyers, google_api) -> None:
    # given: a sign-in started by one lawyer, finished in the same browser by another
    client.force_login(lawyers[0])
    query = _start(client)
    session = client.session
    flow = session["scheduling:calendar-oauth:google"]
    client.force_login(lawyers[1])
    session = client.session
    session["scheduling:calendar-oauth:google"] = flow
    session.save()
    response = client.get(CALLBACK, {"state": query["state"], "code": "4/0AeaYSHB-code"})
    assert "already used or took too long" in " ".join(_messages(response))
    assert ExternalCalendar.objects.count() == 0


def test_a_sign_in_older_than_fifteen_minutes_is_refused(client, lawyers, google_api) -> None:
    client.force_login(lawyers[0])
    with time_machine.travel(NOW, tick=False):
        query = _start(client)
    with time_machine.travel(NOW.timestamp() + 16 * 60, tick=False):
        response = client.get(CALLBACK, {"state": query["state"], "code": "4/0AeaYSHB-code"})
    assert "took too long" in " ".join(_messages(response))
    assert ExternalCalendar.objects.count() == 0


def test_clients_and_strangers_cannot_start_or_finish(client, firm) -> None:
    assert client.post(START).status_code == 302  # to the sign-in page
    assert client.get(CALLBACK).status_code == 302
    client.force_login(factories.UserFactory())
    assert client.post(START).status_code == 404
    assert client.get(START).status_code in (404, 405)
    unknown = reverse("scheduling:staff-calendar-oauth-start", kwargs={"provider": "yahoo"})
    client.force_login(factories.StaffFactory())
    assert client.post(unknown).status_code == 404

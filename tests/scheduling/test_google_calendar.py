"""Google Calendar connections through `responses` with recorded-shape JSON (calendar-sync §7.3).

OAuth callback, incremental busy sync (410 → full resync), token refresh (401, invalid_grant,
Testing mode), 429 back-off, idempotent write-back, external edits, push channels and the
live check. No request reaches Google: `responses` answers every call.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib
import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
import responses
from django.core import mail

from core.errors import ServiceError
from scheduling import google, secrets, selectors, services
from scheduling.models import BusyTime, ExternalCalendar, ExternalEventLink
from scheduling.services import google_calendar as connector
from tests import factories
from tests.scheduling.conftest import NOW

pytestmark = pytest.mark.django_db
# The module (scheduling.services exports a function of the same name).
calendar_sync = importlib.import_module("scheduling.services.calendar_sync")
Health = ExternalCalendar.Health
Link = ExternalEventLink.State

FIXTURES = Path(__file__).parent / "fixtures" / "google"
REDIRECT = "https://atrium.firm.example/calendar/oauth/google/callback/"
CLIENT_ID = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"
PRIMARY = "lawyer0@firm.example"
COURT = "c_8f3a2b1e9d@group.calendar.google.com"
API = google.API
TOKEN_URL = connector.TOKEN_URI
GRANTED = (
    "openid https://www.googleapis.com/auth/userinfo.email "
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly "
    "https://www.googleapis.com/auth/calendar.events "
    "https://www.googleapis.com/auth/calendar.freebusy"
)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def events_url(calendar_id: str, event_id: str = "") -> str:
    url = f"{API}/calendars/{quote(calendar_id, safe='')}/events"
    return f"{url}/{event_id}" if event_id else url


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def id_token(email: str = PRIMARY, **claims: Any) -> str:
    body = {
        "iss": "https://accounts.google.com",
        "azp": CLIENT_ID,
        "aud": CLIENT_ID,
        "sub": "110169484474386276334",
        "email": email,
        "email_verified": True,
        "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
        **claims,
    }
    return f"{_b64({'alg': 'RS256', 'kid': '1e9gdk7', 'typ': 'JWT'})}.{_b64(body)}.c2lnbmF0dXJl"


def token_reply(access: str = "ya29.a0-access-one", refresh: str = "1//0g-refresh-one") -> dict:
    return {
        "access_token": access,
        "expires_in": 3599,
        "refresh_token": refresh,
        "scope": GRANTED,
        "token_type": "Bearer",
        "id_token": id_token(),
    }


def event(event_id: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    """One item of events.list as Google sends it (timed, or all-day with a bare date)."""

    def when(value: str) -> dict[str, str]:
        if "T" in value:
            return {"dateTime": value, "timeZone": "Europe/Warsaw"}
        return {"date": value}

    return {
        "kind": "calendar#event",
        "etag": extra.pop("etag", '"3421234567890000"'),
        "id": event_id,
        "status": "confirmed",
        "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
        "created": "2026-05-20T09:00:00.000Z",
        "updated": "2026-05-20T09:00:00.000Z",
        "summary": f"Private {event_id}",
        "creator": {"email": PRIMARY, "self": True},
        "organizer": {"email": PRIMARY, "self": True},
        "start": when(start),
        "end": when(end),
        "iCalUID": f"{event_id}@google.com",
        "sequence": 0,
        "reminders": {"useDefault": True},
        "eventType": "default",
        **extra,
    }


def deleted(event_id: str) -> dict[str, Any]:
    """What an incremental listing says of a deleted event."""
    return {
        "kind": "calendar#event",
        "etag": '"3421234599990000"',
        "id": event_id,
        "status": "cancelled",
    }


def listing(items: list[dict[str, Any]], *, sync: str = "", page: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": '"p32ofplf5q6gf20g"',
        "summary": PRIMARY,
        "updated": "2026-06-01T07:59:00.000Z",
        "timeZone": "Europe/Warsaw",
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "items": items,
    }
    if page:
        data["nextPageToken"] = page
    if sync:
        data["nextSyncToken"] = sync
    return data


def params(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def body(call: Any) -> dict[str, Any]:
    return json.loads(call.request.body)


def calls(api: responses.RequestsMock, method: str, url: str) -> list[Any]:
    return [
        c for c in api.calls if c.request.method == method and c.request.url.split("?", 1)[0] == url
    ]


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def _busy(calendar: ExternalCalendar) -> list[tuple[dt.datetime, dt.datetime]]:
    return sorted(BusyTime.objects.filter(calendar=calendar).values_list("start_at", "end_at"))


@pytest.fixture(autouse=True)
def _google(settings: Any) -> None:
    settings.ATRIUM_GOOGLE_CLIENT_ID = CLIENT_ID
    settings.ATRIUM_GOOGLE_CLIENT_SECRET = "GOCSPX-test-client-secret"
    settings.SITE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def api() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example", first_name="Anna")


def connect(staff: Any, api: responses.RequestsMock, **reply: Any) -> ExternalCalendar:
    """The whole OAuth dance: start, Google's redirect back, the code exchange."""
    _url, flow = connector.authorization_start(redirect_uri=REDIRECT)
    api.add(responses.POST, TOKEN_URL, json={**token_reply(), **reply})
    api.add(responses.GET, f"{API}/users/me/calendarList", json=fixture("calendar_list.json"))
    return connector.authorization_finish(
        flow=flow,
        params={"state": flow["state"], "code": "4/0AeaYSHB-code", "scope": GRANTED},
        redirect_uri=REDIRECT,
        staff=staff,
        actor=staff,
    )


@pytest.fixture
def connection(frozen: Any, lawyers: list[Any], api: responses.RequestsMock) -> ExternalCalendar:
    calendar = connect(lawyers[0], api)
    api.reset()
    return calendar


def sync(calendar: ExternalCalendar, now: dt.datetime | None = None) -> bool:
    return connector.sync(calendar_id=calendar.pk, now=now or dt.datetime.now(dt.UTC))


# --- the protocol client, pure ------------------------------------------------------------


def test_event_ids_are_base32hex_of_the_uid_and_stable() -> None:
    uid = "0f8e6a52-3c1d-4b7a-9e2f-5d4c3b2a1908@atrium"
    chosen = google.event_id(uid)
    assert re.fullmatch(r"[a-v0-9]{26}", chosen)
    assert chosen == google.event_id(uid)
    padded = chosen.upper() + "=" * 6
    assert base64.b32hexdecode(padded) == uuid.UUID(uid.split("@")[0]).bytes
    assert google.event_id("imported-uid@elsewhere") == google.event_id("imported-uid@elsewhere")
    assert re.fullmatch(r"[a-v0-9]{26}", google.event_id("imported-uid@elsewhere"))


def test_times_retry_after_and_error_codes() -> None:
    warsaw = dt.timezone(dt.timedelta(hours=2))
    assert google.parse_time({"dateTime": "2026-06-02T10:00:00+02:00"}, dt.UTC) == _utc(
        2026, 6, 2, 8
    )
    # an all-day event starts at midnight in the staff member's zone
    assert google.parse_time({"date": "2026-06-04"}, warsaw) == _utc(2026, 6, 3, 22)
    assert google.retry_after_seconds("120") == 120
    assert google.retry_after_seconds("Mon, 01 Jun 2026 08:01:00 GMT", now=NOW) == 60
    assert google.retry_after_seconds("99999") == 3600
    assert google.retry_after_seconds("soon") is None

    def answer(status: int, payload: dict[str, Any], **headers: str) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload).encode()
        response.headers.update(headers)
        return response

    assert google.error_for(answer(403, fixture("error_403_scope.json"))).code == "scope"
    limited = google.error_for(answer(429, fixture("error_429.json"), **{"Retry-After": "30"}))
    assert (limited.code, limited.retry_after) == ("rate_limited", 30)
    assert isinstance(
        google.error_for(answer(410, fixture("error_410_full_sync.json"))), google.GoneError
    )
    assert google.error_for(answer(503, {})).code == "server_error"


def test_a_401_is_retried_once_with_a_fresh_token_and_tokens_never_show(api) -> None:
    asked: list[bool] = []

    def token(refresh: bool) -> str:
        asked.append(refresh)
        return "ya29.fresh" if refresh else "ya29.stale"

    api.add(
        responses.GET, f"{API}/users/me/calendarList", status=401, json=fixture("error_401.json")
    )
    api.add(
        responses.GET, f"{API}/users/me/calendarList", status=401, json=fixture("error_401.json")
    )
    client = google.Client(token)
    with pytest.raises(google.GoogleError) as caught:
        client.calendars()
    assert caught.value.code == "auth" and asked == [False, True]
    assert [c.request.headers["Authorization"] for c in api.calls] == [
        "Bearer ya29.stale",
        "Bearer ya29.fresh",
    ]
    assert "ya29" not in str(caught.value) and "ya29" not in repr(client)


# --- OAuth --------------------------------------------------------------------------------


def test_authorization_start_asks_offline_access_with_pkce(frozen) -> None:
    url, flow = connector.authorization_start(redirect_uri=REDIRECT)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["include_granted_scopes"] == ["true"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [REDIRECT] and query["state"] == [flow["state"]]
    assert set(query["scope"][0].split()) == set(connector.SCOPES)
    verifier = flow["code_verifier"]
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert query["code_challenge"] == [expected.decode()]
    json.dumps(flow)  # kept in the session


def test_the_callback_exchanges_the_code_and_keeps_the_tokens_encrypted(
    frozen, lawyers, api
) -> None:
    calendar = connect(lawyers[0], api)
    # then: the code went with the PKCE verifier and the client secret
    [exchange] = calls(api, "POST", TOKEN_URL)
    sent = parse_qs(exchange.request.body)
    assert sent["grant_type"] == ["authorization_code"] and sent["code"] == ["4/0AeaYSHB-code"]
    assert len(sent["code_verifier"][0]) >= 43 and sent["redirect_uri"] == [REDIRECT]
    assert calendar.provider == ExternalCalendar.Provider.GOOGLE
    assert calendar.account_email == PRIMARY and calendar.status == Health.OK
    assert google.SCOPE_EVENTS in calendar.scopes.split()
    assert calendar.token_expires_at == NOW + dt.timedelta(seconds=3599)
    assert calendar.authorized_at == NOW and calendar.early_expiries == 0
    # the primary calendar is busy and receives appointments; the others are listed
    assert [(c["id"], c["busy"], c["writable"]) for c in calendar.read_calendars] == [
        (PRIMARY, True, True),
        (COURT, False, True),
        ("pl.polish#holiday@group.v.calendar.google.com", False, False),
    ]
    assert calendar.write_calendar_id == PRIMARY
    assert "ya29" not in calendar.secret_encrypted and "1//0g" not in calendar.secret_encrypted
    cache = json.loads(secrets.decrypt(calendar.secret_encrypted))
    assert cache["refresh_token"] == "1//0g-refresh-one"


def test_reconnecting_the_same_account_updates_its_row(frozen, lawyers, api) -> None:
    first = connect(lawyers[0], api)
    first.read_calendars = [{**c, "busy": True} for c in first.read_calendars]
    first.status, first.last_error = Health.BROKEN, "auth_expired"
    first.save()
    again = connect(lawyers[0], api, refresh_token="1//0g-refresh-two")
    assert again.pk == first.pk and ExternalCalendar.objects.count() == 1
    again.refresh_from_db()
    assert again.status == Health.OK and again.last_error == ""
    assert all(c["busy"] for c in again.read_calendars)  # the choices were kept
    assert json.loads(secrets.decrypt(again.secret_encrypted))["refresh_token"].endswith("two")


def test_a_foreign_state_or_a_refusal_stores_nothing(frozen, lawyers, api) -> None:
    _url, flow = connector.authorization_start(redirect_uri=REDIRECT)
    with pytest.raises(ServiceError, match="not started here"):
        connector.authorization_finish(
            flow=flow,
            params={"state": "forged", "code": "4/0Ae-code"},
            redirect_uri=REDIRECT,
            staff=lawyers[0],
        )
    with pytest.raises(ServiceError, match="choose Allow"):
        connector.authorization_finish(
            flow=flow,
            params={"state": flow["state"], "error": "access_denied"},
            redirect_uri=REDIRECT,
            staff=lawyers[0],
        )
    assert len(api.calls) == 0 and not ExternalCalendar.objects.exists()


def test_unticked_scopes_are_refused_and_the_grant_revoked(frozen, lawyers, api) -> None:
    api.add(responses.POST, connector.REVOKE_URI, status=200)
    with pytest.raises(ServiceError, match="tick every box"):
        connect(lawyers[0], api, scope="openid https://www.googleapis.com/auth/userinfo.email")
    assert len(calls(api, "POST", connector.REVOKE_URI)) == 1
    assert not ExternalCalendar.objects.exists()


def test_a_redirect_uri_mismatch_names_the_address_to_register(frozen, lawyers, api) -> None:
    _url, flow = connector.authorization_start(redirect_uri=REDIRECT)
    api.add(
        responses.POST,
        TOKEN_URL,
        status=400,
        json={"error": "redirect_uri_mismatch", "error_description": "Bad Request"},
    )
    with pytest.raises(ServiceError, match=re.escape(REDIRECT)):
        connector.authorization_finish(
            flow=flow,
            params={"state": flow["state"], "code": "4/0Ae-code"},
            redirect_uri=REDIRECT,
            staff=lawyers[0],
        )


# --- reading busy times -------------------------------------------------------------------


def test_first_sync_reads_the_window_then_only_changes(connection, api) -> None:
    # given: two pages of events in the primary calendar
    first = [
        event("court1", "2026-06-02T10:00:00+02:00", "2026-06-02T12:00:00+02:00"),
        event(
            "lunch",
            "2026-06-02T13:00:00+02:00",
            "2026-06-02T14:00:00+02:00",
            transparency="transparent",
        ),
        event(
            "invite",
            "2026-06-02T15:00:00+02:00",
            "2026-06-02T16:00:00+02:00",
            attendees=[{"email": PRIMARY, "self": True, "responseStatus": "declined"}],
        ),
        event(
            "office",
            "2026-06-03",
            "2026-06-04",
            eventType="workingLocation",
            transparency="transparent",
        ),
    ]
    second = [
        event("holiday", "2026-06-04", "2026-06-05"),
        {
            **event(
                "weekly_20260603T080000Z", "2026-06-03T10:00:00+02:00", "2026-06-03T11:00:00+02:00"
            ),
            "status": "cancelled",
            "recurringEventId": "weekly",
        },
    ]
    api.add(responses.GET, events_url(PRIMARY), json=listing(first, page="page-2"))
    api.add(responses.GET, events_url(PRIMARY), json=listing(second, sync="CPjS-sync-1"))
    # when
    assert sync(connection)
    # then: the window was asked for, recurrences expanded, both pages read
    one, two = calls(api, "GET", events_url(PRIMARY))
    assert params(one) == {
        "singleEvents": "true",
        "maxResults": "2500",
        "timeMin": "2026-05-31T08:00:00Z",
        "timeMax": "2026-09-29T08:00:00Z",
    }
    assert params(two)["pageToken"] == "page-2"
    assert _busy(connection) == [
        (_utc(2026, 6, 2, 8), _utc(2026, 6, 2, 10)),
        (_utc(2026, 6, 3, 22), _utc(2026, 6, 4, 22)),  # all day in Warsaw
    ]
    connection.refresh_from_db()
    assert connection.sync_state[PRIMARY] == {"token": "CPjS-sync-1"}
    assert connection.status == Health.OK and connection.last_success_at == NOW
    # when: the next sync sees a deletion and a new event
    api.reset()
    api.add(
        responses.GET,
        events_url(PRIMARY),
        json=listing(
            [
                deleted("court1"),
                event("dentist", "2026-06-03T09:00:00+02:00", "2026-06-03T10:00:00+02:00"),
            ],
            sync="CPjS-sync-2",
        ),
    )
    assert sync(connection)
    [incremental] = api.calls
    assert params(incremental) == {
        "singleEvents": "true",
        "maxResults": "2500",
        "syncToken": "CPjS-sync-1",
    }
    assert _busy(connection) == [
        (_utc(2026, 6, 3, 7), _utc(2026, 6, 3, 8)),
        (_utc(2026, 6, 3, 22), _utc(2026, 6, 4, 22)),
    ]
    connection.refresh_from_db()
    assert connection.sync_state[PRIMARY] == {"token": "CPjS-sync-2"}


def test_an_expired_sync_token_means_a_full_resync(connection, api) -> None:
    api.add(
        responses.GET,
        events_url(PRIMARY),
        json=listing(
            [event("court1", "2026-06-02T10:00:00+02:00", "2026-06-02T12:00:00+02:00")], sync="s1"
        ),
    )
    assert sync(connection)
    api.reset()
    api.add(
        responses.GET, events_url(PRIMARY), status=410, json=fixture("error_410_full_sync.json")
    )
    api.add(
        responses.GET,
        events_url(PRIMARY),
        json=listing(
            [event("dentist", "2026-06-03T09:00:00+02:00", "2026-06-03T10:00:00+02:00")], sync="s9"
        ),
    )
    # when
    assert sync(connection)
    # then: the token was refused, the window read again and replaced
    refused, full = api.calls
    assert params(refused)["syncToken"] == "s1"
    assert "syncToken" not in params(full) and "timeMin" in params(full)
    assert _busy(connection) == [(_utc(2026, 6, 3, 7), _utc(2026, 6, 3, 8))]
    connection.refresh_from_db()
    assert connection.sync_state[PRIMARY] == {"token": "s9"} and connection.status == Health.OK


def test_two_workers_reading_from_the_same_token_store_each_interval_once(connection, api) -> None:
    api.add(responses.GET, events_url(PRIMARY), json=listing([], sync="s1"))
    assert sync(connection)
    stored = ExternalCalendar.objects.get(pk=connection.pk).sync_state
    moved = listing(
        [event("court1", "2026-06-02T11:00:00+02:00", "2026-06-02T12:00:00+02:00")], sync="s2"
    )
    api.reset()
    api.add(responses.GET, events_url(PRIMARY), json=moved)
    # when: two syncs start from the same stored token
    assert sync(connection)
    ExternalCalendar.objects.filter(pk=connection.pk).update(sync_state=stored)
    assert sync(connection)
    # then
    assert _busy(connection) == [(_utc(2026, 6, 2, 9), _utc(2026, 6, 2, 10))]


def test_a_401_refreshes_the_token_and_retries(connection, api) -> None:
    api.add(responses.GET, events_url(PRIMARY), status=401, json=fixture("error_401.json"))
    api.add(
        responses.POST,
        TOKEN_URL,
        json={
            "access_token": "ya29.a0-access-two",
            "expires_in": 3599,
            "scope": GRANTED,
            "token_type": "Bearer",
        },
    )
    api.add(responses.GET, events_url(PRIMARY), json=listing([], sync="s1"))
    # when
    assert sync(connection)
    # then
    refused, refresh, retried = api.calls
    assert refused.request.headers["Authorization"] == "Bearer ya29.a0-access-one"
    assert parse_qs(refresh.request.body.decode())["refresh_token"] == ["1//0g-refresh-one"]
    assert parse_qs(refresh.request.body.decode())["grant_type"] == ["refresh_token"]
    assert retried.request.headers["Authorization"] == "Bearer ya29.a0-access-two"
    connection.refresh_from_db()
    cache = json.loads(secrets.decrypt(connection.secret_encrypted))
    assert cache["access_token"] == "ya29.a0-access-two"
    assert cache["refresh_token"] == "1//0g-refresh-one"  # not rotated: kept
    assert connection.token_expires_at == NOW + dt.timedelta(seconds=3599)
    assert connection.status == Health.OK


def test_tokens_are_refreshed_five_minutes_early_and_a_rotated_one_kept(
    connection, api, frozen
) -> None:
    frozen.move_to(NOW + dt.timedelta(minutes=56))  # the token has 4 minutes left
    api.add(
        responses.POST,
        TOKEN_URL,
        json={
            "access_token": "ya29.a0-access-two",
            "expires_in": 3599,
            "refresh_token": "1//0g-refresh-two",
            "scope": GRANTED,
            "token_type": "Bearer",
        },
    )
    api.add(responses.GET, events_url(PRIMARY), json=listing([], sync="s1"))
    assert sync(connection)
    refresh, read = api.calls
    assert refresh.request.url == TOKEN_URL
    assert read.request.headers["Authorization"] == "Bearer ya29.a0-access-two"
    connection.refresh_from_db()
    assert json.loads(secrets.decrypt(connection.secret_encrypted))["refresh_token"] == (
        "1//0g-refresh-two"
    )


def test_a_second_401_or_a_missing_scope_breaks_the_connection(connection, api) -> None:
    api.add(responses.GET, events_url(PRIMARY), status=401, json=fixture("error_401.json"))
    api.add(responses.POST, TOKEN_URL, json={"access_token": "ya29.two", "expires_in": 3599})
    assert not sync(connection)
    connection.refresh_from_db()
    assert (connection.status, connection.last_error) == (Health.BROKEN, "auth")
    api.reset()
    api.add(responses.GET, events_url(PRIMARY), status=403, json=fixture("error_403_scope.json"))
    assert not sync(connection)
    connection.refresh_from_db()
    assert connection.last_error == "scope"


def test_a_dead_refresh_token_breaks_the_connection_with_one_alert(
    connection, api, admin, frozen, django_capture_on_commit_callbacks
) -> None:
    frozen.move_to(NOW + dt.timedelta(days=10))  # long after the grant: not Testing mode
    api.add(responses.POST, TOKEN_URL, status=400, json=fixture("token_error_invalid_grant.json"))
    # when: three polls
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert not sync(connection)
    # then: BROKEN at once, Google asked once, one email each to the lawyer and the admin
    connection.refresh_from_db()
    assert (connection.status, connection.last_error) == (Health.BROKEN, "auth_expired")
    assert len(calls(api, "POST", TOKEN_URL)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@firm.example", "lawyer0@firm.example"]
    body = mail.outbox[0].body
    assert "Reconnect Google Calendar" in body and "Testing" not in body
    assert "refresh-one" not in body and "ya29" not in body
    assert connection.early_expiries == 0


def test_the_second_early_expiry_in_a_row_names_googles_testing_mode(
    connection, lawyers, api, frozen, django_capture_on_commit_callbacks
) -> None:
    # given: the first refresh token dies 7 days after the grant
    frozen.move_to(NOW + dt.timedelta(days=7, hours=1))
    api.add(responses.POST, TOKEN_URL, status=400, json=fixture("token_error_invalid_grant.json"))
    assert not sync(connection)
    connection.refresh_from_db()
    assert (connection.last_error, connection.early_expiries) == ("auth_expired", 1)
    # when: reconnected, and the new one dies 7 days later too
    api.reset()
    connect(lawyers[0], api)
    connection.refresh_from_db()
    assert connection.status == Health.OK and connection.early_expiries == 1
    frozen.move_to(NOW + dt.timedelta(days=14, hours=2))
    api.reset()
    api.add(responses.POST, TOKEN_URL, status=400, json=fixture("token_error_invalid_grant.json"))
    with django_capture_on_commit_callbacks(execute=True):
        assert not sync(connection)
    # then
    connection.refresh_from_db()
    assert (connection.status, connection.last_error) == (Health.BROKEN, "auth_testing")
    assert "Testing mode" in selectors.calendar_reason("auth_testing", connection.provider)
    assert "Testing mode" in mail.outbox[-1].body


def test_a_429_degrades_and_its_retry_after_is_honoured(connection, api, frozen) -> None:
    api.add(
        responses.GET,
        events_url(PRIMARY),
        status=429,
        json=fixture("error_429.json"),
        headers={"Retry-After": "120"},
    )
    api.add(responses.GET, events_url(PRIMARY), json=listing([], sync="s1"))
    assert not sync(connection)
    connection.refresh_from_db()
    assert (connection.status, connection.last_error) == (Health.DEGRADED, "rate_limited")
    assert connection.retry_after == NOW + dt.timedelta(seconds=120)
    # when: polled again before the time Google gave: nothing is asked
    frozen.move_to(NOW + dt.timedelta(seconds=60))
    assert not sync(connection)
    assert len(api.calls) == 1
    # when: after it
    frozen.move_to(NOW + dt.timedelta(seconds=121))
    assert sync(connection)
    connection.refresh_from_db()
    assert connection.status == Health.OK and connection.retry_after is None


# --- writing appointments -----------------------------------------------------------------


def _book(staff: Any, service: Any, start: dt.datetime, capture: Any) -> Any:
    with capture(execute=True):
        [appointment] = services.appointment_book(
            service=service,
            start_at=start,
            staff=staff,
            contact=factories.ContactFactory(last_name="Zyxwvut"),
            time_zone="Europe/Warsaw",
            actor=staff,
        )
    return appointment


def inserted(request: Any) -> tuple[int, dict[str, str], str]:
    """Google's answer to events.insert: the event as stored, with a new etag."""
    sent = json.loads(request.body)
    return (
        200,
        {},
        json.dumps(
            {
                **event(sent["id"], sent["start"]["dateTime"], sent["end"]["dateTime"]),
                **sent,
                "etag": '"e-1"',
            }
        ),
    )


def patched(etag: str) -> Any:
    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        sent = json.loads(request.body)
        event_id = request.url.split("?")[0].rsplit("/", 1)[1]
        return (
            200,
            {},
            json.dumps(
                {
                    **event(event_id, "2026-06-02T10:00:00Z", "2026-06-02T10:15:00Z"),
                    **sent,
                    "etag": etag,
                }
            ),
        )

    return reply


def test_appointments_are_inserted_patched_and_deleted_once_each(
    connection, lawyers, intro, api, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    api.add_callback(responses.POST, events_url(PRIMARY), callback=inserted)
    # when: booked
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    # then: one insert with Atrium's id, minimal content, nobody invited
    chosen = google.event_id(appointment.uid)
    [insert] = calls(api, "POST", events_url(PRIMARY))
    assert params(insert) == {"sendUpdates": "none"}
    sent = body(insert)
    assert sent["id"] == chosen and "attendees" not in sent
    assert sent["summary"] == "Intro call (Atrium)" and "Zyxwvut" not in json.dumps(sent)
    assert sent["start"] == {"dateTime": "2026-06-02T08:00:00Z"}
    assert sent["end"] == {"dateTime": "2026-06-02T08:15:00Z"}
    link = ExternalEventLink.objects.get()
    assert (link.state, link.remote_event_id, link.remote_etag) == (Link.SYNCED, chosen, '"e-1"')
    assert not calls(api, "GET", events_url(PRIMARY, chosen))  # a first attempt: no GET
    # when: written again with nothing changed
    services.appointment_writeback(appointment_uid=appointment.uid)
    assert len(api.calls) == 1
    # when: rescheduled, the same event is patched
    api.add_callback(responses.PATCH, events_url(PRIMARY, chosen), callback=patched('"e-2"'))
    with django_capture_on_commit_callbacks(execute=True):
        new = services.appointment_reschedule(
            appointment=appointment, start_at=_utc(2026, 6, 3, 9), actor=staff
        )
    [patch] = calls(api, "PATCH", events_url(PRIMARY, chosen))
    assert params(patch) == {"sendUpdates": "none"}
    assert body(patch)["start"] == {"dateTime": "2026-06-03T09:00:00Z"}
    assert len(calls(api, "POST", events_url(PRIMARY))) == 1
    link.refresh_from_db()
    assert (link.remote_etag, link.appointment_id, link.pushed_sequence) == (
        '"e-2"',
        new.pk,
        new.sequence,
    )
    # when: cancelled, it is deleted (already gone would be fine too)
    api.add(
        responses.DELETE, events_url(PRIMARY, chosen), status=410, json=fixture("error_404.json")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=new, actor=staff)
    [delete] = calls(api, "DELETE", events_url(PRIMARY, chosen))
    assert params(delete) == {"sendUpdates": "none"}
    assert ExternalEventLink.objects.get().state == Link.DELETED


def test_a_409_on_insert_means_it_exists_and_is_patched(
    connection, lawyers, intro, api, django_capture_on_commit_callbacks
) -> None:
    api.add(
        responses.POST, events_url(PRIMARY), status=409, json=fixture("error_409_duplicate.json")
    )
    api.add_callback(
        responses.PATCH,
        re.compile(re.escape(events_url(PRIMARY)) + "/.*"),
        callback=patched('"e-7"'),
    )
    appointment = _book(lawyers[0], intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    chosen = google.event_id(appointment.uid)
    assert len(calls(api, "POST", events_url(PRIMARY))) == 1
    assert len(calls(api, "PATCH", events_url(PRIMARY, chosen))) == 1
    link = ExternalEventLink.objects.get()
    assert (link.state, link.remote_event_id, link.remote_etag) == (Link.SYNCED, chosen, '"e-7"')


@pytest.mark.parametrize("arrived", [True, False], ids=["first-try-arrived", "first-try-lost"])
def test_a_write_retried_after_a_timeout_creates_one_event(
    connection, lawyers, intro, api, arrived, django_capture_on_commit_callbacks
) -> None:
    # given: the insert times out (Google may or may not have stored it)
    api.add(responses.POST, events_url(PRIMARY), body=requests.exceptions.ReadTimeout("slow"))
    appointment = _book(lawyers[0], intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    chosen = google.event_id(appointment.uid)
    link = ExternalEventLink.objects.get()
    assert (link.state, link.last_error) == (Link.FAILED, "timeout")
    assert ExternalCalendar.objects.get(pk=connection.pk).status == Health.DEGRADED
    # when: the next sync retries it
    api.add(responses.GET, events_url(PRIMARY), json=listing([], sync="s1"))
    if arrived:
        api.add(
            responses.GET,
            events_url(PRIMARY, chosen),
            json=event(chosen, "2026-06-02T08:00:00Z", "2026-06-02T08:15:00Z"),
        )
        api.add_callback(responses.PATCH, events_url(PRIMARY, chosen), callback=patched('"e-3"'))
    else:
        api.add(
            responses.GET, events_url(PRIMARY, chosen), status=404, json=fixture("error_404.json")
        )
        api.add_callback(responses.POST, events_url(PRIMARY), callback=inserted)
    assert services.calendar_sync(calendar_id=connection.pk)
    # then: the id was looked up first; never a second event
    assert len(calls(api, "GET", events_url(PRIMARY, chosen))) == 1
    inserts = calls(api, "POST", events_url(PRIMARY))
    assert [body(c)["id"] for c in inserts] == [chosen] * (1 if arrived else 2)
    assert len(calls(api, "PATCH", events_url(PRIMARY, chosen))) == (1 if arrived else 0)
    link.refresh_from_db()
    assert link.state == Link.SYNCED and link.remote_event_id == chosen
    assert link.remote_etag == ('"e-3"' if arrived else '"e-1"')


def test_own_events_are_never_busy_and_an_external_edit_is_flagged_not_applied(
    connection, lawyers, intro, api, frozen, django_capture_on_commit_callbacks
) -> None:
    api.add_callback(responses.POST, events_url(PRIMARY), callback=inserted)
    appointment = _book(lawyers[0], intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    chosen = google.event_id(appointment.uid)
    ours = event(chosen, "2026-06-02T08:00:00Z", "2026-06-02T08:15:00Z", etag='"e-1"')
    api.add(
        responses.GET,
        events_url(PRIMARY),
        json=listing(
            [ours, event("court1", "2026-06-02T12:00:00Z", "2026-06-02T13:00:00Z")], sync="s1"
        ),
    )
    assert sync(connection)
    # then: our own event is not busy, nothing flagged
    assert _busy(connection) == [(_utc(2026, 6, 2, 12), _utc(2026, 6, 2, 13))]
    assert ExternalEventLink.objects.get().external_change_seen_at is None
    # when: the lawyer drags it to 10:00 in Google Calendar
    frozen.move_to(NOW + dt.timedelta(minutes=5))
    moved = event(chosen, "2026-06-02T10:00:00Z", "2026-06-02T10:15:00Z", etag='"e-2"')
    api.add(responses.GET, events_url(PRIMARY), json=listing([moved], sync="s2"))
    assert sync(connection)
    # then: flagged for staff; the appointment and the busy times are untouched
    assert ExternalEventLink.objects.get().external_change_seen_at == NOW + dt.timedelta(minutes=5)
    appointment.refresh_from_db()
    assert appointment.start_at == _utc(2026, 6, 2, 8) and appointment.status == "booked"
    assert _busy(connection) == [(_utc(2026, 6, 2, 12), _utc(2026, 6, 2, 13))]


def test_an_atrium_event_deleted_in_google_is_flagged(
    connection, lawyers, intro, api, django_capture_on_commit_callbacks
) -> None:
    api.add_callback(responses.POST, events_url(PRIMARY), callback=inserted)
    appointment = _book(lawyers[0], intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    api.add(responses.GET, events_url(PRIMARY), json=listing([], sync="s1"))
    api.add(
        responses.GET,
        events_url(PRIMARY),
        json=listing([deleted(google.event_id(appointment.uid))], sync="s2"),
    )
    assert sync(connection)  # a full listing without it also counts...
    link = ExternalEventLink.objects.get()
    assert link.external_change_seen_at == NOW
    ExternalEventLink.objects.update(external_change_seen_at=None)
    assert sync(connection)  # ...and so does an incremental one saying "cancelled"
    assert ExternalEventLink.objects.get().external_change_seen_at == NOW


# --- push ---------------------------------------------------------------------------------


def watched(request: Any) -> tuple[int, dict[str, str], str]:
    sent = json.loads(request.body)
    expires = int(
        (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(sent["params"]["ttl"]))).timestamp()
        * 1000
    )
    return (
        200,
        {},
        json.dumps(
            {
                "kind": "api#channel",
                "id": sent["id"],
                "resourceId": f"o3hgv1538sdjfh-{sent['id'][-4:]}",
                "resourceUri": f"{events_url(PRIMARY)}?alt=json",
                "token": sent["token"],
                "expiration": str(expires),
            }
        ),
    )


def headers(channel: str, token: str) -> dict[str, str]:
    return {
        "X-Goog-Channel-ID": channel,
        "X-Goog-Channel-Token": token,
        "X-Goog-Resource-ID": "o3hgv1538sdjfh",
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "3",
    }


def test_push_channels_are_renewed_at_half_their_lifetime(
    connection, api, frozen, settings
) -> None:
    settings.SITE_URL = "https://atrium.firm.example"
    watch_url = events_url(PRIMARY) + "/watch"
    api.add_callback(responses.POST, watch_url, callback=watched)
    api.add(responses.POST, f"{API}/channels/stop", status=204)
    # when
    connector.push_ensure(connection, now=NOW)
    # then: a web_hook channel to the push address, only the token's hash kept
    [watch] = calls(api, "POST", watch_url)
    sent = body(watch)
    assert sent["type"] == "web_hook"
    assert sent["address"] == "https://atrium.firm.example/calendar/push/google/"
    connection.refresh_from_db()
    assert connection.push_channel_id == sent["id"]
    assert connection.push_secret_hash == hashlib.sha256(sent["token"].encode()).hexdigest()
    assert sent["token"] not in json.dumps(connection.sync_state)
    assert connection.push_expires_at == NOW + connector.PUSH_TTL
    assert connector.push_received(headers=headers(sent["id"], sent["token"])) == connection.pk
    assert connector.push_received(headers=headers(sent["id"], "guessed")) is None
    # when: a little before half its lifetime, nothing happens
    frozen.move_to(NOW + dt.timedelta(days=3, hours=12) - dt.timedelta(minutes=1))
    connector.push_ensure(connection, now=dt.datetime.now(dt.UTC))
    assert len(calls(api, "POST", watch_url)) == 1
    # when: past it, a new channel replaces the old one, which is stopped
    frozen.move_to(NOW + dt.timedelta(days=3, hours=12, minutes=1))
    api.add(responses.POST, TOKEN_URL, json={"access_token": "ya29.two", "expires_in": 3599})
    connector.push_ensure(connection, now=dt.datetime.now(dt.UTC))
    first, second = calls(api, "POST", watch_url)
    [stop] = calls(api, "POST", f"{API}/channels/stop")
    assert body(stop) == {"id": sent["id"], "resourceId": f"o3hgv1538sdjfh-{sent['id'][-4:]}"}
    renewed = body(second)
    assert (
        connector.push_received(headers=headers(renewed["id"], renewed["token"])) == connection.pk
    )
    assert connector.push_received(headers=headers(sent["id"], sent["token"])) is None


def test_no_push_without_a_public_https_site_and_a_wrong_token_is_refused(
    connection, api, client
) -> None:
    connector.push_ensure(connection, now=NOW)  # SITE_URL is http://127.0.0.1
    assert len(api.calls) == 0
    assert connector.push_received(headers=headers(f"{connection.pk}_abcd", "x")) is None
    assert connector.push_received(headers={}) is None
    response = client.post(
        "/calendar/push/google/",
        **{"HTTP_X_GOOG_CHANNEL_ID": f"{connection.pk}_ab", "HTTP_X_GOOG_CHANNEL_TOKEN": "x"},
    )
    assert response.status_code == 403


# --- the live check -----------------------------------------------------------------------


def test_live_check_busy_free_own_and_timeout(
    connection, lawyers, intro, api, django_capture_on_commit_callbacks
) -> None:
    api.add_callback(responses.POST, events_url(PRIMARY), callback=inserted)
    appointment = _book(lawyers[0], intro, _utc(2026, 6, 2, 10), django_capture_on_commit_callbacks)
    busy = {
        "kind": "calendar#freeBusy",
        "timeMin": "2026-06-02T08:00:00.000Z",
        "timeMax": "2026-06-02T11:00:00.000Z",
        "calendars": {
            PRIMARY: {
                "busy": [
                    {"start": "2026-06-02T08:00:00Z", "end": "2026-06-02T09:00:00Z"},
                    {"start": "2026-06-02T10:00:00Z", "end": "2026-06-02T10:15:00Z"},
                ]
            }
        },
    }
    api.add(responses.POST, f"{API}/freeBusy", json=busy)
    own = {appointment.uid}

    def live(hour: int, minute: int = 0) -> bool:
        start = _utc(2026, 6, 2, hour, minute)
        return connector.live_busy(
            connection, start, start + dt.timedelta(minutes=15), timeout=2.0, own_uids=own
        )

    assert live(8, 30)  # busy
    assert not live(9)  # free
    assert not live(10)  # only Atrium's own appointment there
    [query, *_rest] = calls(api, "POST", f"{API}/freeBusy")
    assert body(query) == {
        "timeMin": "2026-06-02T08:30:00Z",
        "timeMax": "2026-06-02T08:45:00Z",
        "items": [{"id": PRIMARY}],
    }
    # when: Google does not answer in time
    api.replace(responses.POST, f"{API}/freeBusy", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(requests.Timeout) as caught:
        live(8, 30)
    assert connector.error_code(caught.value)[0] == "timeout"
    # the generic check then trusts the synced busy times
    assert (
        services.live_busy_staff(
            staff_ids=[lawyers[0].pk], start=_utc(2026, 6, 2, 8), end=_utc(2026, 6, 2, 9)
        )
        == set()
    )


# --- disconnecting ------------------------------------------------------------------------


def test_disconnect_revokes_the_grant_and_forgets_everything(connection, lawyers, api) -> None:
    api.add(responses.POST, connector.REVOKE_URI, status=200)
    BusyTime.objects.create(
        calendar=connection, staff=lawyers[0], start_at=NOW, end_at=NOW + dt.timedelta(hours=1)
    )
    services.connection_disconnect(calendar=connection, actor=lawyers[0])
    [revoke] = api.calls
    assert parse_qs(revoke.request.body) == {"token": ["1//0g-refresh-one"]}
    connection.refresh_from_db()
    assert connection.status == Health.DISCONNECTED and connection.secret_encrypted == ""
    assert not BusyTime.objects.filter(calendar=connection).exists()

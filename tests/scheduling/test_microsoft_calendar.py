"""Microsoft 365 / Outlook through Microsoft Graph, with recorded replies (calendar-sync §7.3).

MSAL and the Graph client run for real; only the HTTP layer is replaced (`responses`),
including the authority's openid-configuration that MSAL fetches.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import pathlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import time_machine
from django.core import mail
from django.urls import reverse
from responses import matchers

from core.errors import ServiceError
from scheduling import msgraph, secrets, services
from scheduling.models import Appointment, BusyTime, ExternalCalendar, ExternalEventLink
from scheduling.services import microsoft_calendar
from tests import factories
from tests.scheduling.conftest import NOW

pytestmark = pytest.mark.django_db
Health = ExternalCalendar.Health
Link = ExternalEventLink.State
FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "microsoft"
GRAPH = msgraph.GRAPH
LOGIN = "https://login.microsoftonline.com/common"
TOKEN_URL = f"{LOGIN}/oauth2/v2.0/token"
CLIENT_ID = "0b7c2f34-1d1e-4c55-9b4a-6f1e2d3c4b5a"
REDIRECT = "https://atrium.example.com/calendar/oauth/microsoft/callback/"
MAIN = "AAMkAGI2TGuLAAA="  # the default calendar (fixtures/microsoft/calendars.json)
COURT = "AAMkAGI2TGuNAAA="
DELTA_1 = f"{GRAPH}/me/calendars/{MAIN}/calendarView/delta"
NEXT_1 = f"{DELTA_1}?$skiptoken=R0usmci39OQxqJrxK4"
LINK_1 = f"{DELTA_1}?$deltatoken=R0usmcMDNGg0J1E"


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _id_token(nonce: str = "", email: str = "lawyer0@firm.example") -> str:
    claims = {
        "aud": CLIENT_ID,
        "iss": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        "iat": int(NOW.timestamp()),
        "nbf": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
        "name": "L0 Lawyer",
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "preferred_username": email,
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
        "ver": "2.0",
        "nonce": nonce,
    }
    return f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}."


def _token_reply(access: str, refresh: str, *, nonce: str = "", scope: str = "") -> dict[str, Any]:
    return {
        "token_type": "Bearer",
        "scope": scope or "Calendars.ReadWrite User.Read openid profile email",
        "expires_in": 3600,
        "ext_expires_in": 3600,
        "access_token": access,
        "refresh_token": refresh,
        "id_token": _id_token(nonce),
        "client_info": _b64({"uid": "00000000-0000-0000-66f3-3332eca7ea81", "utid": "9188040d"}),
    }


def _bearer(call: Any) -> str:
    return str(call.request.headers.get("Authorization", ""))


def _form(call: Any) -> dict[str, list[str]]:
    body = call.request.body
    return parse_qs(body.decode() if isinstance(body, bytes) else body)


class Graph:
    """The recorded Microsoft side of a test: login.microsoftonline.com and Graph."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        mock.add(
            "GET",
            f"{LOGIN}/v2.0/.well-known/openid-configuration",
            json=_fixture("openid-configuration.json"),
        )

    def calls(self, method: str, prefix: str) -> list[Any]:
        return [
            c
            for c in self.mock.calls
            if c.request.method == method and c.request.url.startswith(prefix)
        ]

    def token_calls(self) -> list[Any]:
        return self.calls("POST", TOKEN_URL)

    def refreshes(self) -> list[Any]:
        return [c for c in self.token_calls() if _form(c)["grant_type"] == ["refresh_token"]]

    def connect(self, staff: Any, **extra: Any) -> ExternalCalendar:
        url, flow = microsoft_calendar.authorization_start(redirect_uri=REDIRECT)
        query = parse_qs(urlsplit(url).query)
        state = query["state"][0]
        # The id token carries the nonce MSAL sent (a hash of the one in the flow).
        token = self.mock.add(
            "POST", TOKEN_URL, json=_token_reply("at-1", "rt-1", nonce=query["nonce"][0])
        )
        calendars = self.mock.add("GET", f"{GRAPH}/me/calendars", json=_fixture("calendars.json"))
        calendar = microsoft_calendar.authorization_finish(
            flow=json.loads(json.dumps(flow)),  # as the session keeps it
            params={"code": "M.C123_abc", "state": state, "session_state": "x"},
            redirect_uri=REDIRECT,
            staff=staff,
            **extra,
        )
        self.mock.remove(token)
        self.mock.remove(calendars)
        return calendar

    def delta_first(self, events: list[dict[str, Any]], *, link: str = LINK_1) -> None:
        self.mock.add(
            "GET",
            DELTA_1,
            match=[
                matchers.query_param_matcher(
                    {
                        "startDateTime": "2026-05-31T08:00:00Z",
                        "endDateTime": "2026-09-29T08:00:00Z",
                    }
                )
            ],
            json={"value": events, "@odata.deltaLink": link},
        )


@pytest.fixture
def graph(settings: Any) -> Any:
    settings.ATRIUM_MICROSOFT_CLIENT_ID = CLIENT_ID
    settings.ATRIUM_MICROSOFT_CLIENT_SECRET = "test-client-secret"
    settings.ATRIUM_MICROSOFT_TENANT = "common"
    settings.SITE_URL = "http://127.0.0.1:8000"  # no push unless a test says so
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Graph(mock)


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example", first_name="Anna")


def _event(
    event_id: str,
    start: str,
    end: str,
    *,
    show_as: str = "busy",
    change_key: str = "ck-1",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": event_id,
        "changeKey": change_key,
        "showAs": show_as,
        "isAllDay": False,
        "isCancelled": False,
        "subject": f"Private {event_id}",
        "start": {"dateTime": f"{start}.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{end}.0000000", "timeZone": "UTC"},
        **extra,
    }


def _busy(calendar: ExternalCalendar) -> list[tuple[dt.datetime, dt.datetime]]:
    return sorted(BusyTime.objects.filter(calendar=calendar).values_list("start_at", "end_at"))


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def _book(staff: Any, service: Any, start: dt.datetime, capture: Any) -> Appointment:
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


# --- the protocol client alone ----------------------------------------------------------


def test_graph_times_errors_and_retry_after_are_read_without_a_server() -> None:
    assert msgraph.parse_time(
        {"dateTime": "2026-06-02T08:00:00.1234567", "timeZone": "UTC"}
    ) == dt.datetime(2026, 6, 2, 8, 0, 0, 123456, tzinfo=dt.UTC)
    assert msgraph.parse_time(
        {"dateTime": "2026-06-02T10:00:00.0000000", "timeZone": "Europe/Warsaw"}
    ) == _utc(2026, 6, 2, 8)
    assert msgraph.retry_after_seconds("120") == 120
    assert msgraph.retry_after_seconds("99999") == msgraph.MAX_RETRY_AFTER
    assert msgraph.retry_after_seconds("Mon, 01 Jun 2026 08:01:00 GMT", now=NOW) == 60

    def reply(status: int, code: str = "", **headers: str) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = json.dumps({"error": {"code": code, "message": "x"}}).encode()
        return response

    assert isinstance(msgraph.error_from(reply(410, "ErrorSyncStateNotFound")), msgraph.GoneError)
    assert isinstance(msgraph.error_from(reply(400, "SyncStateNotFound")), msgraph.GoneError)
    assert isinstance(msgraph.error_from(reply(400, "resyncRequired")), msgraph.GoneError)
    limited = msgraph.error_from(reply(429, "ApplicationThrottled", **{"Retry-After": "30"}))
    assert (limited.code, limited.retry_after) == ("rate_limited", 30)
    unavailable = msgraph.error_from(reply(503, "ServiceUnavailable", **{"Retry-After": "5"}))
    assert (unavailable.code, unavailable.retry_after) == ("server_error", 5)
    assert msgraph.error_from(reply(403, "ErrorAccessDenied")).code == "scope"
    assert msgraph.error_from(reply(400, "ErrorInvalidRequest")).code == "http_400"


def test_the_token_never_leaves_graph_and_a_401_refreshes_once() -> None:
    asked: list[bool] = []

    def token(refresh: bool) -> str:
        asked.append(refresh)
        return "fresh" if refresh else "old"

    client = msgraph.Client(token, timeout=5)
    with pytest.raises(msgraph.GraphError) as refused:
        client.request("GET", "https://evil.example/v1.0/me/events?$deltatoken=x")
    assert refused.value.code == "other_site" and asked == []
    with responses.RequestsMock() as mock:
        mock.add(
            "GET", f"{GRAPH}/me", status=401, json={"error": {"code": "InvalidAuthenticationToken"}}
        )
        mock.add("GET", f"{GRAPH}/me", json={"mail": "a@b.example"})
        assert client.me() == {"mail": "a@b.example"}
        assert [_bearer(c) for c in mock.calls] == ["Bearer old", "Bearer fresh"]
    with responses.RequestsMock() as mock:
        mock.add("GET", f"{GRAPH}/me", status=401, json={})
        mock.add("GET", f"{GRAPH}/me", status=401, json={})
        with pytest.raises(msgraph.GraphError) as failed:
            client.me()
        assert failed.value.code == "auth" and "fresh" not in str(failed.value)


# --- connecting -------------------------------------------------------------------------


def test_connect_exchanges_the_code_with_pkce_and_keeps_the_token_cache_encrypted(
    frozen, lawyers, graph
) -> None:
    url, flow = microsoft_calendar.authorization_start(redirect_uri=REDIRECT)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{LOGIN}/oauth2/v2.0/authorize?")
    assert query["code_challenge_method"] == ["S256"] and query["redirect_uri"] == [REDIRECT]
    assert set(query["scope"][0].split()) >= {"User.Read", "Calendars.ReadWrite", "offline_access"}
    json.dumps(flow)  # it goes in the session
    # when
    calendar = graph.connect(lawyers[0])
    # then
    [exchange] = graph.token_calls()
    form = _form(exchange)
    assert form["grant_type"] == ["authorization_code"] and form["code"] == ["M.C123_abc"]
    assert form["code_verifier"] and form["redirect_uri"] == [REDIRECT]
    assert calendar.provider == ExternalCalendar.Provider.MICROSOFT
    assert calendar.account_email == "lawyer0@firm.example"
    assert "Calendars.ReadWrite" in calendar.scopes.split()
    assert calendar.token_expires_at == NOW + dt.timedelta(hours=1)
    assert calendar.authorized_at == NOW and calendar.status == Health.OK
    assert {c["name"]: c["busy"] for c in calendar.read_calendars} == {
        "Calendar": True,
        "Birthdays": False,
        "Court dates": False,
    }
    assert calendar.write_calendar_id == MAIN
    assert "rt-1" not in calendar.secret_encrypted and "at-1" not in calendar.secret_encrypted
    assert "rt-1" in secrets.decrypt(calendar.secret_encrypted)


def test_a_state_mismatch_or_a_refusal_stores_nothing(frozen, lawyers, graph) -> None:
    url, flow = microsoft_calendar.authorization_start(redirect_uri=REDIRECT)
    with pytest.raises(ServiceError, match="browser session"):
        microsoft_calendar.authorization_finish(
            flow=flow,
            params={"code": "M.C123_abc", "state": "forged"},
            redirect_uri=REDIRECT,
            staff=lawyers[0],
        )
    assert graph.token_calls() == []
    state = flow["state"]
    with pytest.raises(ServiceError, match="not allowed"):
        microsoft_calendar.authorization_finish(
            flow=flow,
            params={"error": "access_denied", "state": state},
            redirect_uri=REDIRECT,
            staff=lawyers[0],
        )
    graph.mock.add(
        "POST",
        TOKEN_URL,
        status=400,
        json={
            "error": "invalid_request",
            "error_description": "AADSTS50011: The redirect URI specified in the request does "
            "not match the redirect URIs configured for the application.",
        },
    )
    with pytest.raises(ServiceError, match="redirect URI") as refused:
        microsoft_calendar.authorization_finish(
            flow=flow,
            params={"code": "M.C123_abc", "state": state},
            redirect_uri=REDIRECT,
            staff=lawyers[0],
        )
    assert REDIRECT in str(refused.value)
    assert not ExternalCalendar.objects.exists()


def test_missing_calendar_permission_is_refused(frozen, lawyers, graph) -> None:
    url, flow = microsoft_calendar.authorization_start(redirect_uri=REDIRECT)
    nonce = parse_qs(urlsplit(url).query)["nonce"][0]
    graph.mock.add(
        "POST",
        TOKEN_URL,
        json=_token_reply("at-1", "rt-1", nonce=nonce, scope="User.Read openid profile"),
    )
    with pytest.raises(ServiceError, match="Calendars.ReadWrite"):
        microsoft_calendar.authorization_finish(
            flow=flow,
            params={"code": "M.C123_abc", "state": flow["state"]},
            redirect_uri=REDIRECT,
            staff=lawyers[0],
        )
    assert not ExternalCalendar.objects.exists()


def test_reconnecting_the_same_account_renews_the_row_and_keeps_choices(
    frozen, lawyers, graph
) -> None:
    calendar = graph.connect(lawyers[0])
    rows = [{**c, "busy": c["id"] in (MAIN, COURT)} for c in calendar.read_calendars]
    ExternalCalendar.objects.filter(pk=calendar.pk).update(
        read_calendars=rows, status=Health.BROKEN, last_error="auth_expired"
    )
    # when
    again = graph.connect(lawyers[0])
    # then
    assert again.pk == calendar.pk and ExternalCalendar.objects.count() == 1
    assert (again.status, again.last_error) == (Health.OK, "")
    assert {c["id"] for c in again.read_calendars if c["busy"]} == {MAIN, COURT}


def test_first_delta_sync_then_incremental_with_the_stored_delta_link(
    frozen, lawyers, graph
) -> None:
    calendar = graph.connect(lawyers[0])
    first = graph.mock.add(
        "GET",
        DELTA_1,
        match=[
            matchers.query_param_matcher(
                {"startDateTime": "2026-05-31T08:00:00Z", "endDateTime": "2026-09-29T08:00:00Z"}
            )
        ],
        json=_fixture("delta-first-page.json"),
    )
    graph.mock.add("GET", NEXT_1, json=_fixture("delta-last-page.json"))
    # when
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    # then: busy and out-of-office kept (the all-day one as the lawyer's whole day in
    # Warsaw); free, tentative and cancelled not; only intervals stored
    assert _busy(calendar) == [
        (_utc(2026, 6, 2, 8), _utc(2026, 6, 2, 10)),
        (_utc(2026, 6, 4, 22), _utc(2026, 6, 5, 22)),
    ]
    [call] = graph.calls("GET", DELTA_1 + "?startDateTime")
    assert call.request.headers["Prefer"] == 'outlook.timezone="UTC", odata.maxpagesize=100'
    assert _bearer(call) == "Bearer at-1"
    calendar.refresh_from_db()
    assert calendar.sync_state[MAIN]["delta"] == LINK_1
    assert calendar.status == Health.OK and calendar.last_success_at == NOW
    # when: the court hearing moved, the holiday was deleted
    graph.mock.remove(first)
    graph.mock.add(
        "GET",
        LINK_1,
        json={
            "value": [
                _event("AAMkAGI2TCourt=", "2026-06-02T12:00:00", "2026-06-02T13:00:00"),
                {"@removed": {"reason": "deleted"}, "id": "AAMkAGI2THoliday="},
            ],
            "@odata.deltaLink": f"{DELTA_1}?$deltatoken=second",
        },
    )
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW + dt.timedelta(minutes=5))
    # then
    assert _busy(calendar) == [(_utc(2026, 6, 2, 12), _utc(2026, 6, 2, 13))]
    assert len(graph.calls("GET", DELTA_1 + "?startDateTime")) == 1  # no second full read
    calendar.refresh_from_db()
    assert calendar.sync_state[MAIN]["delta"] == f"{DELTA_1}?$deltatoken=second"


def test_tentative_counts_only_when_the_calendar_entry_says_so(frozen, lawyers, graph) -> None:
    calendar = graph.connect(lawyers[0])
    rows = [{**c, "treat_tentative_as_busy": c["id"] == MAIN} for c in calendar.read_calendars]
    ExternalCalendar.objects.filter(pk=calendar.pk).update(read_calendars=rows)
    graph.delta_first(
        [
            _event("t", "2026-06-02T13:00:00", "2026-06-02T14:00:00", show_as="tentative"),
            _event("w", "2026-06-03T13:00:00", "2026-06-03T14:00:00", show_as="workingElsewhere"),
            _event("f", "2026-06-04T13:00:00", "2026-06-04T14:00:00", show_as="free"),
        ]
    )
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    assert _busy(calendar) == [
        (_utc(2026, 6, 2, 13), _utc(2026, 6, 2, 14)),
        (_utc(2026, 6, 3, 13), _utc(2026, 6, 3, 14)),
    ]


@pytest.mark.parametrize(("status", "code"), [(410, "SyncStateNotFound"), (400, "resyncRequired")])
def test_a_lost_delta_link_resyncs_the_whole_window(frozen, lawyers, graph, status, code) -> None:
    calendar = graph.connect(lawyers[0])
    graph.delta_first([_event("a", "2026-06-02T08:00:00", "2026-06-02T09:00:00")])
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    graph.mock.add("GET", LINK_1, status=status, json={"error": {"code": code, "message": "x"}})
    graph.mock.replace(
        "GET",
        DELTA_1,
        match=[
            matchers.query_param_matcher(
                {"startDateTime": "2026-05-31T08:00:00Z", "endDateTime": "2026-09-29T08:00:00Z"}
            )
        ],
        json={
            "value": [_event("b", "2026-06-03T08:00:00", "2026-06-03T09:00:00")],
            "@odata.deltaLink": f"{DELTA_1}?$deltatoken=fresh",
        },
    )
    # when: the stored link is refused
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    # then: the window is read again and replaces what was stored
    assert _busy(calendar) == [(_utc(2026, 6, 3, 8), _utc(2026, 6, 3, 9))]
    calendar.refresh_from_db()
    assert calendar.sync_state[MAIN]["delta"] == f"{DELTA_1}?$deltatoken=fresh"
    assert calendar.status == Health.OK


def test_a_401_refreshes_the_token_keeps_the_rotated_one_and_retries(
    frozen, lawyers, graph
) -> None:
    calendar = graph.connect(lawyers[0])
    graph.mock.add(
        "GET", DELTA_1, status=401, json={"error": {"code": "InvalidAuthenticationToken"}}
    )
    graph.delta_first([_event("a", "2026-06-02T08:00:00", "2026-06-02T09:00:00")])
    graph.mock.add("POST", TOKEN_URL, json=_token_reply("at-2", "rt-2"))
    # when
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    # then
    [refresh] = graph.refreshes()
    assert _form(refresh)["grant_type"] == ["refresh_token"]
    assert _form(refresh)["refresh_token"] == ["rt-1"]
    assert [_bearer(c) for c in graph.calls("GET", DELTA_1)] == ["Bearer at-1", "Bearer at-2"]
    calendar.refresh_from_db()
    cache = secrets.decrypt(calendar.secret_encrypted)
    assert "rt-2" in cache and "rt-1" not in cache
    assert len(_busy(calendar)) == 1


def test_a_token_is_refreshed_five_minutes_before_it_expires(lawyers, graph) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        calendar = graph.connect(lawyers[0])
        graph.delta_first([])
        graph.mock.add("POST", TOKEN_URL, json=_token_reply("at-2", "rt-2"))
        # 54 minutes on: the token is still good, nothing is refreshed
        traveller.move_to(NOW + dt.timedelta(minutes=54))
        assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
        assert graph.refreshes() == []
        # 56 minutes on: within 5 minutes of its expiry, refreshed before Graph is asked
        traveller.move_to(NOW + dt.timedelta(minutes=56))
        ExternalCalendar.objects.filter(pk=calendar.pk).update(sync_state={})
        assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
        assert len(graph.refreshes()) == 1
        assert _bearer(graph.calls("GET", DELTA_1)[-1]) == "Bearer at-2"
        calendar.refresh_from_db()
        assert calendar.token_expires_at == NOW + dt.timedelta(minutes=116)


def test_a_401_after_a_refresh_breaks_the_connection(frozen, lawyers, graph) -> None:
    calendar = graph.connect(lawyers[0])
    graph.mock.add("GET", DELTA_1, status=401, json={})
    graph.mock.add("POST", TOKEN_URL, json=_token_reply("at-2", "rt-2"))
    assert not microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    calendar.refresh_from_db()
    assert (calendar.status, calendar.last_error) == (Health.BROKEN, "auth")


def test_a_dead_refresh_token_breaks_with_exactly_one_alert(
    lawyers, admin, graph, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        calendar = graph.connect(lawyers[0])
        graph.mock.add(
            "POST",
            TOKEN_URL,
            status=400,
            json={
                "error": "invalid_grant",
                "error_description": "AADSTS700082: The refresh token has expired due to "
                "inactivity.",
                "error_codes": [700082],
            },
        )
        traveller.move_to(NOW + dt.timedelta(days=95))
        # when: the token expired and its refresh is refused, poll after poll
        with django_capture_on_commit_callbacks(execute=True):
            for minutes in (0, 5, 10):
                later = NOW + dt.timedelta(days=95, minutes=minutes)
                traveller.move_to(later)
                assert not microsoft_calendar.sync(calendar_id=calendar.pk, now=later)
    # then: broken at the first, one email each to the lawyer and the admin
    calendar.refresh_from_db()
    assert (calendar.status, calendar.last_error) == (Health.BROKEN, "auth_expired")
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@firm.example", "lawyer0@firm.example"]
    assert "rt-1" not in mail.outbox[0].body
    assert graph.calls("GET", DELTA_1) == []  # no token, no Graph request


def test_a_429_backs_off_until_retry_after(frozen, lawyers, graph) -> None:
    calendar = graph.connect(lawyers[0])
    graph.mock.add(
        "GET",
        DELTA_1,
        status=429,
        headers={"Retry-After": "120"},
        json={"error": {"code": "ApplicationThrottled", "message": "slow down"}},
    )
    assert not microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    calendar.refresh_from_db()
    assert (calendar.status, calendar.last_error) == (Health.DEGRADED, "rate_limited")
    assert calendar.retry_after == NOW + dt.timedelta(seconds=120)
    # when: polled again before then: Graph is not asked
    before = len(graph.calls("GET", DELTA_1))
    assert not microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW + dt.timedelta(seconds=60))
    assert len(graph.calls("GET", DELTA_1)) == before


# --- writing appointments ---------------------------------------------------------------


def _created(body: dict[str, Any], event_id: str = "AAMkAtrium1=", change_key: str = "ck-a") -> Any:
    return {
        **body,
        "id": event_id,
        "changeKey": change_key,
        "isCancelled": False,
        "isAllDay": False,
        "start": {"dateTime": body["start"]["dateTime"] + ".0000000", "timeZone": "UTC"},
        "end": {"dateTime": body["end"]["dateTime"] + ".0000000", "timeZone": "UTC"},
    }


def _echo(event_id: str = "AAMkAtrium1=", change_key: str = "ck-a") -> Any:
    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        return 201, {}, json.dumps(_created(json.loads(request.body), event_id, change_key))

    return reply


def test_a_post_retried_after_a_timeout_creates_one_event(
    frozen, lawyers, intro, graph, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    calendar = graph.connect(staff)
    events_url = f"{GRAPH}/me/calendars/{MAIN}/events"
    # when: Graph stores the event, but the answer never arrives
    graph.mock.add("POST", events_url, body=requests.exceptions.ReadTimeout("slow"))
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    link = ExternalEventLink.objects.get()
    assert (link.state, link.last_error) == (Link.FAILED, "timeout")
    # when: the next sync writes it again; Graph knows the transactionId and answers with
    # the event it made the first time
    graph.mock.remove("POST", events_url)
    graph.mock.add_callback("POST", events_url, callback=_echo())
    graph.delta_first([])
    assert services.calendar_sync(calendar_id=calendar.pk, now=NOW)
    # then: both requests named the appointment's uid; one event, known by its id
    posts = graph.calls("POST", events_url)
    assert len(posts) == 2
    bodies = [json.loads(p.request.body) for p in posts]
    assert {b["transactionId"] for b in bodies} == {appointment.uid}
    assert "attendees" not in bodies[0] and "Zyxwvut" not in posts[0].request.body.decode()
    assert bodies[0]["subject"] == "Intro call (Atrium)"
    assert bodies[0]["start"] == {"dateTime": "2026-06-02T08:00:00", "timeZone": "UTC"}
    link.refresh_from_db()
    assert (link.state, link.remote_event_id, link.remote_etag) == (
        Link.SYNCED,
        "AAMkAtrium1=",
        "ck-a",
    )


def test_cancelling_before_any_create_answered_asks_graph_nothing(
    frozen, lawyers, intro, graph, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    graph.connect(staff)
    events_url = f"{GRAPH}/me/calendars/{MAIN}/events"
    graph.mock.add("POST", events_url, body=requests.exceptions.ReadTimeout("slow"))
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    # when: cancelled while the link has no event id yet
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=appointment, actor=staff)
    # then: no DELETE without an id, and the link is settled (not retried by every sync)
    assert graph.calls("DELETE", f"{GRAPH}/me/events") == []
    assert ExternalEventLink.objects.get().state == Link.DELETED


def test_a_reschedule_patches_the_same_event_and_a_cancellation_deletes_it(
    frozen, lawyers, intro, graph, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    graph.connect(staff)
    graph.mock.add_callback("POST", f"{GRAPH}/me/calendars/{MAIN}/events", callback=_echo())
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    event_url = f"{GRAPH}/me/events/AAMkAtrium1="

    def patched(request: Any) -> tuple[int, dict[str, str], str]:
        return 200, {}, json.dumps(_created(json.loads(request.body), change_key="ck-b"))

    graph.mock.add_callback("PATCH", event_url, callback=patched)
    # when: rescheduled
    with django_capture_on_commit_callbacks(execute=True):
        new = services.appointment_reschedule(
            appointment=appointment, start_at=_utc(2026, 6, 3, 9), actor=staff
        )
    # then: the same event moved
    [patch] = graph.calls("PATCH", event_url)
    assert json.loads(patch.request.body)["start"]["dateTime"] == "2026-06-03T09:00:00"
    assert "transactionId" not in json.loads(patch.request.body)
    link = ExternalEventLink.objects.get()
    assert (link.appointment_id, link.remote_etag) == (new.pk, "ck-b")
    assert len(graph.calls("POST", f"{GRAPH}/me/calendars/{MAIN}/events")) == 1
    # when: cancelled (and the event was already deleted in Outlook: a 404 is fine)
    graph.mock.add("DELETE", event_url, status=404, json={"error": {"code": "ErrorItemNotFound"}})
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=new, actor=staff)
    assert len(graph.calls("DELETE", event_url)) == 1
    assert ExternalEventLink.objects.get().state == Link.DELETED


def test_own_events_are_never_busy_and_an_outlook_edit_is_flagged_not_applied(
    frozen, lawyers, intro, graph, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    calendar = graph.connect(staff)
    graph.mock.add_callback("POST", f"{GRAPH}/me/calendars/{MAIN}/events", callback=_echo())
    appointment = _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    # a copy of Atrium's event Outlook made (another id, the same transactionId)
    copy = _event(
        "AAMkCopy=", "2026-06-02T08:00:00", "2026-06-02T08:15:00", transactionId=appointment.uid
    )
    mine = _event("AAMkAtrium1=", "2026-06-02T08:00:00", "2026-06-02T08:15:00", change_key="ck-a")
    graph.delta_first([mine, copy], link=LINK_1)
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    assert _busy(calendar) == []
    assert ExternalEventLink.objects.get().external_change_seen_at is None
    # when: the lawyer drags Atrium's event in Outlook
    moved = _event("AAMkAtrium1=", "2026-06-02T10:00:00", "2026-06-02T10:15:00", change_key="ck-x")
    graph.mock.add(
        "GET", LINK_1, json={"value": [moved], "@odata.deltaLink": f"{DELTA_1}?$deltatoken=2"}
    )
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    # then: flagged for staff; the appointment, and the busy times, are untouched
    link = ExternalEventLink.objects.get()
    assert link.external_change_seen_at == NOW
    appointment.refresh_from_db()
    assert appointment.start_at == _utc(2026, 6, 2, 8) and appointment.status == "booked"
    assert _busy(calendar) == []


def test_an_event_deleted_in_outlook_is_flagged(
    frozen, lawyers, intro, graph, django_capture_on_commit_callbacks
) -> None:
    staff = lawyers[0]
    calendar = graph.connect(staff)
    graph.mock.add_callback("POST", f"{GRAPH}/me/calendars/{MAIN}/events", callback=_echo())
    _book(staff, intro, _utc(2026, 6, 2, 8), django_capture_on_commit_callbacks)
    graph.delta_first(
        [_event("AAMkAtrium1=", "2026-06-02T08:00:00", "2026-06-02T08:15:00", change_key="ck-a")]
    )
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    graph.mock.add(
        "GET",
        LINK_1,
        json={
            "value": [{"@removed": {"reason": "deleted"}, "id": "AAMkAtrium1="}],
            "@odata.deltaLink": f"{DELTA_1}?$deltatoken=2",
        },
    )
    assert microsoft_calendar.sync(calendar_id=calendar.pk, now=NOW)
    assert ExternalEventLink.objects.get().external_change_seen_at == NOW


# --- the live check ---------------------------------------------------------------------


def test_live_busy_sees_a_new_event_ignores_free_and_own_and_times_out(
    frozen, lawyers, graph
) -> None:
    calendar = graph.connect(lawyers[0])
    view = f"{GRAPH}/me/calendars/{MAIN}/calendarView"
    start, end = _utc(2026, 6, 2, 8), _utc(2026, 6, 2, 9)
    graph.mock.add(
        "GET",
        view,
        json={
            "value": [
                _event("f", "2026-06-02T08:00:00", "2026-06-02T09:00:00", show_as="free"),
                _event("o", "2026-06-02T08:00:00", "2026-06-02T09:00:00", transactionId="x@atrium"),
            ]
        },
    )
    assert not microsoft_calendar.live_busy(calendar, start, end, timeout=2, own_uids={"x@atrium"})
    [call] = graph.calls("GET", view)
    query = parse_qs(urlsplit(call.request.url).query)
    assert query["startDateTime"] == ["2026-06-02T08:00:00Z"]
    graph.mock.replace(
        "GET", view, json={"value": [_event("n", "2026-06-02T08:30:00", "2026-06-02T09:30:00")]}
    )
    assert microsoft_calendar.live_busy(calendar, start, end, timeout=2, own_uids=set())
    graph.mock.replace("GET", view, body=requests.exceptions.ConnectTimeout("slow"))
    with pytest.raises(msgraph.GraphError) as slow:
        microsoft_calendar.live_busy(calendar, start, end, timeout=2, own_uids=set())
    assert microsoft_calendar.error_code(slow.value) == ("timeout", None)


# --- push -------------------------------------------------------------------------------


def _subscriptions(created: list[dict[str, Any]]) -> Any:
    """Graph's subscription create: echoes the request, numbering the ids; `created`
    collects the request bodies."""

    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        created.append(body)
        answer = {
            "id": f"7f105c7d-2dc5-4530-97cd-4e7ae6534c0{len(created)}",
            "resource": body["resource"],
            "expirationDateTime": body["expirationDateTime"],
            "clientState": body["clientState"],
        }
        return 201, {}, json.dumps(answer)

    return reply


def _renewed(request: Any) -> tuple[int, dict[str, str], str]:
    body = json.loads(request.body)
    sub_id = request.url.rsplit("/", 1)[-1]
    return 200, {}, json.dumps({"id": sub_id, "expirationDateTime": body["expirationDateTime"]})


@pytest.fixture
def push(graph: Any, settings: Any) -> Any:
    settings.SITE_URL = "https://atrium.example.com"
    created: list[dict[str, Any]] = []
    graph.mock.add_callback("POST", f"{GRAPH}/subscriptions", callback=_subscriptions(created))
    return created


def _patches(graph: Any) -> list[Any]:
    return graph.calls("PATCH", f"{GRAPH}/subscriptions/")


def test_subscriptions_are_created_then_renewed_at_half_their_life(lawyers, graph, push) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        calendar = graph.connect(lawyers[0])
        sub_url = f"{GRAPH}/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c01"
        graph.mock.add_callback("PATCH", sub_url, callback=_renewed)
        # when
        microsoft_calendar.push_ensure(calendar, now=NOW)
        # then
        [body] = push
        assert body["resource"] == f"me/calendars/{MAIN}/events"
        assert body["changeType"] == "created,updated,deleted"
        assert body["notificationUrl"] == "https://atrium.example.com" + reverse(
            "scheduling:calendar-push-microsoft"
        )
        assert body["lifecycleNotificationUrl"] == body["notificationUrl"]
        assert body["expirationDateTime"] == "2026-06-04T06:30:00Z"  # + 4230 minutes
        calendar.refresh_from_db()
        assert calendar.push_channel_id == "7f105c7d-2dc5-4530-97cd-4e7ae6534c01"
        assert calendar.push_expires_at == NOW + dt.timedelta(minutes=4230)
        assert body["clientState"] not in json.dumps(calendar.sync_state)
        assert calendar.push_secret_hash and body["clientState"] != calendar.push_secret_hash
        # when: before half its life, nothing is asked
        traveller.move_to(NOW + dt.timedelta(minutes=2100))
        microsoft_calendar.push_ensure(calendar, now=NOW + dt.timedelta(minutes=2100))
        assert _patches(graph) == [] and len(push) == 1
        # when: past half its life
        later = NOW + dt.timedelta(minutes=2120)
        traveller.move_to(later)
        graph.mock.add("POST", TOKEN_URL, json=_token_reply("at-2", "rt-2"))
        microsoft_calendar.push_ensure(calendar, now=later)
        # then: renewed, not recreated
        [renewal] = _patches(graph)
        assert json.loads(renewal.request.body) == {
            "expirationDateTime": (later + dt.timedelta(minutes=4230))
            .isoformat()
            .replace("+00:00", "Z")
        }
        assert len(push) == 1
        calendar.refresh_from_db()
        assert calendar.push_expires_at == later + dt.timedelta(minutes=4230)


def test_push_is_off_without_a_public_https_address(frozen, lawyers, graph, settings) -> None:
    calendar = graph.connect(lawyers[0])
    settings.SITE_URL = "http://127.0.0.1:8000"
    microsoft_calendar.push_ensure(calendar, now=NOW)
    assert graph.calls("POST", f"{GRAPH}/subscriptions") == []


def _note(calendar: ExternalCalendar, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "subscriptionId": calendar.push_channel_id.split(",")[0],
        "clientState": state,
        "tenantId": "9188040d-6c67-4c5b-b112-36a304b66dad",
        **extra,
    }


def test_notifications_check_the_client_state_and_lifecycle_events_renew_or_recreate(
    frozen, lawyers, graph, push
) -> None:
    calendar = graph.connect(lawyers[0])
    microsoft_calendar.push_ensure(calendar, now=NOW)
    calendar.refresh_from_db()
    state = push[0]["clientState"]
    sub_url = f"{GRAPH}/subscriptions/{calendar.push_channel_id}"
    graph.mock.add_callback("PATCH", sub_url, callback=_renewed)
    change = _note(
        calendar,
        state,
        changeType="updated",
        resource="Users/x/Events/AAMk1",
        resourceData={"id": "AAMk1"},
    )
    # a change: sync that connection (the payload itself is not used)
    assert microsoft_calendar.push_received(payload={"value": [change]}) == [calendar.pk]
    # a wrong clientState anywhere in the batch: refused
    assert (
        microsoft_calendar.push_received(
            payload={"value": [change, {**change, "clientState": "guess"}]}
        )
        is None
    )
    assert (
        microsoft_calendar.push_received(payload={"value": [{**change, "clientState": ""}]}) is None
    )
    # missed: a sync (the delta read catches up)
    missed = _note(calendar, state, lifecycleEvent="missed")
    assert microsoft_calendar.push_received(payload={"value": [missed]}) == [calendar.pk]
    assert _patches(graph) == []
    # reauthorizationRequired: the next push_ensure renews at once
    reauth = _note(calendar, state, lifecycleEvent="reauthorizationRequired")
    assert microsoft_calendar.push_received(payload={"value": [reauth]}) == [calendar.pk]
    calendar.refresh_from_db()
    microsoft_calendar.push_ensure(calendar, now=NOW)
    assert len(_patches(graph)) == 1 and len(push) == 1
    # subscriptionRemoved: the next push_ensure makes a new one
    removed = _note(calendar, state, lifecycleEvent="subscriptionRemoved")
    assert microsoft_calendar.push_received(payload={"value": [removed]}) == [calendar.pk]
    calendar.refresh_from_db()
    assert calendar.push_channel_id == ""
    microsoft_calendar.push_ensure(calendar, now=NOW)
    assert len(push) == 2
    calendar.refresh_from_db()
    assert calendar.push_channel_id == "7f105c7d-2dc5-4530-97cd-4e7ae6534c02"
    # a new secret for the new subscription set; the old one no longer checks
    fresh = push[1]["clientState"]
    assert fresh != state
    assert microsoft_calendar.push_received(
        payload={"value": [_note(calendar, fresh, changeType="created")]}
    ) == [calendar.pk]
    assert (
        microsoft_calendar.push_received(
            payload={"value": [_note(calendar, state, changeType="created")]}
        )
        is None
    )


def test_the_push_endpoint_answers_403_to_a_wrong_client_state(
    client, frozen, lawyers, graph, push
) -> None:
    calendar = graph.connect(lawyers[0])
    microsoft_calendar.push_ensure(calendar, now=NOW)
    calendar.refresh_from_db()
    url = reverse("scheduling:calendar-push-microsoft")
    response = client.post(
        url,
        data=json.dumps({"value": [_note(calendar, "not-the-secret", changeType="updated")]}),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_disconnect_deletes_the_subscriptions_and_forgets_the_tokens(
    frozen, lawyers, graph, push
) -> None:
    calendar = graph.connect(lawyers[0])
    microsoft_calendar.push_ensure(calendar, now=NOW)
    calendar.refresh_from_db()
    sub_url = f"{GRAPH}/subscriptions/{calendar.push_channel_id}"
    graph.mock.add("DELETE", sub_url, status=204)
    services.connection_disconnect(calendar=calendar, actor=lawyers[0])
    assert len(graph.calls("DELETE", sub_url)) == 1
    calendar.refresh_from_db()
    assert calendar.secret_encrypted == "" and calendar.push_channel_id == ""
    assert calendar.push_secret_hash == "" and "_push" not in calendar.sync_state

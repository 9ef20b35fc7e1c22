"""Two workers on one calendar connection at once (calendar-sync §7): real threads, each
with its own PostgreSQL connection, against the Radicale server on loopback."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import responses
from django.db import connection

from scheduling import services
from scheduling.models import ExternalEventLink
from scheduling.services import google_calendar, microsoft_calendar
from tests import factories
from tests.scheduling import test_google_calendar as g
from tests.scheduling import test_microsoft_calendar as m
from tests.scheduling.helpers import make_appointment
from tests.scheduling.test_caldav import _busy, _connect, _utc, calendars, event, radicale

__all__ = ["calendars", "radicale"]  # the fixtures, used by name

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(work: Callable[[], Any], n: int = 2) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            work()
            outcome = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            outcome = f"error:{exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_two_workers_syncing_one_connection_at_once_store_each_interval_once(
    frozen, lawyers, radicale, calendars
) -> None:
    # given: two events in the busy calendar, never read yet
    radicale.put_event(
        calendars["work"], "court", event("court", "20260602T080000Z", "20260602T100000Z")
    )
    radicale.put_event(
        calendars["work"], "client", event("client", "20260603T080000Z", "20260603T090000Z")
    )
    calendar = _connect(lawyers[0], radicale, busy=["Work"])
    # when: two workers read it at the same moment
    outcomes = _together(lambda: services.calendar_sync(calendar_id=calendar.pk))
    # then: both succeeded and each interval is stored once
    assert outcomes == ["ok", "ok"]
    assert _busy(calendar) == [
        (_utc(2026, 6, 2, 8), _utc(2026, 6, 2, 10)),
        (_utc(2026, 6, 3, 8), _utc(2026, 6, 3, 9)),
    ]


def test_two_workers_writing_one_appointment_at_once_create_one_event(
    frozen, lawyers, intro, radicale, calendars
) -> None:
    # given: a connection that receives appointments, and an appointment owed to it
    staff = lawyers[0]
    _connect(staff, radicale, busy=["Work"])
    appointment = make_appointment(
        service=intro, staff=staff, contact=factories.ContactFactory(), start=_utc(2026, 6, 2, 8)
    )
    services.writeback_queue(appointment_ids=[appointment.pk])
    # when: two workers write it at the same moment (a retried task and the sync)
    outcomes = _together(lambda: services.appointment_writeback(appointment_uid=appointment.uid))
    # then: one event, one synced link
    assert outcomes == ["ok", "ok"]
    assert len(radicale.events(calendars["atrium"])) == 1
    link = ExternalEventLink.objects.get()
    assert link.state == ExternalEventLink.State.SYNCED and link.remote_etag


def test_two_workers_needing_a_google_token_at_once_refresh_it_once(
    frozen, lawyers, settings
) -> None:
    settings.ATRIUM_GOOGLE_CLIENT_ID = g.CLIENT_ID
    settings.ATRIUM_GOOGLE_CLIENT_SECRET = "GOCSPX-test-client-secret"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        calendar = g.connect(lawyers[0], api)
        api.reset()
        # given: the access token expires in 4 minutes (inside the 5-minute margin)
        frozen.shift(dt.timedelta(seconds=3599 - 4 * 60))
        api.add(responses.POST, g.TOKEN_URL, json=g.token_reply(access="ya29.fresh"))
        tokens: list[str] = []

        def work() -> None:
            tokens.append(google_calendar._access_token(calendar.pk, timeout=5))

        # when: two workers ask at the same moment
        outcomes = _together(work)
        # then: one refresh, and both use the token it gave
        assert outcomes == ["ok", "ok"]
        assert tokens == ["ya29.fresh", "ya29.fresh"]
        assert len([c for c in api.calls if c.request.url == g.TOKEN_URL]) == 1


def test_two_workers_needing_a_microsoft_token_at_once_refresh_it_once(
    frozen, lawyers, settings
) -> None:
    settings.ATRIUM_MICROSOFT_CLIENT_ID = m.CLIENT_ID
    settings.ATRIUM_MICROSOFT_CLIENT_SECRET = "test-client-secret"
    settings.ATRIUM_MICROSOFT_TENANT = "common"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        graph = m.Graph(mock)
        calendar = graph.connect(lawyers[0])
        # given: the access token is within the refresh margin
        frozen.shift(dt.timedelta(minutes=58))
        mock.add("POST", m.TOKEN_URL, json=m._token_reply("at-2", "rt-2"))
        tokens: list[str] = []

        def work() -> None:
            tokens.append(microsoft_calendar.access_token(calendar.pk))

        # when: two workers ask at the same moment
        outcomes = _together(work)
        # then: one refresh; the rotated refresh token is the one kept
        assert outcomes == ["ok", "ok"]
        assert tokens == ["at-2", "at-2"]
        assert len(graph.refreshes()) == 1
        assert m._form(graph.refreshes()[0])["refresh_token"] == ["rt-1"]

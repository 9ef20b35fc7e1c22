"""Signed-in pages write nothing per view: session activity at most every five minutes,
the TOTP state kept in the session (and forgotten everywhere when TOTP is removed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.budget import assert_page_budget

pytestmark = pytest.mark.django_db


def _last_seen(client: Any) -> dt.datetime:
    return UserSession.objects.get(session_key=client.session.session_key).last_seen_at


def test_views_within_five_minutes_write_nothing_and_the_next_one_records_activity(
    client: Any, world: Any
) -> None:
    start = dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(world.client_a)
        client.get(reverse("portal:home"))  # the first view records the activity
    recorded = _last_seen(client)
    assert recorded == start

    with time_machine.travel(start + dt.timedelta(minutes=4, seconds=59), tick=False):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("portal:home")).status_code == 200
    assert_page_budget(ctx.captured_queries)
    assert _last_seen(client) == recorded

    later = start + dt.timedelta(minutes=5, seconds=1)
    with time_machine.travel(later, tick=False):
        client.get(reverse("portal:home"))
    assert _last_seen(client) == later


def test_a_new_browser_on_the_same_session_is_recorded_at_once(client: Any, world: Any) -> None:
    client.force_login(world.client_a)
    client.get(reverse("portal:home"), HTTP_USER_AGENT="Firefox")

    client.get(reverse("portal:home"), HTTP_USER_AGENT="Other browser")

    assert UserSession.objects.get(session_key=client.session.session_key).user_agent == (
        "Other browser"
    )


def test_staff_pages_ask_for_totp_once_per_session(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    client.get(reverse("staff:home"))

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("staff:home")).status_code == 200

    assert not [q for q in ctx.captured_queries if "mfa_authenticator" in q["sql"]]
    assert_page_budget(ctx.captured_queries)


def test_removing_totp_sends_every_session_of_that_person_back_to_enrol(
    client: Any, firm: Any
) -> None:
    staff = factories.StaffFactory()
    other_device = Client()
    for c in (client, other_device):
        c.force_login(staff)
        assert c.get(reverse("staff:home")).status_code == 200  # TOTP remembered

    Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).delete()

    for c in (client, other_device):
        response = c.get(reverse("staff:home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_the_totp_remembered_for_one_person_does_not_pass_another(client: Any, firm: Any) -> None:
    enrolled = factories.StaffFactory()
    newcomer = factories.StaffFactory(mfa=False)
    client.force_login(enrolled)
    client.get(reverse("staff:home"))
    session = client.session
    remembered = {k: v for k, v in session.items() if not k.startswith("_auth")}

    client.force_login(newcomer)
    session = client.session
    session.update(remembered)
    session.save()

    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")

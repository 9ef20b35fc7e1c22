"""Redis unreachable (cache and broker): the site stays up, honest about it.

No Redis is needed: the cache and the broker point at a port nothing listens on, which is
what a stopped Redis looks like to the app.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core import cache as core_cache
from portal import services as portal_services
from portal.models import Invitation
from portal.views import public
from tests import factories
from tests.conftest import World
from tests.test_access_matrix import ROWS

DEAD_REDIS = "redis://127.0.0.1:1/0"
# /healthz is the one page that must answer differently (its own test below).
GET_ROWS = [row for row in ROWS if row.method == "get" and row.name != "healthz"]


def _rows_by_setup() -> list[tuple[Any, list[Any]]]:
    """GET_ROWS grouped by their setup (a setup only adds to the world), in matrix order."""
    groups: dict[Any, list[Any]] = {}
    for row in GET_ROWS:
        groups.setdefault(row.setup, []).append(row)
    return list(groups.items())


def _reset_pools(app: Any) -> None:
    app.amqp._producer_pool = None
    app._pool = None


@pytest.fixture
def redis_down(settings: Any) -> Iterator[None]:
    """The production cache backend and a non-eager Celery, both at a dead Redis."""
    from config.celery import app

    settings.CACHES = {
        "default": {
            "BACKEND": settings.ATRIUM_REDIS_CACHE_BACKEND,
            "LOCATION": DEAD_REDIS,
            "OPTIONS": settings.ATRIUM_REDIS_CACHE_OPTIONS,
        }
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url, app.conf.task_always_eager = DEAD_REDIS, False
    app.conf.task_publish_retry = False
    _reset_pools(app)
    core_cache._down_until.clear()
    try:
        yield
    finally:
        for key in ("broker_url", "task_always_eager", "task_publish_retry"):
            app.conf.changes.pop(key, None)
        _reset_pools(app)
        core_cache._down_until.clear()


@pytest.mark.parametrize("role", ["anonymous", "client_a", "staff_on", "admin", "cocounsel"])
def test_every_page_answers_as_usual_while_redis_is_down(
    client: Any, world: World, redis_down: None, role: str
) -> None:
    # given: Redis is unreachable and someone (or no one) is signed in
    client.raise_request_exception = False
    user = world.users()[role]
    if user is not None:
        client.force_login(user)
    failures = []
    # when: every page of the access matrix is opened, the rows sharing a setup after
    # one run of it (rolled back with them); each page in a savepoint of its own
    for setup, rows in _rows_by_setup():
        with transaction.atomic():
            prepared = copy.deepcopy(world)
            if setup is not None:
                setup(prepared)
            for row in rows:
                with transaction.atomic():
                    case = copy.deepcopy(prepared)
                    url = reverse(row.name, kwargs=row.kwargs(case)) + (
                        f"?{row.query}" if row.query else ""
                    )
                    response = client.get(url, data=row.data(case))
                    if response.status_code != row.expect[role]:
                        failures.append(
                            f"{url}: {response.status_code}, expected {row.expect[role]}"
                        )
                    transaction.set_rollback(True)
            transaction.set_rollback(True)
    # then: each answers exactly as it does with Redis up
    assert not failures, f"{len(failures)} of {len(GET_ROWS)} pages differ: {failures[:10]}"


def test_healthz_answers_json_503_naming_the_cache_and_the_broker(
    client: Any, firm: Any, redis_down: None
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["cache"] == "down" and body["broker"] == "down"
    assert body["database"] == "ok"
    assert body["down"] == ["cache", "broker"]


def test_the_error_page_renders_when_every_cache_call_fails(settings: Any) -> None:
    # given: the plain Redis backend, which raises on every call to a dead Redis
    working = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }
    try:
        with pytest.raises(Exception):  # noqa: B017, PT011 - the point: this cache cannot serve
            caches["default"].get("anything")
        # when
        response = public.server_error(RequestFactory().get("/"))
    finally:
        settings.CACHES = working
    # then
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_sign_in_rate_limit_keeps_counting_while_redis_is_down(
    client: Any, firm: Any, redis_down: None
) -> None:
    # given: a client's account, and Redis is down
    user = factories.UserFactory(email="ewa@example.com")
    url = reverse("account_login")
    # when: someone guesses five passwords
    for _attempt in range(5):
        response = client.post(url, {"login": user.email, "password": "guess-wrong-1"})
        assert response.status_code == 200
        assert b"Too many failed login attempts" not in response.content
    # then: the sixth guess is refused, and so is the right password now
    sixth = client.post(url, {"login": user.email, "password": "guess-wrong-2"})
    assert b"Too many failed login attempts" in sixth.content
    right = client.post(url, {"login": user.email, "password": factories.PASSWORD})
    assert b"Too many failed login attempts" in right.content
    assert "_auth_user_id" not in client.session


def test_an_invitation_made_while_the_broker_is_down_goes_out_when_it_returns(
    client: Any, world: World, redis_down: None, django_capture_on_commit_callbacks: Any
) -> None:
    # given: Redis is down and staff invite a client
    contact = factories.ContactFactory(email="new.client@example.com")
    factories.make_matter(lawyer=world.staff_on, clients=[contact], title="New matter")
    client.force_login(world.staff_on)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:contact-invite", args=[contact.pk]))
    # then: the page answers, the invitation is kept, nothing is sent yet
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.client@example.com")
    assert invitation.sent_at is None and mail.outbox == []
    # when: the worker runs again (beat's net, a few minutes later)
    sent = portal_services.invitations_unsent_deliver(now=timezone.now() + dt.timedelta(minutes=3))
    # then: the invitation goes out once
    assert sent == 1
    assert [m.to for m in mail.outbox] == [["new.client@example.com"]]
    assert (
        portal_services.invitations_unsent_deliver(now=timezone.now() + dt.timedelta(minutes=9))
        == 0
    )

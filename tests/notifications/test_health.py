from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import SweepHeartbeat
from tests.notifications.conftest import make_notices


def test_new_deployment_without_a_sweep_and_without_work_is_healthy(client: Any, db: Any) -> None:
    body = client.get(reverse("healthz")).json()
    assert body["reminder_sweep"] == "ok"
    assert body["reminder_sweep_last_run"] is None


def test_healthz_turns_unhealthy_ten_minutes_after_the_last_sweep(client: Any, db: Any) -> None:
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        services.deliveries_sweep()
    with time_machine.travel(now + dt.timedelta(minutes=9), tick=False):
        response = client.get(reverse("healthz"))
        assert response.json()["reminder_sweep"] == "ok"
    with time_machine.travel(now + dt.timedelta(minutes=11), tick=False):
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert response.json()["reminder_sweep"] == "down"
        assert response.json()["reminder_sweep_last_run"].startswith(str(now.date()))


def test_a_deployment_that_never_swept_is_unhealthy_once_work_is_overdue(
    client: Any, world: Any
) -> None:
    make_notices(
        user=world.client_a,
        matter=world.matter_a,
        count=1,
        due=timezone.now() - dt.timedelta(minutes=11),
    )
    assert client.get(reverse("healthz")).status_code == 503


def test_staff_see_the_stalled_banner_and_clients_do_not(client: Any, world: Any) -> None:
    SweepHeartbeat.objects.create(pk=1, last_run_at=timezone.now() - dt.timedelta(minutes=30))
    client.force_login(world.staff_on)
    assert b"Reminders are stalled" in client.get(reverse("staff:home")).content
    client.force_login(world.client_a)
    assert b"Reminders are stalled" not in client.get(reverse("portal:home")).content

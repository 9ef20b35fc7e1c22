"""Firm admins keep a colleague's working hours, days off and external calendars."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from scheduling.models import AvailabilityRule, ExternalCalendar
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example", time_zone="Europe/Warsaw")


def test_admin_adds_a_day_off_and_a_calendar_for_a_colleague(
    client, frozen, admin, lawyers
) -> None:
    # given
    colleague = lawyers[0]
    client.force_login(admin)
    url = reverse("scheduling:team-availability", kwargs={"staff_id": colleague.pk})
    team_page = client.get(reverse("staff:team-detail", kwargs={"staff_id": colleague.pk}))
    assert url.encode() in team_page.content

    # when
    day_off = client.post(url, {"action": "add-rule", "date": "2026-06-05", "is_off": "on"})
    calendar = client.post(
        url, {"action": "add-calendar", "name": "Court", "url": "webcal://cal.example.com/c.ics"}
    )

    # then: the colleague's rows, audited with the admin as the one who changed them
    assert day_off.status_code == 302 and calendar.status_code == 302
    rule = AvailabilityRule.objects.get(staff=colleague, date="2026-06-05")
    assert rule.is_off
    assert ExternalCalendar.objects.filter(staff=colleague, name="Court").exists()
    assert not AvailabilityRule.objects.filter(staff=admin).exists()
    added = AuditEvent.objects.filter(action="availability.changed").latest("pk")
    assert added.actor_id == admin.pk
    page = client.get(url).content.decode()
    assert "Court" in page and "Europe/Warsaw" in page
    # the colleague's private feed address is never shown or made by someone else
    assert "rotate-feed" not in page
    client.post(url, {"action": "rotate-feed"})
    colleague.refresh_from_db()
    assert not colleague.calendar_token


def test_admin_removes_a_colleagues_rule_but_not_someone_elses_through_their_page(
    client, frozen, admin, lawyers
) -> None:
    # given: lawyers have a working week from the fixture
    first, second = lawyers
    client.force_login(admin)
    url = reverse("scheduling:team-availability", kwargs={"staff_id": first.pk})
    theirs = AvailabilityRule.objects.filter(staff=first).first()
    other = AvailabilityRule.objects.filter(staff=second).first()

    # when
    removed = client.post(url, {"action": "remove-rule", "rule": theirs.pk})
    refused = client.post(url, {"action": "remove-rule", "rule": other.pk})
    bad = client.post(url, {"action": "add-rule", "weekday": 1, "start": "18:00", "end": "09:00"})

    # then
    assert removed.status_code == 302
    assert not AvailabilityRule.objects.filter(pk=theirs.pk).exists()
    assert refused.status_code == 404
    assert AvailabilityRule.objects.filter(pk=other.pk).exists()
    assert bad.status_code == 400


def test_only_firm_admins_open_a_colleagues_hours(client, frozen, lawyers) -> None:
    first, second = lawyers
    client.force_login(first)
    url = reverse("scheduling:team-availability", kwargs={"staff_id": second.pk})

    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"action": "add-rule", "date": "2026-06-05", "is_off": "on"}).status_code
        == 404
    )
    assert not AvailabilityRule.objects.filter(staff=second, date="2026-06-05").exists()


def test_an_admins_own_entry_goes_to_their_own_page(client, frozen, admin) -> None:
    client.force_login(admin)
    response = client.get(reverse("scheduling:team-availability", kwargs={"staff_id": admin.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:staff-availability")

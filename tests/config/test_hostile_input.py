"""Odd bytes and absurd values get a 400 or 404 with a message, never a 500.

Each case below answered 500 on PostgreSQL before (NUL in a string, a non-numeric id,
JSON nested 100,000 deep, a year-1 date stored as a BC timestamp).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.template import loader
from django.urls import reverse

from portal.models import TimelineEntry
from scheduling.models import AvailabilityRule
from tests.conftest import World

NOT_ALLOWED = "contains a character that is not allowed"


@pytest.fixture
def staff_client(client: Any, world: World) -> Any:
    client.raise_request_exception = False
    client.force_login(world.staff_on)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/manage/abc%00def/",
        "/manage/abc%00def/calendar.ics",
        "/manage/abc%00def/cancel/",
        "/calendar/abc%00def.ics",
        "/invite/tok%00en/",
        "/book/?date=2026-01-01%00",
    ],
)
def test_a_nul_byte_in_a_public_address_is_a_400_with_a_message(
    client: Any, firm: Any, url: str
) -> None:
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 400
    assert NOT_ALLOWED in response.content.decode()


@pytest.mark.parametrize("name", ["staff:contact-list", "staff:matter-list", "staff:search"])
def test_a_nul_byte_in_staff_search_is_a_400_with_a_message(staff_client: Any, name: str) -> None:
    response = staff_client.get(reverse(name), {"q": "ewa\x00"})
    assert response.status_code == 400
    assert NOT_ALLOWED in response.content.decode()


def test_a_nul_byte_in_the_api_is_a_json_400(client: Any, firm: Any) -> None:
    client.raise_request_exception = False
    response = client.get("/api/slots/", {"service": "intro\x00"})
    assert response.status_code == 400
    assert NOT_ALLOWED in response.json()["errors"]["__all__"][0]


@pytest.mark.parametrize("rule", ["abc", "1.5", "\x00", "99999999999999999999999", "٣"])
def test_a_non_numeric_rule_id_on_remove_rule_is_a_404(staff_client: Any, rule: str) -> None:
    before = AvailabilityRule.objects.count()
    response = staff_client.post(
        reverse("scheduling:staff-availability"), {"action": "remove-rule", "rule": rule}
    )
    assert response.status_code == 404
    assert "could not find" in response.content.decode()
    assert AvailabilityRule.objects.count() == before


def test_json_nested_100000_deep_is_a_400_with_a_message(client: Any, firm: Any) -> None:
    client.raise_request_exception = False
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/bookings/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["The request is not valid JSON."]}}


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "1899-12-31T23:59", "2201-01-01T00:00"])
def test_a_timeline_entry_outside_1900_to_2200_is_refused_and_the_portal_still_works(
    staff_client: Any, world: World, when: str
) -> None:
    # when: staff add a timeline entry dated year 1 (in Europe/Warsaw)
    response = staff_client.post(
        reverse("staff:matter-timeline-add", args=[world.matter_a.pk]),
        {"kind": "update", "title": "Hearing", "occurred_at": when, "shared_with_client": "on"},
        follow=True,
    )
    # then: a clear message, nothing stored, and the client's portal answers
    assert "Enter a date between 1900 and 2200." in response.content.decode()
    assert not TimelineEntry.objects.filter(title="Hearing").exists()
    staff_client.force_login(world.client_a)
    assert (
        staff_client.get(reverse("portal:matter-detail", args=[world.matter_a.pk])).status_code
        == 200
    )


def test_a_status_update_dated_year_1_is_refused_with_a_message(
    staff_client: Any, world: World
) -> None:
    response = staff_client.post(
        reverse("staff:status-update"),
        {
            "kind": "update",
            "title": "Year one",
            "occurred_at": "0001-01-01T00:00",
            "matters": [str(world.matter_a.pk)],
        },
    )
    assert response.status_code in (200, 400)
    assert "Enter a date between 1900 and 2200." in response.content.decode()
    assert not TimelineEntry.objects.filter(title="Year one").exists()


def test_the_slots_api_refuses_a_year_outside_the_range(client: Any, firm: Any) -> None:
    response = client.get(
        "/api/slots/", {"service": "x", "start": "0001-01-01", "end": "0001-01-02"}
    )
    assert response.status_code == 400
    assert "Enter a date between 1900 and 2200." in response.content.decode()


def test_the_400_page_renders_without_a_request(db: Any) -> None:
    # Django's own 400 handler renders it with no context (a DisallowedHost, for one).
    html = loader.get_template("400.html").render()
    assert "We could not read that request" in html

"""The firm's business time (insights §3): office hours, closures and the holidays region
on the settings pages, what clients read, and the one cached calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from core.errors import ServiceError
from portal import selectors, services
from portal.audit_actions import PortalAction
from portal.models import Firm, FirmClosure, FirmOfficeHours

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")
WEEK = {f"day_{d}": "9:00-17:00" for d in range(5)}


def _form(**changes: str) -> dict[str, str]:
    return {**{f"day_{d}": "" for d in range(7)}, **WEEK, "country": "PL", **changes}


def _hours() -> list[tuple[int, str, str]]:
    return [
        (h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}")
        for h in FirmOfficeHours.objects.order_by("weekday", "opens")
    ]


def test_the_existing_firm_keeps_monday_to_friday_nine_to_five(firm: Any) -> None:
    # (rows from migration 0022; a database a browser test flushed has none, and the
    # calendar falls back to the same hours)
    assert _hours() in ([(d, "09:00", "17:00") for d in range(5)], [])
    assert selectors.office_hours_text() == "Mon–Fri 9:00–17:00"
    calendar = selectors.firm_business_calendar()
    assert calendar.country == "PL" and len(calendar.hours) == 5


def test_admin_sets_a_lunch_break_and_saturday_and_clients_read_them_in_their_language(
    client: Any, world: Any
) -> None:
    client.force_login(world.admin)

    response = client.post(
        reverse("staff:firm-hours"),
        _form(
            day_0="9:00-13:00, 14:00-17:00",
            day_1="9:00-13:00, 14:00-17:00",
            day_4="9-15",
            day_5="10:00-12:00",
            country="es",
            subdivision="ES-MD",
        ),
    )

    assert response.status_code == 302
    firm = Firm.objects.get(pk=1)
    assert (firm.country, firm.subdivision) == ("ES", "MD")
    assert (0, "14:00", "17:00") in _hours() and (5, "10:00", "12:00") in _hours()
    event = AuditEvent.objects.get(action=PortalAction.FIRM_HOURS_UPDATED)
    assert event.data["country"] == "ES" and "office_hours" in event.data["fields"]
    expected = (
        "Mon, Tue 9:00–13:00, 14:00–17:00; Wed, Thu 9:00–17:00; Fri 9:00–15:00; Sat 10:00–12:00"
    )
    assert selectors.office_hours_text() == expected
    client.force_login(world.client_a)
    assert expected in client.get(reverse("portal:home")).content.decode()
    with translation.override("pl"):
        polish = selectors.office_hours_text()
    assert polish != expected and "10:00–12:00" in polish


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"day_0": "9:00-13:00, 12:00-17:00"}, "day_0"),  # overlap
        ({"day_1": "17:00-9:00"}, "day_1"),  # closes before it opens
        ({"day_2": "nine to five"}, "day_2"),
        ({"day_3": "25:00-26:00"}, "day_3"),
        ({"country": "XX"}, "country"),
        ({"country": "PL", "subdivision": "ZZ"}, "subdivision"),
        ({"country": ""}, "country"),
        ({**{f"day_{d}": "" for d in range(7)}}, None),  # never open
        ({"day_6": "<script>alert(1)</script>"}, "day_6"),
    ],
)
def test_bad_office_hours_are_refused_and_nothing_is_stored(
    client: Any, world: Any, changes: dict[str, str], field: str | None
) -> None:
    client.force_login(world.admin)
    before = _hours()

    response = client.post(reverse("staff:firm-hours"), _form(**changes))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    assert _hours() == before
    firm = Firm.objects.get(pk=1)
    assert (firm.country, firm.subdivision) == ("PL", "")
    assert not AuditEvent.objects.filter(action=PortalAction.FIRM_HOURS_UPDATED).exists()


def test_admin_adds_and_removes_a_closure_day_and_the_calendar_follows(
    client: Any, world: Any
) -> None:
    client.force_login(world.admin)
    bridge = dt.date(2026, 5, 4)  # a Monday between a holiday weekend and work
    with time_machine.travel(dt.datetime(2026, 4, 20, 10, tzinfo=WARSAW), tick=False):
        assert selectors.firm_business_calendar().is_business_day(bridge)

        client.post(reverse("staff:firm-closure-add"), {"date": "2026-05-04", "reason": "Bridge"})

        closure = FirmClosure.objects.get()
        assert (closure.date, closure.reason) == (bridge, "Bridge")
        assert not selectors.firm_business_calendar().is_business_day(bridge)
        page = client.get(reverse("staff:firm-hours")).content.decode()
        assert "Bridge" in page

        client.post(reverse("staff:firm-closure-remove", args=[closure.pk]))

        assert not FirmClosure.objects.exists()
        assert selectors.firm_business_calendar().is_business_day(bridge)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {PortalAction.FIRM_CLOSURE_ADDED, PortalAction.FIRM_CLOSURE_REMOVED} <= actions


@pytest.mark.parametrize(
    "data",
    [
        {"date": "2026-04-19", "reason": "Too late"},  # yesterday
        {"date": "2026-05-04", "reason": ""},
        {"date": "not a date", "reason": "Bridge"},
        {"date": "2226-05-04", "reason": "Far away"},
        {"date": "2026-05-04", "reason": "<b>Bridge</b>"},
    ],
)
def test_bad_closures_are_refused_and_nothing_is_stored(
    client: Any, world: Any, data: dict[str, str]
) -> None:
    client.force_login(world.admin)
    with time_machine.travel(dt.datetime(2026, 4, 20, 10, tzinfo=WARSAW), tick=False):
        response = client.post(reverse("staff:firm-closure-add"), data, follow=True)

    assert response.status_code == 200
    assert list(response.context["messages"])  # a message says what was wrong
    assert not FirmClosure.objects.exists()
    assert not AuditEvent.objects.filter(action=PortalAction.FIRM_CLOSURE_ADDED).exists()


def test_a_day_closed_twice_is_refused(world: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 4, 20, 10, tzinfo=WARSAW), tick=False):
        services.firm_closure_add(actor=world.admin, date=dt.date(2026, 5, 4), reason="Bridge")
        with pytest.raises(ServiceError):
            services.firm_closure_add(actor=world.admin, date=dt.date(2026, 5, 4), reason="Again")
    assert FirmClosure.objects.count() == 1


def test_only_admins_change_business_time(world: Any) -> None:
    before = _hours()
    with pytest.raises(ServiceError):
        services.firm_hours_update(
            actor=world.staff_on, hours=[(0, dt.time(9), dt.time(17))], country="PL"
        )
    with pytest.raises(ServiceError):
        services.firm_closure_add(actor=world.staff_on, date=dt.date(2099, 1, 4), reason="x")
    assert _hours() == before


def test_the_calendar_is_cached_until_the_firm_changes(
    world: Any, django_assert_num_queries: Any
) -> None:
    first = selectors.firm_business_calendar()
    with django_assert_num_queries(0):
        again = selectors.firm_business_calendar()
        selectors.office_hours_text()
    assert again is first

    services.firm_hours_update(
        actor=world.admin, hours=[(d, dt.time(8), dt.time(16)) for d in range(6)], country="PL"
    )

    changed = selectors.firm_business_calendar()
    assert changed is not first
    saturday = dt.datetime(2026, 3, 7, 10, tzinfo=WARSAW)
    assert changed.is_open(saturday) and not first.is_open(saturday)


def test_the_inbox_promise_follows_the_firms_hours(world: Any) -> None:
    # given a firm open on Saturdays and a message on Friday 16:00 (promise 24 hours)
    services.firm_hours_update(
        actor=world.admin, hours=[(d, dt.time(9), dt.time(17)) for d in range(6)], country="PL"
    )
    with time_machine.travel(dt.datetime(2026, 3, 6, 16, tzinfo=WARSAW), tick=False):
        services.message_send(actor=world.client_a, matter=world.matter_a, text="Hello")

    (row,) = selectors.inbox_for_staff(
        user=world.staff_on, now=dt.datetime(2026, 3, 9, 10, tzinfo=WARSAW)
    )

    # Friday 1 h, Saturday 8 h, Monday 8 h, Tuesday 7 h: due Tuesday 16:00
    assert row.answer_by == dt.datetime(2026, 3, 10, 16, tzinfo=WARSAW)


def test_the_inbox_judges_a_wait_by_the_promise_in_force_when_the_client_wrote(
    world: Any,
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=WARSAW), tick=False):
        services.message_send(actor=world.client_a, matter=world.matter_a, text="Hello")
    services.firm_update(actor=world.admin, data={"response_hours": 2})

    (row,) = selectors.inbox_for_staff(
        user=world.staff_on, now=dt.datetime(2026, 3, 2, 13, tzinfo=WARSAW)
    )

    assert row.answer_by == dt.datetime(2026, 3, 5, 10, tzinfo=WARSAW) and not row.overdue

"""One wait definition (insights §2): the pure function, the selectors insights reads,
"no reply needed" on a message, and the response badge of the messages page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from core.business_time import BusinessCalendar
from core.errors import ServiceError
from portal import selectors, services
from portal.audit_actions import PortalAction
from portal.models import Message
from portal.waits import waits
from tests import factories

WARSAW = "Europe/Warsaw"
CAL = BusinessCalendar.build(
    time_zone=WARSAW,
    hours=[(d, dt.time(9), dt.time(17)) for d in range(5)],
    country="PL",
)


def _at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(WARSAW))


@dataclass(frozen=True)
class M:
    id: str
    side: str
    created_at: dt.datetime
    matter_id: str = "m1"
    sender_id: int = 1
    promise_hours: int | None = 4
    no_reply_needed_at: dt.datetime | None = None
    no_reply_by_id: int | None = None


# ---------------------------------------------------------------------------
# The pure function (March 2026: Monday 2, Saturday 7, Monday 9)
# ---------------------------------------------------------------------------
def test_a_run_of_client_messages_is_one_wait_ended_by_the_firms_next_message() -> None:
    rows = [
        M("c1", "client", _at(2, 10)),
        M("c2", "client", _at(2, 11)),
        M("f1", "firm", _at(2, 15), sender_id=7),
        M("f2", "firm", _at(2, 16), sender_id=8),
    ]

    (wait,) = waits(rows, CAL, now=_at(3, 12))

    assert wait.client_message_id == "c1" and wait.message_ids == ("c1", "c2")
    assert (wait.started_at, wait.ended_at, wait.end_kind) == (_at(2, 10), _at(2, 15), "reply")
    assert wait.business_hours == 5.0 and not wait.within_promise
    assert wait.responder_id == 7


def test_a_client_message_after_the_reply_starts_a_new_wait() -> None:
    rows = [
        M("c1", "client", _at(2, 10)),
        M("f1", "firm", _at(2, 11)),
        M("c2", "client", _at(2, 12)),
        M("f2", "firm", _at(2, 13)),
    ]

    found = waits(rows, CAL, now=_at(3, 12))

    assert [(w.client_message_id, w.business_hours) for w in found] == [("c1", 1.0), ("c2", 1.0)]
    assert all(w.within_promise for w in found)


def test_no_reply_needed_on_a_message_of_the_run_ends_the_wait_then() -> None:
    rows = [
        M("c1", "client", _at(2, 10)),
        M("c2", "client", _at(2, 11), no_reply_needed_at=_at(2, 12), no_reply_by_id=5),
        M("c3", "client", _at(2, 14)),  # after the mark: a new wait
        M("f1", "firm", _at(2, 16)),
    ]

    first, second = waits(rows, CAL, now=_at(3, 12))

    assert (first.end_kind, first.ended_at, first.responder_id) == ("no_reply", _at(2, 12), 5)
    assert first.business_hours == 2.0 and first.message_ids == ("c1", "c2")
    assert (second.client_message_id, second.end_kind, second.business_hours) == (
        "c3",
        "reply",
        2.0,
    )


def test_a_mark_on_a_message_already_answered_changes_nothing() -> None:
    rows = [
        M("c1", "client", _at(2, 10), no_reply_needed_at=_at(2, 14)),
        M("f1", "firm", _at(2, 11)),
        M("c2", "client", _at(2, 13)),
    ]

    first, second = waits(rows, CAL, now=_at(2, 16))

    assert (first.end_kind, first.ended_at) == ("reply", _at(2, 11))
    assert second.is_open and second.business_hours == 3.0


def test_a_saturday_message_starts_counting_at_mondays_opening() -> None:
    rows = [M("c1", "client", _at(7, 11)), M("f1", "firm", _at(9, 10))]

    (wait,) = waits(rows, CAL, now=_at(9, 12))

    assert wait.started_at == _at(7, 11)
    assert wait.clock_started_at == _at(9, 9)
    assert wait.business_hours == 1.0 and wait.within_promise
    assert wait.due_at == _at(9, 13)


def test_polish_holidays_and_closures_are_not_business_time() -> None:
    # Easter Monday 2026 is 6 April; the firm also closed on Tuesday 7 April.
    calendar = BusinessCalendar.build(
        time_zone=WARSAW,
        hours=[(d, dt.time(9), dt.time(17)) for d in range(5)],
        closures=[dt.date(2026, 4, 7)],
        country="PL",
    )
    rows = [M("c1", "client", _at(3, 16, month=4)), M("f1", "firm", _at(8, 10, month=4))]

    (wait,) = waits(rows, calendar, now=_at(9, 10, month=4))

    assert wait.business_hours == 2.0  # Friday 16-17, Wednesday 9-10


def test_each_wait_is_judged_by_the_promise_in_force_when_it_started() -> None:
    # the firm promised 8 hours until mid-month, then 2; both waits took 4 business hours
    rows = [
        M("c1", "client", _at(9, 9), promise_hours=8),
        M("f1", "firm", _at(9, 13)),
        M("c2", "client", _at(16, 9), promise_hours=2),
        M("f2", "firm", _at(16, 13)),
    ]

    early, late = waits(rows, CAL, now=_at(31, 12), default_promise_hours=2)

    assert (early.promise_hours, early.within_promise) == (8, True)
    assert (late.promise_hours, late.within_promise) == (2, False)


def test_an_open_wait_counts_up_to_now_and_is_over_once_past_the_promise() -> None:
    rows = [M("c1", "client", _at(2, 10)), M("c2", "client", _at(2, 11), matter_id="m2")]

    before = {w.matter_id: w for w in waits(rows, CAL, now=_at(2, 14))}
    after = {w.matter_id: w for w in waits(rows, CAL, now=_at(2, 14, 30))}

    assert before["m1"].is_open and before["m1"].end_kind is None
    assert before["m1"].business_hours == 4.0 and before["m1"].within_promise
    assert after["m1"].business_hours == 4.5 and not after["m1"].within_promise
    assert after["m2"].business_hours == 3.5 and after["m2"].within_promise
    assert before["m1"].responder_id is None


def test_a_message_without_a_stored_promise_uses_the_default() -> None:
    (wait,) = waits(
        [M("c1", "client", _at(2, 10), promise_hours=None)],
        CAL,
        now=_at(2, 12),
        default_promise_hours=1,
    )

    assert wait.promise_hours == 1 and not wait.within_promise


def test_messages_after_now_and_firm_messages_alone_make_no_wait() -> None:
    rows = [M("f1", "firm", _at(2, 10)), M("c1", "client", _at(5, 10))]

    assert waits(rows, CAL, now=_at(3, 10)) == []


# ---------------------------------------------------------------------------
# Stored: promise in force, "no reply needed", the badge
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_client_message_stores_the_promise_in_force_when_sent(world: Any, firm: Any) -> None:
    msg = services.message_send(actor=world.client_a, matter=world.matter_a, text="Hello")
    services.firm_update(actor=world.admin, data={"response_hours": 2})
    later = services.message_send(actor=world.client_a, matter=world.matter_a, text="Again")
    reply = services.message_send(actor=world.staff_on, matter=world.matter_a, text="Hi")

    assert (msg.promise_hours, later.promise_hours, reply.promise_hours) == (24, 2, None)


@pytest.mark.django_db
def test_staff_mark_a_waiting_message_as_needing_no_reply_and_it_is_audited(
    world: Any, firm: Any
) -> None:
    with time_machine.travel(_at(2, 10), tick=False):
        msg = services.message_send(actor=world.client_a, matter=world.matter_a, text="Thanks!")
    with time_machine.travel(_at(2, 12), tick=False):
        services.message_mark_no_reply_needed(
            actor=world.staff_on, message_id=msg.pk, reason="  Only a   thank-you "
        )

    msg.refresh_from_db()
    assert (msg.no_reply_reason, msg.no_reply_by_id) == ("Only a thank-you", world.staff_on.pk)
    event = AuditEvent.objects.get(action=PortalAction.MESSAGE_NO_REPLY)
    assert event.object_id == str(msg.pk) and event.data["reason"] == "Only a thank-you"
    (wait,) = selectors.matter_waits(matter=world.matter_a, now=_at(3, 12))
    assert (wait.end_kind, wait.business_hours) == ("no_reply", 2.0)
    # and the inbox no longer lists the matter
    assert selectors.inbox_for_staff(user=world.staff_on, now=_at(3, 12)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["client_a", "cocounsel", "staff_off"])
def test_only_staff_who_see_the_matter_can_mark_no_reply(world: Any, who: str) -> None:
    msg = services.message_send(actor=world.client_a, matter=world.matter_a, text="Hello")

    with pytest.raises(ServiceError):
        services.message_mark_no_reply_needed(
            actor=getattr(world, who), message_id=msg.pk, reason="Nothing to say"
        )

    assert Message.objects.get(pk=msg.pk).no_reply_needed_at is None
    assert not AuditEvent.objects.filter(action=PortalAction.MESSAGE_NO_REPLY).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_no_reply_needs_a_short_reason(world: Any, reason: str) -> None:
    msg = services.message_send(actor=world.client_a, matter=world.matter_a, text="Hello")

    with pytest.raises(ServiceError):
        services.message_mark_no_reply_needed(
            actor=world.staff_on, message_id=msg.pk, reason=reason
        )

    assert Message.objects.get(pk=msg.pk).no_reply_needed_at is None


@pytest.mark.django_db
def test_an_answered_or_firm_message_cannot_be_marked(world: Any) -> None:
    asked = services.message_send(actor=world.client_a, matter=world.matter_a, text="Hello")
    answer = services.message_send(actor=world.staff_on, matter=world.matter_a, text="Hi")

    for message in (asked, answer):
        with pytest.raises(ServiceError):
            services.message_mark_no_reply_needed(
                actor=world.staff_on, message_id=message.pk, reason="Nothing to say"
            )


@pytest.mark.django_db
def test_the_no_reply_button_on_the_messages_page(client: Any, world: Any) -> None:
    msg = services.message_send(actor=world.client_a, matter=world.matter_a, text="Thanks!")
    client.force_login(world.staff_on)
    page = client.get(reverse("portal:message-list", args=[world.matter_a.pk])).content.decode()
    assert reverse("staff:message-no-reply", args=[msg.pk]) in page

    empty = client.post(reverse("staff:message-no-reply", args=[msg.pk]), {"reason": ""})
    assert empty.status_code == 302
    assert Message.objects.get(pk=msg.pk).no_reply_needed_at is None

    client.post(reverse("staff:message-no-reply", args=[msg.pk]), {"reason": "A thank-you"})
    page = client.get(reverse("portal:message-list", args=[world.matter_a.pk])).content.decode()
    assert "No reply needed" in page and "A thank-you" in page
    assert reverse("staff:message-no-reply", args=[msg.pk]) not in page


@pytest.mark.django_db
def test_the_inbox_no_reply_ends_the_wait_of_the_messages_it_covers(world: Any) -> None:
    with time_machine.travel(_at(2, 10), tick=False):
        services.message_send(actor=world.client_a, matter=world.matter_a, text="Thanks!")
    with time_machine.travel(_at(2, 11), tick=False):
        services.inbox_dismiss(actor=world.staff_on, matter=world.matter_a, reason="A thank-you")

    (wait,) = selectors.matter_waits(matter=world.matter_a, now=_at(3, 11))
    assert (wait.end_kind, wait.business_hours, wait.responder_id) == (
        "no_reply",
        1.0,
        world.staff_on.pk,
    )


@pytest.mark.django_db
def test_the_messages_page_badge_is_the_wait_insights_counts(
    client: Any, world: Any, firm: Any
) -> None:
    # given a promise of 4 hours; two client messages on Monday, answered Tuesday 10:00
    firm.response_hours = 4
    firm.save()
    cache.clear()
    with time_machine.travel(_at(2, 10), tick=False):
        first = services.message_send(actor=world.client_a, matter=world.matter_a, text="Q1")
    with time_machine.travel(_at(2, 11), tick=False):
        services.message_send(actor=world.client_a, matter=world.matter_a, text="Q2")
    with time_machine.travel(_at(3, 10), tick=False):
        services.message_send(actor=world.staff_on, matter=world.matter_a, text="A")

    # when
    client.force_login(world.staff_on)
    with time_machine.travel(_at(3, 12), tick=False):
        body = client.get(reverse("portal:message-list", args=[world.matter_a.pk])).content
        (row,) = selectors.waits_started_between(
            start=_at(1, 0), end=_at(31, 0), user=world.staff_on
        )

    # then one badge, for the wait, with the same number insights reads
    text = body.decode()
    assert text.count("Answered after") == 1 and "Answered after 8.0 business hours" in text
    assert "over the promise" in text
    assert row.wait.client_message_id == first.pk and row.wait.business_hours == 8.0
    assert not row.wait.within_promise


# ---------------------------------------------------------------------------
# Selectors for insights
# ---------------------------------------------------------------------------
def _matters_with_waits(world: Any, n: int) -> list[Any]:
    matters = []
    for i in range(n):
        matter = factories.make_matter(
            lawyer=world.staff_on, clients=[world.contact_a], title=f"Matter {i}"
        )
        with time_machine.travel(_at(2, 10), tick=False):
            services.message_send(actor=world.client_a, matter=matter, text="Q")
        with time_machine.travel(_at(2, 12), tick=False):
            services.message_send(actor=world.staff_on, matter=matter, text="A")
        with time_machine.travel(_at(3, 10), tick=False):
            services.message_send(actor=world.client_a, matter=matter, text="Q again")
        matters.append(matter)
    return matters


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 50])
def test_waits_started_between_reads_a_flat_number_of_queries(
    world: Any, n: int, django_assert_max_num_queries: Any
) -> None:
    _matters_with_waits(world, n)
    selectors.firm_business_calendar()  # the cached calendar, as on any warm page

    with django_assert_max_num_queries(4):
        rows = selectors.waits_started_between(
            start=_at(1, 0), end=_at(31, 0), user=world.admin, now=_at(4, 10)
        )

    assert len(rows) == 2 * n
    closed = [r for r in rows if not r.wait.is_open]
    assert all(r.wait.business_hours == 2.0 and r.wait.within_promise for r in closed)
    row = rows[0]
    assert row.lawyer_id == world.staff_on.pk and row.practice_area == "family"
    assert row.url == reverse("staff:matter-detail", args=[row.matter_id])
    assert row.matter_title.startswith("Matter")


@pytest.mark.django_db
def test_waits_ask_the_same_queries_with_no_waits_as_with_many(world: Any) -> None:
    # given a warm calendar and a month with no client message at all
    selectors.firm_business_calendar()
    window = {"start": _at(1, 0), "end": _at(31, 0), "user": world.admin, "now": _at(9, 10)}

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as started:
            selectors.waits_started_between(**window)
        with CaptureQueriesContext(connection) as waiting:
            selectors.waits_open_over_promise(user=world.admin, now=_at(9, 10))
        return len(started.captured_queries), len(waiting.captured_queries)

    empty = counts()
    # when fifty matters have waits, started and still open past the promise
    _matters_with_waits(world, 50)
    full = counts()

    # then a page built from them asks as many queries either way
    assert len(selectors.waits_started_between(**window)) == 100
    assert len(selectors.waits_open_over_promise(user=world.admin, now=_at(9, 10))) == 50
    assert full == empty


@pytest.mark.django_db
def test_waits_started_between_counts_the_run_from_its_first_message_only(world: Any) -> None:
    # a run that began in February and continued in March is February's wait
    with time_machine.travel(_at(27, 10, month=2), tick=False):
        services.message_send(actor=world.client_a, matter=world.matter_a, text="Q")
    with time_machine.travel(_at(2, 10), tick=False):
        services.message_send(actor=world.client_a, matter=world.matter_a, text="Still there?")
    with time_machine.travel(_at(2, 11), tick=False):
        services.message_send(actor=world.staff_on, matter=world.matter_a, text="Yes")

    march = selectors.waits_started_between(start=_at(1, 0), end=_at(31, 0), user=world.admin)
    february = selectors.waits_started_between(
        start=_at(1, 0, month=2), end=_at(1, 0), user=world.admin
    )

    assert march == []
    (row,) = february
    assert row.wait.business_hours == 9.0 and row.wait.ended_at == _at(2, 11)


@pytest.mark.django_db
def test_own_only_and_access_scope_the_waits(world: Any) -> None:
    for matter in (world.matter_a, world.matter_b):
        with time_machine.travel(_at(2, 10), tick=False):
            services.message_send(
                actor=world.client_a if matter == world.matter_a else world.client_b,
                matter=matter,
                text="Q",
            )
    window = {"start": _at(1, 0), "end": _at(31, 0), "now": _at(2, 12)}

    everyone = selectors.waits_started_between(**window)
    admin_all = selectors.waits_started_between(user=world.admin, **window)
    admin_own = selectors.waits_started_between(user=world.admin, own_only=True, **window)
    lawyer = selectors.waits_started_between(user=world.staff_on, own_only=True, **window)
    client_rows = selectors.waits_started_between(user=world.client_a, **window)

    assert len(everyone) == len(admin_all) == 2
    lawyers_own = {
        m.pk
        for m in (world.matter_a, world.matter_b)
        if m.responsible_lawyer_id == world.staff_on.pk or world.staff_on in m.team.all()
    }
    assert {r.matter_id for r in lawyer} == lawyers_own
    assert {r.matter_id for r in admin_own} <= {world.matter_a.pk, world.matter_b.pk}
    assert client_rows == []


@pytest.mark.django_db
def test_waits_open_over_promise_lists_who_waits_past_the_promise_now(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    matters = _matters_with_waits(world, 3)
    # one of them was answered, one marked as needing no reply
    with time_machine.travel(_at(3, 11), tick=False):
        services.message_send(actor=world.staff_on, matter=matters[0], text="A")
    second_q = Message.objects.filter(matter=matters[1], side="client").latest("created_at")
    with time_machine.travel(_at(3, 11), tick=False):
        services.message_mark_no_reply_needed(
            actor=world.staff_on, message_id=second_q.pk, reason="Seen"
        )
    selectors.firm_business_calendar()

    with django_assert_max_num_queries(4):
        over = selectors.waits_open_over_promise(user=world.admin, now=_at(9, 10))
    not_yet = selectors.waits_open_over_promise(user=world.admin, now=_at(4, 10))

    assert [r.matter_id for r in over] == [matters[2].pk]
    assert over[0].wait.is_open and over[0].wait.business_hours == 32.0
    assert not_yet == []  # 8 business hours of a 24-hour promise


@pytest.mark.django_db
def test_the_data_migration_gives_old_messages_their_promise_and_their_no_reply(
    world: Any, firm: Any
) -> None:
    import importlib

    from django.apps import apps

    from portal.models import FirmOfficeHours, InboxDismissal

    migration = importlib.import_module("portal.migrations.0022_business_time_data")
    # given messages and a dismissal written before the fields existed
    with time_machine.travel(_at(2, 10), tick=False):
        old = services.message_send(actor=world.client_a, matter=world.matter_a, text="Thanks")
    with time_machine.travel(_at(2, 12), tick=False):
        InboxDismissal.objects.create(
            matter=world.matter_a, dismissed_by=world.staff_on, reason="A thank-you"
        )
    with time_machine.travel(_at(2, 13), tick=False):
        later = services.message_send(actor=world.client_a, matter=world.matter_a, text="Q")
    Message.objects.update(promise_hours=None)
    FirmOfficeHours.objects.all().delete()

    # when
    migration.forwards(apps, None)

    # then
    old.refresh_from_db()
    later.refresh_from_db()
    assert (old.promise_hours, old.no_reply_reason, old.no_reply_by_id) == (
        firm.response_hours,
        "A thank-you",
        world.staff_on.pk,
    )
    assert later.no_reply_needed_at is None
    assert FirmOfficeHours.objects.count() == 5
    first, second = selectors.matter_waits(matter=world.matter_a, now=_at(2, 15))
    assert (first.end_kind, first.business_hours) == ("no_reply", 2.0)
    assert second.is_open and second.business_hours == 2.0

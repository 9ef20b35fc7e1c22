"""The monthly digest to firm admins (insights.md §5): on the month's first business day,
last month's digest metrics with arrows and a link; no names; once per admin and month."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from insights.services.digest import DIGEST, insights_digest_queue
from notifications import registry
from notifications.models import Notification
from notifications.registry import SendContext
from tests import factories
from tests.insights.pages_support import only_test_metric  # noqa: F401
from tests.insights.test_pages import opened

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_test_metric")]
WARSAW = ZoneInfo("Europe/Warsaw")
# 1 November 2026 is a Sunday (and All Saints' Day): Monday the 2nd is the first business day.
SUNDAY_FIRST = dt.datetime(2026, 11, 1, 9, 0, tzinfo=WARSAW)
MONDAY_SECOND = dt.datetime(2026, 11, 2, 8, 0, tzinfo=WARSAW)
SECRET_CLIENT = "Zyxwvonk Quillfeather"


def _history(world: Any) -> None:
    # October: 6 matters, one closed (83.3 %); September: 5, all open (100 %).
    for day in range(1, 7):
        opened(
            world.staff_on,
            dt.datetime(2026, 10, day, 10, tzinfo=WARSAW),
            title="Divorce of Quillfeather",
            closed=day == 1,
        )
    for day in range(1, 6):
        opened(world.staff_on, dt.datetime(2026, 9, day, 10, tzinfo=WARSAW))


def _compose(row: Notification) -> Any:
    notice = registry.notice(row.event)
    return notice.compose(row, SendContext(now=timezone.now(), templates={}))


def test_no_digest_before_the_first_business_day(world: Any) -> None:
    _history(world)
    with time_machine.travel(SUNDAY_FIRST, tick=False):
        assert insights_digest_queue() == 0
    assert not Notification.objects.filter(event=DIGEST).exists()


def test_digest_goes_to_each_firm_admin_once_a_month(world: Any) -> None:
    _history(world)
    second_admin = factories.AdminFactory(email="admin2@firm.example")

    with time_machine.travel(MONDAY_SECOND, tick=False):
        first = insights_digest_queue()
        again = insights_digest_queue()
    with time_machine.travel(MONDAY_SECOND + dt.timedelta(days=1), tick=False):
        next_day = insights_digest_queue()

    assert (first, again, next_day) == (2, 0, 0)
    rows = Notification.objects.filter(event=DIGEST)
    assert {r.recipient_id for r in rows} == {world.admin.pk, second_admin.pk}
    assert {r.channel for r in rows} == {"email"}


def test_a_missed_first_day_is_caught_up_later_in_the_month(world: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 5, 8, tzinfo=WARSAW), tick=False):
        assert insights_digest_queue() == 1


def test_digest_has_values_arrows_and_a_link_and_no_names(world: Any) -> None:
    _user, contact = factories.client_with_contact(first_name="Zyxwvonk", last_name="Quillfeather")
    factories.make_matter(lawyer=world.staff_on, clients=[contact], title="Divorce of Quillfeather")
    _history(world)
    with time_machine.travel(MONDAY_SECOND, tick=False):
        insights_digest_queue()
        message = _compose(Notification.objects.get(event=DIGEST))

    assert message.to == world.admin.email
    assert "October 2026" in message.subject
    assert "Open matters: 83.3 % ↓ −16.7 pp" in message.body
    assert "/staff/insights/?period=month&date=2026-10-01" in message.body
    assert "Quillfeather" not in message.body + message.subject
    assert "Zyxwvonk" not in message.body + message.subject


def test_digest_is_written_in_the_admins_language(world: Any) -> None:
    world.admin.language = "ru"
    world.admin.save(update_fields=["language"])
    _history(world)
    with time_machine.travel(MONDAY_SECOND, tick=False):
        insights_digest_queue()
        message = _compose(Notification.objects.get(event=DIGEST))

    assert "2026" in message.subject
    assert "Октябрь 2026" in message.subject or "октябрь 2026" in message.subject.lower()


def test_digest_is_suppressed_for_someone_no_longer_an_admin(world: Any) -> None:
    from notifications.outbox import Suppress

    with time_machine.travel(MONDAY_SECOND, tick=False):
        insights_digest_queue()
    row = Notification.objects.get(event=DIGEST)
    type(world.admin).objects.filter(pk=world.admin.pk).update(is_superuser=False)
    row.refresh_from_db()

    with pytest.raises(Suppress):
        _compose(row)

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal import selectors as portal_selectors
from portal import services as portal
from portal import services as portal_services
from portal import tasks
from portal.models import Matter, TimelineEntry
from tests import factories


def _age(matter: Matter, days: int) -> None:
    """Pretend the matter and its shared entries are `days` old."""
    then = timezone.now() - dt.timedelta(days=days)
    Matter.objects.filter(pk=matter.pk).update(created_at=then)
    TimelineEntry.objects.filter(matter=matter).update(created_at=then)


def test_flags_exactly_the_matters_past_the_threshold(world: Any) -> None:
    # given: firm default 21 days; three matters of one lawyer
    lawyer = world.staff_on
    silent = factories.make_matter(lawyer=lawyer, clients=[world.contact_a], title="Silent")
    recent = factories.make_matter(lawyer=lawyer, clients=[world.contact_a], title="Recent")
    closed = factories.make_matter(
        lawyer=lawyer, clients=[world.contact_a], title="Done", stage="closed"
    )
    _age(silent, 22)
    _age(recent, 20)
    _age(closed, 60)
    _age(world.matter_a, 5)
    # when
    flagged = portal_selectors.silent_matters_for_user(user=lawyer)
    # then
    assert [m.pk for m in flagged] == [silent.pk]
    assert flagged[0].silent_days == 22


def test_an_internal_note_does_not_count_but_a_shared_update_does(world: Any) -> None:
    lawyer = world.staff_on
    _age(world.matter_a, 30)
    portal.timeline_entry_add(
        actor=lawyer,
        matter=world.matter_a,
        kind="update",
        title="Internal",
        shared_with_client=False,
    )
    assert [m.pk for m in portal_selectors.silent_matters_for_user(user=lawyer)] == [
        world.matter_a.pk
    ]
    portal.timeline_entry_add(
        actor=lawyer, matter=world.matter_a, kind="update", title="Shared", shared_with_client=True
    )
    assert portal_selectors.silent_matters_for_user(user=lawyer) == []


def test_a_message_from_the_firm_counts_as_contact_but_one_from_the_client_does_not(
    world: Any,
) -> None:
    _age(world.matter_a, 30)
    portal.message_send(actor=world.client_a, matter=world.matter_a, text="Any news?")
    assert len(portal_selectors.silent_matters_for_user(user=world.staff_on)) == 1
    portal.message_send(actor=world.staff_on, matter=world.matter_a, text="Working on it.")
    assert portal_selectors.silent_matters_for_user(user=world.staff_on) == []


def test_threshold_follows_the_firm_setting(world: Any, firm: Any) -> None:
    _age(world.matter_a, 10)
    assert portal_selectors.silent_matters_for_user(user=world.staff_on) == []
    firm.silence_days = 7
    firm.save()
    from django.core.cache import cache

    cache.clear()
    assert len(portal_selectors.silent_matters_for_user(user=world.staff_on)) == 1


def test_lawyer_sees_the_alarm_on_staff_home_and_sends_the_check_in_in_one_click(
    client: Any, world: Any
) -> None:
    # given
    _age(world.matter_a, 30)
    client.force_login(world.staff_on)
    home = client.get(reverse("staff:home"))
    assert b"silence-alarm" in home.content
    checkin_url = reverse("staff:silence-checkin", kwargs={"matter_id": world.matter_a.pk})
    assert checkin_url.encode() in home.content
    form = client.get(checkin_url)
    assert "Nothing new yet" in form.content.decode()
    # when: sent as prepared, edited
    response = client.post(
        checkin_url, {"title": "Quick update", "body": "Nothing new yet. Next step: hearing."}
    )
    # then
    assert response.status_code == 302
    entry = TimelineEntry.objects.filter(matter=world.matter_a, title="Quick update").get()
    assert entry.shared_with_client
    assert portal_selectors.silent_matters_for_user(user=world.staff_on) == []
    assert b"silence-alarm" not in client.get(reverse("staff:home")).content


def test_check_in_is_drafted_in_the_clients_language(world: Any) -> None:
    world.contact_a.language = "pl"
    world.contact_a.save()
    draft = portal_services.checkin_draft(matter=world.matter_a)
    assert "Następny krok" in draft.body


def test_other_lawyers_do_not_see_the_alarm_for_my_matter(world: Any) -> None:
    _age(world.matter_a, 30)
    assert portal_selectors.silent_matters_for_user(user=world.staff_off) == []
    assert portal_selectors.silent_matters_for_user(user=world.client_a) == []


def test_daily_digest_goes_once_a_day_to_each_lawyer_with_silent_matters(world: Any) -> None:
    _age(world.matter_a, 30)
    _age(world.matter_b, 1)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert portal_services.silence_digest_send() == 1
        assert portal_services.silence_digest_send() == 0
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [world.staff_on.email]
    assert world.matter_a.reference in digest.body
    assert world.matter_b.reference not in digest.body
    with time_machine.travel(now + dt.timedelta(days=1), tick=False):
        assert portal_services.silence_digest_send() == 1


def _silent_matters(lawyer: Any, count: int) -> None:
    for i in range(count):
        matter = factories.make_matter(
            lawyer=lawyer, clients=[factories.ContactFactory()], title=f"Quiet {i}"
        )
        _age(matter, 40)


def test_silence_pages_make_the_same_number_of_queries_for_1_and_200_matters(
    client: Any, firm: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few_lawyer, many_lawyer = factories.StaffFactory(), factories.StaffFactory()
    _silent_matters(few_lawyer, 1)
    _silent_matters(many_lawyer, 200)
    counts = []
    for lawyer in (few_lawyer, many_lawyer):
        client.force_login(lawyer)
        client.get(reverse("staff:silence-list"))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("staff:silence-list"))
        assert response.status_code == 200
        # Session and sign-in bookkeeping (allauth's activity tracking) varies with the
        # clock, not with the data; the page's own queries are what must stay flat.
        noise = (
            'SELECT "django_session"',
            'SELECT "usersessions',
            'UPDATE "usersessions',
            "SAVEPOINT",
            "RELEASE SAVEPOINT",
            'SELECT 1 AS "a" FROM "mfa_authenticator"',
            'SELECT "portal_user"',
            'SELECT "portal_firm"',
            'UPDATE "django_session"',
        )
        own = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(noise)]
        counts.append(len(own))
    assert counts[0] == counts[1], own


def test_daily_task_queues_due_reminders_and_sends_digests(world: Any) -> None:
    _age(world.matter_a, 30)
    tasks.daily_notices.delay()
    assert [m.to for m in mail.outbox] == [[world.staff_on.email]]

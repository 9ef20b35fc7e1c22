"""Staff hear what clients do, and the staff inbox (oldest wait first, "no reply needed")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications import services as notifications
from notifications.models import Notification
from portal import services as portal
from portal.models import DocumentRequestItem, Message, User
from scheduling import services as scheduling
from tests import factories
from tests.scheduling.helpers import make_service, working_week

MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # 09:00 in Warsaw


def _checklist_item(w: Any) -> DocumentRequestItem:
    portal.document_request_create(
        actor=w.staff_on,
        matter=w.matter_a,
        title="Discovery",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        items=["Bank statements", "Payslips"],
    )
    return DocumentRequestItem.objects.filter(request__matter=w.matter_a).first()  # type: ignore[return-value]


def _staff_notices(user: User) -> Any:
    return Notification.objects.filter(
        recipient=user, event__in=["client_activity", "activity_digest"]
    )


def test_client_uploads_make_one_notice_for_the_lawyer_in_her_language(world: Any) -> None:
    # given: a Polish-speaking lawyer
    User.objects.filter(pk=world.staff_on.pk).update(language="pl")
    item = _checklist_item(world)
    start = timezone.now()
    # when: the client uploads twice within a few minutes
    with time_machine.travel(start, tick=False):
        portal.request_item_upload(
            actor=world.client_a,
            item=item,
            files=[SimpleUploadedFile("wyciag-tajny.pdf", b"%PDF-1.4 secret")],
        )
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        portal.request_item_upload(
            actor=world.client_a, item=item, files=[SimpleUploadedFile("second.txt", b"2")]
        )
    # then: one pending notice, sent once after the window, with no file name
    notice = _staff_notices(world.staff_on).get()
    assert notice.event == "client_activity" and notice.batch_count == 2
    notifications.deliveries_sweep(now=start + dt.timedelta(minutes=10))
    sent = [m for m in mail.outbox if m.to == [world.staff_on.email]]
    assert len(sent) == 1
    assert sent[0].subject == f"Nowe działania klienta: {world.matter_a.reference}"
    assert "wyciag" not in sent[0].body and "second" not in sent[0].body
    assert world.matter_a.title not in sent[0].body
    assert reverse("staff:matter-detail", kwargs={"matter_id": world.matter_a.pk}) in sent[0].body


def test_team_members_get_hourly_or_daily_digests_as_they_chose(world: Any) -> None:
    hourly = factories.StaffFactory(activity_notices="hourly")
    daily = factories.StaffFactory(activity_notices="daily", time_zone="Europe/Warsaw")
    matter = factories.make_matter(
        lawyer=world.staff_on, clients=[world.contact_a], team=[hourly, daily], title="Team"
    )
    task = portal.client_task_create(
        actor=world.staff_on,
        matter=matter,
        kind="review",
        title="Read the draft",
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    at = dt.datetime(2026, 3, 2, 10, 20, tzinfo=dt.UTC)  # 11:20 in Warsaw
    with time_machine.travel(at, tick=False):
        portal.client_task_complete(actor=world.client_a, task=task)
        portal.document_upload(
            actor=world.client_a,
            matter=matter,
            folder=portal.folder_create(
                actor=world.staff_on, matter=matter, name="From you", client_can_upload=True
            ),
            files=[SimpleUploadedFile("id.txt", b"id")],
        )
    hourly_notice = _staff_notices(hourly).get()
    assert hourly_notice.event == "activity_digest" and hourly_notice.batch_count == 2
    assert hourly_notice.due_at == dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)
    daily_notice = _staff_notices(daily).get()
    assert daily_notice.due_at == dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # 8:00 Warsaw
    assert _staff_notices(world.staff_on).get().event == "client_activity"
    # the digest links to the inbox
    notifications.deliveries_sweep(now=dt.datetime(2026, 3, 2, 11, 1, tzinfo=dt.UTC))
    sent = [m for m in mail.outbox if m.to == [hourly.email]]
    assert len(sent) == 1 and reverse("staff:inbox") in sent[0].body
    assert "id.txt" not in sent[0].body


def test_what_staff_do_themselves_tells_no_staff_member(world: Any) -> None:
    task = portal.client_task_create(
        actor=world.staff_on,
        matter=world.matter_a,
        kind="review",
        title="Read the draft",
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    portal.client_task_complete(actor=world.staff_on, task=task)
    portal.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=portal.folder_create(actor=world.staff_on, matter=world.matter_a, name="Ours"),
        files=[SimpleUploadedFile("memo.txt", b"m")],
    )
    assert not Notification.objects.filter(
        event__in=["client_activity", "activity_digest"]
    ).exists()


def test_bookings_reschedules_and_cancellations_by_the_client_tell_the_lawyer(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    working_week(world.staff_on)
    service = make_service(staff=[world.staff_on], slug="consult", minutes=30)
    wednesday_10 = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(MONDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [appointment] = scheduling.appointment_book(
                service=service,
                start_at=wednesday_10,
                staff=world.staff_on,
                contact=world.contact_a,
                matter=world.matter_a,
                origin="public",
            )
        assert _staff_notices(world.staff_on).get().batch_count == 1
        with django_capture_on_commit_callbacks(execute=True):
            new = scheduling.appointment_reschedule(
                appointment=appointment,
                start_at=wednesday_10 + dt.timedelta(hours=2),
                actor=world.client_a,
            )
        with django_capture_on_commit_callbacks(execute=True):
            scheduling.appointment_cancel(appointment=new, actor=world.client_a)
    assert _staff_notices(world.staff_on).get().batch_count == 3
    # what staff do for the client is not announced to staff
    Notification.objects.all().delete()
    with time_machine.travel(MONDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [other] = scheduling.appointment_book(
                service=service,
                start_at=wednesday_10 + dt.timedelta(hours=4),
                staff=world.staff_on,
                contact=world.contact_a,
                matter=world.matter_a,
                actor=world.staff_on,
                origin="staff",
            )
        with django_capture_on_commit_callbacks(execute=True):
            scheduling.appointment_cancel(appointment=other, actor=world.staff_on, by_client=False)
    assert not _staff_notices(world.staff_on).exists()


def _client_writes(matter: Any, user: User, at: dt.datetime) -> None:
    Message.objects.create(matter=matter, sender=user, side="client", text="?", created_at=at)


def test_inbox_lists_waiting_matters_oldest_first_and_a_reply_or_no_reply_needed_clears(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    newer = factories.make_matter(lawyer=world.staff_on, clients=[world.contact_a], title="B")
    quiet = factories.make_matter(lawyer=world.staff_on, clients=[world.contact_a], title="C")
    _client_writes(newer, world.client_a, now - dt.timedelta(hours=1))
    _client_writes(world.matter_a, world.client_a, now - dt.timedelta(days=8))
    _client_writes(world.matter_a, world.client_a, now - dt.timedelta(hours=3))
    Message.objects.create(
        matter=quiet, sender=world.staff_on, side="firm", text="ok", created_at=now
    )
    client.force_login(world.staff_on)
    # when
    page = client.get(reverse("staff:inbox")).content.decode()
    # then: matter A waited longest (and is past the promise), then B; C waits for nobody
    assert page.index(world.matter_a.reference) < page.index(newer.reference)
    assert quiet.reference not in page
    assert "Overdue" in page
    # the menu and the matter list show the markers
    assert 'class="menu-inbox">Inbox <span class="badge unread"' in page
    matters = client.get(reverse("staff:matter-list")).content.decode()
    assert (
        f'href="/portal/matters/{world.matter_a.pk}/messages/" title="new from the client">2</a>'
        in matters
    )
    # when: the firm answers A, and marks B as needing no reply without a reason, then with one
    with django_capture_on_commit_callbacks(execute=True):
        portal.message_send(actor=world.staff_on, matter=world.matter_a, text="On it.")
    url = reverse("staff:inbox-dismiss", kwargs={"matter_id": newer.pk})
    refused = client.post(url, {"reason": "  "}, follow=True).content.decode()
    assert newer.reference in refused.split("<table")[1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "Client only said thank you"})
    page = client.get(reverse("staff:inbox")).content.decode()
    table = page.split("<table")[1]
    # then
    assert world.matter_a.reference not in table and newer.reference not in table
    assert "Nobody is waiting for an answer." in page
    assert 'class="menu-inbox">Inbox</a>' in page
    assert AuditEvent.objects.filter(action="inbox.no_reply", matter_id=newer.pk).exists()
    # a new message after the dismissal brings the matter back
    _client_writes(newer, world.client_a, timezone.now() + dt.timedelta(seconds=1))
    assert newer.reference in client.get(reverse("staff:inbox")).content.decode()


def test_a_client_upload_waits_in_the_inbox_but_a_message_attachment_counts_once(
    client: Any, world: Any
) -> None:
    portal.message_send(
        actor=world.client_a,
        matter=world.matter_a,
        text="Here it is",
        files=[SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")],
    )
    item = _checklist_item(world)
    portal.request_item_upload(
        actor=world.client_a, item=item, files=[SimpleUploadedFile("c.txt", b"c")]
    )
    client.force_login(world.staff_on)
    page = client.get(reverse("staff:inbox")).content.decode()
    assert '<span class="badge unread" aria-label="new from the client">2</span>' in page


def test_other_staff_and_clients_see_no_inbox_entry_of_matter_a(client: Any, world: Any) -> None:
    _client_writes(world.matter_a, world.client_a, timezone.now())
    client.force_login(world.staff_off)
    assert world.matter_a.reference not in client.get(reverse("staff:inbox")).content.decode()


def _inbox_queries(client: Any, user: User, name: str) -> int:
    client.force_login(user)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name))
    assert response.status_code == 200
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
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(noise)])


def test_inbox_and_matter_list_queries_are_flat_for_1_and_200_waiting_matters(
    client: Any, firm: Any, django_assert_max_num_queries: Any
) -> None:
    few, many = factories.StaffFactory(), factories.StaffFactory()
    now = timezone.now()
    for lawyer, count in ((few, 1), (many, 200)):
        user, contact = factories.client_with_contact()
        for i in range(count):
            matter = factories.make_matter(lawyer=lawyer, clients=[contact], title=f"M{i}")
            _client_writes(matter, user, now - dt.timedelta(minutes=i + 1))
    for name in ("staff:inbox", "staff:matter-list"):
        assert _inbox_queries(client, few, name) == _inbox_queries(client, many, name)
    client.force_login(many)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("staff:inbox"))
    assert page.content.decode().count('class="inbox-row') == 200


def test_a_staff_member_chooses_digests_on_the_preferences_page(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    page = client.get(reverse("portal:preferences")).content.decode()
    assert "Hourly digest" in page
    response = client.post(
        reverse("portal:preferences"),
        {"language": "en", "time_zone": "Europe/Warsaw", "activity_notices": "hourly"},
    )
    assert response.status_code == 302
    world.staff_on.refresh_from_db()
    assert world.staff_on.activity_notices == "hourly"
    # a client is never offered the setting
    client.force_login(world.client_a)
    assert "Hourly digest" not in client.get(reverse("portal:preferences")).content.decode()

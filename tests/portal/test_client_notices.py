"""Clients hear what the firm shares: one content-free notice per matter and batch window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from notifications import services as notifications
from notifications.models import Notification
from notifications.outbox import State
from portal import services as portal
from portal.models import Contact, DocumentRequestItem, TimelineEntry
from tests import factories

SECRET = "Settlement offer 40000 in offer-final.pdf"


def _shared_folder(w: Any) -> Any:
    return portal.folder_create(actor=w.staff_on, matter=w.matter_a, name="Court papers")


def _timeline(w: Any) -> None:
    portal.timeline_entry_add(
        actor=w.staff_on, matter=w.matter_a, kind="update", title=SECRET, body=SECRET
    )


def _stage(w: Any) -> None:
    portal.matter_change_stage(actor=w.staff_on, matter=w.matter_a, to_stage="engaged", note=SECRET)


def _document(w: Any) -> None:
    portal.document_upload(
        actor=w.staff_on,
        matter=w.matter_a,
        folder=_shared_folder(w),
        files=[SimpleUploadedFile("offer-final.pdf", b"%PDF-1.4 " + SECRET.encode())],
    )


def _new_version(w: Any) -> None:
    folder = _shared_folder(w)
    upload = SimpleUploadedFile("offer-final.txt", b"v1")
    portal.document_upload(actor=w.staff_on, matter=w.matter_a, folder=folder, files=[upload])
    Notification.objects.all().delete()  # only the second version counts here
    upload = SimpleUploadedFile("offer-final.txt", b"v2 " + SECRET.encode())
    portal.document_upload(actor=w.staff_on, matter=w.matter_a, folder=folder, files=[upload])


def _shared_later(w: Any) -> None:
    (version,) = portal.document_upload(
        actor=w.staff_on,
        matter=w.matter_a,
        folder=_shared_folder(w),
        files=[SimpleUploadedFile("offer-final.txt", b"x")],
        shared_with_client=False,
    )
    assert not Notification.objects.exists()
    portal.document_set_shared(actor=w.staff_on, document=version.document, shared=True)


def _checklist(w: Any) -> None:
    portal.document_request_create(
        actor=w.staff_on,
        matter=w.matter_a,
        title=SECRET,
        due_date=timezone.localdate() + dt.timedelta(days=7),
        items=[SECRET],
    )


def _sent_back(w: Any) -> None:
    _checklist(w)
    item = DocumentRequestItem.objects.get(request__matter=w.matter_a)
    portal.request_item_upload(
        actor=w.client_a, item=item, files=[SimpleUploadedFile("scan.txt", b"scan")]
    )
    Notification.objects.all().delete()  # only the return counts here
    portal.request_item_review(actor=w.staff_on, item=item, accept=False, comment=SECRET)


def _task(w: Any) -> None:
    portal.client_task_create(
        actor=w.staff_on,
        matter=w.matter_a,
        kind="review",
        title=SECRET,
        description=SECRET,
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )


TRIGGERS: dict[str, Callable[[Any], None]] = {
    "timeline update": _timeline,
    "stage change": _stage,
    "shared document": _document,
    "new version": _new_version,
    "document shared later": _shared_later,
    "checklist posted": _checklist,
    "item sent back": _sent_back,
    "task assigned": _task,
}


def _client_update_notices(w: Any) -> Any:
    return Notification.objects.filter(event="matter_update", recipient=w.client_a)


@pytest.mark.parametrize("trigger", TRIGGERS.values(), ids=TRIGGERS.keys())
def test_each_shared_change_sends_one_content_free_notice_in_the_clients_language(
    world: Any, trigger: Callable[[Any], None]
) -> None:
    # given: a Polish-speaking client
    Contact.objects.filter(pk=world.contact_a.pk).update(language="pl")
    start = timezone.now()
    # when: the firm shares something, and the same thing once more a minute later
    with time_machine.travel(start, tick=False):
        trigger(world)
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        _timeline(world)
    # then: one pending notice, nothing sent before the batch window closes
    assert _client_update_notices(world).count() == 1
    notifications.deliveries_sweep(now=start + dt.timedelta(minutes=2))
    assert mail.outbox == []
    notifications.deliveries_sweep(now=start + dt.timedelta(minutes=10))
    sent = [m for m in mail.outbox if m.to == [world.client_a.email]]
    assert len(sent) == 1
    message = sent[0]
    assert message.subject == "Nowe informacje w Twojej sprawie"
    assert "40000" not in message.body + message.subject
    assert "offer-final" not in message.body
    assert world.matter_a.title not in message.body
    assert message.body.rsplit("\n-- \n", 1)[0].count("http") == 1  # foot: privacy notice
    assert reverse("portal:matter-detail", kwargs={"matter_id": world.matter_a.pk}) in message.body
    # nobody on the firm's side is sent the client's notice
    assert not Notification.objects.filter(
        event="matter_update", recipient__in=[world.staff_on, world.cocounsel]
    ).exists()


def test_a_later_change_after_the_notice_went_out_starts_a_new_one(world: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _timeline(world)
    notifications.deliveries_sweep(now=start + dt.timedelta(minutes=6))
    with time_machine.travel(start + dt.timedelta(minutes=7), tick=False):
        _task(world)
    assert _client_update_notices(world).filter(state=State.SENT).count() == 1
    assert _client_update_notices(world).filter(state=State.SCHEDULED).count() == 1


def test_internal_changes_tell_the_client_nothing(world: Any) -> None:
    portal.timeline_entry_add(
        actor=world.staff_on,
        matter=world.matter_a,
        kind="update",
        title="Internal",
        shared_with_client=False,
    )
    folder = _shared_folder(world)
    portal.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=folder,
        files=[SimpleUploadedFile("memo.txt", b"internal memo")],
        shared_with_client=False,
    )
    internal = portal.folder_create(
        actor=world.staff_on, matter=world.matter_a, name="Internal", shared_with_client=False
    )
    portal.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=internal,
        files=[SimpleUploadedFile("strategy.txt", b"strategy")],
    )
    (version,) = portal.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=folder,
        files=[SimpleUploadedFile("draft.txt", b"draft")],
        shared_with_client=False,
    )
    portal.document_set_shared(actor=world.staff_on, document=version.document, shared=False)
    assert not Notification.objects.filter(event="matter_update").exists()


def test_the_clients_own_upload_and_message_attachments_send_no_update_notice(
    world: Any,
) -> None:
    folder = portal.folder_create(
        actor=world.staff_on, matter=world.matter_a, name="From you", client_can_upload=True
    )
    portal.document_upload(
        actor=world.client_a,
        matter=world.matter_a,
        folder=folder,
        files=[SimpleUploadedFile("id.txt", b"id")],
    )
    portal.message_send(
        actor=world.staff_on,
        matter=world.matter_a,
        text="See the attachment",
        files=[SimpleUploadedFile("a.txt", b"a")],
    )
    assert not Notification.objects.filter(event="matter_update").exists()
    assert Notification.objects.filter(event="message", recipient=world.client_a).count() == 1


def test_a_client_preferring_sms_gets_it_after_quiet_hours_and_the_email_at_once(
    world: Any, tmp_path: Any
) -> None:
    contact = world.contact_a
    contact.preferred_channel, contact.sms_consent, contact.phone = "sms", True, "+48600100200"
    contact.quiet_hours_start, contact.quiet_hours_end = dt.time(21), dt.time(8)
    contact.save()
    night = dt.datetime(2026, 1, 14, 22, 30, tzinfo=dt.UTC)  # 23:30 in Warsaw
    with time_machine.travel(night - dt.timedelta(minutes=10), tick=False):
        _task(world)
    with time_machine.travel(night, tick=False):
        notifications.deliveries_sweep()
    assert len(mail.outbox) == 1
    sms = _client_update_notices(world).get(channel="sms")
    assert sms.state == State.SCHEDULED
    assert sms.next_attempt_at == dt.datetime(2026, 1, 15, 7, 0, tzinfo=dt.UTC)


def test_silence_check_in_queues_the_notice_and_then_clears_the_alarm(world: Any) -> None:
    portal.checkin_send(
        actor=world.staff_on, matter=world.matter_a, title="Quick update", body="Nothing new yet"
    )
    assert _client_update_notices(world).count() == 1
    assert TimelineEntry.objects.filter(matter=world.matter_a, title="Quick update").exists()


def test_silence_check_in_for_a_client_without_a_login_posts_nothing(
    client: Any, world: Any
) -> None:
    # given: a matter whose only client has no portal account
    offline = factories.ContactFactory(email="offline@client.example")
    matter = factories.make_matter(lawyer=world.staff_on, clients=[offline], title="Offline")
    # when
    with pytest.raises(ServiceError):
        portal.checkin_send(actor=world.staff_on, matter=matter, title="Quick", body="Nothing")
    client.force_login(world.staff_on)
    url = reverse("staff:silence-checkin", kwargs={"matter_id": matter.pk})
    response = client.post(url, {"title": "Quick", "body": "Nothing new yet"})
    # then: the form says why and nothing was posted (the matter stays flagged)
    assert response.status_code == 200
    assert "Invite the client first" in response.content.decode()
    assert not TimelineEntry.objects.filter(matter=matter, title="Quick").exists()
    assert not Notification.objects.filter(event="matter_update").exists()

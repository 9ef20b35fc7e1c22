"""Feedback requests (spec insights.md §4): after an attended consultation and at a
matter's close, sent later through the real outbox sweep; withdrawn by a correction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from insights.models import FeedbackRequest
from notifications.models import Notification
from notifications.outbox import State
from portal import services as portal
from tests.factories import ContactFactory, make_matter
from tests.insights.feedback_helpers import (
    attended,
    consultation,
    mails_to,
    mark,
    sweep,
    token_in,
)
from tests.scheduling.helpers import make_appointment, make_service

pytestmark = pytest.mark.django_db

MONDAY_10 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 in Warsaw
MARKED = MONDAY_10 + dt.timedelta(hours=1)


def test_the_rating_request_goes_out_two_hours_after_the_mark_in_the_clients_language(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a Polish-speaking client attended a consultation
    contact = world.contact_a
    contact.language = "pl"
    contact.save(update_fields=["language"])
    service = consultation(world.staff_on)

    # when
    attended(
        service=service,
        staff=world.staff_on,
        contact=contact,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )

    # then: nothing before two hours, then one email in Polish with the scale as links
    sweep(MARKED + dt.timedelta(hours=1, minutes=59))
    assert mails_to(contact.email) == []
    sweep(MARKED + dt.timedelta(hours=2))
    [message] = mails_to(contact.email)
    assert message.subject.startswith("Krótkie pytanie")
    assert "Dziękujemy" in message.body and "{question}" not in message.body
    token = token_in(message)
    for score in range(1, 6):
        assert f"/feedback/{token}/?score={score}" in message.body
    request = FeedbackRequest.objects.get()
    assert request.kind == FeedbackRequest.Kind.CSAT_CONSULT
    assert request.staff == world.staff_on
    assert request.sent_at == MARKED + dt.timedelta(hours=2)
    assert request.expires_at == request.sent_at + dt.timedelta(days=30)
    # only the hash of the link's token is kept
    assert token not in request.token_hash and len(request.token_hash) == 64
    # and a second sweep sends nothing more
    sweep(MARKED + dt.timedelta(hours=3))
    assert len(mails_to(contact.email)) == 1


def test_a_client_who_prefers_texts_gets_one_sms_with_the_link(
    world: Any, django_capture_on_commit_callbacks: Any, tmp_path: Any
) -> None:
    contact = world.contact_a
    contact.phone, contact.sms_consent, contact.preferred_channel = "+48600100200", True, "sms"
    contact.save()
    attended(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=contact,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )

    sweep(MARKED + dt.timedelta(hours=2))

    texts = [p.read_text() for p in sorted((tmp_path / "sms").glob("*.sms"))]
    assert len(texts) == 1 and "/feedback/" in texts[0]
    assert mails_to(contact.email) == []


def test_a_no_show_correction_before_it_goes_out_withdraws_the_request(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: attended, then corrected to no-show an hour later
    appointment = attended(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=world.contact_a,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )
    appointment.refresh_from_db()
    mark(
        appointment,
        "no_show",
        staff=world.staff_on,
        when=MARKED + dt.timedelta(hours=1),
        capture=django_capture_on_commit_callbacks,
    )

    # when: the sweep reaches the notice
    sweep(MARKED + dt.timedelta(hours=2))

    # then: no message, the request and its notice are withdrawn
    assert mails_to(world.contact_a.email) == []
    request = FeedbackRequest.objects.get()
    assert request.suppressed_reason == "no-show" and request.sent_at is None
    assert list(
        Notification.objects.filter(event="feedback_request").values_list("state", flat=True)
    ) == [State.SUPPRESSED]


def test_a_no_show_or_another_service_never_asks(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    missed = make_appointment(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=world.contact_a,
        start=MONDAY_10,
    )
    mark(
        missed,
        "no_show",
        staff=world.staff_on,
        when=MARKED,
        capture=django_capture_on_commit_callbacks,
    )
    review = make_service(staff=[world.staff_on], slug="document-review", is_consultation=False)
    attended(
        service=review,
        staff=world.staff_on,
        contact=world.contact_b,
        at=MONDAY_10 + dt.timedelta(hours=2),  # the lawyer's next free hour that day
        capture=django_capture_on_commit_callbacks,
    )

    sweep(MARKED + dt.timedelta(days=1))

    assert not FeedbackRequest.objects.exists()
    assert mails_to(world.contact_a.email) == [] and mails_to(world.contact_b.email) == []


def test_a_contact_is_asked_at_most_once_in_seven_days(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    service = consultation(world.staff_on)
    for days in (0, 3, 8):
        attended(
            service=service,
            staff=world.staff_on,
            contact=world.contact_a,
            at=MONDAY_10 + dt.timedelta(days=days),
            capture=django_capture_on_commit_callbacks,
        )

    sweep(MARKED + dt.timedelta(days=9))

    sent = FeedbackRequest.objects.order_by("created_at")
    assert [r.created_at.date() for r in sent] == [dt.date(2026, 3, 2), dt.date(2026, 3, 10)]
    assert len(mails_to(world.contact_a.email)) == 2


def test_a_closed_matter_asks_each_client_two_days_later(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a matter with two clients
    second = ContactFactory(language="es")
    matter = make_matter(lawyer=world.staff_on, clients=[world.contact_a, second])

    # when: it closes
    with (
        time_machine.travel(MONDAY_10, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        portal.matter_change_stage(actor=world.staff_on, matter=matter, to_stage="closed")

    # then: each client is asked once, two days later, on the 0–10 scale
    sweep(MONDAY_10 + dt.timedelta(days=1, hours=23))
    assert mails_to(world.contact_a.email) == [] and mails_to(second.email) == []
    sweep(MONDAY_10 + dt.timedelta(days=2))
    [to_a] = mails_to(world.contact_a.email)
    [to_second] = mails_to(second.email)
    assert "?score=0" in to_a.body and "?score=10" in to_a.body
    assert to_second.subject.startswith("Una pregunta")
    requests = FeedbackRequest.objects.filter(kind=FeedbackRequest.Kind.NPS_CLOSE)
    assert requests.count() == 2 and {r.staff_id for r in requests} == {world.staff_on.pk}


def test_reopening_the_matter_within_two_days_withdraws_the_question(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    matter = world.matter_a
    with (
        time_machine.travel(MONDAY_10, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        portal.matter_change_stage(actor=world.staff_on, matter=matter, to_stage="closed")
    with (
        time_machine.travel(MONDAY_10 + dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        portal.matter_change_stage(actor=world.staff_on, matter=matter, to_stage="in_progress")

    sweep(MONDAY_10 + dt.timedelta(days=3))

    assert mails_to(world.contact_a.email) == []
    request = FeedbackRequest.objects.get()
    assert request.suppressed_reason == "matter reopened"


def test_quiet_hours_hold_the_request_until_they_end(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a client who wants no messages from 12:00 to 14:00 Warsaw time
    contact = world.contact_a
    contact.quiet_hours_start, contact.quiet_hours_end = dt.time(12), dt.time(14)
    contact.save()
    attended(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=contact,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )

    # when: due at 13:00 Warsaw (12:00 UTC)
    sweep(MARKED + dt.timedelta(hours=2))
    assert mails_to(contact.email) == []
    sweep(dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC))  # 14:00 in Warsaw

    assert len(mails_to(contact.email)) == 1


def test_marked_attended_again_after_a_no_show_correction_asks_once_at_the_new_time(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = attended(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=world.contact_a,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )
    for status, hours in (("no_show", 1), ("attended", 3)):
        appointment.refresh_from_db()
        mark(
            appointment,
            status,
            staff=world.staff_on,
            when=MARKED + dt.timedelta(hours=hours),
            capture=django_capture_on_commit_callbacks,
        )

    sweep(MARKED + dt.timedelta(hours=2))  # the first time: withdrawn then
    sweep(MARKED + dt.timedelta(hours=4, minutes=59))
    assert mails_to(world.contact_a.email) == []
    sweep(MARKED + dt.timedelta(hours=5))

    assert len(mails_to(world.contact_a.email)) == 1
    request = FeedbackRequest.objects.get()
    assert request.suppressed_at is None and request.sent_at == MARKED + dt.timedelta(hours=5)


def test_a_matter_closed_again_after_reopening_asks_two_days_after_the_second_close(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    matter = world.matter_a
    for stage, days in (("closed", 0), ("in_progress", 1), ("closed", 5)):
        with (
            time_machine.travel(MONDAY_10 + dt.timedelta(days=days), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            matter.refresh_from_db()
            portal.matter_change_stage(actor=world.staff_on, matter=matter, to_stage=stage)

    sweep(MONDAY_10 + dt.timedelta(days=6, hours=23))
    assert mails_to(world.contact_a.email) == []
    sweep(MONDAY_10 + dt.timedelta(days=7))

    assert len(mails_to(world.contact_a.email)) == 1
    assert FeedbackRequest.objects.count() == 1


def test_a_retried_send_composes_the_same_link_so_the_first_copy_keeps_working(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a rating request that went out once
    from insights.notices import compose_feedback_request
    from notifications.registry import SendContext

    attended(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=world.contact_a,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )
    sweep(MARKED + dt.timedelta(hours=2))
    [first] = mails_to(world.contact_a.email)
    token = token_in(first)

    # when the outbox composes the same message again (a retry after a timeout)
    row = Notification.objects.get(event="feedback_request")
    again = compose_feedback_request(
        row, SendContext(now=MARKED + dt.timedelta(hours=2, minutes=5), templates={})
    )

    # then it carries the same link, and the link of the first copy still opens the form
    assert f"/feedback/{token}/" in str(again)
    with time_machine.travel(MARKED + dt.timedelta(hours=3), tick=False):
        page = client.get(f"/feedback/{token}/?score=5")
    assert page.status_code == 200
    assert not FeedbackRequest.objects.get().responded_at

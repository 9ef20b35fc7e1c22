"""The client's feedback page: a GET records nothing, the POST records once, bad input
and dead links get a clear page; a low score asks the lawyer to call back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from audit.models import AuditEvent
from insights.models import Feedback, FeedbackRequest
from portal.models import ConsentRecord
from tests.insights.feedback_helpers import attended, consultation, mails_to, sweep, token_in

pytestmark = pytest.mark.django_db


def _actions(obj: Any) -> list[str]:
    return list(AuditEvent.objects.filter(object_id=str(obj.pk)).values_list("action", flat=True))


MONDAY_10 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SENT = MONDAY_10 + dt.timedelta(hours=3)
LATER = SENT + dt.timedelta(hours=1)


@pytest.fixture
def token(world: Any, django_capture_on_commit_callbacks: Any) -> str:
    """Client A attended a consultation with staff_on; the request went out."""
    attended(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=world.contact_a,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )
    sweep(SENT)
    [message] = mails_to(world.contact_a.email)
    return token_in(message)


def _url(token: str) -> str:
    return f"/feedback/{token}/"


def test_opening_the_link_records_nothing_and_preselects_the_score(token: str) -> None:
    with time_machine.travel(LATER, tick=False):
        response = Client().get(_url(token), {"score": "4"})
        again = Client().get(_url(token), {"score": "4"})

    assert response.status_code == 200 and again.status_code == 200
    page = response.content.decode()
    assert 'value="4" ' in page and "checked" in page.split('value="4"')[1].split(">")[0]
    assert "Test Firm" in page
    assert not Feedback.objects.exists()
    assert FeedbackRequest.objects.get().responded_at is None


def test_sending_records_the_answer_once_and_a_second_post_is_ignored(
    token: str, world: Any
) -> None:
    with time_machine.travel(LATER, tick=False):
        first = Client().post(_url(token), {"score": "5", "comment": "Very clear, thank you."})
        second = Client().post(_url(token), {"score": "1", "comment": "changed my mind"})
        reopened = Client().get(_url(token))

    assert first.status_code == 200 and "data-recorded" in first.content.decode()
    assert second.status_code == 200 and "data-already" in second.content.decode()
    assert "data-already" in reopened.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment) == (5, "Very clear, thank you.")
    assert feedback.request.responded_at == LATER
    assert feedback.publish_consent is None
    actions = _actions(feedback)
    assert actions == ["feedback.received"]


@pytest.mark.parametrize("score", ["11", "-1", "four", "", "3.5"])
def test_a_score_off_the_scale_is_refused_with_a_message_and_nothing_is_stored(
    token: str, score: str
) -> None:
    with time_machine.travel(LATER, tick=False):
        response = Client().post(_url(token), {"score": score, "comment": "x"})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Feedback.objects.exists()
    assert FeedbackRequest.objects.get().responded_at is None


def test_a_comment_longer_than_2000_characters_is_refused(token: str) -> None:
    with time_machine.travel(LATER, tick=False):
        response = Client().post(_url(token), {"score": "4", "comment": "a" * 2001})

    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_consent_to_publish_the_comment_is_recorded_with_its_words(token: str, world: Any) -> None:
    with time_machine.travel(LATER, tick=False):
        Client().post(_url(token), {"score": "5", "comment": "Great help.", "publish": "on"})

    consent = Feedback.objects.get().publish_consent
    assert consent is not None
    assert consent.purpose == ConsentRecord.Purpose.FEEDBACK_PUBLISH
    assert consent.contact_id == world.contact_a.pk
    assert "publish my comment" in consent.text


@pytest.mark.parametrize("when", ["expired", "unknown"])
def test_an_expired_or_unknown_link_gets_a_clear_page_not_an_error(token: str, when: str) -> None:
    moment = SENT + dt.timedelta(days=30, seconds=1) if when == "expired" else LATER
    url = _url(token if when == "expired" else "x" * 43)
    with time_machine.travel(moment, tick=False):
        shown = Client().get(url, {"score": "5"})
        sent = Client().post(url, {"score": "5"})

    assert shown.status_code == 404 and sent.status_code == 404
    assert "This link cannot be used" in shown.content.decode()
    assert not Feedback.objects.exists()


def test_the_page_is_in_the_clients_language(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.contact_a.language = "pl"
    world.contact_a.save(update_fields=["language"])
    attended(
        service=consultation(world.staff_on),
        staff=world.staff_on,
        contact=world.contact_a,
        at=MONDAY_10,
        capture=django_capture_on_commit_callbacks,
    )
    sweep(SENT)
    token = token_in(mails_to(world.contact_a.email)[0])

    with time_machine.travel(LATER, tick=False):
        response = Client().get(_url(token))

    assert response.status_code == 200
    assert '<html lang="pl">' in response.content.decode()


def test_a_low_score_asks_the_lawyer_to_call_back_until_marked_done(
    token: str, world: Any, client: Any
) -> None:
    # given: the client answered 2 of 5 with a comment
    with time_machine.travel(LATER, tick=False):
        Client().post(_url(token), {"score": "2", "comment": "I waited a long time."})
    feedback = Feedback.objects.get()

    # then: the lawyer's home lists it
    client.force_login(world.staff_on)
    home = client.get("/staff/").content.decode()
    assert "Call the client back" in home and world.contact_a.full_name in home
    assert "I waited a long time." in home
    # another lawyer's home does not
    other = Client()
    other.force_login(world.staff_off)
    assert "Call the client back" not in other.get("/staff/").content.decode()

    # when: done
    response = client.post(f"/staff/insights/feedback/{feedback.pk}/done/", {"next": "/staff/"})

    # then: it is gone, and who did it is recorded
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert "Call the client back" not in client.get("/staff/").content.decode()
    feedback.refresh_from_db()
    assert feedback.followed_up_by == world.staff_on and feedback.followed_up_at is not None
    assert "feedback.followed_up" in _actions(feedback)
    # another lawyer cannot close someone else's
    assert other.post(f"/staff/insights/feedback/{feedback.pk}/done/").status_code == 404


def test_a_good_score_asks_for_no_call(token: str, world: Any, client: Any) -> None:
    with time_machine.travel(LATER, tick=False):
        Client().post(_url(token), {"score": "4"})

    client.force_login(world.staff_on)
    assert "Call the client back" not in client.get("/staff/").content.decode()


def test_comments_are_shown_to_admins_and_the_lawyer_only(
    token: str, world: Any, client: Any
) -> None:
    with time_machine.travel(LATER, tick=False):
        Client().post(_url(token), {"score": "3", "comment": "Qzwvyx private remark"})

    seen = {}
    for name in ("admin", "staff_on", "staff_off"):
        viewer = Client()
        viewer.force_login(getattr(world, name))
        response = viewer.get("/staff/insights/feedback/")
        assert response.status_code == 200
        seen[name] = "Qzwvyx private remark" in response.content.decode()

    assert seen == {"admin": True, "staff_on": True, "staff_off": False}

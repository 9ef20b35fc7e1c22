"""What the CSAT and NPS metrics read: the answers and the request counts, scoped to the
lawyer, in a flat number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from insights import selectors
from insights.models import Feedback, FeedbackRequest
from tests.insights.feedback_helpers import consultation
from tests.scheduling.helpers import make_appointment

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
WINDOW = {
    "start": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    "end": dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
}
_seq = iter(range(10**6))


def _answered(
    *, kind: str, contact: Any, staff: Any, score: int | None, at: dt.datetime = T, **extra: Any
) -> FeedbackRequest:
    request = FeedbackRequest.objects.create(
        kind=kind,
        contact=contact,
        staff=staff,
        token_hash=f"{next(_seq):064d}",
        send_after=at - dt.timedelta(hours=3),
        sent_at=at - dt.timedelta(hours=2),
        expires_at=at + dt.timedelta(days=28),
        responded_at=at if score is not None else None,
        **extra,
    )
    if score is not None:
        Feedback.objects.create(request=request, score=score)
    return request


def test_rows_carry_the_service_staff_and_practice_area_and_are_scoped(world: Any) -> None:
    service = consultation(world.staff_on)
    appointment = make_appointment(
        service=service,
        staff=world.staff_on,
        contact=world.contact_a,
        start=T,
        matter=world.matter_a,
    )
    csat = FeedbackRequest.Kind.CSAT_CONSULT
    _answered(
        kind=csat, contact=world.contact_a, staff=world.staff_on, score=5, appointment=appointment
    )
    _answered(kind=csat, contact=world.contact_b, staff=world.staff_off, score=2)
    _answered(
        kind=csat, contact=world.contact_b, staff=world.staff_off, score=4, at=T.replace(month=4)
    )
    _answered(
        kind=FeedbackRequest.Kind.NPS_CLOSE, contact=world.contact_a, staff=world.staff_on, score=9
    )

    mine = selectors.feedback_rows(kind=csat, **WINDOW, user=world.staff_on, own_only=False)
    firm = selectors.feedback_rows(kind=csat, **WINDOW, user=world.admin, own_only=False)
    nobody = selectors.feedback_rows(kind=csat, **WINDOW, user=world.client_a, own_only=False)

    assert [r.score for r in mine] == [5]
    assert sorted(r.score for r in firm) == [2, 5] and nobody == []
    [row] = mine
    assert (row.service_name, row.practice_area, row.staff_id, row.contact_id) == (
        "First consultation",
        world.matter_a.practice_area,
        world.staff_on.pk,
        world.contact_a.pk,
    )
    assert row.responded_at == T


def test_request_counts_give_the_response_rate(world: Any) -> None:
    csat = FeedbackRequest.Kind.CSAT_CONSULT
    for score in (5, None, None, 3):
        _answered(kind=csat, contact=world.contact_a, staff=world.staff_on, score=score)
    _answered(kind=csat, contact=world.contact_b, staff=world.staff_off, score=None)

    mine = selectors.feedback_request_counts(
        kind=csat, **WINDOW, user=world.staff_on, own_only=False
    )
    firm = selectors.feedback_request_counts(kind=csat, **WINDOW, user=world.admin, own_only=False)

    assert (mine.sent, mine.answered) == (4, 2)
    assert (firm.sent, firm.answered) == (5, 2)


def test_rows_take_one_query_for_one_and_for_many(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    service = consultation(world.staff_on)
    csat = FeedbackRequest.Kind.CSAT_CONSULT

    made: list[Any] = []

    def add() -> None:
        # One lawyer's consultations never overlap (PostgreSQL's exclusion constraint).
        appointment = make_appointment(
            service=service,
            staff=world.staff_on,
            contact=world.contact_a,
            start=T + dt.timedelta(hours=2 * len(made)),
            matter=world.matter_a,
        )
        made.append(appointment)
        _answered(
            kind=csat,
            contact=world.contact_a,
            staff=world.staff_on,
            score=4,
            appointment=appointment,
        )

    add()
    with django_assert_max_num_queries(1):
        assert (
            len(selectors.feedback_rows(kind=csat, **WINDOW, user=world.admin, own_only=False)) == 1
        )
    for _ in range(199):
        add()
    with django_assert_max_num_queries(1):
        assert (
            len(selectors.feedback_rows(kind=csat, **WINDOW, user=world.admin, own_only=False))
            == 200
        )


def test_the_staff_home_and_feedback_list_do_not_grow_with_the_answers(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    csat = FeedbackRequest.Kind.CSAT_CONSULT
    client = Client()
    client.force_login(world.staff_on)
    _answered(kind=csat, contact=world.contact_a, staff=world.staff_on, score=1)
    client.get("/staff/")  # warm the session and the firm
    with django_assert_max_num_queries(40) as one:
        assert "Call the client back" in client.get("/staff/").content.decode()
        client.get("/staff/insights/feedback/")
    for _ in range(30):
        _answered(kind=csat, contact=world.contact_a, staff=world.staff_on, score=2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/staff/")
        client.get("/staff/insights/feedback/")


def test_open_follow_ups_are_the_lawyers_own_or_the_whole_firms_for_an_admin(world: Any) -> None:
    csat = FeedbackRequest.Kind.CSAT_CONSULT
    nps = FeedbackRequest.Kind.NPS_CLOSE
    mine = _answered(kind=csat, contact=world.contact_a, staff=world.staff_on, score=3)
    _answered(kind=csat, contact=world.contact_a, staff=world.staff_on, score=4)  # not low
    theirs = _answered(kind=nps, contact=world.contact_b, staff=world.staff_off, score=6)
    _answered(kind=nps, contact=world.contact_b, staff=world.staff_off, score=7)  # not low

    def ids(found: list[Any]) -> set[Any]:
        return {f.request_id for f in found}

    assert ids(selectors.follow_ups_open(user=world.staff_on)) == {mine.pk}
    assert ids(selectors.follow_ups_open(user=world.staff_on, own_only=False)) == {mine.pk}
    assert ids(selectors.follow_ups_open(user=world.admin, own_only=False)) == {mine.pk, theirs.pk}
    assert selectors.follow_ups_open(user=world.client_a, own_only=False) == []

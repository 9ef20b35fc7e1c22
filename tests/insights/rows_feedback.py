"""Insights routes for the access matrix (see access_rows.py): the client's feedback page
(public, by link) and the staff feedback and outside-contact pages."""

from __future__ import annotations

from typing import Any

from tests.access import MATTER_A_STAFF, PUBLIC, STAFF_ONLY, Row, same

TOKEN = "matrix-feedback-token-0123456789abcdef"
BAD_TOKEN = {"token": "not-a-real-token-0123456789"}
COMMENT = "Qzwvyx feedback comment"
MATTER_A_STAFF_POST = {**MATTER_A_STAFF, "staff_on": 302, "admin": 302}
# The follow-up of a low score about staff_on: theirs and the firm admins' to close.
FOLLOW_UP_POST = {**MATTER_A_STAFF_POST, "cocounsel": 404}


def _sent_request(w: Any) -> None:
    """A CSAT request about staff_on for client A, sent, its link's token known."""
    import datetime as dt

    from django.utils import timezone

    from insights.models import FeedbackRequest
    from insights.selectors import feedback_token_hash

    now = timezone.now()
    w.feedback_request = FeedbackRequest.objects.create(
        kind=FeedbackRequest.Kind.CSAT_CONSULT,
        contact=w.contact_a,
        staff=w.staff_on,
        token_hash=feedback_token_hash(TOKEN),
        send_after=now - dt.timedelta(hours=1),
        sent_at=now - dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(days=29),
    )


def _low_score(w: Any) -> None:
    from django.utils import timezone

    from insights.models import Feedback

    _sent_request(w)
    w.feedback = Feedback.objects.create(request=w.feedback_request, score=2, comment=COMMENT)
    w.feedback_request.responded_at = timezone.now()
    w.feedback_request.save(update_fields=["responded_at"])


ROWS: list[Row] = [
    Row("insights:feedback", same(404), kwargs=lambda w: BAD_TOKEN),
    Row("insights:feedback", PUBLIC, kwargs=lambda w: {"token": TOKEN}, setup=_sent_request),
    Row(
        "insights:feedback",
        PUBLIC,
        kwargs=lambda w: {"token": TOKEN},
        method="post",
        data=lambda w: {"score": "4"},
        setup=_sent_request,
    ),
    Row("insights:feedback-list", STAFF_ONLY, setup=_low_score),
    Row(
        "insights:feedback-done",
        FOLLOW_UP_POST,
        kwargs=lambda w: {"feedback_id": w.feedback.pk},
        method="post",
        setup=_low_score,
        secret=lambda w: COMMENT,
    ),
    Row(
        "insights:outside-contact-new",
        MATTER_A_STAFF,
        kwargs=lambda w: {"contact_id": w.contact_a.pk},
        secret=lambda w: w.contact_a.full_name,
    ),
    Row(
        "insights:outside-contact-new",
        MATTER_A_STAFF_POST,
        kwargs=lambda w: {"contact_id": w.contact_a.pk},
        method="post",
        data=lambda w: {"channel": "phone", "direction": "in"},
    ),
    Row(
        "insights:outside-contact-new-matter",
        MATTER_A_STAFF,
        kwargs=lambda w: {"matter_id": w.matter_a.pk},
        secret=lambda w: w.matter_a.reference,
    ),
    Row(
        "insights:outside-contact-new-matter",
        MATTER_A_STAFF_POST,
        kwargs=lambda w: {"matter_id": w.matter_a.pk},
        method="post",
        data=lambda w: {"channel": "email", "direction": "in", "contact": str(w.contact_a.pk)},
    ),
]

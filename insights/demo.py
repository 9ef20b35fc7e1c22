"""The demo firm's insights rows over the last three months (seed_demo; idempotent):
contacts clients made outside the portal, and the answers to the feedback requests sent
after attended consultations (CSAT) and at matter close (NPS). The plan comes from
seed_demo (config/demo_history); the lower apps' demo modules wrote the appointments and
matters these rows point to."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from typing import Any

from django.db import models

from insights.models import Feedback, FeedbackRequest, OutsideContact

CHANNELS = [
    (OutsideContact.Channel.PHONE, 50),
    (OutsideContact.Channel.EMAIL, 30),
    (OutsideContact.Channel.WHATSAPP, 10),
    (OutsideContact.Channel.SMS, 5),
    (OutsideContact.Channel.IN_PERSON, 5),
]


def _token_hash(label: str) -> str:
    # The demo's requests were answered long ago: their links need no usable token.
    return hashlib.sha256(f"atrium-demo-history:{label}".encode()).hexdigest()


def seed(
    *,
    plan: Any,
    consultations: dict[str, Any],
    matters: dict[str, Any],
    clients: Sequence[tuple[Any, Any]],
    rng: random.Random,
) -> None:
    _outside_contacts(plan=plan, clients=clients, rng=rng)
    _feedback(plan=plan, consultations=consultations, matters=matters)


def _outside_contacts(*, plan: Any, clients: Sequence[tuple[Any, Any]], rng: random.Random) -> None:
    """Calls, emails and messages from the demo clients outside the portal, logged by the
    responsible lawyer: about four a week at first, fewer each month as clients move to
    the portal (the metric's target is half the baseline)."""
    if not clients or OutsideContact.objects.filter(at__lt=plan.now).exists():
        return
    rows = []
    at = plan.start
    total_days = max(1.0, (plan.now - plan.start).total_seconds() / 86400)
    while True:
        progress = (at - plan.start).total_seconds() / 86400 / total_days
        # From one every ~1.5 business days to one every ~4 by the end of the window.
        at = plan.calendar.add_business_hours(at, rng.uniform(6, 14) + 22 * progress)
        if at >= plan.now:
            break
        contact, matter = rng.choice(list(clients))
        channels, weights = zip(*CHANNELS, strict=True)
        rows.append(
            OutsideContact(
                contact=contact,
                matter=matter,
                channel=rng.choices(channels, weights)[0],
                direction=(
                    OutsideContact.Direction.IN
                    if rng.random() < 0.85
                    else OutsideContact.Direction.OUT
                ),
                at=at,
                logged_by=matter.responsible_lawyer,
                created_at=at + dt.timedelta(minutes=rng.randint(1, 90)),
                nudged_at=at + dt.timedelta(minutes=5) if rng.random() < 0.3 else None,
            )
        )
    OutsideContact.objects.bulk_create(rows)


def _feedback(*, plan: Any, consultations: dict[str, Any], matters: dict[str, Any]) -> None:
    """CSAT after the attended consultations and NPS at each closed matter, as planned:
    most answered, a few not; low scores followed up by the lawyer unless very recent."""
    contacts = [a.contact_id for a in consultations.values()]
    closed = [m.pk for m in matters.values()]
    if FeedbackRequest.objects.filter(
        models.Q(contact_id__in=contacts) | models.Q(matter_id__in=closed)
    ).exists():
        return
    requests: list[FeedbackRequest] = []
    answers: list[Feedback] = []
    for case in plan.cases:
        appointment = consultations.get(case.email)
        if appointment is None or case.csat_sent_at is None:
            continue
        request = FeedbackRequest(
            kind=FeedbackRequest.Kind.CSAT_CONSULT,
            contact_id=appointment.contact_id,
            appointment=appointment,
            staff_id=appointment.staff_id,
            language=case.language,
            token_hash=_token_hash(f"csat:{case.email}"),
            send_after=case.csat_sent_at,
            sent_at=case.csat_sent_at,
            expires_at=case.csat_sent_at + dt.timedelta(days=30),
            created_at=appointment.end_at,
        )
        requests.append(request)
        if case.csat is not None:
            score, comment, answered = case.csat
            request.responded_at = answered
            answers.append(_answer(request, score, comment, answered, plan.now, low=3))
    for closing in plan.closings:
        matter = matters.get(closing.email)
        if matter is None:
            continue
        contact = matter.clients.get()
        request = FeedbackRequest(
            kind=FeedbackRequest.Kind.NPS_CLOSE,
            contact=contact,
            matter=matter,
            staff_id=matter.responsible_lawyer_id,
            language=closing.language,
            token_hash=_token_hash(f"nps:{closing.email}"),
            send_after=closing.nps_sent_at,
            sent_at=closing.nps_sent_at,
            expires_at=closing.nps_sent_at + dt.timedelta(days=30),
            created_at=closing.closed_at,
        )
        requests.append(request)
        if closing.nps is not None:
            score, comment, answered = closing.nps
            request.responded_at = answered
            answers.append(_answer(request, score, comment, answered, plan.now, low=6))
    FeedbackRequest.objects.bulk_create(requests)
    Feedback.objects.bulk_create(answers)


def _answer(
    request: FeedbackRequest,
    score: int,
    comment: str,
    answered: dt.datetime,
    now: dt.datetime,
    *,
    low: int,
) -> Feedback:
    followed = score <= low and answered < now - dt.timedelta(days=3)
    return Feedback(
        request=request,
        score=score,
        comment=comment,
        created_at=answered,
        followed_up_at=answered + dt.timedelta(days=1) if followed else None,
        followed_up_by_id=request.staff_id if followed else None,
    )

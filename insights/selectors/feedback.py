"""Reads of feedback: the landing page's link check, what staff may see, metric rows.

Who sees an answer: firm admins every one, the staff member it is about
(FeedbackRequest.staff: the consultation's lawyer, the matter's responsible lawyer)
their own, nobody else anything (comments are client content, spec §4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname, get_language

from insights.models import Feedback, FeedbackRequest

if TYPE_CHECKING:
    from portal.models import User

TOKEN_MAX = 100


def feedback_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feedback_link_usable(request: FeedbackRequest, *, now: dt.datetime | None = None) -> bool:
    """Sent, not withdrawn and not expired (answered or not)."""
    now = now or timezone.now()
    return (
        request.sent_at is not None and request.suppressed_at is None and request.expires_at > now
    )


def feedback_request_by_token(*, token: str) -> FeedbackRequest | None:
    """The request this link opens, or None (unknown, unsent, withdrawn or expired)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    request = (
        FeedbackRequest.objects.select_related("feedback")
        .filter(token_hash=feedback_token_hash(token))
        .first()
    )
    if request is None or not feedback_link_usable(request):
        return None
    return request


def _sees_all(user: Any) -> bool:
    return bool(getattr(user, "is_firm_admin", False))


def feedback_visible_to(user: User | Any) -> QuerySet[Feedback]:
    if not getattr(user, "is_firm_staff", False):
        return Feedback.objects.none()
    qs = Feedback.objects.all()
    if not _sees_all(user):
        qs = qs.filter(request__staff_id=user.pk)
    return qs


def feedback_list_for_staff(*, user: User | Any) -> QuerySet[Feedback]:
    """The answers this staff member may read, newest first, with what the list shows."""
    return feedback_visible_to(user).select_related(
        "request__contact",
        "request__staff",
        "request__matter",
        "request__appointment__service",
        "publish_consent",
        "followed_up_by",
    )


def feedback_get_for_staff(*, user: User | Any, feedback_id: Any) -> Feedback:
    try:
        pk = int(str(feedback_id))
    except ValueError as exc:
        raise Http404 from exc
    feedback = feedback_visible_to(user).select_related("request").filter(pk=pk).first()
    if feedback is None:
        raise Http404
    return feedback


def _low() -> Q:
    return Q(request__kind=FeedbackRequest.Kind.CSAT_CONSULT, score__lte=3) | Q(
        request__kind=FeedbackRequest.Kind.NPS_CLOSE, score__lte=6
    )


def follow_ups_open(*, user: User | Any, own_only: bool = True) -> list[Feedback]:
    """Low scores nobody has called back about yet, oldest first, in one query: about
    this staff member ("Call the client back" on their home page), or with
    `own_only=False` every one a firm admin or an insights.view_all holder may see (the
    insights action list)."""
    if not getattr(user, "is_firm_staff", False):
        return []
    qs = Feedback.objects.filter(_low(), followed_up_at=None)
    qs = _scoped(qs, user=user, own_only=own_only, staff_field="request__staff_id")
    return list(
        qs.select_related(
            "request__contact", "request__staff", "request__matter", "request__appointment__service"
        ).order_by("created_at")[:50]
    )


# ---------------------------------------------------------------------------
# For the CSAT and NPS metrics (insights.metrics)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedbackRow:
    feedback_id: int
    request_id: Any
    kind: str
    score: int
    responded_at: dt.datetime
    sent_at: dt.datetime | None
    staff_id: int | None
    staff_name: str
    contact_id: Any
    contact_name: str
    appointment_id: Any
    service_id: Any
    service_name: str
    matter_id: Any
    matter_reference: str
    # The matter's (NPS) or the consultation's matter's (CSAT) practice area, or "".
    practice_area: str


def _scoped(qs: QuerySet[Any], *, user: Any, own_only: bool, staff_field: str) -> QuerySet[Any]:
    if not getattr(user, "is_firm_staff", False):
        return qs.none()
    if own_only or not (_sees_all(user) or user.has_perm("insights.view_all")):
        return qs.filter(**{staff_field: user.pk})
    return qs


def feedback_rows(
    *, kind: str, start: dt.datetime, end: dt.datetime, user: User | Any, own_only: bool
) -> list[FeedbackRow]:
    """Answers of this kind received in [start, end), oldest first, in one query.

    `own_only` (or a user without insights.view_all who is not a firm admin) keeps the
    answers about this user (FeedbackRequest.staff)."""
    qs = Feedback.objects.filter(
        request__kind=kind, request__responded_at__gte=start, request__responded_at__lt=end
    )
    qs = _scoped(qs, user=user, own_only=own_only, staff_field="request__staff_id")
    # Plain values, not model instances: a month of answers is hundreds of rows.
    fields = (
        "pk",
        "request_id",
        "request__kind",
        "score",
        "request__responded_at",
        "created_at",
        "request__sent_at",
        "request__staff_id",
        "request__staff__first_name",
        "request__staff__last_name",
        "request__staff__email",
        "request__contact_id",
        "request__contact__first_name",
        "request__contact__last_name",
        "request__appointment_id",
        "request__appointment__service_id",
        "request__appointment__service__name",
        # The service's name in the viewer's language (modeltranslation's column), when set.
        build_localized_fieldname("request__appointment__service__name", get_language()),
        "request__matter_id",
        "request__matter__reference",
        "request__matter__practice_area",
        "request__appointment__matter_id",
        "request__appointment__matter__reference",
        "request__appointment__matter__practice_area",
    )
    found = []
    for (
        pk,
        request_id,
        kind_,
        score,
        responded_at,
        created_at,
        sent_at,
        staff_id,
        staff_first,
        staff_last,
        staff_email,
        contact_id,
        contact_first,
        contact_last,
        appointment_id,
        service_id,
        service_name,
        service_name_here,
        matter_id,
        matter_reference,
        matter_area,
        appointment_matter_id,
        appointment_matter_reference,
        appointment_matter_area,
    ) in qs.order_by("request__responded_at", "pk").values_list(*fields):
        if matter_id is None and appointment_matter_id is not None:
            matter_id, matter_reference, matter_area = (
                appointment_matter_id,
                appointment_matter_reference,
                appointment_matter_area,
            )
        found.append(
            FeedbackRow(
                feedback_id=pk,
                request_id=request_id,
                kind=kind_,
                score=score,
                responded_at=responded_at or created_at,
                sent_at=sent_at,
                staff_id=staff_id,
                staff_name=(f"{staff_first} {staff_last}".strip() or staff_email)
                if staff_id is not None
                else "",
                contact_id=contact_id,
                contact_name=f"{contact_first} {contact_last}".strip(),
                appointment_id=appointment_id,
                service_id=service_id,
                service_name=service_name_here or service_name or "",
                matter_id=matter_id,
                matter_reference=matter_reference or "",
                practice_area=matter_area or "",
            )
        )
    return found


@dataclass(frozen=True)
class FeedbackCounts:
    sent: int  # requests of this kind sent in the period
    answered: int  # of those, answered (at any time so far)


def feedback_request_counts(
    *, kind: str, start: dt.datetime, end: dt.datetime, user: User | Any, own_only: bool
) -> FeedbackCounts:
    """For the response rate: requests sent in [start, end) and how many were answered.
    One query; scoped as feedback_rows."""
    qs = FeedbackRequest.objects.filter(kind=kind, sent_at__gte=start, sent_at__lt=end)
    qs = _scoped(qs, user=user, own_only=own_only, staff_field="staff_id")
    totals = qs.aggregate(
        sent=Count("pk"), answered=Count("pk", filter=Q(responded_at__isnull=False))
    )
    return FeedbackCounts(sent=totals["sent"] or 0, answered=totals["answered"] or 0)

"""Feedback requests and answers (spec insights.md §4).

A rating request is made by the handlers of scheduling's and portal's events: after an
attended consultation (CSAT, sent 2 hours later, at most one per contact in 7 days) and
when a matter closes (NPS, one per client, sent 2 days later). A correction before it
goes out (ATTENDED → NO_SHOW, a reopened matter) withdraws it; the notice's composer
then drops the queued message. The link's token is made by the composer when the notice
is sent (only its SHA-256 is stored, as booking invitations do); the landing page's GET
records nothing, the POST records the answer once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from core.validators import validate_plain_text
from insights import selectors
from insights.audit_actions import InsightsAction
from insights.models import COMMENT_MAX_CHARS, Feedback, FeedbackRequest
from insights.notice_texts import FEEDBACK_REQUEST
from notifications.outbox import object_key
from notifications.services import notice_batch_add
from portal import selectors as portal_selectors
from portal import services as portal_services
from scheduling import selectors as scheduling_selectors

if TYPE_CHECKING:
    from portal.events import MatterStageChanged
    from portal.models import User
    from scheduling.events import AppointmentMarked

logger = logging.getLogger(__name__)

CSAT_DELAY = dt.timedelta(hours=2)
NPS_DELAY = dt.timedelta(days=2)
CSAT_AT_MOST_EVERY = dt.timedelta(days=7)
LINK_LIFETIME = dt.timedelta(days=30)

ATTENDED = "attended"
NO_SHOW = "no_show"
CLOSED = "closed"

# What the client ticks to let the firm publish the comment: stored word for word with
# the consent (portal ConsentRecord, FEEDBACK_PUBLISH).
PUBLISH_CONSENT_TEXT = gettext_lazy(
    "You may publish my comment as a testimonial for the firm, without my surname."
)
PUBLISH_CONSENT_VERSION = "feedback-publish-1"


class FeedbackLinkInvalid(ServiceError):
    """The link is unknown, expired or was withdrawn."""


class FeedbackAlreadyRecorded(ServiceError):
    """The answer was recorded already (a second POST, a double tap)."""


def publish_consent_text(language: str) -> str:
    with translation.override(language):
        return str(PUBLISH_CONSENT_TEXT)


def _language(contact: Any) -> str:
    return contact.language or portal_selectors.firm_get().default_language


def _channel(contact: Any) -> str:
    """One message per request (a second channel would need a second link): SMS for a
    client who asked for texts and agreed to them, email otherwise."""
    recipient = portal_selectors.contact_recipient(contact)
    return "sms" if recipient.prefers_sms and recipient.can_sms else "email"


def _queue(request: FeedbackRequest) -> None:
    """The notice, due when the request may go; the composer reads the request at send
    time (withdrawn: dropped; moved later: postponed), so a queued row never lies."""
    notice_batch_add(
        event=FEEDBACK_REQUEST,
        key=object_key("feedbackrequest", request.pk),
        channel=_channel(request.contact),
        due_at=request.send_after,
        about=object_key("feedbackrequest", request.pk),
    )


def _create(
    *,
    kind: str,
    contact: Any,
    staff_id: Any,
    send_after: dt.datetime,
    appointment_id: Any = None,
    matter_id: Any = None,
) -> FeedbackRequest:
    request = FeedbackRequest.objects.create(
        kind=kind,
        contact=contact,
        appointment_id=appointment_id,
        matter_id=matter_id,
        staff_id=staff_id,
        language=_language(contact),
        # A placeholder nobody knows: the link's own token is made when it is sent.
        token_hash=selectors.feedback_token_hash(f"unsent:{uuid.uuid4()}"),
        send_after=send_after,
        expires_at=send_after + LINK_LIFETIME,
    )
    audit_record(
        action=InsightsAction.FEEDBACK_REQUESTED,
        matter_id=matter_id,
        obj=request,
        data={"kind": kind, "send_after": send_after.isoformat()},
    )
    _queue(request)
    return request


def _revive(request: FeedbackRequest, *, send_after: dt.datetime) -> FeedbackRequest:
    """A withdrawn request that never went out counts again (NO_SHOW → ATTENDED, a
    matter closed again): it goes at the new time."""
    request.suppressed_at = None
    request.suppressed_reason = ""
    request.send_after = send_after
    request.expires_at = send_after + LINK_LIFETIME
    request.save(update_fields=["suppressed_at", "suppressed_reason", "send_after", "expires_at"])
    audit_record(
        action=InsightsAction.FEEDBACK_REQUESTED,
        matter_id=request.matter_id,
        obj=request,
        data={"kind": request.kind, "send_after": send_after.isoformat(), "again": True},
    )
    _queue(request)
    return request


def _suppress(requests: Any, *, reason: str) -> int:
    """Withdraw the requests among `requests` that have not gone out yet."""
    now = timezone.now()
    pending = list(requests.select_for_update().filter(sent_at=None, suppressed_at=None))
    for request in pending:
        request.suppressed_at = now
        request.suppressed_reason = reason
        request.save(update_fields=["suppressed_at", "suppressed_reason"])
        audit_record(
            action=InsightsAction.FEEDBACK_SUPPRESSED,
            matter_id=request.matter_id,
            obj=request,
            data={"kind": request.kind, "reason": reason},
        )
    return len(pending)


# ---------------------------------------------------------------------------
# After a consultation (CSAT)
# ---------------------------------------------------------------------------
def feedback_request_after_consultation(*, appointment_id: Any) -> FeedbackRequest | None:
    """The rating request for an attended consultation, or None (not a consultation, no
    longer attended, or the contact was asked in the last 7 days)."""
    found = scheduling_selectors.consultation_appointments(ids=[appointment_id])
    if not found or found[0].status != ATTENDED:
        return None
    appointment = found[0]
    now = timezone.now()
    kind = FeedbackRequest.Kind.CSAT_CONSULT
    with transaction.atomic():
        existing = (
            FeedbackRequest.objects.select_for_update()
            .filter(kind=kind, appointment_id=appointment.pk)
            .first()
        )
        recent = FeedbackRequest.objects.filter(
            kind=kind,
            contact_id=appointment.contact_id,
            created_at__gt=now - CSAT_AT_MOST_EVERY,
            suppressed_at=None,
        )
        if existing is not None:
            if existing.suppressed_at is None or existing.sent_at is not None:
                return existing
            if recent.exclude(pk=existing.pk).exists():
                return None
            return _revive(existing, send_after=now + CSAT_DELAY)
        if recent.exists():
            return None
        try:
            with transaction.atomic():
                return _create(
                    kind=kind,
                    contact=appointment.contact,
                    staff_id=appointment.staff_id,
                    send_after=now + CSAT_DELAY,
                    appointment_id=appointment.pk,
                )
        except IntegrityError:
            # The same mark handled twice at once: the other one made it.
            return FeedbackRequest.objects.filter(kind=kind, appointment_id=appointment.pk).first()


def feedback_withdraw_for_appointment(*, appointment_id: Any, reason: str) -> int:
    with transaction.atomic():
        return _suppress(
            FeedbackRequest.objects.filter(
                kind=FeedbackRequest.Kind.CSAT_CONSULT, appointment_id=appointment_id
            ),
            reason=reason,
        )


def on_appointment_marked(event: AppointmentMarked) -> None:
    """scheduling.events.AppointmentMarked: ask after an attended consultation; a
    correction to no-show before the request went out withdraws it."""
    if event.status == ATTENDED:
        feedback_request_after_consultation(appointment_id=event.appointment_id)
    elif event.status == NO_SHOW:
        feedback_withdraw_for_appointment(appointment_id=event.appointment_id, reason="no-show")


# ---------------------------------------------------------------------------
# At matter close (NPS)
# ---------------------------------------------------------------------------
def feedback_requests_at_close(*, matter_id: Any) -> list[FeedbackRequest]:
    """One recommendation request per client of the closed matter, sent 2 days later."""
    matter = portal_selectors.matters_by_id(ids=[matter_id]).get(matter_id)
    if matter is None or matter.stage != CLOSED:
        return []
    now = timezone.now()
    kind = FeedbackRequest.Kind.NPS_CLOSE
    made: list[FeedbackRequest] = []
    with transaction.atomic():
        existing = {
            r.contact_id: r
            for r in FeedbackRequest.objects.select_for_update().filter(
                kind=kind, matter_id=matter.pk
            )
        }
        for contact in matter.clients.all():
            request = existing.get(contact.pk)
            if request is None:
                made.append(
                    _create(
                        kind=kind,
                        contact=contact,
                        staff_id=matter.responsible_lawyer_id,
                        send_after=now + NPS_DELAY,
                        matter_id=matter.pk,
                    )
                )
            elif request.suppressed_at is not None and request.sent_at is None:
                made.append(_revive(request, send_after=now + NPS_DELAY))
    return made


def feedback_withdraw_for_matter(*, matter_id: Any, reason: str) -> int:
    with transaction.atomic():
        return _suppress(
            FeedbackRequest.objects.filter(
                kind=FeedbackRequest.Kind.NPS_CLOSE, matter_id=matter_id
            ),
            reason=reason,
        )


def on_matter_stage_changed(event: MatterStageChanged) -> None:
    """portal.events.MatterStageChanged: ask at close; reopening before it went out
    withdraws the question."""
    if event.to_stage == CLOSED:
        feedback_requests_at_close(matter_id=event.matter_id)
    elif event.from_stage == CLOSED:
        feedback_withdraw_for_matter(matter_id=event.matter_id, reason="matter reopened")


# ---------------------------------------------------------------------------
# The answer
# ---------------------------------------------------------------------------
def _score(value: Any, request: FeedbackRequest) -> int:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = -1
    if score not in request.scale:
        raise ServiceError(
            _("Choose a score from %(low)d to %(high)d.")
            % {"low": request.scale[0], "high": request.scale[-1]}
        )
    return score


def _comment(value: Any) -> str:
    comment = str(value or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX_CHARS:
        raise ServiceError(
            _("The comment may have at most %(max)d characters.") % {"max": COMMENT_MAX_CHARS}
        )
    try:
        validate_plain_text(comment)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages)) from exc
    return comment


def feedback_submit(
    *, token: str, score: Any, comment: str = "", publish: bool = False, meta: RequestMeta | None
) -> Feedback:
    """Record the client's answer once. A second POST raises FeedbackAlreadyRecorded; bad
    input raises ServiceError and stores nothing."""
    now = timezone.now()
    with transaction.atomic():
        request = (
            FeedbackRequest.objects.select_for_update()
            .filter(token_hash=selectors.feedback_token_hash(token))
            .first()
            if token and len(token) <= selectors.TOKEN_MAX
            else None
        )
        if request is None or not selectors.feedback_link_usable(request, now=now):
            raise FeedbackLinkInvalid(_("This feedback link cannot be used."))
        if request.responded_at is not None:
            raise FeedbackAlreadyRecorded(_("Your answer was already recorded. Thank you."))
        value = _score(score, request)
        text = _comment(comment)
        consent = None
        if publish and text:
            consent = portal_services.consent_record(
                contact_id=request.contact_id,
                context_key=object_key("feedback", request.pk),
                purpose="feedback_publish",
                lawful_basis="consent",
                text=publish_consent_text(request.language),
                text_version=PUBLISH_CONSENT_VERSION,
                language=request.language,
                channel="web_form",
                meta=meta,
            )
        feedback = Feedback.objects.create(
            request=request, score=value, comment=text, publish_consent=consent
        )
        request.responded_at = now
        request.save(update_fields=["responded_at"])
        audit_record(
            action=InsightsAction.FEEDBACK_RECEIVED,
            meta=meta,
            matter_id=request.matter_id,
            obj=feedback,
            data={
                "kind": request.kind,
                "score": value,
                "follow_up": value <= request.low_score,
                "comment": bool(text),
                "publish": consent is not None,
            },
        )
    return feedback


def feedback_follow_up_done(
    *, actor: User, feedback_id: Any, meta: RequestMeta | None = None
) -> Feedback:
    """The lawyer called the client back: the open item leaves their home page."""
    with transaction.atomic():
        feedback = selectors.feedback_get_for_staff(user=actor, feedback_id=feedback_id)
        changed = Feedback.objects.filter(pk=feedback.pk, followed_up_at=None).update(
            followed_up_at=timezone.now(), followed_up_by_id=actor.pk
        )
        if changed:
            audit_record(
                action=InsightsAction.FEEDBACK_FOLLOWED_UP,
                actor=actor,
                meta=meta,
                matter_id=feedback.request.matter_id,
                obj=feedback,
                data={"kind": feedback.request.kind, "score": feedback.score},
            )
        feedback.refresh_from_db(fields=["followed_up_at", "followed_up_by"])
    return feedback

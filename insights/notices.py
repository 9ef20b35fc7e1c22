"""Insights' notices: the feedback request and the "please use the portal" text.
Registered in InsightsConfig.ready(); rows name their object by key and these composers
read it at send time.

The feedback link's token is made here, when the message is composed: only its SHA-256
is stored (FeedbackRequest.token_hash), so the outbox never holds a usable link. The token
is an HMAC of the request's id under the site's secret key (as Django's password-reset
tokens are), so a retried send composes the same link: a copy that did arrive on the
first try keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.links import absolute_url
from insights.models import FeedbackRequest, OutsideContact
from insights.notice_texts import (
    EMAIL,
    FEEDBACK_PLACEHOLDERS,
    FEEDBACK_REQUEST,
    NUDGE_PLACEHOLDERS,
    PORTAL_NUDGE,
    SMS,
)
from insights.selectors import feedback_token_hash
from insights.services.feedback import LINK_LIFETIME
from notifications import registry
from notifications.channels import Outgoing
from notifications.compose import (
    address_for,
    in_quiet_hours,
    outgoing,
    postpone_sms_in_quiet_hours,
    render,
)
from notifications.outbox import Postpone, Suppress, key_id, register_reasons
from notifications.registry import Notice, SendContext
from portal import selectors as portal_selectors

if TYPE_CHECKING:
    from notifications.models import Notification

WITHDRAWN = "feedback withdrawn"
ANSWERED = "already answered"
NOT_YET = "not due yet"

QUESTIONS = {
    FeedbackRequest.Kind.CSAT_CONSULT: _(
        "How satisfied are you with your consultation with us, from 1 (not at all) to 5 "
        "(very satisfied)?"
    ),
    FeedbackRequest.Kind.NPS_CLOSE: _(
        "How likely are you to recommend us to a friend or colleague, from 0 (not at all "
        "likely) to 10 (extremely likely)?"
    ),
}
CSAT_LABELS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neither"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}
NPS_LABELS = {0: _("Not at all likely"), 10: _("Extremely likely")}


def score_labels(kind: str) -> dict[int, str]:
    """The words beside the scores (in the active language): every CSAT score, NPS ends."""
    labels = CSAT_LABELS if kind == FeedbackRequest.Kind.CSAT_CONSULT else NPS_LABELS
    return {score: str(label) for score, label in labels.items()}


LINK_SALT = "insights.feedback-link"


def feedback_token(request_id: object) -> str:
    """The link's secret for one request: the same on every compose, unguessable without
    the secret key (the request's random id under a salted HMAC)."""
    return salted_hmac(LINK_SALT, str(request_id), algorithm="sha256").hexdigest()


def feedback_path(token: str) -> str:
    return reverse("insights:feedback", kwargs={"token": token})


def compose_feedback_request(row: Notification, ctx: SendContext) -> Outgoing:
    request_id = key_id(row.about, "feedbackrequest")
    request = (
        FeedbackRequest.objects.select_related("contact__user").filter(pk=request_id).first()
        if request_id
        else None
    )
    if request is None:
        raise Suppress("no longer needed")
    if request.suppressed_at is not None:
        raise Suppress(WITHDRAWN)
    if request.responded_at is not None:
        raise Suppress(ANSWERED)
    if request.send_after > ctx.now:
        # Withdrawn and asked again later (ATTENDED → NO_SHOW → ATTENDED): its new time.
        raise Postpone(request.send_after, NOT_YET)
    recipient = portal_selectors.contact_recipient(request.contact)
    to = address_for(recipient, row.channel)
    # Not urgent: an email waits for the end of quiet hours as well as a text.
    until = in_quiet_hours(recipient, ctx.now)
    if until is not None:
        raise Postpone(until, "quiet hours")
    token = feedback_token(request.pk)
    claimed = FeedbackRequest.objects.filter(
        pk=request.pk, suppressed_at=None, responded_at=None
    ).update(
        token_hash=feedback_token_hash(token),
        sent_at=ctx.now,
        expires_at=ctx.now + LINK_LIFETIME,
        language=recipient.language,
    )
    if not claimed:
        raise Suppress(WITHDRAWN)
    firm = ctx.remember("firm", portal_selectors.firm_get)
    link = absolute_url(feedback_path(token))
    with translation.override(recipient.language):
        labels = score_labels(request.kind)
        scale = "\n".join(
            f"{score}{' – ' + labels[score] if score in labels else ''}: {link}?score={score}"
            for score in reversed(request.scale)
        )
        question = str(QUESTIONS[FeedbackRequest.Kind(request.kind)])
    values = {
        "firm": firm.name,
        "name": recipient.name,
        "link": link,
        "question": question,
        "scale": scale,
    }
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=recipient.language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


def compose_portal_nudge(row: Notification, ctx: SendContext) -> Outgoing:
    """ "Next time, please write to us in the portal", with the firm's promise."""
    contact_id = key_id(row.about, "outsidecontact")
    logged = (
        OutsideContact.objects.select_related("contact__user").filter(pk=contact_id).first()
        if contact_id
        else None
    )
    if logged is None:
        raise Suppress("no longer needed")
    recipient = portal_selectors.contact_recipient(logged.contact)
    to = address_for(recipient, row.channel)
    postpone_sms_in_quiet_hours(recipient, row.channel, ctx.now)
    firm = ctx.remember("firm", portal_selectors.firm_get)
    with translation.override(recipient.language):
        # The firm's texts per language (modeltranslation reads the active language).
        channels = str(firm.promise_channels or "")
    values = {
        "firm": firm.name,
        "name": recipient.name,
        "link": absolute_url(reverse("portal:home")),
        "channels": channels,
        "hours": str(firm.response_hours),
    }
    subject, body = render(
        ctx, event=row.event, channel=row.channel, language=recipient.language, values=values
    )
    return outgoing(row, to=to, subject=subject, body=body)


NOTICES = [
    Notice(
        event=FEEDBACK_REQUEST,
        label=_("Feedback request to a client"),
        compose=compose_feedback_request,
        placeholders=FEEDBACK_PLACEHOLDERS,
        email=EMAIL[FEEDBACK_REQUEST],
        sms=SMS[FEEDBACK_REQUEST],
        sample={
            "question": "How satisfied are you with your consultation with us?",
            "scale": "5 – Very satisfied: https://atrium.example/feedback/Xy7Qk2/?score=5",
        },
    ),
    Notice(
        event=PORTAL_NUDGE,
        label=_("Please use the portal (after a contact outside it)"),
        compose=compose_portal_nudge,
        placeholders=NUDGE_PLACEHOLDERS,
        email=EMAIL[PORTAL_NUDGE],
        sms=SMS[PORTAL_NUDGE],
        sample={"channels": "Secure messages in the portal", "hours": "24"},
    ),
]


def register() -> None:
    register_reasons(
        {
            WITHDRAWN: _("feedback withdrawn"),
            ANSWERED: _("already answered"),
            NOT_YET: _("not due yet"),
        }
    )
    for notice in NOTICES:
        registry.register(notice)

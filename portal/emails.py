"""Emails the portal app sends. Short, plain language, one link, nothing confidential."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.models import Invitation


def send_invitation(*, invitation: Invitation, token: str) -> None:
    from portal.selectors import firm_get

    firm = firm_get()
    language = (invitation.contact.language if invitation.contact else None) or \
        firm.default_language
    link = settings.SITE_URL + reverse("invitation-accept", kwargs={"token": token})
    with translation.override(language):
        context = {"firm": firm, "link": link, "invitation": invitation,
                   "days": settings.ATRIUM_INVITATION_DAYS}
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
        html = render_to_string("emails/invitation.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()

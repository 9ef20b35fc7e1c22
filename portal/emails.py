"""Emails the portal app sends. Short, plain language, one link, nothing confidential."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.links import absolute_url
from notifications.channels import email_footer, email_footer_html, email_from
from portal.models import Invitation
from portal.selectors import firm_get


def render_text(template_name: str, context: dict[str, object]) -> str:
    """A plain-text part or subject: no HTML escaping ("Kowalska & Nowak", not "&amp;")."""
    template = engines["django"].engine.get_template(template_name)  # type: ignore[attr-defined]  # DjangoTemplates has .engine
    return template.render(Context(context, autoescape=False))


def firm_sender() -> tuple[str, str]:
    """The firm's name and reply-to address for every email (registered at start-up)."""
    firm = firm_get()
    return firm.name, firm.reply_to_email


def send_invitation(*, invitation: Invitation, token: str) -> None:
    firm = firm_get()
    language = (
        invitation.contact.language if invitation.contact else None
    ) or firm.default_language
    link = absolute_url(reverse("invitation-accept", kwargs={"token": token}))
    with translation.override(language):
        context = {
            "firm": firm,
            "link": link,
            "invitation": invitation,
            "days": settings.ATRIUM_INVITATION_DAYS,
        }
        subject = " ".join(render_text("emails/invitation_subject.txt", context).split())
        context["footer_html"] = email_footer_html(language)
        body = render_text("emails/invitation.txt", context) + email_footer(language)
        html = render_to_string("emails/invitation.html", context)
    from_email, reply_to = email_from()
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email,
        reply_to=reply_to,
        to=[invitation.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()

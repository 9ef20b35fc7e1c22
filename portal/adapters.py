from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str

from notifications.channels import email_footer, email_footer_html, email_from
from portal.selectors import firm_get


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations: nobody signs themselves up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        firm = firm_get()
        context.setdefault("firm", firm)
        # allauth's templates greet "from {{ current_site.name }}": the firm, not a domain.
        site = context.get("current_site")
        domain = force_str(getattr(site, "domain", "")) if site is not None else ""
        context["current_site"] = SimpleNamespace(name=firm.name, domain=domain)
        super().send_mail(template_prefix, email, context)

    def get_from_email(self) -> str:
        return email_from()[0]

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        message = super().render_mail(template_prefix, email, context, headers=headers)
        # Sign-in codes and password resets carry the privacy notice's link like every email.
        language = (translation.get_language() or "en")[:2]
        message.body = str(message.body).rstrip("\n") + email_footer(language) + "\n"
        for index, (content, mimetype) in enumerate(getattr(message, "alternatives", [])):
            if mimetype == "text/html" and "</body>" in str(content):
                footer = str(email_footer_html(language))
                message.alternatives[index] = (
                    str(content).replace("</body>", footer + "</body>", 1),
                    mimetype,
                )
        reply_to = email_from()[1]
        if reply_to:
            message.reply_to = reply_to
        return message

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Staff who just typed their password and are sent to set up two-step sign-in
        are not asked for it a second time; once any authenticator exists, changing MFA
        asks again as before."""
        request = self.request
        if app == "allauth.mfa" and request is not None and _first_enrolment(request):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))


def _first_enrolment(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or Authenticator.objects.filter(user=user).exists():
        return False
    records = get_authentication_records(request, user)
    recent = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
    return any(r.get("method") == "password" and r.get("at", 0) > recent for r in records)

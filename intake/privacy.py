"""The short privacy notice every intake form shows (spec intake.md §7), in one place so
the page and the consent record hold the same words."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.links import absolute_url


def short_notice(language: str) -> tuple[str, str]:
    """(the sentence, the link's words) in `language`."""
    with translation.override(language):
        return (
            _(
                "We use your answers only to reply to your inquiry and to check for "
                "conflicts of interest: steps you ask for before any engagement. We keep "
                "them for a limited time if we do not act for you."
            ),
            _("How we handle your data (privacy notice)"),
        )


def privacy_url() -> str:
    return absolute_url(reverse("intake:privacy"))


def shown_text(language: str) -> str:
    """Exactly what the form showed: the sentence, the link's words and where it led."""
    sentence, link = short_notice(language)
    return f"{sentence}\n{link}: {privacy_url()}"


def footer_links(language: str) -> list[tuple[str, str]]:
    """What every email's foot links to (registered with notifications at start-up)."""
    with translation.override(language):
        return [(_("Privacy notice"), privacy_url())]

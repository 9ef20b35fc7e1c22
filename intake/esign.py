"""The ESIGN consumer disclosure (spec intake.md §6): what a US firm's client reads and
accepts before signing electronically (15 U.S.C. § 7001(c): the right to paper, how to
withdraw consent, the scope, the hardware and software needed, keeping details current).

Shown on the signing page when the firm's jurisdiction profile is the United States;
accepted as a ConsentRecord (ESIGN_DISCLOSURE) holding the exact text shown.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from billing import selectors as billing_selectors
from portal import selectors as portal_selectors

TEXT_VERSION = "esign-consumer-1"
US_PROFILES = ("US_IOLTA",)


def required() -> bool:
    """Whether the firm's jurisdiction profile is the United States."""
    return billing_selectors.billing_settings_get().jurisdiction in US_PROFILES


def disclosure_paragraphs(language: str) -> list[str]:
    firm = portal_selectors.firm_get()
    values = {"firm": firm.name, "email": firm.reply_to_email or _("the firm's email address")}
    with translation.override(language):
        return [
            _(
                "Paper copies: you may ask %(firm)s for a paper copy of this letter and of "
                "your signed copy at any time, free of charge, by writing to %(email)s or "
                "through a message in the portal."
            )
            % values,
            _(
                "Your choice: you do not have to sign electronically. You may ask for a "
                "paper letter to sign by hand instead."
            ),
            _(
                "Withdrawing consent: you may withdraw your consent to electronic records "
                "and signatures at any time by telling the firm in writing. It does not "
                "undo documents already signed, and it costs nothing."
            ),
            _("Scope: this consent covers this engagement letter and its signed copy."),
            _(
                "What you need: a device with a current web browser, an internet "
                "connection, a way to open and save PDF files, and a working email "
                "address. We will tell you if this changes."
            ),
            _("Keep your details current: tell the firm if your email address changes."),
        ]


def acceptance_label(language: str) -> str:
    with translation.override(language):
        return _(
            "I have read this disclosure and agree to receive and sign this letter electronically."
        )


def consent_text(language: str) -> str:
    """The exact words shown, as stored with the acceptance."""
    with translation.override(language):
        title = _("Consumer disclosure on electronic records and signatures (ESIGN Act)")
    return "\n\n".join([title, *disclosure_paragraphs(language), acceptance_label(language)])

"""Engagement letters: the restricted template language, the PDF, the signed copy.

A template is a Django template compiled by an engine of its own with no loaders and no
tag libraries beyond the built-in ones, and with `{% include %}`, `{% extends %}`,
`{% load %}`, `{% debug %}`, `{% csrf_token %}` and `{% url %}` refused at save. The
context holds plain values only (str, Decimal, date: spec intake.md §6), so a template
cannot reach an ORM method or a setting. The result is plain text; every HTML page and the
PDF escape it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from billing.money import format_money
from core.pdf import render_pdf

# The only engine that ever compiles a firm's letter text.
ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False)
FORBIDDEN_TAGS = re.compile(r"{%-?\s*(include|extends|load|debug|csrf_token|url|ssi)\b", re.I)
MAX_BODY = 20000

# The merge fields staff may use, with the sample shown in the preview.
FIELDS: dict[str, str] = {
    "client.full_name": "Ewa Zielińska",
    "client.first_name": "Ewa",
    "client.last_name": "Zielińska",
    "client.email": "ewa@example.com",
    "firm.name": "Kowalska & Partners",
    "lawyer.full_name": "Anna Kowalska",
    "matter.scope": "Divorce proceedings before the District Court in Warsaw",
    "matter.practice_area": "family",
    "fee.amount": "5 000,00 zł",
    "fee.model": "flat",
    "retainer.amount": "1 500,00 zł",
    "date.today": "2 December 2026",
    "letter.expires": "16 December 2026",
}


@dataclass(frozen=True)
class LetterValues:
    client_full_name: str
    client_first_name: str
    client_last_name: str
    client_email: str
    firm_name: str
    lawyer_full_name: str
    scope: str
    practice_area: str
    fee_amount: Decimal | None
    currency: str
    fee_model: str
    today: dt.date
    expires: dt.date | None
    language: str
    retainer_amount: Decimal | None = None


def _date(value: dt.date | None, language: str) -> str:
    if value is None:
        return ""
    from django.utils.formats import date_format

    with translation.override(language):
        return str(date_format(value, "DATE_FORMAT"))


def context_for(values: LetterValues) -> dict[str, Any]:
    """Nested dicts of strings: what `{{ client.full_name }}` and friends resolve to."""
    fee = (
        format_money(values.fee_amount, values.currency, values.language)
        if values.fee_amount is not None and values.currency
        else ""
    )
    retainer = (
        format_money(values.retainer_amount, values.currency, values.language)
        if values.retainer_amount is not None and values.currency
        else ""
    )
    return {
        "client": {
            "full_name": values.client_full_name,
            "first_name": values.client_first_name,
            "last_name": values.client_last_name,
            "email": values.client_email,
        },
        "firm": {"name": values.firm_name},
        "lawyer": {"full_name": values.lawyer_full_name},
        "matter": {"scope": values.scope, "practice_area": values.practice_area},
        "fee": {"amount": fee, "model": values.fee_model},
        "fee_model": values.fee_model,
        "retainer": {"amount": retainer},
        "date": {"today": _date(values.today, values.language)},
        "letter": {"expires": _date(values.expires, values.language)},
    }


def sample_context() -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for dotted, sample in FIELDS.items():
        head, tail = dotted.split(".")
        nested.setdefault(head, {})[tail] = sample
    nested["fee_model"] = "flat"
    return nested


class TemplateRefused(ValueError):
    """The letter text cannot be used: the message says why (translated)."""


def check_body(body: str) -> None:
    if not body.strip():
        raise TemplateRefused(_("Write the text of the letter."))
    if len(body) > MAX_BODY:
        raise TemplateRefused(_("The letter text has at most %(n)d characters.") % {"n": MAX_BODY})
    if FORBIDDEN_TAGS.search(body) or body.count("{{") != body.count("}}"):
        raise TemplateRefused(_("Only merge fields and “if” sections may be used in a letter."))
    try:
        ENGINE.from_string(body).render(Context(sample_context(), autoescape=False))
    except TemplateSyntaxError as exc:
        raise TemplateRefused(
            _("The letter text has a mistake in a merge field or section: %(error)s")
            % {"error": str(exc)[:200]}
        ) from exc


def render_body(body: str, context: dict[str, Any]) -> str:
    check_body(body)
    text = ENGINE.from_string(body).render(Context(context, autoescape=False))
    # Lines left empty by {% if %} sections collapse to one blank line.
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def letter_pdf(*, title: str, text: str, firm_name: str, language: str) -> bytes:
    with translation.override(language):
        html = render_to_string(
            "intake/pdf/engagement.html",
            {"title": title, "text": text, "firm_name": firm_name},
        )
    return render_pdf(html)


@dataclass(frozen=True)
class Certificate:
    signer: str
    email: str
    typed_name: str
    signed_at: dt.datetime
    time_zone: str
    ip: str
    user_agent: str
    auth_method: str
    document_sha256: str
    consent_text: str
    trail: list[tuple[str, dt.datetime]]
    language: str
    title: str
    firm_name: str
    # The drawn signature as a data: URL (WeasyPrint reads it inline), "" for none.
    drawn_png_url: str = ""
    # When a US client accepted the ESIGN consumer disclosure, None elsewhere.
    esign_accepted_at: dt.datetime | None = None


def signed_copy(original: bytes, certificate: Certificate) -> bytes:
    """The original PDF, byte for byte as its pages, followed by the certificate page."""
    import zoneinfo

    zone = zoneinfo.ZoneInfo(certificate.time_zone)

    # Formatted here: the template's date filter would show every time in the server's
    # zone, whatever the label says.
    def utc(at: dt.datetime) -> str:
        return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def local(at: dt.datetime, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        return timezone.localtime(at, zone).strftime(fmt)

    with translation.override(certificate.language):
        html = render_to_string(
            "intake/pdf/certificate.html",
            {
                "c": certificate,
                "signed_utc": utc(certificate.signed_at),
                "signed_local": local(certificate.signed_at),
                "esign_utc": utc(certificate.esign_accepted_at)
                if certificate.esign_accepted_at
                else "",
                "trail": [
                    (label, utc(at), local(at, "%Y-%m-%d %H:%M")) for label, at in certificate.trail
                ],
            },
        )
    page = render_pdf(html)
    writer = PdfWriter()
    for source in (original, page):
        for p in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(p)
    writer.add_metadata({"/Title": certificate.title, "/Producer": "Atrium"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

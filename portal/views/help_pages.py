"""Help pages: the client's (worded by the firm, per language) and the staff's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.decorators import firm_admin_required, portal_user_required, staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from core.languages import LANGUAGES
from portal import selectors, services
from portal.models import FirmText
from portal.types import Request


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """Plain text as sections: a block's first line is its heading, the rest paragraphs."""
    sections: list[tuple[str, list[str]]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1:
            sections.append(("", lines))
        else:
            sections.append((lines[0], lines[1:]))
    return sections


@portal_user_required
def client_help(request: Request) -> HttpResponse:
    text = selectors.firm_text(key=FirmText.Key.CLIENT_HELP, language=get_language() or "en")
    return render(request, "portal/help.html", {"sections": _sections(text)})


@staff_required
def staff_help(request: Request) -> HttpResponse:
    return render(request, "staff/help.html")


class FirmTextForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            self.fields[language.code] = forms.CharField(
                label=language.native,
                required=False,
                max_length=10000,
                widget=forms.Textarea(attrs={"rows": 12, "lang": language.code}),
            )


@firm_admin_required
def firm_text_edit(request: Request, key: str) -> HttpResponse:
    if key not in FirmText.Key.values:
        raise Http404
    if request.method == "POST":
        form = FirmTextForm(request.POST)
        if form.is_valid():
            try:
                services.firm_text_save(
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                    key=key,
                    texts={code: form.cleaned_data[code] for code in form.cleaned_data},
                )
            except ServiceError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Saved. An empty text goes back to Atrium's wording."))
                return redirect("staff:firm-text-edit", key=key)
    else:
        form = FirmTextForm(initial=selectors.firm_texts_for_edit(key=key))
    return render(
        request,
        "staff/firm_text.html",
        {
            "form": form,
            "label": FirmText.Key(key).label,
            "key": key,
            "custom": selectors.firm_text_is_custom(key=key),
            "keys": FirmText.Key.choices,
        },
    )

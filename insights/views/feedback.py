"""The client's feedback page (public, by link) and the staff feedback pages.

The page answers a GET without recording anything (mail scanners open every link);
only the POST records, once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import staff_required
from core.errors import ServiceError
from core.http import RequestMeta
from insights import selectors, services
from insights.feedback_forms import FeedbackForm
from insights.models import FeedbackRequest
from insights.notices import QUESTIONS, score_labels
from portal.types import Request

PAGE_SIZE = 25


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/feedback_invalid.html", status=404)


def _recorded(request: HttpRequest, *, already: bool) -> HttpResponse:
    return render(request, "insights/feedback_thanks.html", {"already": already})


@never_cache
@require_http_methods(["GET", "POST"])
def feedback_page(request: HttpRequest, token: str) -> HttpResponse:
    asked = selectors.feedback_request_by_token(token=token)
    if asked is None:
        return _invalid(request)
    with translation.override(asked.language):
        if asked.responded_at is not None:
            return _recorded(request, already=True)
        kind = FeedbackRequest.Kind(asked.kind)
        form_kwargs: dict[str, Any] = {"scale": asked.scale, "labels": score_labels(kind)}
        status = 200
        if request.method == "POST":
            form = FeedbackForm(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    services.feedback_submit(
                        token=token,
                        score=form.cleaned_data["score"],
                        comment=form.cleaned_data["comment"],
                        publish=form.cleaned_data["publish"],
                        meta=RequestMeta.from_request(request),
                    )
                except services.FeedbackAlreadyRecorded:
                    return _recorded(request, already=True)
                except services.FeedbackLinkInvalid:
                    return _invalid(request)
                except ServiceError as exc:
                    form.add_error(None, str(exc))
                else:
                    return _recorded(request, already=False)
            status = 400
        else:
            # The email's links pre-select a score; anything else selects nothing.
            chosen = request.GET.get("score", "")
            initial = {"score": chosen} if chosen in {str(n) for n in asked.scale} else {}
            form = FeedbackForm(initial=initial, **form_kwargs)
        return render(
            request,
            "insights/feedback_page.html",
            {"form": form, "question": QUESTIONS[kind], "kind": kind},
            status=status,
        )


@staff_required
def feedback_list(request: Request) -> HttpResponse:
    """Answers with their comments: a firm admin sees all, a lawyer those about them."""
    page = Paginator(selectors.feedback_list_for_staff(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "insights/feedback_list.html",
        {"page": page, "sees_all": request.user.is_firm_admin},
    )


@staff_required
@require_POST
def feedback_follow_up_done(request: Request, feedback_id: int) -> HttpResponse:
    services.feedback_follow_up_done(
        actor=request.user, feedback_id=feedback_id, meta=RequestMeta.from_request(request)
    )
    messages.success(request, _("Marked as done."))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("insights:feedback-list")


def follow_ups_panel(request: HttpRequest, _obj: Any) -> str:
    """The staff home's "Call the client back" items (portal.staff_panels)."""
    items = selectors.follow_ups_open(user=request.user)
    if not items:
        return ""
    return render_to_string("insights/_follow_ups.html", {"items": items}, request=request)

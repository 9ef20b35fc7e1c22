"""Serving a letter's PDF (the original, or the signed copy with its certificate page):
private, not cached, never sniffed, and every download audited."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase

from core.http import RequestMeta
from intake import services
from intake.models import Engagement
from portal.types import Request
from portal.uploads import content_disposition


def letter_file_name(engagement: Engagement, *, signed: bool) -> str:
    stamp = (engagement.signed_at if signed else engagement.created_at) or engagement.created_at
    suffix = "signed" if signed else "letter"
    return f"{engagement.title} {stamp.date().isoformat()} {suffix}.pdf"


def serve_letter(request: Request, engagement: Engagement, *, signed: bool) -> HttpResponseBase:
    field = engagement.signed_pdf if signed else engagement.pdf
    if not field or (signed and engagement.status != Engagement.Status.SIGNED):
        raise Http404
    services.engagement_record_download(
        engagement=engagement,
        user=request.user,
        copy="signed" if signed else "original",
        meta=RequestMeta.from_request(request),
    )
    response = FileResponse(field.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        letter_file_name(engagement, signed=signed)
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

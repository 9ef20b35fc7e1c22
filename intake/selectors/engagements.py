"""Engagement letters and their templates, read under the access rules.

Staff see the letters of the leads they may see (the contact policy); a client sees only
the letters sent to their own contact (never a draft or a withdrawn one); everyone else
gets 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from core.http import uuid_or_404
from intake.models import Engagement, EngagementTemplate
from intake.selectors.leads import leads_for_staff

CLIENT_VISIBLE = ("sent", "viewed", "signed", "declined", "expired")


def templates_for_admin(*, user: Any) -> QuerySet[EngagementTemplate]:
    if user is None or not getattr(user, "is_firm_admin", False):
        return EngagementTemplate.objects.none()
    return EngagementTemplate.objects.all().order_by("name", "language")


def template_get_for_admin(*, user: Any, template_id: Any) -> EngagementTemplate:
    template = templates_for_admin(user=user).filter(pk=uuid_or_404(template_id)).first()
    if template is None:
        raise Http404
    return template


def templates_for_lead(*, language: str) -> list[EngagementTemplate]:
    """Active templates, those in the client's language first."""
    rows = list(EngagementTemplate.objects.filter(is_active=True).order_by("name", "language"))
    return sorted(rows, key=lambda t: t.language != language)


def template_active_get(*, template_id: Any) -> EngagementTemplate:
    template = EngagementTemplate.objects.filter(
        pk=uuid_or_404(template_id), is_active=True
    ).first()
    if template is None:
        raise Http404
    return template


def engagements_for_lead(*, lead: Any) -> list[Engagement]:
    return list(
        Engagement.objects.filter(lead=lead)
        .select_related("template", "evidence", "created_by", "sent_by", "retainer_invoice")
        .order_by("-created_at")
    )


def engagement_get_for_staff(*, user: Any, engagement_id: Any) -> Engagement:
    engagement = (
        Engagement.objects.select_related("lead", "contact", "template", "retainer_invoice")
        .filter(pk=uuid_or_404(engagement_id), lead__in=leads_for_staff(user=user))
        .first()
    )
    if engagement is None:
        raise Http404
    return engagement


def engagements_for_client(*, user: Any) -> QuerySet[Engagement]:
    if not getattr(user, "is_authenticated", False) or not user.is_client:
        return Engagement.objects.none()
    # Joined through the contact's user, so the portal home needs no query for the contact.
    return Engagement.objects.filter(contact__user=user, status__in=CLIENT_VISIBLE).order_by(
        "-sent_at"
    )


def engagement_get_for_client(*, user: Any, engagement_id: Any) -> Engagement:
    engagement = (
        engagements_for_client(user=user)
        .select_related("contact", "retainer_invoice")
        .filter(pk=uuid_or_404(engagement_id))
        .first()
    )
    if engagement is None:
        raise Http404
    return engagement

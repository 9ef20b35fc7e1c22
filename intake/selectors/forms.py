"""Forms, versions and drafts as the pages read them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from core.http import uuid_or_404
from intake.links import draft_token_read
from intake.models import IntakeDraft, IntakeForm, IntakeFormVersion, ServiceIntake


def forms_for_staff(*, user: Any) -> list[IntakeForm]:
    """Every form, for firm staff, with its current versions (two queries in all)."""
    if user is None or not user.is_firm_staff:
        return []
    live = IntakeFormVersion.objects.exclude(status=IntakeFormVersion.Status.RETIRED).only(
        "id", "form_id", "n", "status", "published_at"
    )
    return list(
        IntakeForm.objects.prefetch_related(
            Prefetch("versions", queryset=live, to_attr="live_versions")
        ).order_by("-is_active", "name")
    )


def form_get_for_staff(*, user: Any, form_id: Any) -> IntakeForm:
    if user is None or not user.is_firm_staff:
        raise Http404
    form = IntakeForm.objects.filter(pk=uuid_or_404(form_id)).first()
    if form is None:
        raise Http404
    return form


def version_current(form: IntakeForm, status: str) -> IntakeFormVersion | None:
    return form.versions.filter(status=status).first()


def version_for_edit(form: IntakeForm) -> IntakeFormVersion | None:
    """The version the builder shows: the draft if there is one, else the published one."""
    return version_current(form, IntakeFormVersion.Status.DRAFT) or version_current(
        form, IntakeFormVersion.Status.PUBLISHED
    )


def form_public_get(*, slug: str) -> tuple[IntakeForm, IntakeFormVersion]:
    """A form anyone may open: in use and published; 404 otherwise."""
    form = IntakeForm.objects.filter(slug=slug[:80], is_active=True).first()
    version = version_current(form, IntakeFormVersion.Status.PUBLISHED) if form else None
    if form is None or version is None:
        raise Http404
    return form, version


def draft_get_by_token(*, token: str) -> IntakeDraft:
    """The draft a link opens (submitted ones too, to show the thank-you page); 404 for a
    forged, revoked or expired link."""
    found = draft_token_read(token)
    if found is None:
        raise Http404
    pk, nonce = found
    draft = (
        IntakeDraft.objects.select_related("form_version__form", "contact")
        .filter(pk=pk, nonce=nonce, expires_at__gt=timezone.now())
        .first()
    )
    if draft is None:
        raise Http404
    return draft


def booking_form_for(
    *, service_ids: Iterable[Any], timing: str | None = None
) -> ServiceIntake | None:
    """The intake link of the first of these services that has one (with that timing)."""
    ids = list(service_ids)
    qs: QuerySet[ServiceIntake] = ServiceIntake.objects.select_related("form").filter(
        service_id__in=ids, form__is_active=True
    )
    if timing:
        qs = qs.filter(timing=timing)
    links = {link.service_id: link for link in qs}
    for sid in ids:
        if sid in links:
            return links[sid]
    return None


def draft_for_booking(*, booking_ref: str) -> IntakeDraft | None:
    if not booking_ref:
        return None
    return (
        IntakeDraft.objects.select_related("form_version__form", "contact")
        .filter(booking_ref=booking_ref)
        .order_by("created_at")
        .first()
    )


def service_links() -> dict[Any, ServiceIntake]:
    return {link.service_id: link for link in ServiceIntake.objects.select_related("form")}

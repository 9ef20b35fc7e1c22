"""The demo firm's intake: a short first-consultation form, an immigration form, the
services that ask them, and inquiries sent through the forms (idempotent)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from intake import samples, services
from intake.models import IntakeForm, IntakeSubmission, ServiceIntake
from scheduling import selectors as scheduling_selectors

FORMS = [
    # slug, name, purpose, practice area, questions
    ("first-consultation", "First consultation", "booking", "", samples.initial_consultation),
    ("immigration", "Immigration", "matter_type", "immigration", samples.immigration),
]
# Which service asks which form, and when.
TIES = [
    ("introductory-call", "first-consultation", ServiceIntake.Timing.AFTER_BOOKING),
    ("initial-consultation", "first-consultation", ServiceIntake.Timing.BEFORE_BOOKING),
]
INQUIRIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "first-consultation",
        "website",
        {
            "first_name": "Katarzyna",
            "last_name": "Nowak",
            "email": "katarzyna.nowak@example.com",
            "topic": "family",
            "has_other_side": "yes",
            "other_parties__name": ["Tomasz Wiśniewski"],
            "other_parties__organisation": [""],
            "other_parties__role": ["adverse"],
            "other_parties__relationship": ["former partner"],
            "deadline": "2026-12-20",
        },
    ),
    (
        "immigration",
        "referral",
        {
            "first_name": "Alejandro",
            "last_name": "Ruiz",
            "email": "alejandro.ruiz@example.com",
            "country_of_origin": "CO",
            "status": "temporary",
            "permit_expires": "2027-01-15",
        },
    ),
]


def _query(data: dict[str, Any]) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in data.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


def seed(*, admin: Any) -> None:
    forms: dict[str, IntakeForm] = {}
    for slug, name, purpose, area, questions in FORMS:
        form = IntakeForm.objects.filter(slug=slug).first()
        if form is None:
            form = services.form_create(
                actor=admin,
                name=name,
                slug=slug,
                purpose=purpose,
                practice_area=area,
                fields=questions(),
            )
            services.form_publish(form=form, actor=admin)
        forms[slug] = form
    by_slug = {s.slug: s for s in scheduling_selectors.services_active()}
    for service_slug, form_slug, timing in TIES:
        service = by_slug.get(service_slug)
        if service is not None and not ServiceIntake.objects.filter(service=service).exists():
            services.service_intake_set(
                service_id=service.pk, form=forms[form_slug], timing=timing, actor=admin
            )
    for form_slug, source, answers in INQUIRIES:
        if IntakeSubmission.objects.filter(contact__email=answers["email"]).exists():
            continue
        version = forms[form_slug].versions.get(status="published")
        draft = services.draft_start(version=version, source=source, language="en")
        services.intake_submit(draft=draft, data=_query(answers))

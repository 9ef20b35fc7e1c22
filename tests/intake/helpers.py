"""Builders for intake tests: forms made and published through the services."""

from __future__ import annotations

from typing import Any

from intake import samples, services
from intake.models import IntakeForm


def published_form(
    admin: Any, *, name: str = "First consultation", fields: list[dict[str, Any]] | None = None
) -> IntakeForm:
    form = services.form_create(
        actor=admin,
        name=name,
        fields=fields if fields is not None else samples.initial_consultation(),
    )
    services.form_publish(form=form, actor=admin)
    return form


def stage_one_answers(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Łukasz",
        "last_name": "Wiśniewski",
        "email": "lukasz@example.com",
        "topic": "family",
        "has_other_side": "yes",
        "other_parties__name": ["Tomasz Wiśniewski"],
        "other_parties__organisation": [""],
        "other_parties__role": ["adverse"],
        "other_parties__relationship": ["brother"],
        "deadline": "2026-07-01",
    }
    data.update(overrides)
    return data


LETTER_BODY = (
    "Dear {{ client.full_name }},\n\n"
    "{{ firm.name }} will act for you in: {{ matter.scope }}.\n"
    '{% if fee_model == "flat" %}The flat fee is {{ fee.amount }}.{% endif %}\n\n'
    "{{ lawyer.full_name }}"
)


def letter_template(admin: Any, **overrides: Any) -> Any:
    from decimal import Decimal

    data: dict[str, Any] = {
        "name": "Family",
        "language": "en",
        "body": LETTER_BODY,
        "fee_model": "flat",
        "fee_amount": Decimal("5000.00"),
        "currency": "PLN",
    }
    data.update(overrides)
    return services.engagement_template_save(
        actor=admin, template=None, data=services.TemplateData(**data)
    )


def clear_lead(contact: Any, status: str = "consult_held") -> Any:
    """A lead whose conflict check ran and came back clear."""
    from intake.models import ConflictCheck, Lead

    lead = Lead.objects.create(contact=contact, status=status, conflict_state="clear")
    ConflictCheck.objects.create(lead=lead, trigger="intake", status="clear", algorithm_version="t")
    return lead


def letter_draft(world: Any, *, scope: str = "Divorce proceedings", contact: Any = None) -> Any:
    """A draft engagement letter for client A's lead (or `contact`'s)."""
    lead = clear_lead(contact or world.contact_a)
    return services.engagement_create(
        lead=lead,
        template=letter_template(world.admin),
        scope=scope,
        fee_amount=None,
        actor=world.staff_on,
    )

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

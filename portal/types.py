"""Public types of the portal app for views in portal and the apps above it."""

from __future__ import annotations

from typing import TypeAlias

from core.http import AuthenticatedHttpRequest
from portal.models import User
from portal.models.matters import PracticeArea

__all__ = ["PracticeArea", "Request", "practice_area_label"]

# A request behind a sign-in decorator: request.user is portal's User, signed in.
Request: TypeAlias = AuthenticatedHttpRequest[User]


def practice_area_label(value: str) -> str:
    """What a practice area is called in the viewer's language: a lead or a form keeps the
    code of a matter's practice area ("family"), or a firm's own free text, shown as is."""
    try:
        return str(PracticeArea(value).label)
    except ValueError:
        return value

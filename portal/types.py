"""Public types of the portal app for views in portal and the apps above it."""

from __future__ import annotations

from typing import TypeAlias

from core.http import AuthenticatedHttpRequest
from portal.models import User

# A request behind a sign-in decorator: request.user is portal's User, signed in.
Request: TypeAlias = AuthenticatedHttpRequest[User]

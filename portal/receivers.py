"""Audit rows for sign-in events, which happen inside Django and allauth."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.models import AuditEvent
from portal.services import audit_record


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditEvent.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                     **kwargs: Any) -> None:
    # Django has already masked the password; only the address tried is kept.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit_record(action=AuditEvent.Action.LOGIN_FAILED, request=request,
                 actor_label=attempted, data={"email": attempted})

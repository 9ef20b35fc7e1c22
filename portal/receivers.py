"""Audit rows for sign-in events, which happen inside Django and allauth."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete

from audit.services import audit_record
from core.http import RequestMeta
from portal.audit_actions import PortalAction
from portal.middleware import forget_totp_in_sessions


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=PortalAction.LOGIN, actor=user, meta=RequestMeta.from_request(request))


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=PortalAction.LOGOUT, actor=user, meta=RequestMeta.from_request(request))


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django has already masked the password; only the address tried is kept.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit_record(
        action=PortalAction.LOGIN_FAILED,
        meta=RequestMeta.from_request(request),
        actor_label=attempted,
        data={"email": attempted},
    )


def _on_authenticator_deleted(sender: Any, instance: Authenticator, **kwargs: Any) -> None:
    # However it goes (allauth's page, the admin, a script), no session keeps believing
    # in a TOTP that is gone.
    if instance.type == Authenticator.Type.TOTP:
        forget_totp_in_sessions(instance.user_id)


def _on_authenticator_removed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    forget_totp_in_sessions(user.pk, request)


def connect() -> None:
    post_delete.connect(
        _on_authenticator_deleted, sender=Authenticator, dispatch_uid="atrium-mfa-deleted"
    )
    authenticator_removed.connect(_on_authenticator_removed, dispatch_uid="atrium-mfa-removed")
    user_logged_in.connect(_on_login, dispatch_uid="atrium-audit-login")
    user_logged_out.connect(_on_logout, dispatch_uid="atrium-audit-logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="atrium-audit-login-failed")

"""Links to an intake draft: signed (HMAC with SECRET_KEY), not stored.

The outbox renders a message when it is sent, from ids only, so a random token would have
to sit in the outbox in the clear; a signed link is rebuilt at send time instead. It names
the draft and its nonce (rotating the nonce revokes every link) and expires with the
draft's 30 days.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core import signing
from django.urls import reverse

from core.links import absolute_url

SALT = "intake.draft"
MAX_AGE = 60 * 60 * 24 * 31
TOKEN_MAX = 200


def draft_token(draft: Any) -> str:
    return signing.dumps({"d": str(draft.pk), "n": draft.nonce}, salt=SALT, compress=True)


def draft_token_read(token: str) -> tuple[uuid.UUID, str] | None:
    """(draft id, nonce) of a valid token, else None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        return uuid.UUID(str(data["d"])), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def draft_path(draft: Any) -> str:
    return reverse("intake:draft", kwargs={"token": draft_token(draft)})


def draft_url(draft: Any) -> str:
    return absolute_url(draft_path(draft))

"""Secrets of calendar connections (CalDAV app passwords), encrypted at rest.

MultiFernet over the keys in ATRIUM_CALENDAR_KEYS (a comma-separated list of Fernet keys
from the environment): the first encrypts, all decrypt, so a key is rotated by putting a
new one first (secrets.rotate re-encrypts a value with it). Without
keys (development, tests) one key is derived from SECRET_KEY; a deploy check warns.
Nothing here logs or formats a secret.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(ValueError):
    """The stored secret cannot be decrypted with the configured keys."""


def _keys() -> list[bytes]:
    configured = [k.strip() for k in settings.ATRIUM_CALENDAR_KEYS if k.strip()]
    if configured:
        return [k.encode() for k in configured]
    digest = hashlib.sha256(b"atrium-calendar-secrets:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("calendar secret unreadable") from exc


def rotate(token: str) -> str:
    """The same secret encrypted with the first (newest) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("calendar secret unreadable") from exc

"""The availability version: one cache key that every change to what free slots depend on
replaces, so a cached slots response is never served after such a change.

What bumps it (scheduling.receivers and the querysets in scheduling.models): saving or
deleting an appointment, a busy time, a working-hours rule, a service or its staff, a
staff member, the firm; queryset update(), bulk_create() and bulk_update() on those
models. It is bumped at once and again when the transaction commits: a request that
read the old rows while the transaction was open cached them under the first new version,
which the second one retires.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.core.cache import cache
from django.db import connection, transaction

VERSION_KEY = "scheduling:availability-version"


def availability_version() -> str:
    return str(cache.get(VERSION_KEY) or "0")


def _new_version() -> None:
    # A fresh token rather than incr(): no race between processes, no missing-key error.
    cache.set(VERSION_KEY, f"{time.time_ns():x}{secrets.token_hex(4)}", None)


def availability_changed() -> None:
    """Retire every cached slots response now and when the current transaction commits.

    Call it from any code that changes availability without going through the models'
    save()/delete() or the querysets of scheduling.models (raw SQL, another model).
    """
    _new_version()
    if connection.in_atomic_block and not any(
        entry[1] is _new_version for entry in connection.run_on_commit
    ):
        transaction.on_commit(_new_version)  # once per transaction is enough


def _entry_key(key: str) -> str:
    return f"scheduling:slots:{key}"


def cached_response(key: str) -> tuple[str, bytes | None]:
    """The current version and, when still valid for it, the cached body: one round trip."""
    found = cache.get_many([VERSION_KEY, _entry_key(key)])
    version = str(found.get(VERSION_KEY) or "0")
    entry = found.get(_entry_key(key))
    if (
        isinstance(entry, tuple)
        and len(entry) == 3
        and entry[0] == version
        and entry[1] > time.time()
    ):
        return version, entry[2]
    return version, None


def cache_response(key: str, *, version: str, body: bytes, valid_until: float) -> None:
    """Keep a body computed from the rows as of ``version`` until ``valid_until`` (epoch)."""
    timeout = valid_until - time.time()
    if timeout >= 1:
        cache.set(_entry_key(key), (version, valid_until, body), int(timeout) + 1)


def response_key(**params: object) -> str:
    """A short key for one slots query (service, dates, zone, staff filter, language...)."""
    raw = "|".join(f"{name}={params[name]}" for name in sorted(params))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]

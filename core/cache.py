"""The cache backend for Redis that keeps the site up while Redis is unreachable.

Every operation goes to Redis. When Redis does not answer (refused, reset, timed out),
the operation is answered by a per-process memory cache instead and Redis is left alone
for `RETRY_SECONDS`, so a page pays at most one short connect timeout per process and
interval, not one per cache call. What falls back:

- reads (the firm's settings, the stalled-sweep banner) miss and are read from the
  database, then kept in memory for the outage;
- counters (sign-in and booking rate limits) keep counting in memory: each web process
  counts on its own, so during an outage a client gets at most the limit once per process,
  never an open door.

`reachable()` asks Redis itself (for /healthz), never the fallback.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Refused, reset, timed out, a protocol error, out of memory, read-only: Redis cannot serve.
UNREACHABLE = (RedisError, OSError)

# Shared by every thread's cache object for the same Redis (Django makes one per thread).
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    """RedisCache with a memory fallback while Redis is unreachable (see the module)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        fallback_params = {k: v for k, v in params.items() if k != "OPTIONS"}
        fallback_params["OPTIONS"] = {"MAX_ENTRIES": 10_000}
        self._fallback = LocMemCache(f"atrium-fallback:{self._location}", fallback_params)

    # -- the switch -------------------------------------------------------------------
    def _redis_down(self) -> bool:
        return time.monotonic() < _down_until.get(self._location, 0.0)

    def _mark_down(self, exc: BaseException) -> None:
        with _lock:
            first = not self._redis_down()
            _down_until[self._location] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "cache unreachable (%s); answering from memory for %ss",
                type(exc).__name__,
                RETRY_SECONDS,
            )

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self._redis_down():
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._mark_down(exc)
        return getattr(self._fallback, name)(*args, **kwargs)

    def reachable(self) -> bool:
        """A real round trip to Redis (the fallback never answers this)."""
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE as exc:
            self._mark_down(exc)
            return False
        with _lock:
            _down_until.pop(self._location, None)
        return True

    # -- every operation RedisCache implements ------------------------------------------
    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        self._fallback.clear()
        return self._call("clear")

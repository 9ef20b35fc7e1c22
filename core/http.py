"""Requests: who is asking (typed) and from where (for audit rows).

Services never take an HttpRequest: a view passes `RequestMeta.from_request(request)`,
which is all an audit row needs, and a Celery task or a management command passes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.utils import timezone

USER_AGENT_MAX = 300


class AtriumUser(Protocol):
    """What every layer may rely on about a signed-in person (portal.User provides it)."""

    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_firm_staff(self) -> bool: ...

    @property
    def is_firm_admin(self) -> bool: ...

    @property
    def language(self) -> str: ...

    @property
    def time_zone(self) -> str: ...

    def get_full_name(self) -> str: ...


UserT = TypeVar("UserT", covariant=True)


class AuthenticatedHttpRequest(HttpRequest, Generic[UserT]):
    """A request behind a sign-in decorator: `user` is a real, signed-in account.

    Apps below portal annotate views with `AuthenticatedHttpRequest[AtriumUser]`; portal
    and the apps above it use `portal.types.Request` (the same with portal's User).
    """

    user: UserT  # type: ignore[assignment]  # narrower than HttpRequest's user | AnonymousUser


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only from our own proxies."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies > 0 and forwarded:
        hops = [h.strip() for h in forwarded.split(",")]
        if len(hops) >= proxies:
            return hops[-proxies] or None
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class RequestMeta:
    """Where a change came from: what an audit row records about the request."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest | None) -> RequestMeta | None:
        if request is None:
            return None
        return cls(
            ip=client_ip(request), user_agent=request.headers.get("user-agent", "")[:USER_AGENT_MAX]
        )


def uuid_or_404(value: object) -> uuid.UUID:
    """An id from a URL or a form as a UUID; anything else is a page that does not exist."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window: int) -> bool:
    """True once this client address has made more than `limit` calls to `scope` in the
    current fixed window of `window` seconds (cache-backed, shared by all workers)."""
    now = int(timezone.now().timestamp())
    key = f"{scope}:{client_ip(request) or 'unknown'}:{now // window}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        count = 1
    return count > limit

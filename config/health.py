"""GET /healthz: the database, the cache, the broker and the reminder sweep (503 if one is down).

It also counts broken calendar connections (a number only).

In config because it looks at every part of the deployment, the Celery app included.
"""

from __future__ import annotations

from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app
from core.cache import ResilientRedisCache
from notifications.selectors import sweep_status
from scheduling import selectors as scheduling_selectors


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _check_cache() -> bool:
    backend = caches["default"]
    if isinstance(backend, ResilientRedisCache):
        # Ask Redis itself: the memory fallback keeps pages up but is not the cache.
        return backend.reachable()
    try:
        cache.set("atrium:healthz", "ok", 10)
        return cache.get("atrium:healthz") == "ok"
    except Exception:
        return False


def _check_broker() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    # The reminder sweep must have run in the last 10 minutes (a deployment that never ran
    # one is healthy until a reminder is overdue; see notifications.selectors).
    try:
        sweep = sweep_status()
        checks["reminder_sweep"] = not sweep["stalled"]
    except Exception:
        sweep = {"last_run_at": None}
        checks["reminder_sweep"] = False
    # Broken calendar connections are counted, never named; they do not make the site
    # unhealthy (the web container must not restart for a staff member's expired password).
    try:
        broken_calendars: int | None = scheduling_selectors.broken_connection_count()
    except Exception:
        broken_calendars = None
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unhealthy",
        "down": [name for name, ok in checks.items() if not ok],
        **{name: "ok" if ok else "down" for name, ok in checks.items()},
        "reminder_sweep_last_run": sweep["last_run_at"].isoformat()
        if sweep["last_run_at"]
        else None,
        "calendar_connections_broken": broken_calendars,
    }
    return JsonResponse(body, status=200 if healthy else 503)

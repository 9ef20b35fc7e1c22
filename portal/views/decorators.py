from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in, active firm staff; anyone else gets a 404 (the page does not exist)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_firm_staff:  # type: ignore[union-attr]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def firm_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_firm_admin:  # type: ignore[union-attr]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def portal_user_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Clients and co-counsel (and staff previewing); matters are still checked per object."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    return wrapper

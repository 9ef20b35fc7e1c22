"""View decorators: who may open a page. Anyone else gets a 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from core.http import AtriumUser

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
RequestT = TypeVar("RequestT", bound=HttpRequest)

View = Callable[Concatenate[RequestT, P], R]


def _signed_in_with(
    check: Callable[[AtriumUser], bool],
    view: View[RequestT, P, R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if not check(cast(AtriumUser, request.user)):
            raise Http404
        # The check passed, so the request carries the kind of user the view declares.
        return view(cast(RequestT, request), *args, **kwargs)

    # login_required first: a signed-out visitor is sent to the sign-in page, not a 404.
    return cast(Callable[Concatenate[HttpRequest, P], R], login_required(wrapper))


def portal_user_required(view: View[RequestT, P, R]) -> Callable[Concatenate[HttpRequest, P], R]:
    """Anyone signed in (clients, co-counsel, staff); matters are still checked per object."""
    return _signed_in_with(lambda user: True, view)


def staff_required(view: View[RequestT, P, R]) -> Callable[Concatenate[HttpRequest, P], R]:
    """Signed-in, active firm staff."""
    return _signed_in_with(lambda user: user.is_firm_staff, view)


def firm_admin_required(view: View[RequestT, P, R]) -> Callable[Concatenate[HttpRequest, P], R]:
    """Firm admins: firm settings, services, the texts clients receive."""
    return _signed_in_with(lambda user: user.is_firm_admin, view)

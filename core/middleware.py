"""Requests no view should see: NUL bytes in the address (path or query string).

PostgreSQL cannot store or compare a string with a NUL (U+0000) in it, so a NUL that
reaches a query is a 500. One never belongs in an address, so it is refused here with a
400 and a message, before any view or database work. Form fields refuse NUL themselves
(Django's form fields do, with the field's own message).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return True
    return False


def bad_characters_response(request: HttpRequest) -> HttpResponse:
    message = _("The address or the form contains a character that is not allowed.")
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {"__all__": [message]}}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


class RefuseNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return bad_characters_response(request)
        return self.get_response(request)

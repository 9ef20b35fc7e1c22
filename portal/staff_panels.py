"""Pieces of portal's staff pages that apps above portal fill in.

Three places: the staff home ("home": open items such as "Call the client back" after a
low feedback score), and the quick actions of the staff contact page ("contact") and
matter page ("matter"), such as "Client contacted us outside the portal". Each app
registers a provider in its AppConfig.ready(); given the request and the page's object
(the contact, the matter, or None on the home page), it returns the HTML to show, or ""
for nothing. A provider checks access through its own selectors and keeps to a fixed
number of queries, so the page does not grow with the data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

HOME = "home"
CONTACT = "contact"
MATTER = "matter"
PLACES = (HOME, CONTACT, MATTER)

Provider = Callable[[HttpRequest, Any], str]

_providers: dict[str, dict[str, tuple[int, Provider]]] = {place: {} for place in PLACES}


def register(place: str, name: str, provider: Provider, *, order: int = 50) -> None:
    """Show `provider`'s HTML at `place`; pieces show in `order`, then by name."""
    if place not in PLACES:
        raise ValueError(f"unknown staff page place {place!r}")
    _providers[place][name] = (order, provider)


def render(place: str, *, request: HttpRequest, obj: Any = None) -> list[SafeString]:
    """The registered pieces for this place, in order, leaving out the empty ones.

    Providers render their own templates (autoescaped), so their output is trusted HTML.
    """
    found = []
    for _name, (_order, provider) in sorted(
        _providers[place].items(), key=lambda item: (item[1][0], item[0])
    ):
        html = provider(request, obj)
        if html:
            found.append(SafeString(html))
    return found

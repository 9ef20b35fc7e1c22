"""What the staff search box finds beyond portal's own people and matters.

Appointments and invoices live in apps above portal, so each registers one provider in its
AppConfig.ready(): given the signed-in staff member and the query, it answers a few hits
through its own access-checked selector, in one query (the search page's query count does
not grow with the number of matches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.models import User


@dataclass(frozen=True)
class SearchHit:
    title: str
    detail: str
    url: str


Provider = Callable[["User", str], list[SearchHit]]

_providers: dict[str, tuple[Any, Provider]] = {}


def register(name: str, label: Any, provider: Provider) -> None:
    """`label` names the section on the results page (a lazy translation)."""
    _providers[name] = (label, provider)


def search(*, user: User, query: str) -> list[tuple[str, list[SearchHit]]]:
    """(section label, hits) for each provider that found something."""
    sections = []
    for label, provider in _providers.values():
        hits = provider(user, query)
        if hits:
            sections.append((str(label), hits))
    return sections

"""What a staff contact page shows beyond portal's own matters and invitations.

Appointments and invoices live in apps above portal, so each registers one provider in its
AppConfig.ready(): given the signed-in staff member and the contact, it answers that
person's rows through its own access-checked selector, in one query whatever their
number (the contact page's query count does not grow with the person's history). A
provider fetches at most ``LIMIT + 1`` rows; the page shows ``LIMIT`` and says there are
more, with a link when the provider names a page that lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.models import Contact, User

LIMIT = 10


@dataclass(frozen=True)
class ContactRow:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class ContactSection:
    key: str
    label: str
    rows: list[ContactRow]
    more: bool = False
    # A page with every row (and more about them), or "" when there is none.
    all_url: str = ""
    empty: str = ""


# (staff member, contact) -> (rows, at most LIMIT + 1; the address of every row, or "")
Provider = Callable[["User", "Contact"], tuple[list[ContactRow], str]]

_providers: dict[str, tuple[int, Any, Any, Provider]] = {}


def register(name: str, *, label: Any, empty: Any, provider: Provider, order: int = 50) -> None:
    """`label` names the section and `empty` is what it says with no rows (lazy
    translations); sections show in `order`, then by name."""
    _providers[name] = (order, label, empty, provider)


def sections(*, user: User, contact: Contact) -> list[ContactSection]:
    """Every registered section for this contact, empty ones too (the page says so)."""
    found = []
    for name, (_order, label, empty, provider) in sorted(
        _providers.items(), key=lambda item: (item[1][0], item[0])
    ):
        rows, all_url = provider(user, contact)
        found.append(
            ContactSection(
                key=name,
                label=str(label),
                rows=rows[:LIMIT],
                more=len(rows) > LIMIT,
                all_url=all_url,
                empty=str(empty),
            )
        )
    return found

"""Where a client task sends the client: "Pay" to the invoice, "Book" to the booking page.

Invoices and bookings live in apps above portal, so they register a resolver per task kind
in their AppConfig.ready(); portal asks it once per page for all tasks of that kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.models import ClientTask, User

# (viewer, the open tasks of one kind on the page) -> {task id: address}
Resolver = Callable[["User", Sequence["ClientTask"]], dict[Any, str]]

_resolvers: dict[str, Resolver] = {}


def register(kind: str, resolve: Resolver) -> None:
    _resolvers[kind] = resolve


def attach(*, user: User, tasks: Iterable[ClientTask]) -> None:
    """Set `action_url` on each task ("" when its kind has no page to go to)."""
    by_kind: dict[str, list[ClientTask]] = {}
    for task in tasks:
        task.action_url = ""  # type: ignore[attr-defined]  # for the page only
        if task.status == task.Status.OPEN and task.kind in _resolvers:
            by_kind.setdefault(task.kind, []).append(task)
    for kind, group in by_kind.items():
        links = _resolvers[kind](user, group)
        for task in group:
            task.action_url = links.get(task.pk, "")  # type: ignore[attr-defined]  # for the page only

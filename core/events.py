"""Domain events: the one way a lower app lets higher apps react to what happened in it.

A lower app declares its events in `<app>/events.py` as frozen dataclasses of ids and
plain values (subclasses of `Event`) and publishes them inside the transaction that made
the change. A higher app subscribes a handler in its `AppConfig.ready()`. Handlers run
after that transaction commits (never for a change that rolled back), each in its own
transaction, in the order they were subscribed. A handler that fails is logged with the
event and does not stop the others: the change that caused the event is already stored.

No Django signals: publish and subscribe are explicit calls, and
`tests/test_events.py` lists every event with its handlers, so a reader finds who reacts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger("atrium.events")

E = TypeVar("E", bound="Event")
Handler = Callable[[Any], None]


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every event. Subclasses are frozen dataclasses holding ids, never models."""


_HANDLERS: dict[type[Event], list[Handler]] = {}


def _check(event_type: type[Event]) -> None:
    if not (
        isinstance(event_type, type) and issubclass(event_type, Event) and event_type is not Event
    ):
        raise TypeError(f"{event_type!r} is not an Event subclass")
    params = getattr(event_type, "__dataclass_params__", None)
    if params is None or not params.frozen or "__dataclass_fields__" not in vars(event_type):
        raise TypeError(f"{event_type.__qualname__} must be a @dataclass(frozen=True)")


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Run `handler(event)` after each committed `publish` of this event type.

    Call it from AppConfig.ready(); subscribing the same handler twice has no effect.
    """
    _check(event_type)
    handlers = _HANDLERS.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """For tests that subscribe a handler of their own."""
    handlers = _HANDLERS.get(event_type, [])
    if handler in handlers:
        handlers.remove(handler)


def publish(event: Event) -> None:
    """Queue the event's handlers to run once the current transaction commits."""
    _check(type(event))
    handlers = tuple(_HANDLERS.get(type(event), ()))
    if handlers:
        transaction.on_commit(lambda: _deliver(event, handlers))


def _deliver(event: Event, handlers: tuple[Handler, ...]) -> None:
    for handler in handlers:
        try:
            with transaction.atomic():
                handler(event)
        except Exception:
            logger.exception("handler %s failed for %s", _name(handler), type(event).__qualname__)


def _name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def event_types() -> list[type[Event]]:
    """Every declared event (every Event subclass imported so far), by name."""
    found: list[type[Event]] = []
    pending = list(Event.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=_name)


def handlers_by_event() -> dict[str, list[str]]:
    """{"scheduling.events.AppointmentBooked": ["intake.handlers.lead_sync", ...], ...}"""
    return {_name(cls): [_name(h) for h in _HANDLERS.get(cls, ())] for cls in event_types()}

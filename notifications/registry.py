"""Which notices exist and who writes them: a registry of composers by event.

notifications knows no domain model. Each app owns its notices in `<app>/notices.py`: it
declares a `Notice` per event (its label, the placeholders the firm may use, the wording
Atrium ships in every language, and the composer that turns a row into a message at send
time) and registers them in its AppConfig.ready():

    registry.register(Notice(event="booked", label=_("Booking confirmed"),
                             compose=compose_appointment_event, placeholders=APPOINTMENT,
                             email=EMAIL["booked"], sms=SMS["booked"]))

A notice is queued as a `Notification` row (notifications.services.notice_queue) naming
its event; an app with an outbox table of its own (a `Delivery` subclass) registers the
table with register_outbox. tests/test_registries.py checks that every event has a
composer and every shipped text uses only its placeholders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.utils.functional import Promise

from core.languages import CODES, DEFAULT
from notifications.text import placeholders_in

if TYPE_CHECKING:
    from notifications.channels import Outgoing
    from notifications.outbox import Delivery

T = TypeVar("T")
EVENT_MAX_LENGTH = 20  # Notification.event, NotificationTemplate.event

# Every notice may use these; the staff preview fills them with the sample values.
COMMON_PLACEHOLDERS = ("firm", "name", "link")
COMMON_SAMPLE = {
    "firm": "Atrium Law",
    "name": "Anna",
    "link": "https://atrium.example/a/Xy7Qk2Lm9Pz4",
}


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


@dataclass
class SendContext:
    """What one sweep shares between the rows it sends."""

    now: dt.datetime
    # The firm's own wording: (event, channel, language) -> NotificationTemplate.
    templates: dict[tuple[str, str, str], Any]
    _memo: dict[str, Any] = field(default_factory=dict)

    def remember(self, key: str, make: Callable[[], T]) -> T:
        """`make()` once per sweep (e.g. the firm's settings), not once per message."""
        if key not in self._memo:
            self._memo[key] = make()
        value: T = self._memo[key]
        return value


Composer = Callable[[Any, SendContext], "Outgoing"]


@dataclass(frozen=True)
class Notice:
    """One kind of message: its event key, label, composer and shipped wording."""

    event: str
    label: Promise | str
    compose: Composer
    # {name}s the firm may use in its own wording; none: the text is not editable.
    placeholders: tuple[str, ...] = ()
    email: Mapping[str, Text] = field(default_factory=dict)  # language -> text
    sms: Mapping[str, str] = field(default_factory=dict)  # language -> text
    sample: Mapping[str, str] = field(default_factory=dict)  # preview values
    # Relations the sweep loads with each Notification row of this notice.
    select_related: tuple[str, ...] = ()

    @property
    def editable(self) -> bool:
        return bool(self.placeholders)

    def default_text(self, *, channel: str, language: str) -> Text:
        lang = language if language in self.email else DEFAULT
        if channel == "sms":
            return Text("", self.sms.get(lang, self.sms.get(DEFAULT, "")))
        return self.email.get(lang, self.email.get(DEFAULT, Text("", "")))

    def preview_values(self) -> dict[str, str]:
        return {**COMMON_SAMPLE, **self.sample}


_NOTICES: dict[str, Notice] = {}
_OUTBOXES: dict[str, type[Delivery]] = {}


def _check(notice: Notice) -> None:
    if not notice.event or len(notice.event) > EVENT_MAX_LENGTH:
        raise ValueError(f"notice event {notice.event!r} must have 1 to 20 characters")
    if not notice.editable:
        return
    for language in CODES:
        for channel, text in (
            ("email", notice.default_text(channel="email", language=language)),
            ("sms", notice.default_text(channel="sms", language=language)),
        ):
            if language not in (notice.email if channel == "email" else notice.sms):
                raise ValueError(f"{notice.event}: no {channel} text in {language}")
            unknown = placeholders_in(text.subject) | placeholders_in(text.body)
            unknown -= set(notice.placeholders)
            if unknown:
                raise ValueError(f"{notice.event}/{channel}/{language} uses {sorted(unknown)}")


def register(notice: Notice) -> None:
    """Declare a notice. Registering the same event twice is a mistake (ValueError)."""
    _check(notice)
    known = _NOTICES.get(notice.event)
    if known is not None and known != notice:
        raise ValueError(f"notice {notice.event!r} is registered already")
    _NOTICES[notice.event] = notice


def notice(event: str) -> Notice:
    try:
        return _NOTICES[event]
    except KeyError:
        raise LookupError(f"no notice is registered for event {event!r}") from None


def notices() -> list[Notice]:
    """Every registered notice, in the order the apps registered them."""
    return list(_NOTICES.values())


def editable_notices() -> list[Notice]:
    return [n for n in _NOTICES.values() if n.editable]


def register_outbox(model: type[Delivery]) -> None:
    """Let the sweep and the Twilio callback handle another app's outbox table."""
    _OUTBOXES[model._meta.label] = model


def outbox_models() -> list[type[Delivery]]:
    return list(_OUTBOXES.values())


def outbox_model(label: str) -> type[Delivery]:
    try:
        return _OUTBOXES[label]
    except KeyError:
        raise LookupError(f"{label!r} is not a registered outbox") from None


def notification_select_related() -> tuple[str, ...]:
    """What the sweep loads with Notification rows: the relations the notices named."""
    paths: list[str] = []
    for registered in _NOTICES.values():
        paths += [p for p in registered.select_related if p not in paths]
    return tuple(paths)

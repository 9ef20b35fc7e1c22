"""The two ways out: email (Django's backend, anymail when configured) and SMS (Twilio).

Without TWILIO_* settings an SMS is written as a file under settings.SMS_FILE_PATH, the way
the filebased email backend writes mail. Errors are raised as ChannelError with a reason that
is safe to show staff and to log: never a credential, never the message text.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class ChannelError(Exception):
    """A send that did not go out. `reason` is shown to staff; `retry` says if it may work later."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.retry = retry


@dataclass
class Outgoing:
    channel: str
    to: str
    body: str
    subject: str = ""
    attachments: list[tuple[str, str | bytes, str]] = field(default_factory=list)
    status_callback: str = ""
    # Lets an operator trace a message back to its row (X-Atrium-Notification).
    reference: str = ""


def message_id_for(reference: str) -> str:
    """The stable Message-ID of a row: a resend after a crash is the same message, which
    mail clients show once."""
    domain = urlsplit(str(settings.SITE_URL)).hostname or "atrium.invalid"
    return f"<{reference}@{domain}>"


# Who an email comes from: the layer that knows the firm (portal) registers a function
# returning its display name and reply-to address; without one, DEFAULT_FROM_EMAIL as set.
_sender: list[Callable[[], tuple[str, str]]] = []


def sender_register(fn: Callable[[], tuple[str, str]]) -> None:
    _sender[:] = [fn]


def email_from() -> tuple[str, list[str]]:
    """The From header and Reply-To list: the firm's name on the deployment's own address
    (so SPF and DKIM still hold), replies going where the firm says."""
    default = str(settings.DEFAULT_FROM_EMAIL)
    if not _sender:
        return default, []
    name, reply_to = _sender[0]()
    address = parseaddr(default)[1] or default
    return formataddr((name, address)) if name else default, [reply_to] if reply_to else []


# Links every email carries at its foot (the firm's privacy notice): the layer that owns
# the page registers a function giving (words, absolute URL) pairs in a language.
_footer_links: list[Callable[[str], list[tuple[str, str]]]] = []


def email_footer_register(fn: Callable[[str], list[tuple[str, str]]]) -> None:
    _footer_links[:] = [fn]


def email_footer_links(language: str) -> list[tuple[str, str]]:
    return _footer_links[0](language) if _footer_links else []


def email_footer(language: str) -> str:
    """The plain-text foot of an email in `language` ("" when nothing is registered)."""
    links = email_footer_links(language)
    if not links:
        return ""
    return "\n\n-- \n" + "\n".join(f"{words}: {url}" for words, url in links)


def email_footer_html(language: str) -> str:
    links = email_footer_links(language)
    if not links:
        return ""
    return format_html(
        '<p style="color:#666;font-size:90%">{}</p>',
        format_html_join(" · ", '<a href="{}">{}</a>', ((url, words) for words, url in links)),
    )


def email_send(message: Outgoing, *, connection: Any = None) -> str:
    headers = (
        {
            "X-Atrium-Notification": message.reference,
            "Message-ID": message_id_for(message.reference),
        }
        if message.reference
        else None
    )
    from_email, reply_to = email_from()
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=from_email,
        reply_to=reply_to,
        to=[message.to],
        connection=connection,
        headers=headers,
    )
    for filename, content, mimetype in message.attachments:
        email.attach(filename, content, mimetype)
    try:
        sent = email.send(fail_silently=False)
    except Exception as exc:  # SMTP, anymail and socket errors all end up here
        # The class name and the provider's status text only; never the settings.
        raise ChannelError(f"email: {type(exc).__name__}: {str(exc)[:120]}") from exc
    if not sent:
        raise ChannelError("email: the backend accepted nothing")
    return str(email.extra_headers.get("Message-ID", "")) or "email"


def email_connection() -> object:
    """One connection for a whole sweep (SMTP reuses the socket)."""
    return get_connection(fail_silently=False)


def twilio_configured() -> bool:
    return bool(
        settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER
    )


def twilio_client() -> Client:
    http_client = None
    # A deployment may route Twilio through its own HTTP client (proxies); tests give a
    # client that answers with canned responses so Twilio is never reached.
    class_path = getattr(settings, "TWILIO_HTTP_CLIENT_CLASS", "")
    if class_path:
        http_client = import_string(class_path)()
    else:
        # The library's own client waits forever by default: bound it.
        proxy = settings.TWILIO_HTTPS_PROXY
        http_client = TwilioHttpClient(
            timeout=settings.TWILIO_TIMEOUT, proxy={"https": proxy} if proxy else None
        )
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


def sms_send(message: Outgoing) -> str:
    if not twilio_configured():
        return _sms_to_file(message)
    kwargs = {"to": message.to, "from_": settings.TWILIO_FROM_NUMBER, "body": message.body}
    if message.status_callback:
        kwargs["status_callback"] = message.status_callback
    try:
        result = twilio_client().messages.create(**kwargs)
    except TwilioRestException as exc:
        # 4xx other than 429 will not get better by trying again (bad number, blocked).
        retry = exc.status >= 500 or exc.status == 429
        raise ChannelError(f"sms: Twilio {exc.status} error {exc.code}", retry=retry) from exc
    except TwilioException as exc:
        raise ChannelError(f"sms: Twilio: {type(exc).__name__}") from exc
    except OSError as exc:
        raise ChannelError(f"sms: {type(exc).__name__}") from exc
    return str(result.sid)


def sms_find(message: Outgoing, *, since: dt.datetime) -> str | None:
    """The provider's id of an SMS like `message` accepted since `since`, if there is one.

    For a row whose worker died after "send started": Twilio's message list (to this number,
    from ours, newest first) is asked for one with the same text created since the attempt
    began; the file channel looks for the row's reference. Raises ChannelError when the
    provider cannot answer (the row waits; it is never sent blind).
    """
    earliest = since - dt.timedelta(minutes=5)  # clock skew between us and the provider
    if not twilio_configured():
        return _sms_file_find(message, earliest)
    body = message.body.strip()
    try:
        # Newest first, page by page, until the messages are older than the attempt.
        for item in twilio_client().messages.stream(
            to=message.to, from_=settings.TWILIO_FROM_NUMBER, page_size=100
        ):
            created = item.date_created
            if created is not None and created < earliest:
                break
            if (item.body or "").strip() == body:
                return str(item.sid)
    except TwilioRestException as exc:
        raise ChannelError(f"sms: Twilio {exc.status} error {exc.code} (lookup)") from exc
    except (TwilioException, OSError) as exc:
        raise ChannelError(f"sms: Twilio lookup: {type(exc).__name__}") from exc
    return None


def _sms_file_find(message: Outgoing, earliest: dt.datetime) -> str | None:
    directory = Path(settings.SMS_FILE_PATH)
    if not directory.is_dir() or not message.reference:
        return None
    needle = f"\nReference: {message.reference}\n"
    for path in directory.glob("*.sms"):
        try:
            if path.stat().st_mtime < earliest.timestamp():
                continue
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if needle in text:
            return text.split("\nId: ", 1)[1].split("\n", 1)[0] if "\nId: " in text else "file"
    return None


def _sms_to_file(message: Outgoing) -> str:
    directory = Path(settings.SMS_FILE_PATH)
    directory.mkdir(parents=True, exist_ok=True)
    sid = f"file-{uuid.uuid4().hex}"
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    path = directory / f"{stamp}-{sid}.sms"
    try:
        # O_EXCL and a unique name: one file per send, never overwritten.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(
                f"To: {message.to}\nFrom: {settings.TWILIO_FROM_NUMBER or 'atrium'}\n"
                f"Id: {sid}\nReference: {message.reference}\n\n{message.body}\n"
            )
    except OSError as exc:
        raise ChannelError(f"sms: could not write file ({type(exc).__name__})") from exc
    return sid


def send(message: Outgoing, *, email_conn: Any = None) -> str:
    if message.channel == "sms":
        return sms_send(message)
    return email_send(message, connection=email_conn)

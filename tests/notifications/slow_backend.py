"""An email backend for the crash test: one file per message, a little slow on purpose.

Each file is named after the X-Atrium-Notification header, so a duplicate shows up as two
files for one row.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class SlowFileEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        directory = Path(settings.EMAIL_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0.01")))
            ref = message.extra_headers.get("X-Atrium-Notification", "none")
            (directory / f"{ref}--{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


class KillingFileEmailBackend(BaseEmailBackend):
    """One file per message (named by row, holding its Message-ID); for the kill tests it can
    SIGKILL its own process at the Nth message: FAKE_MAIL_KILL_AT=N, FAKE_MAIL_KILL_WHEN=
    before (nothing written) or after (written, the worker dies before recording "sent")."""

    sent = 0  # in this process

    def send_messages(self, email_messages: Any) -> int:
        import signal

        directory = Path(settings.EMAIL_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        kill_at = int(os.environ.get("FAKE_MAIL_KILL_AT", "0") or 0)
        when = os.environ.get("FAKE_MAIL_KILL_WHEN", "before")
        for message in email_messages:
            cls = type(self)
            cls.sent += 1
            if cls.sent == kill_at and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            ref = message.extra_headers.get("X-Atrium-Notification", "none")
            tmp = directory / f".{uuid.uuid4().hex}.tmp"
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(directory / f"{ref}--{uuid.uuid4().hex}.eml")
            if cls.sent == kill_at and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
        return len(email_messages)

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

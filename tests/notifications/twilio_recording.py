"""A Twilio HTTP client that remembers what it accepted, across processes.

The real twilio.rest.Client builds and parses every request; only the network hop is
replaced. Each accepted SMS is one JSON file in TWILIO_FAKE_DIR (so a sweeper process that
is killed leaves its sends behind, as Twilio would), and the message list (GET
.../Messages.json?To=&From=) answers from those files, newest first.

For the crash tests it can kill its own process at the Nth create: FAKE_KILL_AT=N with
FAKE_KILL_WHEN=before (the worker dies between "send started" and the provider taking the
message) or after (the provider took it; the worker dies before recording "sent").
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import os
import signal
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response


def fake_dir() -> Path:
    return Path(os.environ["TWILIO_FAKE_DIR"])


def accepted() -> list[dict[str, Any]]:
    """Every SMS the fake provider accepted, oldest first."""
    folder = fake_dir()
    if not folder.exists():
        return []
    items = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    return sorted(items, key=lambda m: m["_created"])


class RecordingTwilioHttpClient(HttpClient):
    creates = 0  # in this process

    def __init__(self) -> None:
        super().__init__(logger=logging.getLogger("tests.twilio"), is_async=False)

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if method.upper() == "POST":
            return self._create(dict(data or {}))
        query = {k: v[0] for k, v in parse_qs(urlsplit(uri).query).items()}
        query.update({k: str(v) for k, v in (params or {}).items()})
        return self._list(query)

    def _create(self, data: dict[str, Any]) -> Response:
        cls = type(self)
        cls.creates += 1
        kill_at = int(os.environ.get("FAKE_KILL_AT", "0") or 0)
        when = os.environ.get("FAKE_KILL_WHEN", "before")
        if cls.creates == kill_at and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        now = dt.datetime.now(dt.UTC)
        sid = "SM" + uuid.uuid4().hex
        message = {
            "sid": sid,
            "status": "queued",
            "to": data.get("To"),
            "from": data.get("From"),
            "body": data.get("Body"),
            "date_created": email.utils.format_datetime(now),
            "date_sent": None,
            "status_callback": data.get("StatusCallback"),
            "_created": now.isoformat(),
        }
        folder = fake_dir()
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{sid}.tmp"
        tmp.write_text(json.dumps(message))
        tmp.rename(folder / f"{sid}.json")  # atomic: a kill leaves all or nothing
        if cls.creates == kill_at and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return Response(201, json.dumps(message))

    def _list(self, query: dict[str, str]) -> Response:
        matching = [
            m
            for m in reversed(accepted())
            if m["to"] == query.get("To", m["to"]) and m["from"] == query.get("From", m["from"])
        ]
        size = int(query.get("PageSize", "50"))
        page = int(query.get("Page", "0"))
        items = matching[page * size : (page + 1) * size]
        more = len(matching) > (page + 1) * size
        base = "/2010-04-01/Accounts/AC/Messages.json"
        params = urlencode(
            {"To": query.get("To", ""), "From": query.get("From", ""), "PageSize": size}
        )
        return Response(
            200,
            json.dumps(
                {
                    "messages": items,
                    "page": page,
                    "page_size": size,
                    "next_page_uri": f"{base}?{params}&Page={page + 1}" if more else None,
                    "uri": f"{base}?{params}&Page={page}",
                }
            ),
        )

"""A Twilio HTTP client that answers with canned responses: Twilio is never reached.

The real twilio.rest.Client builds the request, signs it with basic auth and parses the
response; only the network hop is replaced (STYLE.md: official library, HTTP layer swapped).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response


class CannedTwilioHttpClient(HttpClient):
    requests: list[dict[str, Any]] = []  # noqa: RUF012 - a shared log the tests read
    responses: list[tuple[int, dict[str, Any]]] = []  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__(logger=logging.getLogger("tests.twilio"), is_async=False)

    @classmethod
    def reset(cls) -> None:
        cls.requests.clear()
        cls.responses.clear()

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
        type(self).requests.append(
            {"method": method, "uri": uri, "data": dict(data or {}), "auth": auth}
        )
        if type(self).responses:
            status, body = type(self).responses.pop(0)
        else:
            status, body = 201, {}
        if status < 400:
            body = {
                "sid": "SM" + uuid.uuid4().hex,
                "status": "queued",
                "to": (data or {}).get("To"),
                "body": (data or {}).get("Body"),
                **body,
            }
        return Response(status, json.dumps(body))


def twilio_error(status: int = 500, code: int = 20500) -> tuple[int, dict[str, Any]]:
    return status, {
        "code": code,
        "message": "Internal Server Error",
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }

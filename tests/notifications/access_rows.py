from __future__ import annotations

import uuid

from tests.access import LOGIN, STAFF_ONLY, Row, same

_TEMPLATE = {"event": "reminder", "channel": "sms", "language": "pl"}
# Only firm admins change the texts clients receive; other staff get a 404.
ADMIN_ONLY = {**STAFF_ONLY, "staff_on": 404, "staff_off": 404}


ROWS = [
    Row("notifications:template-list", STAFF_ONLY),
    Row("notifications:template-edit", ADMIN_ONLY, kwargs=lambda w: _TEMPLATE),
    Row(
        "notifications:template-edit",
        ADMIN_ONLY,
        kwargs=lambda w: _TEMPLATE,
        method="post",
        data=lambda w: {"body": "{firm}: {when} {link}", "action": "preview"},
    ),
    Row(
        "notifications:template-edit",
        {**ADMIN_ONLY, "admin": 302},
        kwargs=lambda w: _TEMPLATE,
        method="post",
        data=lambda w: {"body": "{firm}: {when} {link}", "action": "save"},
    ),
    Row(
        "notifications:template-reset",
        {**ADMIN_ONLY, "admin": 302},
        kwargs=lambda w: _TEMPLATE,
        method="post",
    ),
    # Unsigned: refused whoever asks (Twilio signs; nobody else can).
    Row(
        "notifications:twilio-status",
        same(403),
        kwargs=lambda w: {"delivery_id": uuid.uuid4()},
        method="post",
        data=lambda w: {"MessageSid": "SM1", "MessageStatus": "delivered"},
    ),
]

__all__ = ["LOGIN", "ROWS"]

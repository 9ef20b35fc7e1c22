"""The budget every signed-in page keeps (issue 14): at most 8 queries, none of them a write."""

from __future__ import annotations

from typing import Any

MAX_PAGE_QUERIES = 8
# The staff contact page: the session, the user, the contact, its tags, consents,
# invitations and matters, plus one query per section the apps above portal register
# through portal.contact_sections (appointments, invoices, contacts outside the portal)
# and one per quick action of portal.staff_panels (logging a contact outside the portal
# lists the person's matters): flat in the person's history.
CONTACT_PAGE_QUERIES = 7 + 3 + 1
_WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "REPLACE")


def writes(captured: list[dict[str, Any]]) -> list[str]:
    """Writes other than the access log: opening a matter is audited on purpose
    (SECURITY.md), the session bookkeeping is what must not write."""
    return [
        q["sql"]
        for q in captured
        if q["sql"].lstrip().upper().startswith(_WRITES)
        and not q["sql"].startswith('INSERT INTO "portal_auditevent"')
    ]


def assert_page_budget(captured: list[dict[str, Any]], *, limit: int = MAX_PAGE_QUERIES) -> None:
    """A plain view of a signed-in page: within the query budget and writing nothing."""
    assert not writes(captured), writes(captured)
    assert len(captured) <= limit, "\n".join(q["sql"][:160] for q in captured)

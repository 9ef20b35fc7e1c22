"""One rule for what each viewer sees of a matter's folders, documents and timeline.

Staff see everything on their matters. Clients see what is shared with the client.
Co-counsel see what is shared with the client and what staff shared with co-counsel;
anything else the firm keeps internal stays internal to them too. A document is seen
only when the document and its folder both are.
"""

from __future__ import annotations

from django.db.models import Q

from portal.models import User


def shared_q(user: User, prefix: str = "") -> Q:
    """The filter for items (a folder, a document or a timeline entry) this viewer sees.

    `prefix` points at the item through a relation, e.g. "folder__" or "document__".
    """
    if user.is_firm_staff:
        return Q()
    client = Q(**{f"{prefix}shared_with_client": True})
    if user.is_cocounsel:
        return client | Q(**{f"{prefix}shared_with_cocounsel": True})
    return client


def document_q(user: User, prefix: str = "") -> Q:
    """Documents this viewer sees: the document and its folder are both visible."""
    return shared_q(user, prefix) & shared_q(user, f"{prefix}folder__")


def sees(user: User, item: object) -> bool:
    """The same rule for one loaded item (folder, document or timeline entry)."""
    if user.is_firm_staff:
        return True
    if getattr(item, "shared_with_client", False):
        return True
    return user.is_cocounsel and bool(getattr(item, "shared_with_cocounsel", False))

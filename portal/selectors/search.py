"""Search over messages, document names and document text in the matters one may see, and
the staff search for people and references (contacts, matters, and what other apps register
in portal.search_providers: appointments by their code, invoices by number)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q

from portal import search_providers
from portal.models import (
    Contact,
    Document,
    DocumentVersion,
    Matter,
    Message,
    User,
)
from portal.search_keys import search_key_filter
from portal.search_providers import SearchHit
from portal.selectors.documents import documents_visible
from portal.selectors.firm import firm_get
from portal.selectors.matters import matters_visible_to
from portal.selectors.people import contacts_visible_to

SEARCH_CONFIGS = {"en": "english", "es": "spanish", "ru": "russian", "pl": "simple"}


SEARCH_MIN_CHARS = 2


def search_config() -> str:
    return SEARCH_CONFIGS.get(firm_get().default_language, "simple")


@dataclass(frozen=True)
class SearchResults:
    messages: list[Message]
    documents: list[Document]


def search_for_user(*, user: User, query: str, limit: int = 50) -> SearchResults:
    """Messages and documents (by name or text) in the matters this person may see."""
    query = (query or "").strip()[:200]
    if len(query) < SEARCH_MIN_CHARS:
        return SearchResults([], [])
    visible = matters_visible_to(user).values("pk")
    messages = Message.objects.filter(matter__in=visible)
    documents = documents_visible(
        Document.objects.filter(matter__in=visible, deleted_at=None), user=user
    )
    if settings.IS_POSTGRES:
        config = search_config()
        sq = SearchQuery(query, config=config, search_type="websearch")
        messages = messages.annotate(sv=SearchVector("text", config=config)).filter(sv=sq)
        matching_versions = (
            DocumentVersion.objects.annotate(sv=SearchVector("text", config=config))
            .filter(sv=sq)
            .values("document_id")
        )
        documents = documents.annotate(nv=SearchVector("name", config=config)).filter(
            Q(nv=sq) | Q(name__icontains=query) | Q(pk__in=matching_versions)
        )
    else:
        messages = messages.filter(text__icontains=query)
        containing = DocumentVersion.objects.filter(text__icontains=query).values("document_id")
        documents = documents.filter(Q(name__icontains=query) | Q(pk__in=containing))
    return SearchResults(
        messages=list(messages.select_related("matter", "sender").order_by("-created_at")[:limit]),
        documents=list(
            documents.select_related("matter", "folder").order_by("-updated_at")[:limit]
        ),
    )


@dataclass(frozen=True)
class PeopleResults:
    contacts: list[Contact]
    matters: list[Matter]
    sections: list[tuple[str, list[SearchHit]]]

    @property
    def empty(self) -> bool:
        return not (self.contacts or self.matters or self.sections)


def people_and_references_for_staff(*, user: User, query: str, limit: int = 20) -> PeopleResults:
    """Contacts (name, email, phone, organisation) and matters (reference, title) this staff
    member may see, plus the registered providers' hits; a few queries whatever the matches."""
    query = (query or "").strip()[:200]
    condition = search_key_filter(query)
    if not user.is_firm_staff or len(query) < SEARCH_MIN_CHARS or condition is None:
        return PeopleResults([], [], [])
    contacts = (
        contacts_visible_to(user)
        .filter(condition)
        .select_related("user")
        .order_by("last_name", "first_name")[:limit]
    )
    matters = (
        matters_visible_to(user)
        .filter(condition)
        .select_related("responsible_lawyer")
        .order_by("-created_at")[:limit]
    )
    return PeopleResults(
        contacts=list(contacts),
        matters=list(matters),
        sections=search_providers.search(user=user, query=query),
    )

"""Access-checked reads of messages, documents, requests, tasks, and search."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portal.models import (
    ClientTask,
    Document,
    DocumentRequest,
    DocumentRequestItem,
    DocumentVersion,
    Folder,
    Matter,
    Message,
    User,
)
from portal.selectors.core import _parse_uuid, firm_get, matters_visible_to


def _firm_side(user: User) -> bool:
    return bool(user.is_firm_staff or user.is_cocounsel)


# ---------------------------------------------------------------------------
# Business hours and response times (pure)
# ---------------------------------------------------------------------------
WORK_START = dt.time(9)
WORK_END = dt.time(17)


def business_hours_between(start: dt.datetime, end: dt.datetime, tz_name: str) -> float:
    """Hours between two instants that fall Mon–Fri 9:00–17:00 in the firm's zone.

    Works day by day in local wall-clock time, so a daylight-saving change inside the
    span neither adds nor loses an hour of the working day.
    """
    if end <= start:
        return 0.0
    tz = zoneinfo.ZoneInfo(tz_name)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    total = dt.timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if day.weekday() < 5:
            open_at = dt.datetime.combine(day, WORK_START, tzinfo=tz)
            close_at = dt.datetime.combine(day, WORK_END, tzinfo=tz)
            lo = max(open_at, local_start)
            hi = min(close_at, local_end)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return round(total.total_seconds() / 3600, 2)


@dataclass(frozen=True)
class ResponseTime:
    message_id: Any
    answered_at: dt.datetime | None
    business_hours: float | None  # None: not answered yet (hours so far in `waiting`)
    waiting: float
    within_promise: bool


def response_times(rows: Iterable[tuple[Any, str, dt.datetime]], *, tz_name: str,
                   promise_hours: int, now: dt.datetime) -> dict[Any, ResponseTime]:
    """For each client message, how long the firm took to write back (pure).

    rows are (id, side, created_at) in any order. A run of client messages is answered
    by the first firm message after it; each is measured from its own time.
    """
    ordered = sorted(rows, key=lambda r: r[2])
    result: dict[Any, ResponseTime] = {}
    waiting: list[tuple[Any, dt.datetime]] = []
    for pk, side, at in ordered:
        if side == Message.Side.CLIENT:
            waiting.append((pk, at))
        elif waiting:
            for wpk, wat in waiting:
                hours = business_hours_between(wat, at, tz_name)
                result[wpk] = ResponseTime(wpk, at, hours, hours, hours <= promise_hours)
            waiting = []
    for wpk, wat in waiting:
        hours = business_hours_between(wat, now, tz_name)
        result[wpk] = ResponseTime(wpk, None, None, hours, hours <= promise_hours)
    return result


def matter_response_times(*, matter: Matter) -> dict[Any, ResponseTime]:
    firm = firm_get()
    rows = matter.messages.values_list("id", "side", "created_at")
    return response_times(rows, tz_name=firm.time_zone, promise_hours=firm.response_hours,
                          now=timezone.now())


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
def messages_for_viewer(*, user: User, matter: Matter) -> QuerySet[Message]:
    """Everyone who may open the matter reads its one thread (checked by the caller)."""
    # A deleted attachment, or one the firm made internal, is not listed (its link would 404).
    attachments = DocumentVersion.objects.filter(document__deleted_at=None).select_related(
        "document")
    if not _firm_side(user):
        attachments = attachments.filter(document__shared_with_client=True,
                                         document__folder__shared_with_client=True)
    return (matter.messages.select_related("sender", "read_by")
            .prefetch_related(Prefetch("attachments", queryset=attachments))
            .order_by("-created_at"))


# ---------------------------------------------------------------------------
# Folders and documents
# ---------------------------------------------------------------------------
def folders_for_viewer(*, user: User, matter: Matter) -> QuerySet[Folder]:
    qs = matter.folders.all()
    if not _firm_side(user):
        qs = qs.filter(shared_with_client=True)
    return qs.order_by("name")


def folder_get_for_user(*, user: User, matter: Matter, folder_id: Any) -> Folder:
    folder = folders_for_viewer(user=user, matter=matter).filter(
        pk=_parse_uuid(folder_id)).first()
    if folder is None:
        raise Http404
    return folder


def _client_visible(qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.filter(shared_with_client=True, folder__shared_with_client=True)


def documents_for_viewer(*, user: User, matter: Matter, folder: Folder | None = None,
                         deleted: bool = False) -> QuerySet[Document]:
    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("-number")
    qs = (Document.objects.filter(matter=matter)
          .select_related("folder", "created_by")
          .prefetch_related(Prefetch("versions", queryset=versions)))
    if deleted:
        if not user.is_firm_staff:
            return Document.objects.none()
        qs = qs.exclude(deleted_at=None).order_by("-deleted_at")
    else:
        qs = qs.filter(deleted_at=None).order_by("folder__name", "name")
    if folder is not None:
        qs = qs.filter(folder=folder)
    if not _firm_side(user):
        qs = _client_visible(qs)
    return qs


def document_get_for_user(*, user: User, document_id: Any,
                          include_deleted: bool = False) -> Document:
    pk = _parse_uuid(document_id)
    qs = Document.objects.filter(pk=pk, matter__in=matters_visible_to(user).values("pk"))
    if not (include_deleted and user.is_firm_staff):
        qs = qs.filter(deleted_at=None)
    if not _firm_side(user):
        qs = _client_visible(qs)
    document = qs.select_related("matter", "folder").first()
    if document is None:
        raise Http404
    return document


def version_get_for_user(*, user: User, version_id: Any) -> DocumentVersion:
    pk = _parse_uuid(version_id)
    # Quarantined (not yet scanned) and infected versions are never served.
    qs = DocumentVersion.objects.filter(
        pk=pk, document__deleted_at=None,
        document__matter__in=matters_visible_to(user).values("pk"),
        scan_status__in=[DocumentVersion.ScanStatus.NOT_SCANNED,
                         DocumentVersion.ScanStatus.CLEAN],
    )
    if not _firm_side(user):
        qs = qs.filter(document__shared_with_client=True,
                       document__folder__shared_with_client=True)
    version = qs.select_related("document__matter").first()
    if version is None:
        raise Http404
    return version


# ---------------------------------------------------------------------------
# Document requests
# ---------------------------------------------------------------------------
def document_requests_for_viewer(*, user: User, matter: Matter) -> QuerySet[DocumentRequest]:
    versions = DocumentVersion.objects.filter(document__deleted_at=None).select_related(
        "document").order_by("-uploaded_at")
    if not _firm_side(user):
        # A file the firm has since made internal is not listed (its link would 404).
        versions = versions.filter(document__shared_with_client=True,
                                   document__folder__shared_with_client=True)
    items = DocumentRequestItem.objects.prefetch_related(
        Prefetch("versions", queryset=versions)).order_by("position")
    return (matter.document_requests.select_related("folder")
            .prefetch_related(Prefetch("items", queryset=items))
            .annotate(outstanding=Count("items", filter=Q(
                items__status__in=[DocumentRequestItem.Status.MISSING,
                                   DocumentRequestItem.Status.RETURNED])))
            .order_by("status", "due_date"))


def request_item_get_for_user(*, user: User, item_id: Any) -> DocumentRequestItem:
    pk = _parse_uuid(item_id)
    item = (DocumentRequestItem.objects
            .filter(pk=pk, request__matter__in=matters_visible_to(user).values("pk"))
            .select_related("request__matter", "request__folder").first())
    if item is None:
        raise Http404
    return item


def document_requests_due(*, on: dt.date) -> QuerySet[DocumentRequest]:
    """Open checklists due on a date with something still missing (for reminders)."""
    return (DocumentRequest.objects
            .filter(status=DocumentRequest.Status.OPEN, due_date=on,
                    items__status__in=[DocumentRequestItem.Status.MISSING,
                                       DocumentRequestItem.Status.RETURNED])
            .select_related("matter").prefetch_related("matter__clients__user").distinct())


# ---------------------------------------------------------------------------
# Client tasks
# ---------------------------------------------------------------------------
def client_tasks_for_viewer(*, user: User, matter: Matter) -> QuerySet[ClientTask]:
    return matter.client_tasks.select_related("done_by").order_by("status", "due_date")


def open_tasks_for_client(*, user: User) -> QuerySet[ClientTask]:
    # Co-counsel read the matter but the tasks are the client's, not theirs to list as own.
    if not user.is_client:
        return ClientTask.objects.none()
    return (ClientTask.objects
            .filter(status=ClientTask.Status.OPEN,
                    matter__in=matters_visible_to(user).values("pk"))
            .select_related("matter").order_by("due_date"))


def overdue_tasks_for_staff(*, user: User) -> QuerySet[ClientTask]:
    if not user.is_firm_staff:
        return ClientTask.objects.none()
    return (ClientTask.objects
            .filter(status=ClientTask.Status.OPEN, due_date__lt=timezone.localdate(),
                    matter__in=matters_visible_to(user).values("pk"))
            .select_related("matter").order_by("due_date"))


def client_task_get_for_user(*, user: User, task_id: Any) -> ClientTask:
    pk = _parse_uuid(task_id)
    task = (ClientTask.objects
            .filter(pk=pk, matter__in=matters_visible_to(user).values("pk"))
            .select_related("matter").first())
    if task is None:
        raise Http404
    return task


def client_tasks_due(*, on: dt.date) -> QuerySet[ClientTask]:
    """Open tasks due on a date (for reminders)."""
    return (ClientTask.objects.filter(status=ClientTask.Status.OPEN, due_date=on)
            .select_related("matter").prefetch_related("matter__clients__user"))


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------
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
    documents = Document.objects.filter(matter__in=visible, deleted_at=None)
    if not _firm_side(user):
        documents = _client_visible(documents)
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchVector

        config = search_config()
        sq = SearchQuery(query, config=config, search_type="websearch")
        messages = messages.annotate(sv=SearchVector("text", config=config)).filter(sv=sq)
        matching_versions = (DocumentVersion.objects
                             .annotate(sv=SearchVector("text", config=config))
                             .filter(sv=sq).values("document_id"))
        documents = documents.annotate(nv=SearchVector("name", config=config)).filter(
            Q(nv=sq) | Q(name__icontains=query) | Q(pk__in=matching_versions))
    else:
        messages = messages.filter(text__icontains=query)
        containing = DocumentVersion.objects.filter(text__icontains=query).values("document_id")
        documents = documents.filter(Q(name__icontains=query) | Q(pk__in=containing))
    return SearchResults(
        messages=list(messages.select_related("matter", "sender").order_by("-created_at")
                      [:limit]),
        documents=list(documents.select_related("matter", "folder").order_by("-updated_at")
                       [:limit]),
    )

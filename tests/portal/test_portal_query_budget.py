"""Messages, documents, requests and tasks pages: flat query counts for 1 and 200 rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import (
    ClientTask,
    Document,
    DocumentRequest,
    DocumentRequestItem,
    DocumentVersion,
    Folder,
    Message,
)
from tests import factories
from tests.budget import assert_page_budget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> None:
    # The default file cache under var/ is shared with every other process on the machine;
    # another test run clearing it would make a cached firm row reappear as a query here.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal-query-budget",
        }
    }


def _fill(*, matter: Any, lawyer: Any, client_user: Any, count: int) -> None:
    """count messages (both sides, with attachments), documents with 2 versions, items, tasks."""
    folder = Folder.objects.create(matter=matter, name="Discovery", client_can_upload=True)
    now = timezone.now()
    docs = Document.objects.bulk_create(
        [
            Document(
                matter=matter,
                folder=folder,
                name=f"doc-{i}.pdf",
                version_count=2,
                created_by=lawyer,
            )
            for i in range(count)
        ]
    )
    versions = DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                document=d,
                number=n,
                file=f"documents/x/{d.pk.hex}{n}",
                original_name=d.name,
                size=10,
                content_type="application/pdf",
                sha256="0" * 64,
                uploaded_by=lawyer,
            )
            for d in docs
            for n in (1, 2)
        ]
    )
    messages = Message.objects.bulk_create(
        [
            Message(
                matter=matter,
                sender=lawyer if i % 2 == 0 else client_user,
                side="firm" if i % 2 == 0 else "client",
                text=f"Message {i}",
                created_at=now - dt.timedelta(minutes=count - i),
            )
            for i in range(count)
        ]
    )
    for message, version in zip(messages, versions, strict=False):
        message.attachments.add(version)
    doc_request = DocumentRequest.objects.create(
        matter=matter, folder=folder, title="Papers", due_date=timezone.localdate()
    )
    DocumentRequestItem.objects.bulk_create(
        [
            DocumentRequestItem(request=doc_request, label=f"Item {i}", position=i)
            for i in range(count)
        ]
    )
    DocumentVersion.objects.filter(pk__in=[v.pk for v in versions[:count]]).update(
        request_item=DocumentRequestItem.objects.filter(request=doc_request).first()
    )
    ClientTask.objects.bulk_create(
        [
            ClientTask(matter=matter, title=f"Task {i}", due_date=timezone.localdate())
            for i in range(count)
        ]
    )


def _setup(count: int) -> tuple[Any, Any, Any]:
    lawyer = factories.StaffFactory()
    user, contact = factories.client_with_contact()
    matter = factories.make_matter(lawyer=lawyer, clients=[contact])
    _fill(matter=matter, lawyer=lawyer, client_user=user, count=count)
    return lawyer, user, matter


def _queries(client: Any, url: str) -> int:
    client.get(url)  # warm caches, and mark messages read, first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert_page_budget(ctx.captured_queries)
    return len(ctx.captured_queries)


PAGES = [
    "portal:message-list",
    "portal:document-list",
    "portal:request-list",
    "portal:task-list",
    "portal:matter-detail",
]


@pytest.mark.parametrize("viewer", ["client", "staff"])
@pytest.mark.parametrize("url_name", PAGES)
def test_matter_pages_make_the_same_number_of_queries_for_1_and_200_rows(
    client: Any, firm: Any, url_name: str, viewer: str, django_assert_max_num_queries: Any
) -> None:
    # given one matter with 1 of everything and another with 200
    small = _setup(1)
    big = _setup(200)

    # when
    counts = []
    for lawyer, user, matter in (small, big):
        client.force_login(lawyer if viewer == "staff" else user)
        counts.append(_queries(client, reverse(url_name, args=[matter.pk])))

    # then
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse(url_name, args=[big[2].pk]))


def test_first_visit_marking_200_messages_read_costs_the_same_as_one(
    client: Any, firm: Any
) -> None:
    counts = []
    for count in (1, 200):
        lawyer, user, matter = _setup(count)
        client.force_login(user)
        client.get(reverse("portal:home"))  # warm per-process caches
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("portal:message-list", args=[matter.pk]))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_document_detail_with_many_versions_stays_flat(client: Any, firm: Any) -> None:
    counts = []
    for count in (1, 50):
        lawyer, user, matter = _setup(1)
        document = Document.objects.get(matter=matter)
        DocumentVersion.objects.bulk_create(
            [
                DocumentVersion(
                    document=document,
                    number=n,
                    file=f"documents/y/{n}-{count}",
                    original_name="x",
                    size=1,
                    content_type="application/pdf",
                    sha256="0" * 64,
                    uploaded_by=lawyer,
                )
                for n in range(3, 3 + count)
            ]
        )
        client.force_login(user)
        counts.append(_queries(client, reverse("portal:document-detail", args=[document.pk])))
    assert counts[0] == counts[1]


def test_search_stays_flat(client: Any, firm: Any) -> None:
    counts = []
    for count in (1, 200):
        lawyer, user, matter = _setup(count)
        services.message_send(actor=user, matter=matter, text="needle")
        client.force_login(lawyer)
        counts.append(_queries(client, reverse("staff:search") + "?q=Message"))
    assert counts[0] == counts[1]

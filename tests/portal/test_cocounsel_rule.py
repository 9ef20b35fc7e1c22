"""One rule for co-counsel (issue 12, item 7): internal folders, documents and timeline
entries stay internal to them unless staff share them with co-counsel."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from portal import selectors, services
from portal.models import Document, DocumentVersion


def _upload(world: Any, folder: Any, name: str, **kwargs: Any) -> DocumentVersion:
    return services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=folder,
        files=[SimpleUploadedFile(name, name.encode())],
        **kwargs,
    )[0]


def test_cocounsel_do_not_see_internal_documents_unless_shared_with_them(
    client: Any, world: Any
) -> None:
    # given a shared folder with a client document, an internal memo and a co-counsel brief
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Case")
    _upload(world, folder, "for-client.txt")
    memo = _upload(world, folder, "internal-memo.txt", shared_with_client=False)
    brief = _upload(
        world, folder, "counsel-brief.txt", shared_with_client=False, shared_with_cocounsel=True
    )
    client.force_login(world.cocounsel)

    # when co-counsel open the documents
    listing = client.get(reverse("portal:document-list", args=[world.matter_a.pk]))

    # then they see the client's and their own, never the internal memo
    text = listing.content.decode()
    assert "for-client.txt" in text and "counsel-brief.txt" in text
    assert "internal-memo.txt" not in text
    memo_url = reverse("portal:version-download", args=[memo.pk])
    assert client.get(memo_url).status_code == 404
    assert client.get(reverse("portal:version-download", args=[brief.pk])).status_code == 200
    # and the client sees neither
    client.force_login(world.client_a)
    assert client.get(reverse("portal:version-download", args=[brief.pk])).status_code == 404


def test_an_internal_folder_is_hidden_from_cocounsel_until_shared_with_them(
    client: Any, world: Any
) -> None:
    # given an internal folder with a document
    folder = services.folder_create(
        actor=world.staff_on, matter=world.matter_a, name="Strategy", shared_with_client=False
    )
    version = _upload(world, folder, "plan.txt", shared_with_cocounsel=True)
    url = reverse("portal:document-list", args=[world.matter_a.pk])
    client.force_login(world.cocounsel)
    assert "Strategy" not in client.get(url).content.decode()
    assert client.get(url, {"folder": str(folder.pk)}).status_code == 404
    assert client.get(reverse("portal:version-download", args=[version.pk])).status_code == 404

    # when the lawyer shows the folder to co-counsel from the documents page
    client.force_login(world.staff_on)
    page = client.get(url, {"folder": str(folder.pk)}).content.decode()
    assert "Show this folder to co-counsel" in page
    response = client.post(
        reverse("staff:folder-share-cocounsel", args=[folder.pk]), {"shared": "1"}
    )
    assert response.status_code == 302

    # then co-counsel see it and its document, the client still does not, and it is audited
    client.force_login(world.cocounsel)
    assert "Strategy" in client.get(url).content.decode()
    assert client.get(reverse("portal:version-download", args=[version.pk])).status_code == 200
    client.force_login(world.client_a)
    assert "Strategy" not in client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="folder.shared", object_id=str(folder.pk)).exists()


def test_staff_share_a_document_with_cocounsel_and_take_it_back(client: Any, world: Any) -> None:
    # given an internal memo
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Case")
    memo = _upload(world, folder, "memo.txt", shared_with_client=False).document
    detail = reverse("portal:document-detail", args=[memo.pk])
    share = reverse("staff:document-share", args=[memo.pk])
    client.force_login(world.staff_on)

    # when the lawyer shares it with co-counsel
    client.post(share, {"cocounsel": "1"})

    # then co-counsel open it; the client still cannot; taking it back hides it again
    memo.refresh_from_db()
    assert memo.shared_with_cocounsel and not memo.shared_with_client
    client.force_login(world.cocounsel)
    assert client.get(detail).status_code == 200
    client.force_login(world.client_a)
    assert client.get(detail).status_code == 404
    client.force_login(world.staff_on)
    assert "Keep from co-counsel" in client.get(detail).content.decode()
    client.post(share, {"cocounsel": "0"})
    client.force_login(world.cocounsel)
    assert client.get(detail).status_code == 404


def test_cocounsel_see_timeline_entries_by_the_same_rule(client: Any, world: Any) -> None:
    # given a shared, an internal and a co-counsel timeline entry, posted from the staff form
    client.force_login(world.staff_on)
    add = reverse("staff:matter-timeline-add", args=[world.matter_a.pk])
    base = {"kind": "update", "occurred_at": "2026-01-05T10:00"}
    client.post(add, {**base, "title": "Hearing moved", "shared_with_client": "on"})
    client.post(add, {**base, "title": "Our weak points"})
    client.post(add, {**base, "title": "Counsel call notes", "shared_with_cocounsel": "on"})
    staff_page = client.get(reverse("staff:matter-detail", args=[world.matter_a.pk]))
    assert "co-counsel" in staff_page.content.decode()

    # when co-counsel and the client open the matter
    matter_url = reverse("portal:matter-detail", args=[world.matter_a.pk])
    client.force_login(world.cocounsel)
    cocounsel_page = client.get(matter_url).content.decode()
    client.force_login(world.client_a)
    client_page = client.get(matter_url).content.decode()

    # then co-counsel see the shared and their entry; the client only the shared one
    assert "Hearing moved" in cocounsel_page and "Counsel call notes" in cocounsel_page
    assert "Our weak points" not in cocounsel_page
    assert "Hearing moved" in client_page
    assert "Counsel call notes" not in client_page and "Our weak points" not in client_page


def test_cocounsel_upload_stays_in_their_view_and_never_joins_an_internal_document(
    client: Any, world: Any
) -> None:
    # given an internal memo named like the file co-counsel will send
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Case")
    memo = _upload(world, folder, "notes.txt", shared_with_client=False).document
    client.force_login(world.cocounsel)

    # when co-counsel upload "notes.txt"
    client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {"folder": str(folder.pk), "files": [SimpleUploadedFile("notes.txt", b"theirs")]},
    )

    # then theirs is a separate document they can see; the memo is untouched
    memo.refresh_from_db()
    assert memo.version_count == 1
    theirs = Document.objects.exclude(pk=memo.pk).get()
    assert theirs.name == "notes (2).txt" and theirs.shared_with_cocounsel
    assert not theirs.shared_with_client
    assert theirs in selectors.documents_for_viewer(user=world.cocounsel, matter=world.matter_a)


def test_search_keeps_to_the_same_rule(world: Any) -> None:
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="Case")
    _upload(world, folder, "zebra-internal.txt", shared_with_client=False)
    _upload(
        world, folder, "zebra-counsel.txt", shared_with_client=False, shared_with_cocounsel=True
    )

    found = selectors.search_for_user(user=world.cocounsel, query="zebra").documents

    assert [d.name for d in found] == ["zebra-counsel.txt"]

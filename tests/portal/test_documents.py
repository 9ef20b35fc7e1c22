"""Documents: versions, safe downloads, refusals that store nothing, sharing and deletion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ServiceError
from portal import services
from portal.audit_actions import PortalAction
from portal.models import Document, DocumentVersion, Folder, Message
from tests.portal.filesamples import docx_with_text, pdf_with_text, png

pytestmark = pytest.mark.django_db


def _stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _folder(world: Any, **kwargs: Any) -> Folder:
    return services.folder_create(
        actor=world.staff_on, matter=world.matter_a, name=kwargs.pop("name", "Discovery"), **kwargs
    )


def _download(client: Any, version: DocumentVersion) -> Any:
    return client.get(reverse("portal:version-download", args=[version.pk]))


def test_three_uploads_of_one_name_give_three_versions_each_downloadable(
    client: Any, world: Any
) -> None:
    # given
    folder = _folder(world)
    client.force_login(world.staff_on)
    url = reverse("portal:document-list", args=[world.matter_a.pk])

    # when the same name is uploaded three times with different content
    for n in range(3):
        upload = SimpleUploadedFile("contract.txt", f"draft number {n}".encode())
        client.post(url, {"folder": str(folder.pk), "files": [upload], "shared_with_client": "on"})

    # then there is one document with three versions, each with its own content
    document = Document.objects.get(matter=world.matter_a, name="contract.txt")
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert len({v.file.name for v in versions}) == 3
    client.force_login(world.client_a)
    for n, version in enumerate(versions):
        response = _download(client, version)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == f"draft number {n}".encode()
    # and each upload and each download has its own audit row
    uploads = AuditEvent.objects.filter(
        action__in=[PortalAction.DOCUMENT_UPLOADED, PortalAction.DOCUMENT_VERSION],
        matter_id=world.matter_a.pk,
    )
    assert sorted(uploads.values_list("action", flat=True)) == [
        "document.uploaded",
        "document.version",
        "document.version",
    ]
    downloads = AuditEvent.objects.filter(action=PortalAction.DOCUMENT_DOWNLOADED)
    assert sorted(downloads.values_list("object_id", flat=True)) == sorted(
        str(v.pk) for v in versions
    )
    assert set(downloads.values_list("actor", flat=True)) == {world.client_a.pk}


def test_upload_of_several_files_at_once_stores_each(client: Any, world: Any) -> None:
    # given
    folder = _folder(world, client_can_upload=True)
    client.force_login(world.client_a)

    # when the client picks a photo and a PDF together
    response = client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {
            "folder": str(folder.pk),
            "files": [
                SimpleUploadedFile("IMG_0001.png", png()),
                SimpleUploadedFile("letter.pdf", pdf_with_text("hello")),
            ],
        },
        follow=True,
    )

    # then
    assert "2 files uploaded." in response.content.decode()
    types = dict(DocumentVersion.objects.values_list("original_name", "content_type"))
    assert types == {"IMG_0001.png": "image/png", "letter.pdf": "application/pdf"}


def test_download_is_an_attachment_with_a_safe_name_and_no_sniffing(
    client: Any, world: Any
) -> None:
    # given a file whose name has non-ASCII letters and a quote
    version = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=_folder(world),
        files=[SimpleUploadedFile('Umowa "łączna" ż.txt', b"text")],
    )[0]
    client.force_login(world.client_a)

    # when
    response = _download(client, version)

    # then
    assert response.streaming
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    # the quote was replaced when the name was stored; the letters survive
    assert "filename*=UTF-8''Umowa%20_%C5%82%C4%85czna_%20%C5%BC.txt" in disposition
    assert "\n" not in disposition and "\r" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_a_version_whose_type_is_not_allowlisted_is_served_as_bytes(
    client: Any, world: Any
) -> None:
    # given a row that claims a browser-renderable type (e.g. written by an older release)
    version = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=_folder(world),
        files=[SimpleUploadedFile("page.txt", b"plain")],
    )[0]
    DocumentVersion.objects.filter(pk=version.pk).update(content_type="text/html")
    client.force_login(world.staff_on)

    # when
    response = _download(client, version)

    # then
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
XML_SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", HTML, "is not a type we accept"),
        ("invoice.pdf", HTML, "is not a type we accept"),  # a name does not make it a PDF
        ("logo.svg", SVG, "is not a type we accept"),
        ("drawing.png", XML_SVG, "is not a type we accept"),
        ("setup.exe", EXE, "is not a type we accept"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_refused_upload_stores_nothing(
    client: Any, world: Any, name: str, content: bytes, message: str
) -> None:
    # given
    folder = _folder(world, client_can_upload=True)
    client.force_login(world.client_a)

    # when
    response = client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {"folder": str(folder.pk), "files": [SimpleUploadedFile(name, content)]},
        follow=True,
    )

    # then the person reads why, and no row and no file is left behind
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert _stored_files() == []


def test_one_bad_file_among_several_stores_none_of_them(client: Any, world: Any) -> None:
    # given
    folder = _folder(world, client_can_upload=True)
    client.force_login(world.client_a)

    # when
    client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {
            "folder": str(folder.pk),
            "files": [
                SimpleUploadedFile("ok.pdf", pdf_with_text("fine")),
                SimpleUploadedFile("bad.html", HTML),
            ],
        },
    )

    # then
    assert not DocumentVersion.objects.exists()
    assert _stored_files() == []


def test_file_over_the_size_limit_is_refused_while_streaming(
    client: Any, world: Any, settings: Any
) -> None:
    # given a 1 MB limit and a 3 MB file
    settings.ATRIUM_MAX_UPLOAD_MB = 1
    folder = _folder(world, client_can_upload=True)
    client.force_login(world.client_a)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))

    # when
    response = client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {"folder": str(folder.pk), "files": [big]},
        follow=True,
    )

    # then
    assert "larger than the limit of 1 MB" in response.content.decode()
    assert not DocumentVersion.objects.exists()
    assert _stored_files() == []


def test_size_limit_handler_stops_reading_the_file_past_the_limit(rf: Any, settings: Any) -> None:
    # given the handler chain and a body with a file twice the limit
    from django.core.files.uploadhandler import StopUpload

    from portal.uploads import SizeLimitUploadHandler, upload_was_refused

    settings.ATRIUM_MAX_UPLOAD_MB = 1
    request = rf.post("/")
    handler = SizeLimitUploadHandler(request)
    handler.handle_raw_input(None, {}, 2 * 1024 * 1024, b"x")
    handler.new_file("files", "big.pdf", "application/pdf", 2 * 1024 * 1024)

    # when chunks arrive
    handler.receive_data_chunk(b"0" * (1024 * 1024), 0)
    with pytest.raises(StopUpload) as stop:
        handler.receive_data_chunk(b"0", 1024 * 1024)

    # then the upload stops at the first byte past the limit, without resetting the socket
    assert stop.value.connection_reset is False
    assert upload_was_refused(request)


def test_message_with_an_attachment_over_the_limit_is_refused_whole(
    client: Any, world: Any, settings: Any
) -> None:
    # given
    settings.ATRIUM_MAX_UPLOAD_MB = 1
    client.force_login(world.client_a)

    # when
    response = client.post(
        reverse("portal:message-list", args=[world.matter_a.pk]),
        {
            "text": "Here is the scan",
            "files": [SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))],
        },
        follow=True,
    )

    # then neither the message nor the file exists
    assert "larger than the limit" in response.content.decode()
    assert not Message.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd.txt",
        "..\\..\\windows\\system.ini",
        "bad\x00name.txt",
        "line\r\nSet-Cookie: x=1.txt",
        "invoice\u202etxt.exe",
        "x" * 300 + ".txt",
        "   ",
    ],
)
def test_dangerous_filenames_are_stored_under_a_server_chosen_key(world: Any, name: str) -> None:
    # when
    version = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=_folder(world),
        files=[_named_upload(name)],
    )[0]

    # then the key is ours and the display name is harmless
    key = version.file.name
    assert key.startswith(f"documents/{world.matter_a.pk}/")
    assert len(key.rsplit("/", 1)[-1]) == 32
    display = version.document.name
    assert "/" not in display and "\\" not in display
    assert not any(ord(c) < 32 for c in display)
    assert "\u202e" not in display
    assert 0 < len(display) <= 150


def _named_upload(name: str) -> SimpleUploadedFile:
    upload = SimpleUploadedFile("placeholder", b"content")
    upload.name = name  # bypass Django's own cleaning to test ours
    return upload


def test_client_cannot_upload_into_a_folder_not_shared_for_upload(client: Any, world: Any) -> None:
    # given a shared folder closed for uploads, and an internal one
    closed = _folder(world, name="Signed documents", client_can_upload=False)
    internal = _folder(world, name="Notes", shared_with_client=False)
    client.force_login(world.client_a)
    url = reverse("portal:document-list", args=[world.matter_a.pk])

    # when
    first = client.post(
        url, {"folder": str(closed.pk), "files": [SimpleUploadedFile("a.txt", b"a")]}, follow=True
    )
    second = client.post(
        url, {"folder": str(internal.pk), "files": [SimpleUploadedFile("b.txt", b"b")]}, follow=True
    )

    # then
    assert "You cannot upload into this folder." in first.content.decode()
    assert "Choose a folder from the list." in second.content.decode()
    assert not DocumentVersion.objects.exists()
    assert _stored_files() == []


def test_client_cannot_upload_into_another_clients_folder(client: Any, world: Any) -> None:
    # given a folder on matter B open for uploads
    folder_b = services.folder_create(
        actor=world.staff_off, matter=world.matter_b, name="Uploads", client_can_upload=True
    )
    client.force_login(world.client_a)

    # when client A posts into it through their own matter
    response = client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {"folder": str(folder_b.pk), "files": [SimpleUploadedFile("x.txt", b"x")]},
        follow=True,
    )

    # then
    assert "Choose a folder from the list." in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_internal_documents_are_invisible_to_clients(client: Any, world: Any) -> None:
    # given
    folder = _folder(world)
    internal = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=folder,
        shared_with_client=False,
        files=[SimpleUploadedFile("strategy-memo.txt", b"our weak points")],
    )[0]
    client.force_login(world.client_a)

    # when
    listing = client.get(reverse("portal:document-list", args=[world.matter_a.pk]))
    detail = client.get(reverse("portal:document-detail", args=[internal.document_id]))
    download = _download(client, internal)
    search = client.get(reverse("portal:search"), {"q": "strategy"})

    # then
    assert b"strategy-memo" not in listing.content
    assert detail.status_code == 404 and b"strategy-memo" not in detail.content
    assert download.status_code == 404 and b"weak points" not in download.content
    assert b"strategy-memo" not in search.content


def test_sharing_a_document_changes_what_the_client_sees_and_is_audited(
    client: Any, world: Any
) -> None:
    # given
    version = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=_folder(world),
        shared_with_client=False,
        files=[SimpleUploadedFile("opinion.txt", b"x")],
    )[0]
    client.force_login(world.staff_on)

    # when
    client.post(reverse("staff:document-share", args=[version.document_id]), {"shared": "1"})

    # then
    client.force_login(world.client_a)
    assert _download(client, version).status_code == 200
    assert (
        AuditEvent.objects.filter(
            action=PortalAction.DOCUMENT_SHARED, object_id=str(version.document_id)
        ).count()
        == 1
    )


def test_deleted_document_can_be_restored_for_30_days_only(client: Any, world: Any) -> None:
    # given
    version = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=_folder(world),
        files=[SimpleUploadedFile("will.txt", b"x")],
    )[0]
    document = version.document
    client.force_login(world.staff_on)

    # when deleted
    client.post(reverse("staff:document-delete", args=[document.pk]))

    # then nobody can open it, but the file is kept
    client.force_login(world.client_a)
    assert _download(client, version).status_code == 404
    assert len(_stored_files()) == 1

    # when restored on day 29
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        client.force_login(world.staff_on)
        client.post(reverse("staff:document-restore", args=[document.pk]))
    document.refresh_from_db()
    assert document.deleted_at is None

    # when deleted again and 31 days pass
    services.document_delete(actor=world.staff_on, document=document)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        with pytest.raises(ServiceError):
            services.document_restore(actor=world.staff_on, document=document)
    actions = list(
        AuditEvent.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    )
    assert actions.count("document.deleted") == 2
    assert actions.count("document.restored") == 1


def test_cocounsel_reads_and_adds_documents_on_the_shared_matter(client: Any, world: Any) -> None:
    # given
    folder = _folder(world)
    client.force_login(world.cocounsel)

    # when
    client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {
            "folder": str(folder.pk),
            "files": [SimpleUploadedFile("brief.docx", docx_with_text("our brief"))],
        },
    )

    # then
    version = DocumentVersion.objects.get()
    assert version.uploaded_by == world.cocounsel
    assert _download(client, version).status_code == 200


def test_viewing_a_document_is_audited(client: Any, world: Any) -> None:
    version = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=_folder(world),
        files=[SimpleUploadedFile("a.txt", b"x")],
    )[0]
    client.force_login(world.client_a)

    client.get(
        reverse("portal:document-detail", args=[version.document_id]),
        HTTP_USER_AGENT="Phone",
        REMOTE_ADDR="203.0.113.9",
    )

    event = AuditEvent.objects.get(action=PortalAction.DOCUMENT_VIEWED)
    assert (event.actor, str(event.ip), event.user_agent) == (
        world.client_a,
        "203.0.113.9",
        "Phone",
    )


def test_on_s3_the_download_redirects_to_a_short_presigned_attachment_url(
    client: Any, world: Any, settings: Any
) -> None:
    # given a version stored locally, then the deployment switched to S3 settings
    # (presigning is computed locally by boto3; nothing is sent anywhere)
    from urllib.parse import parse_qs, urlsplit

    version = services.document_upload(
        actor=world.staff_on,
        matter=world.matter_a,
        folder=_folder(world),
        files=[SimpleUploadedFile("Zeznanie świadka.pdf", pdf_with_text("x"))],
    )[0]
    settings.AWS_STORAGE_BUCKET_NAME = "atrium-private"
    settings.ATRIUM_DOWNLOAD_URL_SECONDS = 300
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "atrium-private",
                "access_key": "AKIAEXAMPLE",
                "secret_key": "example-secret",
                "region_name": "eu-central-1",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "location": "private",
            },
        },
    }
    client.force_login(world.client_a)

    # when
    response = _download(client, version)

    # then
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert url.netloc.startswith("atrium-private.")
    assert url.path == f"/private/{version.file.name}"
    assert query["X-Amz-Expires"] == ["300"]
    disposition = query["response-content-disposition"][0]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Zeznanie%20%C5%9Bwiadka.pdf" in disposition
    assert query["response-content-type"] == ["application/pdf"]
    assert AuditEvent.objects.filter(action=PortalAction.DOCUMENT_DOWNLOADED).count() == 1

"""Optional clamd scanning: infected uploads are refused, and nothing passes while it is down."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import services
from portal.models import DocumentVersion

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class _Clamd(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM protocol and finds the EICAR test string."""

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            size = struct.unpack(">I", self._exact(4))[0]
            if size == 0:
                break
            data += self._exact(size)
        found = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data
        self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")

    def _exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            buf += self.request.recv(n - len(buf))
        return buf


@pytest.fixture
def clamd(settings: Any) -> Iterator[None]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Clamd)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    settings.ATRIUM_CLAMD_HOST = "127.0.0.1"
    settings.ATRIUM_CLAMD_PORT = server.server_address[1]
    settings.ATRIUM_CLAMD_TIMEOUT = 5
    yield
    server.shutdown()
    server.server_close()


def _folder(world: Any) -> Any:
    return services.folder_create(
        actor=world.staff_on, matter=world.matter_a, name="Uploads", client_can_upload=True
    )


def test_clean_file_is_marked_clean_and_downloadable(client: Any, world: Any, clamd: None) -> None:
    version = services.document_upload(
        actor=world.client_a,
        matter=world.matter_a,
        folder=_folder(world),
        files=[SimpleUploadedFile("notes.txt", b"plain notes")],
    )[0]
    assert version.scan_status == DocumentVersion.ScanStatus.CLEAN
    client.force_login(world.client_a)
    assert client.get(reverse("portal:version-download", args=[version.pk])).status_code == 200


def test_infected_upload_is_refused_and_nothing_is_stored(
    client: Any, world: Any, clamd: None
) -> None:
    folder = _folder(world)
    client.force_login(world.client_a)
    response = client.post(
        reverse("portal:document-list", args=[world.matter_a.pk]),
        {"folder": str(folder.pk), "files": [SimpleUploadedFile("eicar.txt", EICAR)]},
        follow=True,
    )
    assert "looks infected" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_while_clamd_is_down_uploads_wait_in_quarantine_then_are_released(
    client: Any, world: Any, settings: Any
) -> None:
    # given clamd configured on a port where nothing listens
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ATRIUM_CLAMD_HOST = "127.0.0.1"
    settings.ATRIUM_CLAMD_PORT = port
    settings.ATRIUM_CLAMD_TIMEOUT = 1

    # when a file is uploaded
    version = services.document_upload(
        actor=world.client_a,
        matter=world.matter_a,
        folder=_folder(world),
        files=[SimpleUploadedFile("scan.txt", b"a scanned letter")],
    )[0]

    # then it is kept but nobody can download it yet
    assert version.scan_status == DocumentVersion.ScanStatus.QUARANTINED
    client.force_login(world.staff_on)
    assert client.get(reverse("portal:version-download", args=[version.pk])).status_code == 404
    with pytest.raises(OSError):
        services.document_version_rescan(version_id=str(version.pk))

    # when clamd is back and the retry runs
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Clamd)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    settings.ATRIUM_CLAMD_PORT = server.server_address[1]
    try:
        assert services.document_version_rescan(version_id=str(version.pk)) == "clean"
    finally:
        server.shutdown()
        server.server_close()

    # then the file is released
    assert client.get(reverse("portal:version-download", args=[version.pk])).status_code == 200

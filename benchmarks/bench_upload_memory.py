"""Peak memory of the web process while a 1 GB file is uploaded and downloaded.

Starts the app under gunicorn (one sync worker) on a throwaway SQLite database and private
root in a temporary directory, streams a multipart body of --size-mb megabytes to the
documents page with http.client (Content-Length, sent in 1 MB pieces), then downloads the
stored version. Prints the worker's VmHWM (peak resident set) before and after each step;
the issue's budget is an increase of at most 16 MB. Everything is removed at the end.

Usage: python benchmarks/bench_upload_memory.py [--size-mb 1024]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 16
PIECE = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise RuntimeError("gunicorn started no worker")


def _wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


def _prepare(env: dict[str, str]) -> tuple[str, str, str]:
    """Migrate, create a client with a matter and an upload folder, and a signed-in session."""
    script = r"""
import django, os
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from portal import services
from portal.models import Contact, User
lawyer = User.objects.create_user(email="lawyer@bench.example", role="staff", is_staff=True)
client = User.objects.create_user(email="client@bench.example", password="x-bench-x-bench")
contact = Contact.objects.create(first_name="Bench", last_name="Client", email=client.email,
                                 user=client)
matter = services.matter_create(actor=lawyer, data=services.MatterData(
    reference="BENCH-1", title="Benchmark", practice_area="other", priority="normal",
    responsible_lawyer=lawyer, team=[], clients=[contact], tags=[]))
folder = services.folder_create(actor=lawyer, matter=matter, name="Uploads",
                                client_can_upload=True)
session = SessionStore()
session[SESSION_KEY] = str(client.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = client.get_session_auth_hash()
session.create()
print(session.session_key, matter.pk, folder.pk)
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    key, matter_id, folder_id = out.stdout.strip().splitlines()[-1].split()
    return key, matter_id, folder_id


def _upload(port: int, *, session: str, matter_id: str, folder_id: str, size: int) -> int:
    boundary = uuid.uuid4().hex
    csrf = uuid.uuid4().hex  # 32 characters: an unmasked secret the cookie also holds
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{csrf}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="folder"\r\n\r\n{folder_id}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="big-scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    conn.putrequest("POST", f"/portal/matters/{matter_id}/documents/")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.putheader("Cookie", f"sessionid={session}; csrftoken={csrf}")
    conn.endheaders()
    conn.send(head)
    piece = b"%PDF-1.4\n" + os.urandom(PIECE - 9)
    sent = 0
    while sent < size:
        chunk = piece if sent + PIECE <= size else piece[: size - sent]
        conn.send(chunk)
        sent += len(chunk)
        if sent == len(chunk):
            piece = os.urandom(PIECE)  # only the first piece starts like a PDF
    conn.send(tail)
    response = conn.getresponse()
    response.read()
    return response.status


def _download(port: int, *, session: str, version_id: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    conn.request(
        "GET",
        f"/portal/versions/{version_id}/download/",
        headers={"Cookie": f"sessionid={session}"},
    )
    response = conn.getresponse()
    assert response.status == 200, response.status
    assert response.getheader("Content-Disposition", "").startswith("attachment;")
    total = 0
    while chunk := response.read(PIECE):
        total += len(chunk)
    return total


def _latest_version(env: dict[str, str]) -> tuple[str, int]:
    script = (
        "import django; django.setup()\n"
        "from portal.models import DocumentVersion\n"
        "v = DocumentVersion.objects.order_by('-uploaded_at').first()\n"
        "print(v.pk, v.size) if v else print('none 0')"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    pk, size = out.stdout.strip().split()
    return pk, int(size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        print("gunicorn is not installed; skipped")
        return
    tmp = Path(tempfile.mkdtemp(prefix="atrium-bench-upload-"))
    (tmp / "uploads").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ATRIUM_VAR_DIR": str(tmp / "var"),
        "ATRIUM_PRIVATE_ROOT": str(tmp / "private"),
        "FILE_UPLOAD_TEMP_DIR": str(tmp / "uploads"),
        "ATRIUM_MAX_UPLOAD_MB": str(args.size_mb + 16),
        "ATRIUM_REQUIRE_STAFF_MFA": "0",
        "DEBUG": "0",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME"):
        env.pop(name, None)
    (tmp / "var").mkdir()
    proc = None
    try:
        session, matter_id, folder_id = _prepare(env)
        port = _free_port()
        proc = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--timeout",
                "900",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        _wait_for(port, proc)
        worker = _worker_pid(proc.pid)
        # Warm the worker (imports, the first queries, both code paths) with a 1 MB file
        # before taking the baseline.
        _upload(port, session=session, matter_id=matter_id, folder_id=folder_id, size=PIECE)
        _download(port, session=session, version_id=_latest_version(env)[0])
        base = _vm_hwm_kb(worker)

        started = time.monotonic()
        status = _upload(port, session=session, matter_id=matter_id, folder_id=folder_id, size=size)
        up_seconds = time.monotonic() - started
        after_upload = _vm_hwm_kb(worker)
        version_id, stored = _latest_version(env)
        if status != 302 or stored != size:
            raise SystemExit(f"upload failed: HTTP {status}, stored {stored} of {size} bytes")

        started = time.monotonic()
        received = _download(port, session=session, version_id=version_id)
        down_seconds = time.monotonic() - started
        after_download = _vm_hwm_kb(worker)
        if received != size:
            raise SystemExit(f"download returned {received} of {size} bytes")

        up_mb = (after_upload - base) / 1024
        down_mb = (after_download - base) / 1024
        print(f"file size                    {args.size_mb} MB")
        print(f"worker VmHWM before          {base / 1024:.1f} MB")
        print(
            f"upload   {up_seconds:6.1f} s  {args.size_mb / up_seconds:7.1f} MB/s  "
            f"peak increase {up_mb:.1f} MB"
        )
        print(
            f"download {down_seconds:6.1f} s  {args.size_mb / down_seconds:7.1f} MB/s  "
            f"peak increase {down_mb:.1f} MB"
        )
        verdict = "OK" if max(up_mb, down_mb) <= BUDGET_MB else "OVER BUDGET"
        print(f"budget {BUDGET_MB} MB: {verdict}")
        if verdict != "OK":
            raise SystemExit(1)
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

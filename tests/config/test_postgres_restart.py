"""PostgreSQL restarted under a running site: requests fail for the restart only, then
succeed without restarting the web or worker process (CONN_HEALTH_CHECKS), and the
reminder sweep resumes with nothing lost.

A throwaway PostgreSQL cluster (initdb, as the `postgres` OS user when run as root, since
initdb refuses root) on a free port gets a copy of the test database (pg_dump). A real
gunicorn and a real Celery worker with beat run against it while the test restarts it.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from notifications.outbox import State
from scheduling.models import Reminder
from tests.notifications.crash import due_reminders

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("/healthz", "/book/", "/accounts/login/")


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    path = found[-1] if found else shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed (the PostgreSQL server package)")
    return path


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def _as_postgres(*command: str) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` OS user."""
    if os.geteuid() != 0:
        return list(command)
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = _free_port()

    def run(self, *args: str, timeout: int = 120) -> None:
        subprocess.run(
            _as_postgres(_bin("pg_ctl"), "-D", str(self.data), *args),
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
        )

    def init_and_start(self) -> None:
        subprocess.run(
            _as_postgres(
                _bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--locale=C", "--no-sync",
            ),
            check=True,
            timeout=180,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self.run("-l", str(self.log), "-o", options, "-w", "start")

    def url(self, name: str = "atrium") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with psycopg.connect(self.url(), connect_timeout=5, autocommit=True) as conn:
            cursor = conn.execute(sql.format(table=Reminder._meta.db_table), params)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="atrium-pg-restart-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    made = Cluster(root)
    try:
        made.init_and_start()
        yield made
    finally:
        subprocess.run(
            _as_postgres(_bin("pg_ctl"), "-D", str(made.data), "-m", "immediate", "stop"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def _copy_test_database(cluster: Cluster) -> None:
    db = connection.settings_dict
    source = [
        "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"],
    ]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or os.environ.get("PGPASSWORD", "")}
    target = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]
    subprocess.run(
        ["psql", *target, "-d", "postgres", "-qc", "CREATE DATABASE atrium"], check=True, env=env
    )
    dump = subprocess.Popen(
        ["pg_dump", *source, "--no-owner", "--no-privileges", db["NAME"]],
        stdout=subprocess.PIPE,
        env=env,
    )
    subprocess.run(
        ["psql", *target, "-d", "atrium", "-q", "-v", "ON_ERROR_STOP=1"],
        stdin=dump.stdout,
        stdout=subprocess.DEVNULL,
        check=True,
        env=env,
        timeout=300,
    )
    assert dump.wait(timeout=60) == 0


def _env(cluster: Cluster, var: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url(),
        "DEBUG": "1",  # pages render their static files without collectstatic
        "ATRIUM_VAR_DIR": str(var),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var / "mail"),
        "SITE_URL": "http://127.0.0.1",
        "NOTIFICATIONS_SWEEP_SECONDS": "1",
        "NOTIFICATIONS_LEASE_SECONDS": "3",
        "DATABASE_CONN_MAX_AGE": "600",  # connections outlive the restart, as in production
    }
    env.pop("REDIS_URL", None)  # file cache and filesystem broker under `var`
    return env


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (our loopback URL)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _wait(what: str, check: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _sent(cluster: Cluster) -> int:
    return int(cluster.query("SELECT count(*) FROM {table} WHERE state = %s", (State.SENT,))[0][0])


def _message_ids(mail: Path) -> list[str]:
    if not mail.exists():
        return []
    text = "".join(p.read_text(errors="replace") for p in mail.iterdir() if p.is_file())
    return re.findall(r"^Message-ID: (\S+)", text, flags=re.MULTILINE | re.IGNORECASE)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_restart_fails_requests_only_while_it_lasts(
    world: Any, cluster: Cluster, tmp_path: Path
) -> None:
    # given: six email reminders, three due now and three held back, in a copy of the
    # database on a PostgreSQL of our own
    due_reminders(world, 6)
    Reminder.objects.filter(channel="sms").delete()
    held = list(Reminder.objects.order_by("pk").values_list("pk", flat=True)[3:])
    Reminder.objects.filter(pk__in=held).update(
        next_attempt_at=timezone.now() + dt.timedelta(days=1)
    )
    _copy_test_database(cluster)
    var = tmp_path / "var"
    var.mkdir()
    env = _env(cluster, var)
    web_port = _free_port()
    web = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{web_port}",
            "--workers", "1", "--threads", "1", "--timeout", "60",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(var / "web.log").open("wb"),
    )  # fmt: skip
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--pool=solo",
            "--loglevel=INFO", "-s", str(var / "beat-schedule"),
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(var / "worker.log").open("wb"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{web_port}"
    try:
        # the site answers and the worker sends what is due
        _wait("the web server", lambda: _get(base + "/book/") == 200, 120)
        _wait("the first three reminders", lambda: _sent(cluster) == 3, 180)
        assert [_get(base + page) for page in PAGES] == [200] * len(PAGES)

        # when: the held-back reminders fall due, and PostgreSQL restarts under requests
        cluster.query(
            "UPDATE {table} SET next_attempt_at = now() + interval '2.5 seconds' WHERE state = %s",
            (State.SCHEDULED,),
        )
        answers: list[tuple[float, str, int]] = []
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                for page in PAGES:
                    started = time.monotonic()
                    answers.append((started, page, _get(base + page)))
                time.sleep(0.1)

        hitter = threading.Thread(target=load, daemon=True)
        hitter.start()
        time.sleep(2)
        down_at = time.monotonic()
        cluster.run("-m", "fast", "-w", "restart")
        up_at = time.monotonic()
        time.sleep(3)
        stop.set()
        hitter.join(timeout=30)

        # then: every request sent once PostgreSQL was back succeeded, with the same web
        # process (one thread, so one database connection)
        before = [a for a in answers if a[0] < down_at - 1]
        after = [a for a in answers if a[0] > up_at + 0.1]
        assert before and all(status == 200 for _t, _p, status in before), before
        assert {page for _t, page, _s in after} == set(PAGES)
        assert all(status == 200 for _t, _p, status in after), after
        # and: restarted while no request runs, the connection the web process kept is
        # stale; the next requests still succeed (CONN_HEALTH_CHECKS tests it before use)
        assert [_get(base + page) for page in PAGES] == [200] * len(PAGES)
        cluster.run("-m", "fast", "-w", "restart")
        assert [_get(base + page) for page in PAGES] == [200] * len(PAGES)
        assert web.poll() is None
        # and the worker, never restarted, sent the other three: each reached the mail
        # server under its own Message-ID, and every row is recorded sent
        _wait("the held-back reminders", lambda: _sent(cluster) == 6, 180)
        assert worker.poll() is None
        ids = _message_ids(var / "mail")
        assert len(set(ids)) == 6, ids
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

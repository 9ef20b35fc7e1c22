"""Load on GET /api/slots/ (one month) under gunicorn, wrk-style, written in Python.

Builds a temporary SQLite database (migrate + 10 lawyers with working hours, 300
appointments and 800 external busy times), starts gunicorn on 127.0.0.1 on a free port,
fires a bounded number of requests from threads, prints p50, p99 and requests per second,
then stops gunicorn and removes everything. It always stops by itself.
Usage: python benchmarks/bench_slots_api.py [--requests 400] [--threads 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

SEED = r"""
import datetime as dt, random
from django.utils import timezone
from portal.models import Contact, Firm, User
from scheduling.models import Appointment, AvailabilityRule, BusyTime, ExternalCalendar, Service
Firm.objects.get_or_create(pk=1)
rng = random.Random(3)
service = Service.objects.create(slug="consult", name="Consultation", duration_minutes=30,
                                 buffer_after_minutes=10, min_notice_minutes=60)
contact = Contact.objects.create(first_name="A", last_name="B", email="a@example.com")
base = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
for i in range(10):
    staff = User.objects.create_user(email=f"s{i}@example.com", role="staff", is_staff=True,
                                     first_name=f"S{i}", last_name="L", time_zone="Europe/Warsaw")
    service.staff.add(staff)
    AvailabilityRule.objects.bulk_create([AvailabilityRule(staff=staff, weekday=d, start=dt.time(9),
                                          end=dt.time(17)) for d in range(5)])
    cal = ExternalCalendar.objects.create(staff=staff, name="G", url="https://example.com/x")
    busy = []
    for _ in range(80):
        s = base + dt.timedelta(minutes=rng.randrange(0, 30 * 24 * 60, 15))
        busy.append(BusyTime(calendar=cal, staff=staff, start_at=s, end_at=s + dt.timedelta(minutes=45)))
    BusyTime.objects.bulk_create(busy)
    for k in range(30):
        s = base + dt.timedelta(days=k, hours=8 + (k % 6))
        Appointment.objects.create(service=service, staff=staff, contact=contact, start_at=s,
            end_at=s + dt.timedelta(minutes=30), blocked_start=s,
            blocked_end=s + dt.timedelta(minutes=40), time_zone="Europe/Warsaw")
print("seeded")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="atrium-bench-slots-"))
    env = {
        **os.environ,
        "ATRIUM_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    port = free_port()
    server = None
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
        )
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SEED],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
            stdout=subprocess.DEVNULL,
        )
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        server = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)

        import datetime as dt

        today = dt.datetime.now(dt.UTC).date()
        path = (
            f"/api/slots/?service=consult&start={today + dt.timedelta(days=1)}"
            f"&end={today + dt.timedelta(days=31)}&tz=Europe/Warsaw"
        )
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        remaining = [args.requests]

        def worker() -> None:
            nonlocal errors
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except OSError:
                    ok = False
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors += 0 if ok else 1

        # Warm up each worker once.
        for _ in range(args.workers * 2):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", path)
            c.getresponse().read()
        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        wall = time.perf_counter() - started
        latencies.sort()
        n = len(latencies)
        print(
            f"GET /api/slots/ one month, 10 staff, gunicorn {args.workers} workers, "
            f"{args.threads} client threads, SQLite"
        )
        print(
            f"  requests {n}  errors {errors}  p50 {latencies[n // 2]:.1f} ms  "
            f"p99 {latencies[min(n - 1, int(n * 0.99))]:.1f} ms  {n / wall:.0f} req/s"
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

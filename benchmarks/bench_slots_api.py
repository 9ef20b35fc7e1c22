"""GET /api/slots/ (one month) against the floor of the stack, and the signed-in page budget.

Builds a throwaway database (SQLite file by default, or test_bench_slots on the PostgreSQL
server DATABASE_URL points to) with 10 lawyers, 500 appointments and 300 external busy
times, starts gunicorn (the project's settings plus one floor view: a minimal JSON view
doing one indexed query, benchmarks/floor_urls.py) and loads, for --duration seconds each,
the floor, /api/slots/ answered from the cache and /api/slots/ computed afresh (a miss:
each request carries a different ignored `invite`, so no two share a cache entry). Load is
wrk (-t2 -c16) when installed, otherwise threads in this process. CPU per request is the
gunicorn workers' own CPU time over the requests they served.

Prints one table: each figure, its goal (issue 14) and its ratio to the floor's figure.
Usage: python benchmarks/bench_slots_api.py [--duration 5] [--workers 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

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
    for _ in range(30):
        s = base + dt.timedelta(minutes=rng.randrange(0, 30 * 24 * 60, 15))
        busy.append(BusyTime(calendar=cal, staff=staff, start_at=s, end_at=s + dt.timedelta(minutes=45)))
    BusyTime.objects.bulk_create(busy)
    rows = []
    for k in range(50):
        s = base + dt.timedelta(days=k % 30, hours=7 + (k // 30) * 4 + (k % 4))
        rows.append(Appointment(service=service, staff=staff, contact=contact, start_at=s,
            end_at=s + dt.timedelta(minutes=30), blocked_start=s,
            blocked_end=s + dt.timedelta(minutes=40), time_zone="Europe/Warsaw"))
    Appointment.objects.bulk_create(rows)
print("seeded")
"""

# Queries and writes of a repeated plain view of signed-in pages (run in a shell).
PAGES = r"""
import json
from django.db import connection
from django.test import Client
from django.conf import settings
from django.test.utils import CaptureQueriesContext, override_settings
from tests import factories
# No collectstatic in the throwaway tree: plain static URLs.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
lawyer = factories.StaffFactory()
user, contact = factories.client_with_contact()
factories.make_matter(lawyer=lawyer, clients=[contact])
out = {}
for name, who, url in [("portal home", user, "/portal/"), ("staff home", lawyer, "/staff/"),
                       ("staff matters", lawyer, "/staff/matters/")]:
    c = Client()
    c.force_login(who)
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        status = c.get(url).status_code
    sql = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    writes = [q for q in sql if q.startswith(("INSERT", "UPDATE", "DELETE", "SAVEPOINT"))]
    out[name] = {"status": status, "queries": len(sql), "writes": len(writes)}
print("PAGES " + json.dumps(out))
"""

WRK_MISS = """
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "{path}&invite=m" .. math.random(1, 1000000000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_cpu_seconds(master: int) -> float:
    """User + system CPU of the gunicorn master's children (the workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def load_wrk(url: str, *, duration: int, connections: int, script: str | None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(
        [*cmd, url], capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "errors": (int(bad.group(1)) if bad else 0)
        + (sum(int(g) for g in errors.groups()) if errors else 0),
    }


def load_threads(url: str, *, duration: int, connections: int, miss: bool) -> dict[str, float]:
    parsed = urlparse(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        i = 0
        while time.monotonic() < stop:
            i += 1
            path = f"{target}&invite=m{n}-{i}" if miss else target
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)
                errors[0] += 0 if ok else 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 30)
    wall = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "rps": n / wall,
        "p99": latencies[min(n - 1, int(n * 0.99))] if n else 0.0,
        "errors": errors[0],
    }


def measure(
    url: str, *, master: int, duration: int, connections: int, miss: bool, tmp: Path
) -> dict[str, float]:
    before = worker_cpu_seconds(master)
    if shutil.which("wrk"):
        script = None
        if miss:
            parsed = urlparse(url)
            script_path = tmp / "miss.lua"
            script_path.write_text(WRK_MISS.replace("{path}", f"{parsed.path}?{parsed.query}"))
            script = str(script_path)
        result = load_wrk(url, duration=duration, connections=connections, script=script)
    else:
        result = load_threads(url, duration=duration, connections=connections, miss=miss)
    cpu = worker_cpu_seconds(master) - before
    result["cpu_ms"] = 1000 * cpu / max(1, result["requests"])
    return result


def _database(tmp: Path) -> tuple[str, str | None]:
    """(DATABASE_URL for the benchmark, the PostgreSQL database to drop afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp}/db.sqlite3", None
    import psycopg

    parsed = urlparse(url)
    name = "test_bench_slots"
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl(), admin


def _drop(admin: str | None) -> None:
    if admin:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "test_bench_slots" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5, help="seconds per load run (<= 10)")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    duration = max(1, min(args.duration, 10))

    tmp = Path(tempfile.mkdtemp(prefix="atrium-bench-slots-"))
    database_url, admin = _database(tmp)
    env = {
        **os.environ,
        "ATRIUM_VAR_DIR": str(tmp),
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_SETTINGS_MODULE": "benchmarks.floor_settings",
        "LOG_LEVEL": "WARNING",
        "ATRIUM_REQUIRE_STAFF_MFA": "1",
    }
    port = free_port()
    server = None
    try:
        run = {"cwd": ROOT, "env": env, "check": True, "timeout": 300}
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], **run)
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SEED],
            stdout=subprocess.DEVNULL,
            **run,
        )
        pages_run = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", PAGES],
            capture_output=True,
            text=True,
            **{**run, "check": False},
        )
        if pages_run.returncode:
            raise SystemExit(pages_run.stderr[-3000:])
        pages_out = pages_run.stdout
        pages = json.loads(pages_out.split("PAGES ", 1)[1])
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
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/bench/floor/")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)

        today = dt.datetime.now(dt.UTC).date()
        slots = (
            f"/api/slots/?service=consult&start={today + dt.timedelta(days=1)}"
            f"&end={today + dt.timedelta(days=30)}&tz=Europe/Warsaw"
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", slots)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{slots} answered {response.status}")
        # Warm every worker (imports, connections, the cache entry) before measuring.
        for _ in range(args.workers * 4):
            for path in ("/bench/floor/", slots):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("GET", path)
                c.getresponse().read()
        common = {
            "master": server.pid,
            "duration": duration,
            "connections": args.connections,
            "tmp": tmp,
        }
        floor = measure(base + "/bench/floor/", miss=False, **common)
        hit = measure(base + slots, miss=False, **common)
        miss = measure(base + slots, miss=True, **common)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
        _drop(admin)

    engine = "PostgreSQL" if admin else "SQLite"
    tool = "wrk -t2" if shutil.which("wrk") else "Python threads"
    print(
        f"GET /api/slots/ one month (10 staff, 500 appointments, 300 busy times), {engine}, "
        f"gunicorn {args.workers} sync workers, {tool} -c{args.connections}, {duration} s a run"
    )
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, value: float, fmt: str, goal: str, ratio: float | None, ok: bool | None):
        mark = "" if ok is None else ("ok" if ok else "MISSED")
        ratio_text = "" if ratio is None else f"{ratio:.2f}"
        rows.append((name, format(value, fmt), f"{goal} {mark}".strip(), ratio_text))

    row("floor req/s", floor["rps"], ".0f", "", 1.0, None)
    row("floor p99 ms", floor["p99"], ".1f", "", 1.0, None)
    row("floor CPU ms/request", floor["cpu_ms"], ".2f", "", 1.0, None)
    for label, r, cpu_goal in (("slots hit", hit, 3), ("slots miss", miss, 7)):
        ratio = r["rps"] / floor["rps"]
        cpu_ratio = r["cpu_ms"] / floor["cpu_ms"] if floor["cpu_ms"] else 0.0
        if label == "slots hit":
            row(f"{label} req/s", r["rps"], ".0f", ">= 0.3 x floor", ratio, ratio >= 0.3)
            row(
                f"{label} p99 ms",
                r["p99"],
                ".1f",
                "<= 100",
                r["p99"] / floor["p99"],
                r["p99"] <= 100,
            )
        else:
            row(f"{label} req/s", r["rps"], ".0f", "", ratio, None)
            row(f"{label} p99 ms", r["p99"], ".1f", "", r["p99"] / floor["p99"], None)
        row(
            f"{label} CPU ms/request",
            r["cpu_ms"],
            ".2f",
            f"<= {cpu_goal} x floor",
            cpu_ratio,
            cpu_ratio <= cpu_goal,
        )
        if r["errors"]:
            row(f"{label} errors", r["errors"], ".0f", "0", None, False)
    row("slots answer KB", len(body) / 1024, ".1f", "", None, None)
    for name, figures in pages.items():
        row(f"{name} queries", figures["queries"], ".0f", "<= 8", None, figures["queries"] <= 8)
        row(f"{name} writes", figures["writes"], ".0f", "0", None, figures["writes"] == 0)
    # Rows the benchmarks run before this one wrote (make bench sets ATRIUM_BENCH_TABLE):
    # (figure, value, goal, ratio) each, already formatted.
    table = os.environ.get("ATRIUM_BENCH_TABLE", "")
    if table and Path(table).exists():
        for line in Path(table).read_text(encoding="utf-8").splitlines():
            rows.append(tuple(json.loads(line)))
    widths = [
        max(len(r[i]) for r in [("figure", "value", "goal", "ratio to floor"), *rows])
        for i in range(4)
    ]
    header = ("figure", "value", "goal", "ratio to floor")
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print(
            f"  {r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]:>{widths[3]}}"
        )


if __name__ == "__main__":
    main()

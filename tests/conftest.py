from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import socket
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from portal.models import CoCounselGrant, Contact, Firm, Matter, User
from tests import factories


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """PostgreSQL-only tests skip on SQLite; CI fails if any of them was skipped."""
    from django.conf import settings

    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# --- the test database --------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
# Beside var/ as settings.VAR_DIR has it (ATRIUM_VAR_DIR when set), shared by the workers.
TEMPLATES_DIR = Path(os.environ.get("ATRIUM_VAR_DIR") or REPO / "var") / "test-db"


def _schema_key() -> str:
    """What the migrated schema depends on: every migration file of the project and the
    pinned versions of the packages whose migrations run too."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(REPO.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    digest.update((REPO / "requirements" / "dev.txt").read_bytes())
    return digest.hexdigest()[:24]


@pytest.fixture(scope="session")
def django_db_setup(
    request: Any,
    django_test_environment: Any,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: Any,
) -> Iterator[None]:
    """pytest-django's test database set-up, with one difference on SQLite: the migrated
    database is kept as a template under var/test-db/ (named by a hash of every migration
    and the pinned packages), so later runs copy it into each worker's in-memory database
    instead of running some hundred migrations again (about 15 s a worker). A changed
    migration or package changes the name: the next run migrates and keeps a new one.
    PostgreSQL, --nomigrations and --reuse-db take pytest-django's own path."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if not django_db_use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    template = TEMPLATES_DIR / f"{_schema_key()}.sqlite3"
    on_sqlite = (
        connection.vendor == "sqlite"
        and list(settings.DATABASES) == ["default"]
        and connection.creation.is_in_memory_db(connection.creation._get_test_db_name())
        and django_db_use_migrations
        and not django_db_keepdb
    )
    with django_db_blocker.unblock():
        if on_sqlite and template.exists():
            old_name = connection.settings_dict["NAME"]
            test_name = connection.creation._get_test_db_name()
            connection.close()
            settings.DATABASES["default"]["NAME"] = test_name
            connection.settings_dict["NAME"] = test_name
            connection.ensure_connection()
            source = sqlite3.connect(template)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            db_cfg = [(connection, old_name, True)]
        else:
            db_cfg = setup_databases(
                verbosity=request.config.option.verbose,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=django_db_keepdb and not django_db_createdb,
            )
            if on_sqlite:
                TEMPLATES_DIR.mkdir(parents=True, exist_ok=True)
                partial = template.with_suffix(f".{os.getpid()}.partial")
                target = sqlite3.connect(partial)
                try:
                    connection.ensure_connection()
                    connection.connection.backup(target)
                finally:
                    target.close()
                os.replace(partial, template)  # atomic: a parallel worker may do the same
                for stale in TEMPLATES_DIR.glob("*.sqlite3"):
                    if stale != template:
                        stale.unlink(missing_ok=True)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language, whatever a test before it activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address: Any) -> None:
    """Refuse a connection to anything but this machine (calendar-sync §7.5)."""
    if not isinstance(address, tuple):
        return  # a Unix socket
    host = str(address[0])
    if host == "localhost":
        return
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        raise OSError(f"tests may not connect to {host!r}: only loopback") from None
    if not ip.is_loopback and not ip.is_unspecified:
        raise OSError(f"tests may not connect to {host}: only loopback")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _loopback_only(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _loopback_only(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: Any) -> None:
    """No test reaches the network: a socket to a non-loopback address is refused."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


def isolated_settings(private_root: Any) -> dict[str, Any]:
    """Settings every test runs with: a private cache, files and SMS under a temporary
    folder, eager Celery tasks, MFA required for staff, and cheap password hashing."""
    values: dict[str, Any] = {
        "CELERY_TASK_ALWAYS_EAGER": True,
        "STORAGES": {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(private_root / "private"), "base_url": None},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "SMS_FILE_PATH": str(private_root / "sms"),
        "ATRIUM_REQUIRE_STAFF_MFA": True,
        # Hashing cost is not what these tests are about.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    }
    if not settings.REDIS_URL:
        # The embedded file cache is shared with a running dev server and other test runs.
        values["CACHES"] = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"atrium-tests-{os.getpid()}",
            }
        }
    return values


@pytest.fixture(autouse=True)
def _isolated_environment(settings: Any, tmp_path: Any) -> Any:
    """Each test gets empty caches, its own private file root and eager Celery tasks."""
    for name, value in isolated_settings(tmp_path).items():
        setattr(settings, name, value)
    cache.clear()
    # Intake's in-process conflict index: rolled-back tests reuse row ids.
    from intake.services.conflicts import index_cache_clear

    index_cache_clear()
    yield
    cache.clear()


@pytest.fixture
def firm(db: Any) -> Firm:
    firm, _created = Firm.objects.get_or_create(pk=1, defaults={"name": "Test Firm"})
    return firm


@dataclass
class World:
    """Every role of the access matrix, with two matters."""

    admin: User
    staff_on: User
    staff_off: User
    client_a: User
    client_b: User
    contact_a: Contact
    contact_b: Contact
    cocounsel: User
    cocounsel_expired: User
    matter_a: Matter
    matter_b: Matter
    grant: CoCounselGrant
    expired_grant: CoCounselGrant

    def users(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "client_a": self.client_a,
            "client_b": self.client_b,
            "staff_on": self.staff_on,
            "staff_off": self.staff_off,
            "admin": self.admin,
            "cocounsel": self.cocounsel,
            "cocounsel_expired": self.cocounsel_expired,
        }


def build_world() -> World:
    """Every role of the access matrix, with two matters (written through the services)."""
    admin = factories.AdminFactory(email="admin@firm.example")
    staff_on = factories.StaffFactory(email="on@firm.example")
    staff_off = factories.StaffFactory(email="off@firm.example")
    client_a, contact_a = factories.client_with_contact(email="a@client.example")
    client_b, contact_b = factories.client_with_contact(email="b@client.example")
    cocounsel = factories.CoCounselFactory(email="cc@partner.example")
    cocounsel_expired = factories.CoCounselFactory(email="cc-old@partner.example")
    matter_a = factories.make_matter(lawyer=staff_on, clients=[contact_a], title="Matter A")
    matter_b = factories.make_matter(lawyer=staff_off, clients=[contact_b], title="Matter B")
    grant = factories.share_with_cocounsel(matter=matter_a, by=staff_on, user=cocounsel)
    expired = factories.share_with_cocounsel(matter=matter_a, by=staff_on, user=cocounsel_expired)
    CoCounselGrant.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    return World(
        admin,
        staff_on,
        staff_off,
        client_a,
        client_b,
        contact_a,
        contact_b,
        cocounsel,
        cocounsel_expired,
        matter_a,
        matter_b,
        grant,
        expired,
    )


@pytest.fixture
def world(firm: Firm, django_capture_on_commit_callbacks: Any) -> World:
    return build_world()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The one Chromium every browser test shares (tests/e2e/conftest.py has the helpers)."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        if os.environ.get("ATRIUM_E2E_REQUIRED") == "1":
            pytest.fail(f"{CHROMIUM} is missing and browser tests are required")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        # Every context reports what the Content-Security-Policy blocked (Chromium logs each
        # refusal to the console): a browser test fails when its pages needed something the
        # policy refuses, such as an inline script without the nonce.
        new_context = chromium.new_context

        def watched_context(*args: Any, **kwargs: Any) -> Any:
            context = new_context(*args, **kwargs)
            context.on("console", _record_csp_refusal)
            return context

        chromium.new_context = watched_context
        yield chromium
        chromium.close()


CSP_REFUSALS: list[str] = []


def _record_csp_refusal(message: Any) -> None:
    if "Content Security Policy" in message.text:
        CSP_REFUSALS.append(f"{message.location.get('url', '')}: {message.text}")


@pytest.fixture(autouse=True)
def _close_browser_pages(request: Any) -> Iterator[None]:
    """A browser test's pages close with the test, before its live server stops; the test
    fails if the Content-Security-Policy blocked anything on them."""
    CSP_REFUSALS.clear()
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()
        refusals = list(CSP_REFUSALS)
        CSP_REFUSALS.clear()
        assert not refusals, "the Content-Security-Policy blocked:\n" + "\n".join(refusals)


@pytest.fixture
def e2e_required() -> bool:
    return os.environ.get("ATRIUM_E2E_REQUIRED") == "1"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"

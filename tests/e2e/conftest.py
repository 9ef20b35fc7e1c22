"""Browser tests in Debian's Chromium through Playwright (no downloaded browsers).

The one Chromium of the session is the `browser` fixture in tests/conftest.py, shared by
every browser test wherever it lives.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def screenshot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def new_page(
    browser: Any,
    viewport: dict[str, int],
    locale: str = "en-GB",
    timezone_id: str = "Europe/Warsaw",
) -> Any:
    context = browser.new_context(viewport=viewport, locale=locale, timezone_id=timezone_id)
    return context.new_page()


def save_screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def totp_code(secret: str) -> str:
    """The authenticator app's current code for a TOTP secret (tests.factories sets one
    on every staff member)."""
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def sign_in(page: Any, base: str, email: str, code_secret: str | None = None) -> None:
    """Sign in on the login page with the factories' password and, for staff, the code."""
    from tests import factories

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")
    if code_secret:
        for _attempt in range(2):
            # A code typed in the last moments of its 30-second window may reach the server
            # in the next one (a loaded machine): wait for a fresh window instead, and try
            # once more if the code was refused anyway.
            left = 30 - time.time() % 30
            if left < 4:
                time.sleep(left + 0.2)
            page.fill("input[name=code]", totp_code(code_secret))
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            if not page.locator("input[name=code]").count():
                break
    page.wait_for_load_state()

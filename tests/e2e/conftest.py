"""Browser tests in Debian's Chromium through Playwright (no downloaded browsers)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("ATRIUM_E2E_REQUIRED") == "1":
            pytest.fail(f"{CHROMIUM} is missing and browser tests are required")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def screenshot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def new_page(browser: Any, viewport: dict[str, int], locale: str = "en-GB",
             timezone_id: str = "Europe/Warsaw") -> Any:
    context = browser.new_context(viewport=viewport, locale=locale, timezone_id=timezone_id)
    return context.new_page()


def in_browser(steps: Any) -> Any:
    """Run `steps(browser)` with a Chromium of its own in a fresh thread.

    The `browser` fixture keeps one Playwright (and its event loop) open on the main thread
    for the whole session; a second sync Playwright may only start in another thread.
    """
    if not Path(CHROMIUM).exists():
        if os.environ.get("ATRIUM_E2E_REQUIRED") == "1":
            pytest.fail(f"{CHROMIUM} is missing and browser tests are required")
        pytest.skip(f"{CHROMIUM} is not installed")
    result: dict[str, Any] = {}

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
                try:
                    result["value"] = steps(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    if "error" in result:
        raise result["error"]
    return result.get("value")


def save_screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

"""The service pages in Chromium at phone size (390 px): create a service, see it listed."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from scheduling.models import Service
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS, new_page

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _in_browser(steps: Any) -> Any:
    """Run `steps(browser)` in a thread of its own (tests/e2e may hold the main one)."""
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


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_admin_creates_a_service_on_a_phone(live_server: Any, world: Any) -> None:
    # given
    client = Client()
    client.force_login(world.admin)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    lawyer = world.staff_on.get_full_name() or world.staff_on.email

    def steps(browser: Any) -> dict[str, Any]:
        page = new_page(browser, PHONE)
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                                   "url": live_server.url}])
        page.goto(f"{live_server.url}/staff/services/new/")
        # when: a bad duration first, then corrected
        page.fill("input[name=name]", "Will drafting")
        page.fill("input[name=slug]", "will-drafting")
        page.fill("input[name=duration_minutes]", "2")
        page.get_by_label(lawyer).check()
        page.get_by_role("button", name="Save").click()
        _shot(page, "scheduling-service-form-error-phone")
        seen = {"error": page.locator(".errorlist").first.inner_text(),
                "wide": page.evaluate("document.documentElement.scrollWidth")}
        page.fill("input[name=duration_minutes]", "60")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/staff/services/")
        _shot(page, "scheduling-services-phone")
        seen["listed"] = page.locator("text=Will drafting").first.is_visible()
        return seen

    seen = _in_browser(steps)
    # then: a clear message, no sideways scrolling, and the service stored once fixed
    assert "between 5 and 480" in seen["error"]
    assert seen["wide"] <= PHONE["width"]
    assert seen["listed"]
    assert Service.objects.filter(slug="will-drafting", duration_minutes=60).exists()

"""The service pages in Chromium at phone size (390 px): create a service, see it listed."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from scheduling.models import Service
from tests.e2e.conftest import PHONE, new_page, save_screenshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_creates_a_service_on_a_phone(browser: Any, live_server: Any, world: Any) -> None:
    # given
    client = Client()
    client.force_login(world.admin)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    lawyer = world.staff_on.get_full_name() or world.staff_on.email

    def steps() -> dict[str, Any]:
        page = new_page(browser, PHONE)
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/staff/services/new/")
        # when: a bad duration first, then corrected
        # Service names are per language: the firm's default language (English) is required.
        page.fill("input[name=name_en]", "Will drafting")
        page.fill("input[name=slug]", "will-drafting")
        page.fill("input[name=duration_minutes]", "2")
        page.get_by_label(lawyer).check()
        page.get_by_role("button", name="Save").click()
        save_screenshot(page, "scheduling-service-form-error-phone")
        seen = {
            "error": page.locator(".errorlist").first.inner_text(),
            "wide": page.evaluate("document.documentElement.scrollWidth"),
        }
        page.fill("input[name=duration_minutes]", "60")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/staff/services/")
        save_screenshot(page, "scheduling-services-phone")
        seen["listed"] = page.locator("text=Will drafting").first.is_visible()
        return seen

    seen = steps()
    # then: a clear message, no sideways scrolling, and the service stored once fixed
    assert "between 5 and 480" in seen["error"]
    assert seen["wide"] <= PHONE["width"]
    assert seen["listed"]
    assert Service.objects.filter(slug="will-drafting", duration_minutes=60).exists()

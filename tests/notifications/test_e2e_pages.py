"""The staff pages of notifications in Chromium, at phone and desktop size."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from portal.models import Matter, TimelineEntry
from scheduling import services as scheduling_services
from tests.e2e.conftest import DESKTOP, PHONE, new_page, save_screenshot
from tests.notifications.conftest import make_appointment

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _signed_in_page(browser: Any, live_server: Any, cookie: str, viewport: dict[str, int]) -> Any:
    page = new_page(browser, viewport)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_admin_edits_a_polish_sms_and_sees_the_preview_and_segments_live(
    browser: Any, live_server: Any, world: Any, viewport: dict[str, int]
) -> None:
    cookie = _session_cookie(world.admin)  # only firm admins change the texts
    name = "phone" if viewport == PHONE else "desktop"

    def steps() -> dict[str, Any]:
        # given
        page = _signed_in_page(browser, live_server, cookie, viewport)
        page.goto(f"{live_server.url}/staff/notifications/templates/reminder/sms/pl/")
        # when: typing a longer Polish text
        page.locator("textarea[name=body]").fill(
            "{firm}: przypominamy o wizycie {when}. Prosimy o punktualność. Zmiana terminu: {link}"
        )
        seen = {
            "preview": page.locator("#preview-body").inner_text(),
            "segments": page.locator("#segments").inner_text(),
        }
        save_screenshot(page, f"notifications-template-edit-{name}")
        # when: saved
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/staff/notifications/templates/")
        seen["saved"] = page.locator(".msg-success").is_visible()
        return seen

    seen = steps()
    # then: the preview filled the sample values; the count said UCS-2, two parts
    assert "Atrium Law: przypominamy o wizycie Mon 9 Mar, 10:00 CET" in seen["preview"]
    assert "UCS-2" in seen["segments"] and seen["segments"].startswith("2")
    assert seen["saved"]


def test_lawyer_sends_the_check_in_from_the_staff_home(
    browser: Any, live_server: Any, world: Any
) -> None:
    # given: matter A silent for 30 days
    then = timezone.now() - dt.timedelta(days=30)
    Matter.objects.filter(pk=world.matter_a.pk).update(created_at=then)
    TimelineEntry.objects.filter(matter=world.matter_a).update(created_at=then)
    cookie = _session_cookie(world.staff_on)

    def steps() -> dict[str, Any]:
        page = _signed_in_page(browser, live_server, cookie, PHONE)
        page.goto(f"{live_server.url}/staff/")
        seen = {"alarm_before": page.locator("#silence-alarm").is_visible()}
        save_screenshot(page, "notifications-silence-alarm-phone")
        # when
        page.locator("#silence-alarm").get_by_role("link", name="Send a check-in").click()
        save_screenshot(page, "notifications-checkin-phone")
        page.get_by_role("button", name="Send update").click()
        page.wait_for_url("**/staff/notifications/silence/")
        page.goto(f"{live_server.url}/staff/")
        seen["alarm_after"] = page.locator("#silence-alarm").count()
        return seen

    seen = steps()
    # then
    assert seen["alarm_before"] and seen["alarm_after"] == 0
    assert TimelineEntry.objects.filter(
        matter=world.matter_a, shared_with_client=True, created_by=world.staff_on
    ).exists()


def test_staff_see_each_reminder_with_its_state(browser: Any, live_server: Any, world: Any) -> None:

    contact = world.contact_a
    contact.sms_consent, contact.phone = True, "+48600100200"
    contact.save()
    appointment = make_appointment(
        staff=world.staff_on,
        contact=contact,
        matter=world.matter_a,
        start=timezone.now() + dt.timedelta(hours=5),
    )
    scheduling_services.appointment_reminders_sync(appointment=appointment)
    cookie = _session_cookie(world.staff_on)

    def steps() -> str:
        page = _signed_in_page(browser, live_server, cookie, PHONE)
        page.goto(f"{live_server.url}/staff/notifications/appointments/{appointment.pk}/")
        save_screenshot(page, "notifications-appointment-reminders-phone")
        return page.locator("#appointment-reminders").inner_text()

    text = steps()
    assert "Suppressed" in text and "too late" in text and "Scheduled" in text

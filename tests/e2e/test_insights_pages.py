"""The insights pages in Russian in real Chromium, on a desktop and on a 390 px phone: the
overview's cards, one metric's page with its chart and rows, and the CSV download."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache

from benchmarks.insights_data import build
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, new_page, sign_in


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.django_db(transaction=True)
def test_insights_overview_detail_and_csv_in_russian_on_desktop_and_phone(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    # given a firm's year of appointments, leads, invoices and messages, and its admin
    build(scale=0.01, label="e")
    cache.clear()
    admin = factories.AdminFactory(email="olga@firm.example", first_name="Ольга", language="ru")
    secret = admin.totp_secret

    page = new_page(browser, DESKTOP, locale="ru-RU")
    # One sign-in: an authenticator code is accepted once, so the phone is the same
    # browser resized.
    sign_in(page, live_server.url, admin.email, code_secret=secret)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)

        # the overview: a card per metric with its figure and sparkline
        page.goto(f"{live_server.url}/staff/insights/")
        assert page.locator("html").get_attribute("lang") == "ru"
        cards = page.locator("article.insight-card")
        assert cards.count() >= 8
        assert page.locator("article.insight-card svg[role=img]").count() >= 8
        screenshot(page, f"insights-overview-ru-{name}")
        _fits(page, viewport["width"])

        # one metric's page: the chart with its table, the rows behind the figure
        page.click("#card-show_rate a")
        page.wait_for_selector("figure.chart svg[role=img]")
        assert page.locator("figure.chart table.chart-table").count() >= 1
        assert page.locator("table.table tbody tr").count() >= 1
        screenshot(page, f"insights-detail-ru-{name}")
        _fits(page, viewport["width"])

        # the CSV of exactly those rows
        with page.expect_download() as download_info:
            page.click("a[href*='show_rate.csv']:not([href*='excel'])")
        download = download_info.value
        assert download.suggested_filename.startswith("show_rate-")
        with open(download.path(), encoding="utf-8") as handle:
            rows = list(csv.reader(io.StringIO(handle.read())))
        assert len(rows) > 1
        assert "(Europe/Warsaw)" in rows[0][0]

"""A lawyers-only service on a phone in Polish: the people picker offers the lawyers and
"anyone", never the paralegal who also works at the firm."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from portal.models import Firm, User
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.helpers import make_service, working_week


@pytest.mark.django_db(transaction=True)
def test_a_lawyers_only_service_shows_no_paralegal_on_a_phone_in_polish(
    browser: Any, live_server: Any, screenshot: Any
) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kancelaria Kowalska"})
    cache.clear()
    lawyers = [
        factories.StaffFactory(
            first_name=first,
            last_name=last,
            staff_title=User.StaffTitle.LAWYER,
            time_zone="Europe/Warsaw",
        )
        for first, last in (("Anna", "Kowalska"), ("Marek", "Nowak"))
    ]
    paralegal = factories.StaffFactory(
        first_name="Sofía",
        last_name="García",
        staff_title=User.StaffTitle.PARALEGAL,
        time_zone="Europe/Warsaw",
    )
    for member in [*lawyers, paralegal]:
        working_week(member, days=range(7))
    make_service(
        staff=[*lawyers, paralegal],
        slug="konsultacja",
        name="Konsultacja z prawnikiem",
        minutes=45,
        lawyers_only=True,
    )
    page = new_page(browser, PHONE, locale="pl-PL")
    page.goto(f"{live_server.url}/book/konsultacja/")
    people = page.locator(".people-list").inner_text()
    assert "Anna Kowalska" in people and "Marek Nowak" in people
    assert "García" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "booking-lawyers-only-phone-pl")

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import translation

from portal.selectors import firm_get
from tests import factories
from tests.scheduling.helpers import make_service, working_week

# Monday 2026-06-01 08:00 UTC (10:00 in Warsaw).
NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> None:
    # The default file cache under var/ is shared with every other test run on this
    # machine; a clear() from elsewhere would make the query budgets and limits flaky.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "scheduling-tests",
        }
    }


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lawyers(firm: Any) -> list[Any]:
    people = [
        factories.StaffFactory(
            email=f"lawyer{i}@firm.example",
            first_name=f"L{i}",
            last_name="Lawyer",
            time_zone="Europe/Warsaw",
        )
        for i in range(2)
    ]
    for person in people:
        working_week(person)
    firm_get()
    return people


@pytest.fixture
def intro(lawyers: list[Any]) -> Any:
    return make_service(staff=lawyers, slug="intro-call", minutes=15, buffer_after_minutes=5)


@pytest.fixture(autouse=True)
def _language_reset() -> Any:
    # A request with Accept-Language leaves its language active in this thread; the next
    # test would read its messages in Polish.
    yield
    translation.deactivate()

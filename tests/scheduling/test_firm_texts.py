"""Firm-written service texts in every language, falling back to the firm's own language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from core import languages
from portal.models import Firm
from portal.selectors import FIRM_CACHE_KEY
from scheduling.models import Service
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def polish_firm(firm: Any) -> Any:
    Firm.objects.filter(pk=1).update(default_language="pl")
    cache.delete(FIRM_CACHE_KEY)
    yield
    languages.firm_text_fallback_set("en")


@pytest.fixture
def translated(intro: Any) -> Any:
    Service.objects.filter(pk=intro.pk).update(
        name_en="Introductory call",
        name_pl="Rozmowa wstępna",
        name_es=None,
        name_ru="Вводный звонок",
        description_en="We listen first.",
        description_pl="Najpierw słuchamy.",
        description_es="",
        description_ru="",
    )
    return intro


@pytest.mark.parametrize(
    ("language", "name", "description"),
    [
        ("en", "Introductory call", "We listen first."),
        ("pl", "Rozmowa wstępna", "Najpierw słuchamy."),
        # No Spanish version: the firm's own language (Polish), not English.
        ("es", "Rozmowa wstępna", "Najpierw słuchamy."),
        ("ru", "Вводный звонок", "Najpierw słuchamy."),
    ],
)
def test_the_booking_pages_show_each_text_in_the_readers_language_or_the_firms(
    client: Any,
    frozen: Any,
    polish_firm: Any,
    translated: Any,
    language: str,
    name: str,
    description: str,
) -> None:
    listing = client.get(reverse("scheduling:book"), HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(
        reverse("scheduling:book-service", args=[translated.slug]), HTTP_ACCEPT_LANGUAGE=language
    )

    assert name in listing.content.decode()
    assert name in page.content.decode() and description in page.content.decode()


def test_the_service_form_puts_the_firms_language_first_and_requires_only_it(
    client: Any, frozen: Any, polish_firm: Any, translated: Any, lawyers: Any
) -> None:
    admin = factories.AdminFactory(email="boss@firm.example")
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": translated.pk})

    form = client.get(url).content.decode()

    assert form.index("Name (Polski)") < form.index("Name (English)") < form.index("Name (Русский)")
    assert 'name="name_pl"' in form and 'value="Rozmowa wstępna"' in form
    new = client.post(
        reverse("scheduling:staff-service-new"),
        {
            "name_en": "Only English",
            "slug": "only-english",
            "duration_minutes": 30,
            "price": "0",
            "location_kind": "phone",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 0,
            "min_notice_minutes": 60,
            "horizon_days": 30,
            "slot_step_minutes": 15,
            "hold_minutes": 10,
            "staff": [lawyers[0].pk],
            "audience": "anyone",
            "cancel_deadline_hours": 24,
            "cancel_fee": "0",
            "position": 0,
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "10",
        },
    )
    assert new.status_code == 400
    assert not Service.objects.filter(slug="only-english").exists()


def test_a_translation_saved_in_the_form_reaches_russian_readers(
    client: Any, frozen: Any, polish_firm: Any, translated: Any, lawyers: Any
) -> None:
    admin = factories.AdminFactory(email="boss@firm.example")
    client.force_login(admin)
    url = reverse("scheduling:staff-service-edit", kwargs={"service_id": translated.pk})
    page = client.get(url)
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and key != "staff" and key != "reminder_offsets"
    }
    data.update(
        {
            "description_ru": "Сначала мы слушаем.",
            "staff": [lawyers[0].pk],
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "10",
        }
    )

    assert client.post(url, data).status_code == 302

    client.logout()
    russian = client.get(
        reverse("scheduling:book-service", args=[translated.slug]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "Сначала мы слушаем." in russian
    polish = client.get(
        reverse("scheduling:book-service", args=[translated.slug]), HTTP_ACCEPT_LANGUAGE="pl"
    ).content.decode()
    assert "Najpierw słuchamy." in polish


def test_the_django_admin_edits_each_language(
    admin_client: Any, settings: Any, frozen: Any, polish_firm: Any, translated: Any
) -> None:
    settings.ATRIUM_REQUIRE_STAFF_MFA = False  # the admin page, not the MFA gate, is tested
    service_page = admin_client.get(
        reverse("admin:scheduling_service_change", args=[translated.pk])
    ).content.decode()
    firm_page = admin_client.get(reverse("admin:portal_firm_change", args=[1])).content.decode()

    assert 'name="name_pl"' in service_page and 'name="name_ru"' in service_page
    assert 'name="promise_channels_es"' in firm_page

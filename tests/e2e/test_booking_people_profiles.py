"""Who the client will meet, on a 390 px phone in Polish: each card shows the photo (the
initials without one), the role, practice areas, languages and the profile; the booker
opens a profile, picks a person, and nothing scrolls sideways."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal import services
from portal.models import Firm, User
from portal.photos import photo_checked
from tests import factories
from tests.e2e.conftest import PHONE, new_page
from tests.scheduling.helpers import make_service, working_week

LONG_PROFILE = (
    "Adwokatka od 2009 roku, specjalizuje się w sprawach rozwodowych, opiece nad dziećmi"
    " i alimentach; prowadzi też mediacje. Najdłuższe-słowo-bez-spacji-które-nie-może-"
    "rozepchnąć-strony-na-telefonie. " * 3
)


@pytest.mark.django_db(transaction=True)
def test_people_cards_on_a_phone_in_polish(browser: Any, live_server: Any, screenshot: Any) -> None:
    Firm.objects.update_or_create(pk=1, defaults={"name": "Kancelaria Kowalska"})
    cache.clear()
    anna, marek = (
        factories.StaffFactory(
            first_name=first,
            last_name=last,
            staff_title=User.StaffTitle.LAWYER,
            time_zone="Europe/Warsaw",
        )
        for first, last in (("Anna", "Kowalska"), ("Marek", "Nowak"))
    )
    for member in (anna, marek):
        working_week(member, days=range(7))
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 80, 150)).save(out, format="JPEG")
    services.staff_profile_update(
        actor=anna,
        user=anna,
        data={
            "practice_areas": ["family", "litigation", "estate"],
            "languages": ["pl", "en", "de", "uk"],
            "profile_pl": LONG_PROFILE,
            "profile_en": "An advocate since 2009.",
        },
        photo=photo_checked(SimpleUploadedFile("a.jpg", out.getvalue(), "image/jpeg")),
    )
    make_service(staff=[anna, marek], slug="konsultacja", name="Konsultacja", minutes=45)

    page = new_page(browser, PHONE, locale="pl-PL")
    page.goto(f"{live_server.url}/book/konsultacja/")
    card = page.locator(f'[data-person-card="{anna.pk}"]')
    photo = card.locator("img.avatar.photo")
    photo.wait_for()
    # The photo arrives after the page: wait until it has loaded (or time out and fail).
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    text = card.inner_text()
    assert "Prawo rodzinne" in text and "Polski, angielski, niemiecki, ukraiński" in text
    # Marek has no photo: his initials
    assert page.locator(f'[data-person-card="{marek.pk}"] .avatar').inner_text() == "MN"
    # the profile opens in place and wraps inside the card
    card.locator("summary").click()
    assert card.locator(".person-profile p").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "booking-people-cards-phone-pl")
    # picking Anna draws the page for her alone
    card.locator("a.person").click()
    page.wait_for_url(f"**staff={anna.pk}**")
    chosen = page.locator(f'[data-person-card="{anna.pk}"]')
    assert "current" in (chosen.get_attribute("class") or "")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

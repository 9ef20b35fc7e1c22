"""Issue 11, "who the client will meet": the public booking page shows each person who
offers the service with their photo (initials without one), role, practice areas, the
languages they speak and their short profile in the reader's language."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from portal import services
from portal.models import StaffProfile, User
from portal.photos import photo_checked
from tests import factories
from tests.scheduling.helpers import make_service, working_week

pytestmark = pytest.mark.django_db

URL = "/book/intro-call/"


def _photo() -> Any:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 90, 160)).save(out, format="PNG")
    return photo_checked(SimpleUploadedFile("p.png", out.getvalue(), "image/png"))


def _profile(user: User, *, photo: bool = True, **data: Any) -> StaffProfile:
    values = {
        "practice_areas": ["family", "immigration"],
        "languages": ["pl", "de"],
        "profile_en": "Family lawyer since 2009.",
        "profile_pl": "Adwokatka od 2009 roku.",
        **data,
    }
    admin = User.objects.filter(is_superuser=True).first() or factories.AdminFactory()
    return services.staff_profile_update(
        actor=admin, user=user, data=values, photo=_photo() if photo else None
    )


def _cards(body: str) -> str:
    start = body.index('class="people-list"')
    return body[start : body.index("</section>", start)]


def test_the_cards_show_photo_role_areas_languages_and_profile_in_the_readers_language(
    client, frozen, intro, lawyers, django_capture_on_commit_callbacks
) -> None:
    first, second = lawyers
    first.staff_title = User.StaffTitle.LAWYER
    first.save(update_fields=["staff_title"])
    profile = _profile(first)
    polish = _cards(
        client.get(URL, {"tz": "Europe/Warsaw"}, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    )
    card = polish[polish.index(f'data-person-card="{first.pk}"') :].split("</li>")[0]
    assert reverse("staff-photo", args=[profile.photo_key]) in card
    assert "Prawo rodzinne, Sprawy imigracyjne" in card
    assert "Polski, niemiecki" in card
    assert "Adwokatka od 2009 roku." in card
    assert "Prawnik" in card
    english = _cards(
        client.get(URL, {"tz": "Europe/Warsaw"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "Family lawyer since 2009." in english and "Polish, German" in english
    # no Spanish text: the firm's own language (English here) stands in
    spanish = _cards(
        client.get(URL, {"tz": "Europe/Warsaw"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    )
    assert "Family lawyer since 2009." in spanish and "Polaco, alemán" in spanish
    # the colleague without a profile keeps the initials
    other = spanish[spanish.index(f'data-person-card="{second.pk}"') :].split("</li>")[0]
    assert "<img" not in other
    initials = (second.first_name[:1] + second.last_name[:1]).upper()
    assert f'<span class="avatar" aria-hidden="true">{initials}</span>' in other
    # the photo on the page loads for the anonymous booker
    src = re.search(r'<img class="avatar photo" src="([^"]+)"', polish).group(1)
    assert client.get(src)["Content-Type"] == "image/jpeg"


def test_a_profile_text_cannot_inject_markup_into_the_page(client, frozen, intro, lawyers) -> None:
    profile = _profile(lawyers[0], photo=False)
    # stored through the admin or a future path without the form's validator: still escaped
    StaffProfile.objects.filter(pk=profile.pk).update(profile_en='Hi "there" & <b>x</b>')
    body = client.get(URL, {"tz": "Europe/Warsaw"}).content.decode()
    assert "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


def _booking_page_queries(client: Any) -> int:
    client.get(URL, {"tz": "Europe/Warsaw"})  # warm the firm settings
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"tz": "Europe/Warsaw"})
    assert response.status_code == 200
    return len(captured)


def test_the_booking_page_query_count_is_the_same_for_one_or_ten_people(
    client, frozen, firm
) -> None:
    people = [
        factories.StaffFactory(
            email=f"p{i}@firm.example", first_name=f"P{i}", last_name="Lawyer", mfa=False
        )
        for i in range(10)
    ]
    for person in people:
        working_week(person)
    service = make_service(staff=people[:1], slug="intro-call")
    _profile(people[0])
    one = _booking_page_queries(client)
    service.staff.set(people)
    for person in people[1:]:
        _profile(person)
    ten = _booking_page_queries(client)
    body = client.get(URL, {"tz": "Europe/Warsaw"}).content.decode()
    assert body.count('class="avatar photo"') == 10
    assert ten == one, (one, ten)


def test_a_service_with_one_person_shows_their_card_with_nothing_to_pick(
    client, frozen, firm
) -> None:
    only = factories.StaffFactory(first_name="Anna", last_name="Kowalska", mfa=False)
    working_week(only)
    make_service(staff=[only], slug="intro-call")
    _profile(only)
    cards = _cards(client.get(URL, {"tz": "Europe/Warsaw"}).content.decode())
    assert "Anna Kowalska" in cards and "Family lawyer since 2009." in cards
    assert "data-person-choice" not in cards and "Anyone" not in cards

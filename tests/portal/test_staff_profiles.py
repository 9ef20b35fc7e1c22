"""Issue 11, "who the client will meet": staff keep a booking page profile (photo,
practice areas, languages, a short profile per language); bad input stores nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import AuditEvent
from portal.models import StaffProfile
from portal.photos import MAX_PHOTO_BYTES
from tests import factories

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("staff:profile")


def image_bytes(size: tuple[int, int] = (800, 600), fmt: str = "PNG", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=fmt, **save)
    return out.getvalue()


def _form(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "practice_areas": ["family", "estate"],
        "languages": ["pl", "de"],
        "profile_en": "Family lawyer since 2009.",
        "profile_pl": "Adwokatka od 2009 roku.",
        "profile_es": "",
        "profile_ru": "",
    }
    data.update(extra)
    return data


def test_staff_save_their_own_profile_with_a_photo_stored_small_and_without_metadata(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.staff_on)
    big = image_bytes((2400, 1800), "JPEG", exif=b"Exif\x00\x00GPS-secret")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PROFILE_URL,
            _form(photo_upload=SimpleUploadedFile("me.jpg", big, "image/jpeg")),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=world.staff_on)
    assert profile.practice_areas == ["family", "estate"]
    assert profile.languages == ["pl", "de"]
    assert profile.profile_pl == "Adwokatka od 2009 roku."
    assert profile.photo.name.startswith("staff-photos/") and profile.photo.name.endswith(".jpg")
    with profile.photo.open("rb") as fh, Image.open(fh) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 480  # made small
        assert "exif" not in stored.info  # no camera data or location
    assert AuditEvent.objects.filter(action="staff.profile_updated").exists()
    # the photo loads for anyone, as a JPEG that browsers may not sniff into something else
    client.logout()
    photo = client.get(reverse("staff-photo", args=[profile.photo_key]))
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(photo.streaming_content)[:2] == b"\xff\xd8"
    # the page shows the saved values back, each language's text in its own field
    client.force_login(world.staff_on)
    page = client.get(PROFILE_URL).content.decode()
    assert "Adwokatka od 2009 roku." in page and "Family lawyer since 2009." in page
    assert reverse("staff-photo", args=[profile.photo_key]) in page


def test_a_new_photo_replaces_the_old_one_and_removing_it_ends_its_address(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.staff_on)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE_URL, _form(photo_upload=SimpleUploadedFile("a.png", image_bytes())))
    first = StaffProfile.objects.get(user=world.staff_on)
    old_key, storage, old_name = first.photo_key, first.photo.storage, first.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            PROFILE_URL, _form(photo_upload=SimpleUploadedFile("b.webp", image_bytes(fmt="WEBP")))
        )
    second = StaffProfile.objects.get(user=world.staff_on)
    assert second.photo_key != old_key
    assert not storage.exists(old_name)
    assert client.get(reverse("staff-photo", args=[old_key])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE_URL, _form(clear_photo="on"))
    assert not StaffProfile.objects.get(user=world.staff_on).photo
    assert client.get(reverse("staff-photo", args=[second.photo_key])).status_code == 404


def test_a_departed_colleagues_photo_is_no_longer_served(client: Any, world: Any) -> None:
    client.force_login(world.staff_off)
    client.post(PROFILE_URL, _form(photo_upload=SimpleUploadedFile("a.png", image_bytes())))
    key = StaffProfile.objects.get(user=world.staff_off).photo_key
    assert client.get(reverse("staff-photo", args=[key])).status_code == 200
    world.staff_off.is_active = False
    world.staff_off.save(update_fields=["is_active"])
    assert client.get(reverse("staff-photo", args=[key])).status_code == 404
    assert client.get("/people/photo/..%2F..%2Fetc%2Fpasswd/").status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("cv.png", b"%PDF-1.4 not an image at all", "image/png"),
            "The photo must be a PNG, JPEG or WebP image.",
        ),
        (
            SimpleUploadedFile("a.gif", image_bytes(fmt="GIF"), "image/gif"),
            "The photo must be a PNG, JPEG or WebP image.",
        ),
        (
            SimpleUploadedFile("huge.png", b"\x89PNG" + b"0" * MAX_PHOTO_BYTES, "image/png"),
            "The photo must be 5 MB or smaller.",
        ),
        (
            SimpleUploadedFile("wide.png", image_bytes((7000, 100)), "image/png"),
            "The photo must be at most 6000 pixels on each side.",
        ),
        (
            SimpleUploadedFile("tiny.png", image_bytes((20, 20)), "image/png"),
            "The photo must be at least 64 pixels on each side.",
        ),
    ],
    ids=["not-an-image", "gif", "oversize", "too-wide", "too-small"],
)
def test_a_bad_photo_gets_a_message_and_nothing_is_stored(
    client: Any, world: Any, upload: Any, message: str
) -> None:
    client.force_login(world.staff_on)
    response = client.post(PROFILE_URL, _form(photo_upload=upload))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StaffProfile.objects.exists()


def test_a_profile_of_ten_thousand_characters_gets_a_message_and_nothing_is_stored(
    client: Any, world: Any
) -> None:
    client.force_login(world.staff_on)
    response = client.post(
        PROFILE_URL,
        _form(profile_pl="a" * 10_000, photo_upload=SimpleUploadedFile("a.png", image_bytes())),
    )
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    assert not StaffProfile.objects.exists()
    markup = client.post(PROFILE_URL, _form(profile_en="<script>alert(1)</script>"))
    assert markup.status_code == 400
    assert not StaffProfile.objects.exists()


def test_unknown_practice_areas_or_languages_are_refused(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    response = client.post(PROFILE_URL, _form(languages=["pl", "xx"]))
    assert response.status_code == 400
    assert not StaffProfile.objects.exists()


def test_an_admin_edits_a_colleagues_profile_and_a_colleague_cannot(
    client: Any, world: Any
) -> None:
    url = reverse("staff:team-profile", args=[world.staff_on.pk])
    client.force_login(world.staff_off)
    assert client.post(url, _form()).status_code == 404
    assert not StaffProfile.objects.exists()
    client.force_login(world.admin)
    detail = client.get(reverse("staff:team-detail", args=[world.staff_on.pk])).content.decode()
    assert url in detail
    assert client.post(url, _form(profile_ru="Адвокат.")).status_code == 302
    profile = StaffProfile.objects.get(user=world.staff_on)
    assert profile.profile_ru == "Адвокат."
    event = AuditEvent.objects.get(action="staff.profile_updated")
    assert event.actor_id == world.admin.pk


def test_the_profile_form_speaks_polish_with_the_languages_named_in_polish(
    client: Any, world: Any
) -> None:
    client.force_login(world.staff_on)
    page = client.get(PROFILE_URL, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "niemiecki" in page and "ukraiński" in page
    assert "Prawo rodzinne" in page or "rodzinne" in page


def test_the_django_admin_checks_the_photo_the_same_way(client: Any, world: Any) -> None:
    superuser = factories.AdminFactory(email="root@firm.example")
    client.force_login(superuser)
    add = reverse("admin:portal_staffprofile_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "user": world.staff_on.pk,
            "photo": SimpleUploadedFile("x.png", image_bytes((7000, 100)), "image/png"),
            "practice_areas": ["family"],
            "languages": ["pl"],
        },
    )
    assert response.status_code == 200
    assert "6000 pixels" in response.content.decode()
    assert not StaffProfile.objects.exists()
    response = client.post(
        add,
        {
            "user": world.staff_on.pk,
            "photo": SimpleUploadedFile("x.png", image_bytes(), "image/png"),
            "practice_areas": ["family"],
            "languages": ["pl"],
            "profile_pl": "Adwokatka.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = StaffProfile.objects.get()
    assert stored.photo.name.endswith(".jpg") and stored.profile_pl == "Adwokatka."


def test_staff_find_their_profile_from_the_menu_and_the_help_page(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    help_page = client.get(reverse("staff:help"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Twój profil na stronie rezerwacji" in help_page
    assert help_page.count(f'href="{PROFILE_URL}"') >= 2  # the menu and the help text

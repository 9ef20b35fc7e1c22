"""Bad input gets a clear message in the person's language, never a 500, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import Contact, Firm, Matter
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"

VALID_CONTACT = {
    "kind": "client",
    "first_name": "Ewa",
    "last_name": "Nowak",
    "email": "ewa@example.com",
    "phone": "+48601234567",
    "language": "pl",
    "time_zone": "Europe/Warsaw",
    "preferred_channel": "email",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "E" * 81),
        ("last_name", "N" * 500),
        ("phone", "12345"),
        ("phone", "+48 abc"),
        ("time_zone", "Mars/Olympus_Mons"),
        ("email", "not-an-email"),
        ("first_name", SCRIPT),
        ("last_name", SCRIPT),
        ("notes", SCRIPT),
        ("first_name", "Ewa\x00"),
    ],
)
def test_bad_contact_input_is_refused_and_nothing_is_stored(
    client: Any, world: Any, field: str, value: str
) -> None:
    client.force_login(world.staff_on)
    before = Contact.objects.count()

    response = client.post(reverse("staff:contact-create"), {**VALID_CONTACT, field: value})

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert Contact.objects.count() == before


def test_errors_are_shown_in_the_persons_language(client: Any, world: Any) -> None:
    world.staff_on.language = "pl"
    world.staff_on.save(update_fields=["language"])
    client.force_login(world.staff_on)

    response = client.post(
        reverse("staff:contact-create"), {**VALID_CONTACT, "time_zone": "Nowhere/Else"}
    )

    msgid = "“%(value)s” is not a time zone we know. Choose one from the list."
    with translation.override("pl"):
        expected = translation.gettext(msgid) % {"value": "Nowhere/Else"}
    assert expected != msgid % {"value": "Nowhere/Else"}
    assert expected in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")


def test_valid_contact_is_stored_with_an_e164_phone(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)

    client.post(reverse("staff:contact-create"), {**VALID_CONTACT, "phone": "+48 601 234 567"})

    assert str(Contact.objects.get(email="ewa@example.com").phone) == "+48601234567"


@pytest.mark.parametrize("field", ["reference", "title"])
def test_script_in_matter_fields_is_refused(client: Any, world: Any, field: str) -> None:
    client.force_login(world.staff_on)
    data = {
        "reference": "R-1",
        "title": "Ok",
        "practice_area": "family",
        "priority": "normal",
        "responsible_lawyer": world.staff_on.pk,
        "clients": [world.contact_a.pk],
    }

    response = client.post(reverse("staff:matter-create"), {**data, field: SCRIPT})

    assert response.status_code == 200
    assert not Matter.objects.filter(reference__in=["R-1", SCRIPT]).exists()


def test_matter_with_a_duplicate_reference_is_refused(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)
    data = {
        "reference": world.matter_b.reference,
        "title": "Copy",
        "practice_area": "family",
        "priority": "normal",
        "responsible_lawyer": world.staff_on.pk,
        "clients": [world.contact_a.pk],
    }

    response = client.post(reverse("staff:matter-create"), data)

    assert response.status_code == 200
    assert Matter.objects.filter(reference=world.matter_b.reference).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", SCRIPT),
        ("name", "F" * 121),
        ("time_zone", "Europe/Atlantis"),
        ("primary_color", "red"),
        ("currency", "ZŁOTY"),
        ("response_hours", "-3"),
        ("promise_channels_en", SCRIPT),
    ],
)
def test_bad_firm_settings_are_refused(client: Any, world: Any, field: str, value: str) -> None:
    client.force_login(world.admin)
    firm = Firm.objects.get(pk=1)
    data = {
        "name": "Firm",
        "primary_color": "#112233",
        "accent_color": "#445566",
        "time_zone": "Europe/Warsaw",
        "default_language": "en",
        "currency": "PLN",
        "promise_channels_en": "Portal",
        "response_hours": 24,
        "silence_days": 21,
    }

    response = client.post(reverse("staff:firm-settings"), {**data, field: value})

    assert response.status_code == 200
    firm.refresh_from_db()
    assert firm.name != "Firm"


def test_logo_that_is_not_an_image_is_refused(client: Any, world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.admin)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)></svg>", "image/png")
    data = {
        "name": "Firm",
        "primary_color": "#112233",
        "accent_color": "#445566",
        "time_zone": "Europe/Warsaw",
        "default_language": "en",
        "currency": "PLN",
        "response_hours": 24,
        "silence_days": 21,
        "logo_upload": fake,
    }

    response = client.post(reverse("staff:firm-settings"), data)

    assert response.status_code == 200
    assert not Firm.objects.get(pk=1).logo


def test_preferences_refuse_unknown_time_zone(client: Any, world: Any) -> None:
    client.force_login(world.client_a)

    response = client.post(
        reverse("portal:preferences"), {"language": "pl", "time_zone": "Etc/Nowhere"}
    )

    assert response.status_code == 200
    world.client_a.refresh_from_db()
    assert world.client_a.language != "pl"


def test_garbage_ids_in_urls_are_404_not_500(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)

    # A NUL byte in the address is refused before the view: 400 with a message.
    assert client.get("/staff/matters/%00/").status_code == 400
    for url in (
        "/portal/matters/not-a-uuid/",
        "/staff/contacts/' OR 1=1/",
        "/staff/grants/123/revoke/",
    ):
        assert client.get(url).status_code in (404, 405)
    assert client.get("/invite/" + "a" * 500 + "/").status_code == 404


def test_factories_make_clients_that_are_not_staff() -> None:
    assert factories.UserFactory.role == "client"

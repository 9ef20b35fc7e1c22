"""Adding a contact whose email another contact has warns and links to that contact
(issue 12, item 5): nothing is saved, the message is in the staff member's language, and
the same holds when an edit would give a contact another contact's address."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import ServiceError
from portal import services
from portal.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db

NEW_CONTACT = {
    "kind": "client",
    "first_name": "Jan",
    "last_name": "Kowalski",
    "phone": "+48601234567",
    "language": "pl",
    "time_zone": "Europe/Warsaw",
    "preferred_channel": "email",
}


def test_a_new_contact_with_an_existing_email_in_another_case_is_refused_with_a_link(
    client: Any, world: Any
) -> None:
    # given client A's contact (a@client.example) on staff_on's matter
    client.force_login(world.staff_on)
    before = Contact.objects.count()
    audits = AuditEvent.objects.count()

    # when staff_on adds "A@Client.Example" again
    response = client.post(
        reverse("staff:contact-create"), {**NEW_CONTACT, "email": " A@Client.EXAMPLE "}
    )

    # then nothing is stored and the page links to the existing contact
    assert response.status_code == 200
    page = response.content.decode()
    assert "A contact with this email address already exists." in page
    assert "data-duplicate" in page
    assert reverse("staff:contact-detail", args=[world.contact_a.pk]) in page
    assert world.contact_a.full_name in page
    assert Contact.objects.count() == before
    assert AuditEvent.objects.count() == audits
    # and what was typed is kept
    assert 'value="Kowalski"' in page


def test_the_warning_is_in_the_staff_members_language(client: Any, world: Any) -> None:
    world.staff_on.language = "pl"
    world.staff_on.save(update_fields=["language"])
    client.force_login(world.staff_on)

    response = client.post(
        reverse("staff:contact-create"),
        {**NEW_CONTACT, "email": "a@client.example"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )

    page = response.content.decode()
    assert "Kontakt z tym adresem e-mail już istnieje." in page
    assert "A contact with this email address already exists." not in page


def test_a_contact_the_staff_member_may_not_open_is_not_named_or_linked(
    client: Any, world: Any
) -> None:
    # given client B's contact, with a surname no page text could contain by chance, is on
    # a matter staff_on does not work on (a generated surname such as "Lang" is part of
    # the "Language" label)
    world.contact_b.last_name = "Zdrojewska-Quill"
    world.contact_b.save(update_fields=["last_name"])
    client.force_login(world.staff_on)
    before = Contact.objects.count()

    response = client.post(
        reverse("staff:contact-create"), {**NEW_CONTACT, "email": "b@client.example"}
    )

    page = response.content.decode()
    assert "A contact with this email address already exists." in page
    assert "ask a firm admin" in page
    assert reverse("staff:contact-detail", args=[world.contact_b.pk]) not in page
    assert world.contact_b.last_name not in page
    assert Contact.objects.count() == before


def test_editing_a_contact_to_another_contacts_email_is_refused_and_nothing_changes(
    client: Any, world: Any
) -> None:
    # given a firm admin editing client B, who types client A's address in capitals
    client.force_login(world.admin)
    url = reverse("staff:contact-edit", args=[world.contact_b.pk])
    data = {
        **NEW_CONTACT,
        "first_name": "Renamed",
        "last_name": world.contact_b.last_name,
        "email": "A@CLIENT.example",
    }

    response = client.post(url, data)

    # then the edit is refused as a whole and links to client A
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("staff:contact-detail", args=[world.contact_a.pk]) in page
    world.contact_b.refresh_from_db()
    assert world.contact_b.email == "b@client.example"
    assert world.contact_b.first_name != "Renamed"


def test_a_contact_keeps_its_own_email_in_another_case(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    url = reverse("staff:contact-edit", args=[world.contact_b.pk])
    data = {
        **NEW_CONTACT,
        "first_name": world.contact_b.first_name,
        "last_name": world.contact_b.last_name,
        "email": "B@client.example",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    world.contact_b.refresh_from_db()
    assert world.contact_b.email == "B@client.example"


def test_contacts_without_an_email_are_not_duplicates(client: Any, world: Any) -> None:
    factories.ContactFactory(email="")
    client.force_login(world.staff_on)

    response = client.post(reverse("staff:contact-create"), {**NEW_CONTACT, "email": ""})

    assert response.status_code == 302


def test_the_service_refuses_a_duplicate_for_every_caller(world: Any) -> None:
    with pytest.raises(ServiceError) as raised:
        services.contact_create(
            actor=world.admin,
            data={"first_name": "X", "last_name": "Y", "email": "B@Client.Example"},
        )
    assert isinstance(raised.value, services.DuplicateEmailError)
    assert raised.value.existing == world.contact_b

"""The firm's own texts and the portal's system folders in the client's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from core import languages
from portal.models import Firm
from portal.selectors import FIRM_CACHE_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish_firm(world: Any) -> Any:
    Firm.objects.filter(pk=1).update(
        default_language="es",
        promise_channels_en="Portal messages; phone for court deadlines",
        promise_channels_es="Mensajes en el portal; teléfono para plazos judiciales",
        promise_channels_pl="",
        promise_channels_ru="Сообщения в портале; телефон — для судебных сроков",
    )
    cache.delete(FIRM_CACHE_KEY)
    yield world
    languages.firm_text_fallback_set("en")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Сообщения в портале; телефон — для судебных сроков"),
        ("en", "Portal messages; phone for court deadlines"),
        # No Polish version: the firm's own language, Spanish.
        ("pl", "Mensajes en el portal; teléfono para plazos judiciales"),
    ],
)
def test_the_communication_promise_is_in_the_clients_language_or_the_firms(
    client: Any, spanish_firm: Any, language: str, expected: str
) -> None:
    spanish_firm.client_a.language = language
    spanish_firm.client_a.save(update_fields=["language"])
    client.force_login(spanish_firm.client_a)

    home = client.get(reverse("portal:home")).content.decode()

    assert expected in home


def test_system_folders_are_named_in_the_readers_language(client: Any, world: Any) -> None:
    world.matter_a.folders.create(name="Requested documents", shared_with_client=True)
    world.client_a.language = "pl"
    world.client_a.save(update_fields=["language"])
    client.force_login(world.client_a)

    page = client.get(reverse("portal:document-list", args=[world.matter_a.pk])).content.decode()

    assert "Wymagane dokumenty" in page
    assert "Requested documents" not in page

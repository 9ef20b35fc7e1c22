"""Help pages (issue 12, item 9): the client's, per language and worded by the firm, and
the staff's; both reachable from the menu."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from audit.models import AuditEvent
from portal.models import FirmText


def _as(client: Any, user: Any, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)


def test_a_client_finds_help_in_the_menu_in_her_language(client: Any, world: Any) -> None:
    # given a Polish-speaking client
    _as(client, world.client_a, "pl")

    # when she opens the portal and follows "Pomoc" from the menu
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:help")}">Pomoc<' in home
    page = client.get(reverse("portal:help")).content.decode()

    # then the help is in Polish and covers signing in, contact details, notices, uploads
    assert "<h2>Logowanie</h2>" in page
    assert "Konto i bezpieczeństwo" in page
    assert "nigdy nie zawiera samej treści" in page
    assert "Przesyłanie z telefonu" in page


def test_each_language_has_its_own_help(client: Any, world: Any) -> None:
    for language, heading in (
        ("en", "Signing in"),
        ("es", "Iniciar sesión"),
        ("ru", "Вход"),
    ):
        _as(client, world.client_a, language)
        assert f"<h2>{heading}</h2>" in client.get(reverse("portal:help")).content.decode()


def test_a_firm_admin_rewords_the_polish_help_and_only_polish_clients_see_it(
    client: Any, world: Any
) -> None:
    # given the firm admin on the texts page, which shows Atrium's wording to start from
    client.force_login(world.admin)
    url = reverse("staff:firm-text-edit", args=["client_help"])
    form = client.get(url).content.decode()
    assert "Logowanie" in form and "Signing in" in form

    # when she saves her own Polish text (English left as it was)
    response = client.post(
        url, {"pl": "Jak zacząć\nZadzwoń do nas: 22 123 45 67.\n\nGodziny\nPn–pt 9–17.", "en": ""}
    )

    # then Polish clients read hers, English clients still read Atrium's; it is audited
    assert response.status_code == 302
    assert FirmText.objects.filter(key="client_help").count() == 1
    _as(client, world.client_a, "pl")
    page = client.get(reverse("portal:help")).content.decode()
    assert "<h2>Jak zacząć</h2>" in page and "22 123 45 67" in page
    assert "Logowanie" not in page
    _as(client, world.client_b, "en")
    assert "<h2>Signing in</h2>" in client.get(reverse("portal:help")).content.decode()
    assert AuditEvent.objects.filter(action="firm.text_updated").count() == 1


def test_markup_in_a_firm_text_is_refused_and_what_was_typed_stays(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    url = reverse("staff:firm-text-edit", args=["client_help"])

    response = client.post(url, {"pl": "Pomoc <script>alert(1)</script> tekst"})

    assert response.status_code == 200
    assert "alert(1)" in response.content.decode()  # escaped in the textarea, kept
    assert "&lt;script&gt;" in response.content.decode()
    assert not FirmText.objects.exists()


def test_an_empty_text_goes_back_to_atriums_wording(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    url = reverse("staff:firm-text-edit", args=["client_help"])
    client.post(url, {"es": "Ayuda propia"})
    assert FirmText.objects.filter(language="es").exists()

    client.post(url, {"es": ""})

    assert not FirmText.objects.exists()
    _as(client, world.client_a, "es")
    assert "Iniciar sesión" in client.get(reverse("portal:help")).content.decode()


def test_staff_have_their_own_help_in_the_menu(client: Any, world: Any) -> None:
    _as(client, world.staff_on, "pl")

    home = client.get(reverse("staff:home")).content.decode()
    page = client.get(reverse("staff:help")).content.decode()

    assert f'href="{reverse("staff:help")}">Pomoc<' in home
    assert "Pomoc dla zespołu" in page and "Po spotkaniu" in page
    assert reverse("portal:help") in page
    # only firm admins are offered the texts
    assert reverse("staff:firm-text-edit", args=["client_help"]) not in page
    assert client.get(reverse("staff:firm-text-edit", args=["client_help"])).status_code == 404


def test_an_unknown_text_is_not_found(client: Any, world: Any) -> None:
    client.force_login(world.admin)
    assert client.get(reverse("staff:firm-text-edit", args=["nope"])).status_code == 404

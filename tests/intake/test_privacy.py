"""The privacy notice and prospects' consents (spec intake.md §7, §10.10)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from intake import samples
from intake import services as intake_services
from intake.models import IntakeSubmission, PrivacyNotice
from intake.privacy import shown_text
from portal.models import ConsentRecord
from tests import factories
from tests.intake.helpers import published_form, stage_one_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


def _publish(client: Client, admin: Any, language: str, text: str) -> Any:
    client.force_login(admin)
    return client.post(
        "/staff/intake/privacy/", {"language": language, "text": text}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_admin_publishes_versions_per_language_and_the_public_page_shows_the_current(
    admin: Any,
) -> None:
    staff = Client()
    assert (
        _publish(staff, admin, "pl", "Administratorem danych jest Kancelaria.").status_code == 302
    )
    assert (
        _publish(staff, admin, "pl", "Administratorem jest Kancelaria; IOD: iod@x.pl").status_code
        == 302
    )
    _publish(staff, admin, "en", "The controller is the firm.")

    assert list(PrivacyNotice.objects.filter(language="pl").values_list("version", flat=True)) == [
        2,
        1,
    ]
    page = staff.get("/staff/intake/privacy/").content.decode()
    assert "pl-2" in page and "en-1" in page

    public = Client().get("/privacy/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "IOD: iod@x.pl" in public and "pl-2" in public
    assert "The controller" in Client().get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # No Spanish notice yet: the firm's language (English here) stands in.
    assert "The controller" in Client().get("/privacy/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_a_notice_with_markup_is_refused_in_the_admins_language_and_nothing_is_stored(
    admin: Any,
) -> None:
    staff = Client()
    response = _publish(staff, admin, "en", "<script>alert(1)</script>")
    assert response.status_code == 400
    assert not PrivacyNotice.objects.exists()
    assert _publish(staff, admin, "en", "x" * 20001).status_code == 400
    assert not PrivacyNotice.objects.exists()


def test_staff_who_are_not_admins_read_but_cannot_publish(firm: Any, admin: Any) -> None:
    _publish(Client(), admin, "en", "The controller is the firm.")
    lawyer = factories.StaffFactory(email="lawyer@firm.example")
    client = Client()
    client.force_login(lawyer)
    page = client.get("/staff/intake/privacy/?language=en")
    assert page.status_code == 200 and "The controller is the firm." in page.content.decode()
    assert "Publish a new version" not in page.content.decode()
    assert client.post("/staff/intake/privacy/", {"language": "en", "text": "x"}).status_code == 404
    assert PrivacyNotice.objects.count() == 1


def test_the_form_shows_the_short_notice_and_the_submission_records_it_word_for_word(
    admin: Any,
) -> None:
    _publish(Client(), admin, "pl", "Pełna informacja o przetwarzaniu danych.")
    form = published_form(admin)
    prospect = Client()
    page = prospect.get(f"/intake/f/{form.slug}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert 'href="/privacy/"' in page
    assert 'value="pl-1"' in page

    # The firm publishes a new version while the form is open: the record names the one
    # the person saw.
    _publish(Client(), admin, "pl", "Nowa pełna informacja.")
    prospect.post(
        f"/intake/f/{form.slug}/",
        {**stage_one_answers(), "_privacy_version": "pl-1"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )

    submission = IntakeSubmission.objects.get()
    record = ConsentRecord.objects.get(purpose="privacy_notice_shown")
    assert record.contact_id == submission.contact_id
    assert record.context_key == f"lead:{submission.lead_id}"
    assert record.text_version == "pl-1"
    assert record.language == "pl"
    assert record.lawful_basis == "contract"
    assert record.channel == "web_form"
    assert record.text == shown_text("pl")
    assert record.text_sha256 == hashlib.sha256(record.text.encode()).hexdigest()
    assert record.text.split("\n")[0] in page  # the sentence, as the page showed it
    assert "/privacy/" in record.text


def test_a_forged_notice_version_is_not_recorded(admin: Any) -> None:
    form = published_form(admin)
    Client().post(
        f"/intake/f/{form.slug}/",
        {**stage_one_answers(), "_privacy_version": "<b>pl-99</b>"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert ConsentRecord.objects.get(purpose="privacy_notice_shown").text_version == "none"


def _with_consent() -> list[dict[str, Any]]:
    fields = samples.initial_consultation()
    fields.append(
        {
            "key": "newsletter",
            "type": "consent",
            "stage": 1,
            "purpose": "marketing",
            "label": {
                "en": "Send me the firm's newsletter (you can stop it at any time).",
                "pl": "Chcę otrzymywać newsletter kancelarii (mogę zrezygnować w każdej chwili).",
            },
        }
    )
    return fields


def test_an_optional_consent_ticked_is_stored_with_the_label_shown_and_can_be_withdrawn(
    admin: Any,
) -> None:
    form = published_form(admin, fields=_with_consent())
    Client().post(
        f"/intake/f/{form.slug}/",
        {**stage_one_answers(), "newsletter": "on"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )

    record = ConsentRecord.objects.get(purpose="marketing")
    assert record.text == (
        "Chcę otrzymywać newsletter kancelarii (mogę zrezygnować w każdej chwili)."
    )
    assert record.lawful_basis == "consent" and record.language == "pl"
    assert record.contact_id == IntakeSubmission.objects.get().contact_id

    from portal import services as portal_services

    portal_services.consent_withdraw(
        consent_id=record.pk, channel="staff_recorded", actor=admin, meta=None
    )
    record.refresh_from_db()
    assert record.withdrawn_at is not None


def test_an_unticked_consent_stores_nothing_and_the_enquiry_still_goes_through(
    admin: Any,
) -> None:
    form = published_form(admin, fields=_with_consent())
    Client().post(f"/intake/f/{form.slug}/", stage_one_answers(), HTTP_ACCEPT_LANGUAGE="en")

    assert IntakeSubmission.objects.count() == 1
    assert not ConsentRecord.objects.filter(purpose="marketing").exists()


def test_a_required_consent_or_an_unknown_purpose_is_refused_at_publish(admin: Any) -> None:
    fields = _with_consent()
    fields[-1]["required"] = True
    form = intake_services.form_create(actor=admin, name="Bad", fields=fields)
    with pytest.raises(Exception, match="optional"):
        intake_services.form_publish(form=form, actor=admin)
    fields[-1]["required"] = False
    fields[-1]["purpose"] = "sell_data"
    form = intake_services.form_create(actor=admin, name="Bad 2", fields=fields)
    with pytest.raises(Exception, match="marketing"):
        intake_services.form_publish(form=form, actor=admin)

"""Staff read a lead's practice area by its name in their language, never its code."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.intake.helpers import clear_lead

pytestmark = pytest.mark.django_db


def test_lead_page_and_list_name_the_practice_area_in_the_staff_language(client: Any) -> None:
    # given a lead whose intake form mapped the practice area to a matter's code
    admin = factories.AdminFactory()
    lead = clear_lead(factories.ContactFactory(first_name="Ida", last_name="Wrona"))
    lead.practice_area = "family"
    lead.save(update_fields=["practice_area"])
    client.force_login(admin)

    # when staff open the lead and the list, in English and in Polish
    page = client.get(reverse("intake:staff-lead", kwargs={"lead_id": lead.pk})).content.decode()
    listing = client.get(reverse("intake:staff-leads")).content.decode()
    with translation.override("pl"):
        polish = client.get(
            reverse("intake:staff-lead", kwargs={"lead_id": lead.pk}),
            headers={"accept-language": "pl"},
        ).content.decode()

    # then they read "Family law", and the firm's own free text is shown as typed
    assert "Family law" in page and "Family law" in listing
    assert ">family<" not in page
    with translation.override("pl"):
        assert translation.gettext("Family law") in polish
    lead.practice_area = "Maritime salvage"
    lead.save(update_fields=["practice_area"])
    assert (
        "Maritime salvage"
        in client.get(reverse("intake:staff-lead", kwargs={"lead_id": lead.pk})).content.decode()
    )

"""The conflict check through the pages and services: what a prospect's inquiry finds,
who sees the report, decisions, re-runs, the paid-booking rule, the shell command and
stage 2 opening only after the check."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from intake import samples
from intake import services as intake_services
from intake.models import ConflictCheck, IntakeSubmission, Lead, LeadStageChange
from portal import services as portal_services
from portal.models import Contact
from scheduling import services as scheduling_services
from scheduling.models import Appointment
from tests import factories
from tests.intake.helpers import published_form, stage_one_answers
from tests.scheduling.helpers import make_service

pytestmark = pytest.mark.django_db

SLOT_UTC = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(
        email="boss@firm.example", first_name="Anna", last_name="Kowalska"
    )


@pytest.fixture
def office(admin: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """A client (Ewa) on a matter whose other side is Tomasz Wiśniewski, and a form."""
    ewa = factories.ContactFactory(first_name="Ewa", last_name="Kowalska", email="ewa@example.com")
    matter = factories.make_matter(lawyer=admin, clients=[ewa], reference="FAM-2026-001")
    tomasz = portal_services.contact_create(
        actor=admin, data={"kind": "other_party", "first_name": "Tomasz", "last_name": "Wiśniewski"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.matter_party_add(actor=admin, matter=matter, contact=tomasz, role="ADVERSE")
    intake_services.conflict_index_rebuild()
    return {"ewa": ewa, "matter": matter, "tomasz": tomasz, "form": published_form(admin)}


def _inquire(client: Any, form: Any, **answers: Any) -> Lead:
    response = client.post(f"/intake/f/{form.slug}/", stage_one_answers(**answers))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Lead.objects.order_by("-created_at").first()


def test_a_prospect_naming_the_other_side_of_a_matter_needs_review(
    client: Any, office: Any
) -> None:
    lead = _inquire(client, office["form"], other_parties__name=["Tomasz Wisniewski"])

    check = lead.conflict_checks.get()
    assert lead.conflict_state == "needs_review" and check.status == "needs_review"
    hit = check.hits.get(matter_reference="FAM-2026-001", query_name="Tomasz Wisniewski")
    assert hit.name == "Tomasz Wiśniewski" and hit.role == "ADVERSE"
    assert "name_full" in hit.reason and hit.lawyer == "Anna Kowalska"


def test_a_prospect_naming_an_existing_client_as_the_other_side_is_a_high_role_conflict(
    client: Any, office: Any
) -> None:
    lead = _inquire(client, office["form"], other_parties__name=["Ewa Kowalska"])

    hit = lead.conflict_checks.get().hits.get(
        matter_reference="FAM-2026-001", query_name="Ewa Kowalska"
    )
    assert hit.grade == "HIGH"
    assert [r["code"] for r in hit.reasons] == ["name_full", "role_conflict"]


def test_cyrillic_in_the_form_finds_the_polish_spelling_in_a_matter(
    client: Any, admin: Any, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    aleksiej = portal_services.contact_create(
        actor=admin,
        data={"kind": "other_party", "first_name": "Aleksiej", "last_name": "Szczerbakow"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.matter_party_add(
            actor=admin, matter=office["matter"], contact=aleksiej, role="ADVERSE"
        )

    lead = _inquire(client, office["form"], other_parties__name=["Щербаков Алексей"])

    names = set(lead.conflict_checks.get().hits.values_list("name", flat=True))
    assert "Aleksiej Szczerbakow" in names


def test_an_unrelated_prospect_is_clear(client: Any, office: Any) -> None:
    lead = _inquire(
        client,
        office["form"],
        has_other_side="no",
        first_name="Zofia",
        last_name="Mazur",
        email="zofia@example.com",
    )

    assert lead.conflict_state == "clear"
    assert not lead.conflict_checks.get().hits.exclude(grade="INFO").exists()


def test_staff_without_the_permission_see_the_state_but_no_names(client: Any, office: Any) -> None:
    lead = _inquire(client, office["form"], other_parties__name=["Tomasz Wisniewski"])
    check = lead.conflict_checks.get()
    client.force_login(factories.StaffFactory())

    page = client.get(reverse("intake:staff-lead", kwargs={"lead_id": lead.pk})).content.decode()
    report = client.get(reverse("intake:staff-conflict", kwargs={"check_id": check.pk}))

    assert "Needs review" in page and "FAM-2026-001" not in page
    assert report.status_code == 404 and b"FAM-2026-001" not in report.content


def test_staff_with_the_permission_see_the_hits_and_each_view_is_audited(
    client: Any, office: Any
) -> None:
    lead = _inquire(client, office["form"], other_parties__name=["Tomasz Wisniewski"])
    reviewer = factories.StaffFactory()
    reviewer.user_permissions.add(Permission.objects.get(codename="view_conflict_report"))
    client.force_login(reviewer)

    page = client.get(reverse("intake:staff-lead", kwargs={"lead_id": lead.pk})).content.decode()

    assert "FAM-2026-001" in page and "same full name (in some spelling)" in page
    assert AuditEvent.objects.filter(action="conflict.viewed", actor=reviewer).count() == 1


def test_a_decision_is_recorded_once_and_cannot_be_changed(
    client: Any, admin: Any, office: Any
) -> None:
    lead = _inquire(client, office["form"], other_parties__name=["Tomasz Wisniewski"])
    check = lead.conflict_checks.get()
    client.force_login(admin)
    decide = reverse("intake:staff-conflict-decide", kwargs={"check_id": check.pk})

    client.post(decide, {"decision": "cleared", "note": "Different Tomasz: DOB differs"})
    client.post(decide, {"decision": "conflict", "note": "changed my mind"})

    check.refresh_from_db()
    lead.refresh_from_db()
    assert check.status == "cleared" and check.decided_by == admin
    assert lead.conflict_state == "cleared" and lead.status == "new"
    assert AuditEvent.objects.filter(action="conflict.decided").count() == 1


def test_a_waiver_needs_the_waiver_permission_and_a_note(client: Any, office: Any) -> None:
    lead = _inquire(client, office["form"], other_parties__name=["Tomasz Wisniewski"])
    check = lead.conflict_checks.get()
    reviewer = factories.StaffFactory()
    reviewer.user_permissions.add(Permission.objects.get(codename="view_conflict_report"))
    client.force_login(reviewer)
    decide = reverse("intake:staff-conflict-decide", kwargs={"check_id": check.pk})

    client.post(decide, {"decision": "waived", "note": "Both sides agreed in writing on 3 May"})
    check.refresh_from_db()
    assert check.status == "needs_review"

    reviewer.user_permissions.add(Permission.objects.get(codename="waive_conflict"))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    client.force_login(reviewer)
    client.post(decide, {"decision": "waived", "note": "short"})
    check.refresh_from_db()
    assert check.status == "needs_review"
    client.post(decide, {"decision": "waived", "note": "Both sides agreed in writing on 3 May"})
    check.refresh_from_db()
    assert check.status == "waived"


def test_a_conflict_declines_the_lead(client: Any, admin: Any, office: Any) -> None:
    lead = _inquire(client, office["form"], other_parties__name=["Ewa Kowalska"])
    client.force_login(admin)

    client.post(
        reverse("intake:staff-conflict-decide", kwargs={"check_id": lead.conflict_checks.get().pk}),
        {"decision": "conflict", "note": "We act for Ewa"},
    )

    lead.refresh_from_db()
    assert lead.status == "declined" and lead.declined_reason == "conflict"
    change = LeadStageChange.objects.get(lead=lead)
    assert (change.from_status, change.to_status, change.by) == ("new", "declined", admin)


def test_adding_a_party_to_a_matter_reindexes_and_checks_the_matter_again(
    admin: Any, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    maria = portal_services.contact_create(
        actor=admin, data={"kind": "other_party", "first_name": "Ewa", "last_name": "Kowalski"}
    )
    other = factories.make_matter(lawyer=admin, clients=[factories.ContactFactory()])

    with django_capture_on_commit_callbacks(execute=True):
        portal_services.matter_party_add(actor=admin, matter=other, contact=maria, role="ADVERSE")

    check = ConflictCheck.objects.filter(matter_id=other.pk, trigger="party_added").latest("run_at")
    assert check.status == "needs_review"
    assert check.hits.filter(name="Ewa Kowalska", matter_reference="FAM-2026-001").exists()


def test_renaming_the_prospect_marks_the_check_out_of_date(
    client: Any, admin: Any, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lead = _inquire(client, office["form"], has_other_side="no")
    assert intake_services.lead_check_is_current(lead)

    with django_capture_on_commit_callbacks(execute=True):
        portal_services.contact_alias_add(
            actor=admin, contact=lead.contact, kind="MAIDEN", name="Łukasz Nowak"
        )

    lead.refresh_from_db()
    assert not intake_services.lead_check_is_current(lead)
    client.force_login(admin)
    page = client.get(reverse("intake:staff-lead", kwargs={"lead_id": lead.pk})).content.decode()
    assert "out of date" in page
    client.post(reverse("intake:staff-lead-check", kwargs={"lead_id": lead.pk}))
    lead.refresh_from_db()
    assert intake_services.lead_check_is_current(lead)
    assert lead.conflict_checks.count() == 2
    assert lead.conflict_checks.latest("run_at").previous is not None


def test_a_serious_hit_on_a_paid_booking_takes_no_payment_and_gives_the_time_back(
    client: Any, frozen: Any, admin: Any, lawyers: list[Any], office: Any
) -> None:
    paid = make_service(
        staff=[lawyers[0]], slug="paid", name="Paid consultation", minutes=45, price="350"
    )
    intake_services.service_intake_set(service_id=paid.pk, form=office["form"], actor=admin)
    booked = scheduling_services.appointment_book(
        service=paid,
        start_at=SLOT_UTC,
        booker=scheduling_services.BookerData(
            first_name="Jan", last_name="Nowak", email="jan@example.com"
        ),
        time_zone="Europe/Warsaw",
    )

    response = client.post(
        booked.next_url,
        stage_one_answers(
            first_name="Jan",
            last_name="Nowak",
            email="jan@example.com",
            other_parties__name=["Ewa Kowalska"],
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "We will confirm your consultation within 1 business day." in page
    assert "Kowalska" not in page and "conflict" not in page.lower()
    assert Appointment.objects.get(pk=booked[0].pk).status == Appointment.Status.CANCELLED
    assert Lead.objects.get(contact__email="jan@example.com").conflict_state == "needs_review"


def test_a_serious_hit_on_a_free_call_books_it_anyway(
    client: Any, frozen: Any, admin: Any, lawyers: list[Any], office: Any
) -> None:
    free = make_service(staff=[lawyers[0]], slug="free", name="Free call", minutes=15)
    intake_services.service_intake_set(service_id=free.pk, form=office["form"], actor=admin)
    booked = scheduling_services.appointment_book(
        service=free,
        start_at=SLOT_UTC,
        booker=scheduling_services.BookerData(
            first_name="Jan", last_name="Nowak", email="jan@example.com"
        ),
        time_zone="Europe/Warsaw",
    )

    client.post(
        booked.next_url,
        stage_one_answers(
            first_name="Jan",
            last_name="Nowak",
            email="jan@example.com",
            other_parties__name=["Ewa Kowalska"],
        ),
    )

    assert Appointment.objects.get(pk=booked[0].pk).status == Appointment.Status.BOOKED


def test_the_shell_command_prints_hits_and_json(office: Any) -> None:
    out = StringIO()
    call_command("conflict_check", "Tomasz Wisniewski", "--json", stdout=out)

    rows = json.loads(out.getvalue())
    assert {"grade", "name", "reason", "role", "matter"} == set(rows[0])
    assert any(r["matter"] == "FAM-2026-001" and r["role"] == "ADVERSE" for r in rows)
    text = StringIO()
    call_command("conflict_check", "Nobody Atall", stdout=text)
    assert text.getvalue().startswith("No hits")


def test_an_adhoc_check_from_the_staff_pages(client: Any, admin: Any, office: Any) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("intake:staff-conflict-new"), {"name": "Томаш Вишневский", "role": "CLIENT"}
    )
    page = client.get(response["Location"]).content.decode()

    assert "FAM-2026-001" in page and "Tomasz Wiśniewski" in page


def test_stage_two_opens_only_after_the_check(
    client: Any, admin: Any, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    form = published_form(admin, name="Immigration", fields=samples.immigration())
    client.post(
        f"/intake/f/{form.slug}/",
        {
            "first_name": "Olena",
            "last_name": "Kowalska",
            "email": "olena@example.com",
            "country_of_origin": "UA",
            "status": "none",
        },
    )
    lead = Lead.objects.get(contact__email="olena@example.com")
    client.force_login(admin)
    details = reverse("intake:staff-lead-stage-two", kwargs={"lead_id": lead.pk})
    if lead.conflict_state == "needs_review":
        client.post(details)
        assert not mail.outbox
        check = lead.conflict_checks.get()
        client.post(
            reverse("intake:staff-conflict-decide", kwargs={"check_id": check.pk}),
            {"decision": "cleared", "note": "Different person"},
        )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(details)

    assert len(mail.outbox) == 1
    path = "/intake/d/" + mail.outbox[0].body.split("/intake/d/")[1].split()[0]
    client.logout()
    page = client.get(path).content.decode()
    assert "Tell us more about your situation" in page and "Country of origin" not in page
    client.post(path, {"story": "We arrived in 2022."})
    stage_two = IntakeSubmission.objects.get(stage=2)
    assert stage_two.lead == lead and stage_two.answers == {"story": "We arrived in 2022."}


def test_the_leads_list_filters_those_needing_review(
    client: Any, admin: Any, office: Any, django_assert_max_num_queries: Any
) -> None:
    _inquire(client, office["form"], other_parties__name=["Tomasz Wisniewski"])
    for i in range(4):
        _inquire(
            client,
            office["form"],
            has_other_side="no",
            first_name=f"Z{i}",
            last_name="Mazur",
            email=f"z{i}@example.com",
        )
    client.force_login(admin)
    url = reverse("intake:staff-leads") + "?conflict=needs_review"
    client.get(url)

    with django_assert_max_num_queries(11):
        page = client.get(url).content.decode()

    assert "Łukasz Wiśniewski" in page and "Mazur" not in page


def test_the_matter_parties_page_adds_a_party(
    client: Any, admin: Any, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(admin)
    url = reverse("staff:matter-parties", kwargs={"matter_id": office["matter"].pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"organisation_name": "Nowak Deweloper sp. z o.o.", "role": "ADVERSE"}
        )

    assert response.status_code == 302
    assert "Nowak Deweloper sp. z o.o." in client.get(url).content.decode()
    assert Contact.objects.filter(organisation_name="Nowak Deweloper sp. z o.o.").exists()
    assert ConflictCheck.objects.filter(matter_id=office["matter"].pk).exists()

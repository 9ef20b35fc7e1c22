"""Intake forms end to end through the pages: the builder, the public form, drafts,
submissions on the contact and lead, sending a form, and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from intake import samples, services
from intake.links import draft_path
from intake.models import IntakeDraft, IntakeForm, IntakeFormVersion, IntakeSubmission, Lead
from portal.models import Contact
from tests import factories
from tests.intake.helpers import published_form, stage_one_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


@pytest.fixture
def form(admin: Any) -> IntakeForm:
    return published_form(admin)


def _start(form: IntakeForm) -> str:
    return reverse("intake:form-start", kwargs={"slug": form.slug})


# ---------------------------------------------------------------- the builder


def test_an_admin_builds_a_form_question_by_question_and_publishes_it(
    client: Any, admin: Any
) -> None:
    client.force_login(admin)

    created = client.post(
        reverse("intake:staff-form-new"), {"name": "Divorce", "purpose": "booking"}
    )
    form = IntakeForm.objects.get(name="Divorce")
    assert created.status_code == 302
    add = reverse("intake:staff-form-field", kwargs={"form_id": form.pk})
    client.post(
        add,
        {
            "q-type": "yes_no",
            "q-key": "children",
            "q-label_en": "Children?",
            "q-label_pl": "Dzieci?",
            "q-stage": "1",
            "q-required": "on",
        },
    )
    client.post(
        add,
        {
            "q-type": "text",
            "q-key": "ages",
            "q-label_en": "Their ages",
            "q-stage": "1",
            "q-condition_field": "children",
            "q-condition_op": "eq",
            "q-condition_value": "yes",
        },
    )
    client.post(
        add,
        {
            "q-type": "text",
            "q-key": "first_name",
            "q-label_en": "First name",
            "q-stage": "1",
            "q-maps_to": "contact.first_name",
        },
    )
    published = client.post(reverse("intake:staff-form-publish", kwargs={"form_id": form.pk}))

    version = form.versions.get()
    assert published.status_code == 302
    assert version.status == IntakeFormVersion.Status.PUBLISHED and version.n == 1
    assert [f["key"] for f in version.fields] == ["children", "ages", "first_name"]
    assert version.fields[0]["label"] == {"en": "Children?", "pl": "Dzieci?"}
    assert version.fields[1]["visible_if"] == {
        "all": [{"field": "children", "op": "eq", "value": "yes"}]
    }
    page = client.get(reverse("intake:staff-form", kwargs={"form_id": form.pk})).content.decode()
    assert "Published: version 1" in page and "Their ages" in page


def test_a_question_with_a_bad_key_is_refused_with_the_page_kept(
    client: Any, admin: Any, form: IntakeForm
) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("intake:staff-form-field", kwargs={"form_id": form.pk}),
        {
            "q-type": "select",
            "q-key": "Bad Key!",
            "q-label_en": "Pick",
            "q-stage": "1",
            "q-options": "ok | OK\nNot Valid | no",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Option values use lowercase letters" in page
    assert form.versions.count() == 1  # nothing stored, not even a draft


def test_editing_a_published_form_makes_a_new_draft_and_old_answers_keep_their_questions(
    client: Any, admin: Any, form: IntakeForm
) -> None:
    client.post(_start(form), stage_one_answers())
    client.force_login(admin)
    edit = reverse("intake:staff-form-field", kwargs={"form_id": form.pk})

    client.post(
        edit,
        {
            "replace_key": "topic",
            "q-type": "select",
            "q-key": "topic",
            "q-label_en": "Area of law",
            "q-stage": "1",
            "q-required": "on",
            "q-maps_to": "lead.practice_area",
            "q-options": "family | Family law\nimmigration | Immigration\nproperty | Property\nother | Other",
        },
    )
    client.post(reverse("intake:staff-form-publish", kwargs={"form_id": form.pk}))

    statuses = dict(form.versions.values_list("n", "status"))
    assert statuses == {1: "retired", 2: "published"}
    submission = IntakeSubmission.objects.get()
    page = client.get(reverse("intake:staff-submission", kwargs={"submission_id": submission.pk}))
    text = page.content.decode()
    assert "What is it about?" in text and "Area of law" not in text
    assert "Tomasz Wiśniewski" in text


def test_publishing_refuses_a_broken_draft_and_says_why(client: Any, admin: Any) -> None:
    form = services.form_create(
        actor=admin,
        name="Broken",
        fields=[
            {
                "key": "b",
                "type": "text",
                "label": {"en": "B"},
                "visible_if": {"all": [{"field": "later", "op": "answered"}]},
            },
            {"key": "later", "type": "text", "label": {"en": "L"}},
        ],
    )
    client.force_login(admin)

    page = client.get(reverse("intake:staff-form", kwargs={"form_id": form.pk})).content.decode()
    client.post(reverse("intake:staff-form-publish", kwargs={"form_id": form.pk}))

    assert "a rule may use only an earlier question" in page
    assert not form.versions.filter(status="published").exists()


def test_the_json_editor_refuses_invalid_json(client: Any, admin: Any, form: IntakeForm) -> None:
    client.force_login(admin)

    response = client.post(
        reverse("intake:staff-form-json", kwargs={"form_id": form.pk}), {"body": "{not json"}
    )

    assert response.status_code == 400
    assert "This is not valid JSON." in response.content.decode()


def test_staff_who_are_not_admins_see_forms_but_cannot_change_them(
    client: Any, form: IntakeForm
) -> None:
    client.force_login(factories.StaffFactory())

    page = client.get(reverse("intake:staff-form", kwargs={"form_id": form.pk}))
    refused = client.post(reverse("intake:staff-form-publish", kwargs={"form_id": form.pk}))

    assert page.status_code == 200 and "Add a question" not in page.content.decode()
    assert refused.status_code == 404


def test_the_forms_list_is_flat_in_queries(
    client: Any, admin: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(8):
        published_form(admin, name=f"Form {i}")
    client.force_login(admin)
    client.get(reverse("intake:staff-forms"))  # the session's first request does its own work

    with django_assert_max_num_queries(11):
        response = client.get(reverse("intake:staff-forms"))

    assert response.content.decode().count("v1 · Published") == 8


# ---------------------------------------------------------------- the public form


def test_a_submission_lands_on_a_new_prospect_and_a_new_lead(client: Any, form: IntakeForm) -> None:
    response = client.post(_start(form) + "?source=google", stage_one_answers())

    contact = Contact.objects.get(email="lukasz@example.com")
    lead = Lead.objects.get()
    submission = IntakeSubmission.objects.get()
    assert response.status_code == 302
    assert contact.kind == Contact.Kind.PROSPECT and contact.last_name == "Wiśniewski"
    assert lead.contact == contact and lead.status == Lead.Status.NEW
    assert lead.source == Lead.Source.GOOGLE and lead.practice_area == "family"
    assert lead.urgent_deadline == dt.date(2026, 7, 1)
    assert submission.lead == lead and submission.stage == 1
    assert submission.answers["other_parties"] == [
        {
            "name": "Tomasz Wiśniewski",
            "organisation": "",
            "role": "adverse",
            "relationship": "brother",
        }
    ]
    thanks = client.get(response["Location"]).content.decode()
    assert "We have received your answers." in thanks


def test_a_returning_person_is_matched_and_never_changes_the_existing_contact(
    client: Any, form: IntakeForm
) -> None:
    existing = factories.ContactFactory(
        first_name="Ewa", last_name="Kowalska", email="ewa@example.com"
    )

    client.post(
        _start(form),
        stage_one_answers(first_name="Evil", last_name="Hacker", email="EWA@example.com"),
    )
    client.post(
        _start(form), stage_one_answers(first_name="Ewa", last_name="K", email="ewa@example.com")
    )

    existing.refresh_from_db()
    assert Contact.objects.filter(email__iexact="ewa@example.com").count() == 1
    assert (existing.first_name, existing.last_name) == ("Ewa", "Kowalska")
    assert Lead.objects.count() == 1  # the second inquiry joins the open lead
    assert IntakeSubmission.objects.filter(contact=existing).count() == 2


def test_a_validation_error_keeps_every_typed_value_and_stores_nothing(
    client: Any, form: IntakeForm
) -> None:
    response = client.post(
        _start(form), stage_one_answers(email="not-an-email", deadline="9999-01-01")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address." in page
    assert "Enter a date between 1900-01-01 and 2200-12-31." in page
    assert 'value="Łukasz"' in page and 'value="Tomasz Wiśniewski"' in page
    assert not Contact.objects.exists() and not Lead.objects.exists()
    assert not IntakeSubmission.objects.exists()
    # The page now posts to the draft's own link, which keeps the values.
    draft = IntakeDraft.objects.get()
    # The link is signed with a timestamp: the page may have been made a second earlier.
    payload = draft_path(draft).rsplit(":", 2)[0]
    assert f'action="{payload}:' in page


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"first_name": "x" * 20_000}, "Please keep this under 200 characters"),
        ({"first_name": "<script>alert(1)</script>\x07"}, "Remove"),
        ({"deadline": "0001-01-01"}, "Enter a date between"),
        (
            {
                "other_parties__name": [f"P{i}" for i in range(50)],
                "other_parties__role": ["adverse"] * 50,
            },
            "Name at most 20 people",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_in_polish_and_nothing_is_stored(
    client: Any, form: IntakeForm, override: dict[str, Any], message: str
) -> None:
    client.cookies["django_language"] = "pl"

    response = client.post(_start(form), stage_one_answers(**override), HTTP_ACCEPT_LANGUAGE="pl")

    assert response.status_code in (400, 429)
    assert 'lang="pl"' in response.content.decode()
    assert not IntakeSubmission.objects.exists() and not Lead.objects.exists()


def test_an_unknown_posted_field_is_ignored(client: Any, form: IntakeForm) -> None:
    client.post(_start(form), stage_one_answers(is_staff="1", answers='{"x": 1}'))

    submission = IntakeSubmission.objects.get()
    assert "is_staff" not in submission.answers and "answers" not in submission.answers


def test_a_body_over_64_kb_is_refused(client: Any, form: IntakeForm) -> None:
    response = client.post(_start(form), stage_one_answers(padding="x" * 70_000))

    assert response.status_code == 429
    assert not IntakeDraft.objects.exists()


def test_the_honeypot_answers_thanks_and_stores_nothing(client: Any, form: IntakeForm) -> None:
    response = client.post(_start(form), stage_one_answers(website_url="http://spam.example"))

    assert response.status_code == 200
    assert not IntakeDraft.objects.exists() and not Contact.objects.exists()


def test_a_form_not_published_or_not_in_use_is_404(client: Any, admin: Any) -> None:
    draft_only = services.form_create(
        actor=admin, name="Unpublished", fields=samples.initial_consultation()
    )

    assert client.get(_start(draft_only)).status_code == 404


# ---------------------------------------------------------------- drafts


def test_autosave_keeps_the_answers_and_the_link_resumes_them(
    client: Any, form: IntakeForm
) -> None:
    saved = client.post(_start(form), {"_autosave": "1", "first_name": "Ann", "email": "bad"})

    url = saved.json()["url"]
    resumed = client.get(url).content.decode()
    assert saved.status_code == 200 and saved.json()["saved"] is True
    assert 'value="Ann"' in resumed and 'value="bad"' in resumed
    client.post(url, {"_autosave": "1", **stage_one_answers()})
    done = client.post(url, stage_one_answers())
    assert done.status_code == 302 and IntakeSubmission.objects.count() == 1
    assert IntakeDraft.objects.get().answers == {}  # nothing left behind once sent
    assert "We have received your answers." in client.get(url).content.decode()
    client.post(url, stage_one_answers())
    assert IntakeSubmission.objects.count() == 1


def test_a_draft_link_expires_after_30_days_and_a_forged_one_is_404(
    client: Any, form: IntakeForm
) -> None:
    url = client.post(_start(form), {"_autosave": "1", "first_name": "Ann"}).json()["url"]

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        expired = client.get(url)
    forged = client.get(url[:-3] + "abc/")

    assert expired.status_code == 404 and forged.status_code == 404


def test_a_draft_finishes_on_the_version_it_started_after_a_new_one_is_published(
    client: Any, admin: Any, form: IntakeForm
) -> None:
    url = client.post(_start(form), {"_autosave": "1", "first_name": "Ann"}).json()["url"]
    services.form_field_remove(form=form, key="deadline", actor=admin)
    services.form_publish(form=form, actor=admin)

    client.post(url, stage_one_answers())

    submission = IntakeSubmission.objects.get()
    assert submission.form_version.n == 1 and submission.form_version.status == "retired"
    assert submission.answers["deadline"] == "2026-07-01"


# ---------------------------------------------------------------- sending a form


def test_staff_send_a_form_to_a_client_who_gets_one_link_and_answers_every_stage(
    client: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    form = published_form(admin, name="Immigration", fields=samples.immigration())
    _user, contact = factories.client_with_contact(email="dmitri@example.com")
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("intake:staff-form-send", kwargs={"form_id": form.pk}), {"contact": contact.pk}
        )

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/intake/d/" in word)
    client.logout()
    path = "/intake/d/" + link.split("/intake/d/")[1]
    page = client.get(path).content.decode()
    assert "Tell us more about your situation" in page  # a client answers stage 2 too
    sent = client.post(
        path,
        {
            "first_name": "D",
            "last_name": "P",
            "email": "dmitri@example.com",
            "country_of_origin": "RU",
            "status": "permanent",
            "story": "Long story",
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:3000]
    submission = IntakeSubmission.objects.get()
    assert submission.contact == contact and submission.answers["story"] == "Long story"


def test_the_submissions_list_is_flat_in_queries(
    client: Any, admin: Any, form: IntakeForm, django_assert_max_num_queries: Any
) -> None:
    for i in range(6):
        client.post(_start(form), stage_one_answers(email=f"p{i}@example.com"))
    client.force_login(admin)
    client.get(reverse("intake:staff-submissions"))

    with django_assert_max_num_queries(11):
        response = client.get(reverse("intake:staff-submissions"))

    assert response.content.decode().count("First consultation · v1") == 6

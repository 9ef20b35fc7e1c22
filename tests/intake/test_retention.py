"""Retention of prospects the firm did not act for (spec intake.md §7, §10.10)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from audit.models import AuditEvent
from intake import samples
from intake import services as intake_services
from intake import tasks as intake_tasks
from intake.models import ConflictIndexEntry, IntakeDraft, IntakeSubmission, Lead
from intake.services import Name
from tests import factories
from tests.intake.helpers import published_form, stage_one_answers

pytestmark = pytest.mark.django_db

CLOSED = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin(firm: Any) -> Any:
    return factories.AdminFactory(email="boss@firm.example")


def _fields() -> list[dict[str, Any]]:
    fields = samples.initial_consultation()
    fields.append(
        {
            "key": "health",
            "type": "text",
            "stage": 1,
            "sensitive": True,
            "label": {"en": "Anything about your health we should know?"},
        }
    )
    return fields


def _declined_lead(admin: Any) -> Lead:
    form = published_form(admin, fields=_fields())
    with time_machine.travel(CLOSED, tick=False):
        Client().post(f"/intake/f/{form.slug}/", stage_one_answers(health="Diabetes"))
        lead = Lead.objects.get()
        intake_services.lead_close(lead=lead, to="declined", reason="capacity", actor=admin)
    return Lead.objects.get(pk=lead.pk)


def test_closing_a_lead_sets_its_retention_date_from_the_firms_period(admin: Any) -> None:
    lead = _declined_lead(admin)
    assert lead.closed_on == dt.date(2026, 3, 10)
    assert lead.retain_until == dt.date(2027, 3, 10)


def test_staff_see_the_purge_14_days_ahead_and_nothing_changes_before(admin: Any) -> None:
    _declined_lead(admin)
    lawyer = factories.StaffFactory(email="lawyer@firm.example")
    staff = Client()

    with time_machine.travel(dt.datetime(2027, 2, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        staff.force_login(lawyer)
        early = staff.get("/staff/intake/retention/")
        assert early.status_code == 200
        # Only the overdue removal of the sensitive answer is listed, not the purge.
        assert "1 submission" not in early.content.decode()
        assert "1 sensitive answer" in early.content.decode()
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        staff.force_login(lawyer)
        page = staff.get("/staff/intake/retention/").content.decode()
        assert "Łukasz Wiśniewski" in page
        assert "1 submission" in page
        out = StringIO()
        call_command("purge_prospects", stdout=out)
    assert "0 leads purged" in out.getvalue()
    assert IntakeSubmission.objects.count() == 1


def test_sensitive_answers_go_after_six_months_and_the_rest_stays(admin: Any) -> None:
    lead = _declined_lead(admin)
    with time_machine.travel(dt.datetime(2026, 9, 11, 9, 0, tzinfo=dt.UTC), tick=False):
        call_command("purge_prospects", stdout=StringIO())

    answers = IntakeSubmission.objects.get().answers
    assert "health" not in answers
    assert answers["topic"] == "family"
    assert Lead.objects.get(pk=lead.pk).sensitive_purged_at is not None
    assert AuditEvent.objects.filter(action="lead.sensitive_purged").count() == 1


def test_the_purge_deletes_answers_and_drafts_keeps_the_stub_and_a_check_still_finds_it(
    admin: Any,
) -> None:
    lead = _declined_lead(admin)
    parties_before = ConflictIndexEntry.objects.filter(lead=lead, source="lead_party").count()
    assert parties_before >= 1

    with time_machine.travel(dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        dry = StringIO()
        call_command("purge_prospects", "--dry-run", stdout=dry)
        assert "would purge" in dry.getvalue()
        assert IntakeSubmission.objects.count() == 1

        out = StringIO()
        call_command("purge_prospects", stdout=out)
        call_command("purge_prospects", stdout=StringIO())  # a second run changes nothing

    assert "1 leads purged" in out.getvalue()
    assert not IntakeSubmission.objects.exists()
    assert not IntakeDraft.objects.exists()
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.purged_at is not None and lead.status == "declined"
    assert lead.declined_reason == "capacity"
    stubs = ConflictIndexEntry.objects.filter(lead=lead, source="stub")
    assert stubs.count() == parties_before
    assert AuditEvent.objects.filter(action="lead.purged").count() == 1

    # The stub survives an index rebuild and still answers a conflict check.
    intake_services.conflict_index_rebuild()
    check = intake_services.conflict_check_adhoc(
        names=[Name(name="Tomasz Wiśniewski", role="CLIENT")], actor=admin
    )
    assert any(hit.entry.source == "stub" for hit in check.hits.all())


def test_open_and_retained_leads_are_never_purged(admin: Any) -> None:
    form = published_form(admin, fields=_fields())
    with time_machine.travel(CLOSED, tick=False):
        Client().post(f"/intake/f/{form.slug}/", stage_one_answers())
    with time_machine.travel(dt.datetime(2029, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        intake_tasks.prospects_purge()
    assert IntakeSubmission.objects.count() == 1
    assert Lead.objects.get().purged_at is None


def test_the_beat_schedule_runs_the_purge_daily(settings: Any) -> None:
    tasks_named = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert intake_tasks.prospects_purge.name in tasks_named

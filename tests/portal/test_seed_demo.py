from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from portal.models import Matter, User

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label
        in {"portal", "scheduling", "notifications", "billing", "intake", "insights"}
        and m._meta.label != "portal.AuditEvent"
    }


def test_seed_demo_creates_the_demo_firm_and_is_idempotent(
    django_capture_on_commit_callbacks: Any,
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=out)
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())

    assert _counts() == first
    assert "ewa@example.com" in out.getvalue() and "atrium-demo-2026" in out.getvalue()
    for email in ("ewa@example.com", "jan@example.com"):
        user = User.objects.get(email=email)
        assert user.check_password("atrium-demo-2026")
        assert Matter.objects.filter(clients__user=user).count() == 1
    assert User.objects.filter(role=User.Role.STAFF).count() == 3
    titles = dict(User.objects.filter(role=User.Role.STAFF).values_list("email", "staff_title"))
    assert titles == {
        "anna.kowalska@example.com": "lawyer",
        "marek.nowak@example.com": "lawyer",
        "sofia.garcia@example.com": "paralegal",
    }
    # Every demo person has a booking page profile written in Polish, with English,
    # Spanish and Russian versions; the lawyers have photos, the paralegal her initials.
    from portal.models import StaffProfile

    profiles = {p.user.email: p for p in StaffProfile.objects.select_related("user")}
    assert set(profiles) == set(titles)
    for profile in profiles.values():
        assert all(getattr(profile, f"profile_{c}") for c in ("pl", "en", "es", "ru"))
        assert profile.practice_areas and "pl" in profile.languages
    assert profiles["anna.kowalska@example.com"].photo
    assert not profiles["sofia.garcia@example.com"].photo
    assert User.objects.filter(role=User.Role.CLIENT).count() == 5
    assert User.objects.filter(role=User.Role.COCOUNSEL).count() >= 1
    assert Matter.objects.values("stage").distinct().count() >= 3
    # Intake: two published forms, the services that ask them, and two inquiries.
    from intake.models import IntakeFormVersion, Lead, ServiceIntake

    assert IntakeFormVersion.objects.filter(status="published").count() == 2
    assert dict(ServiceIntake.objects.values_list("service__slug", "timing")) == {
        "introductory-call": "after",
        "initial-consultation": "before",
    }
    today = Lead.objects.exclude(contact__email__endswith="@example.org")
    assert set(today.values_list("contact__last_name", "status")) == {
        ("Nowak", "new"),
        ("Ruiz", "retained"),
        ("Shevchenko", "lost"),
        ("Wiśniewska", "engagement_sent"),
    }
    # Ewa finds an engagement letter to sign in her portal; Ruiz became a client.
    from intake.models import Engagement

    letter = Engagement.objects.get(contact__email="ewa@example.com")
    assert letter.status == "sent" and letter.document_sha256
    assert Matter.objects.get(reference="IMM-2026-004").clients.get().last_name == "Ruiz"
    # The demo parties are on their matters, and the inquiry naming the other side of
    # FAM-2026-001 waits for a conflict review.
    from portal.models import MatterParty

    assert MatterParty.objects.filter(
        matter__reference="FAM-2026-001", role="ADVERSE", contact__last_name="Wiśniewski"
    ).exists()
    assert MatterParty.objects.filter(
        matter__reference="EST-2026-002", contact__organisation_name="Nowak Deweloper sp. z o.o."
    ).exists()
    assert Lead.objects.get(contact__last_name="Nowak").conflict_state == "needs_review"

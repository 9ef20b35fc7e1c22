from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from portal import selectors
from portal.audit_actions import PortalAction
from portal.models import Matter, MatterStageChange, TimelineEntry
from tests import factories

pytestmark = pytest.mark.django_db


def test_disallowed_stage_move_is_refused_with_a_message_and_nothing_changes(
    client: Any, world: Any
) -> None:
    # given a matter in intake
    matter = world.matter_a
    client.force_login(world.staff_on)

    # when staff try to jump straight to "waiting for a decision"
    response = client.post(
        reverse("staff:matter-stage", args=[matter.pk]),
        {"stage": Matter.Stage.AWAITING},
        follow=True,
    )

    # then
    assert "cannot move from" in response.content.decode()
    matter.refresh_from_db()
    assert matter.stage == Matter.Stage.INTAKE
    assert not MatterStageChange.objects.filter(matter=matter).exists()
    assert not AuditEvent.objects.filter(action=PortalAction.MATTER_STAGE_CHANGED).exists()


def test_allowed_stage_move_is_recorded_and_shown_to_the_client(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)

    client.post(
        reverse("staff:matter-stage", args=[world.matter_a.pk]),
        {"stage": Matter.Stage.ENGAGED, "note": "Engagement letter signed"},
    )

    change = MatterStageChange.objects.get(matter=world.matter_a)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        "intake",
        "engaged",
        world.staff_on,
    )
    assert AuditEvent.objects.filter(
        action=PortalAction.MATTER_STAGE_CHANGED, matter_id=world.matter_a.pk
    ).exists()
    client.force_login(world.client_a)
    page = client.get(reverse("portal:matter-detail", args=[world.matter_a.pk])).content.decode()
    assert "Engagement letter signed" in page
    assert "We have agreed to work together" in page


def test_clients_see_only_shared_timeline_entries(client: Any, world: Any) -> None:
    TimelineEntry.objects.create(
        matter=world.matter_a, title="Hearing set for May", shared_with_client=True
    )
    TimelineEntry.objects.create(
        matter=world.matter_a, title="Opposing counsel is weak", shared_with_client=False
    )
    client.force_login(world.client_a)

    page = client.get(reverse("portal:matter-detail", args=[world.matter_a.pk])).content.decode()

    assert "Hearing set for May" in page
    assert "Opposing counsel is weak" not in page


def test_cocounsel_loses_access_the_moment_the_grant_expires(client: Any, world: Any) -> None:
    url = reverse("portal:matter-detail", args=[world.matter_a.pk])
    ends = timezone.now() + dt.timedelta(hours=1)
    world.grant.__class__.objects.filter(pk=world.grant.pk).update(expires_at=ends)
    client.force_login(world.cocounsel)
    assert client.get(url).status_code == 200

    with time_machine.travel(ends + dt.timedelta(seconds=1)):
        assert client.get(url).status_code == 404
        assert world.matter_a.title not in client.get(reverse("portal:home")).content.decode()


def test_cocounsel_sees_only_the_shared_matter(client: Any, world: Any) -> None:
    client.force_login(world.cocounsel)

    home = client.get(reverse("portal:home")).content.decode()

    assert "Matter A" in home and "Matter B" not in home
    assert client.get(reverse("portal:matter-detail", args=[world.matter_b.pk])).status_code == 404


def test_revoking_a_grant_takes_effect_on_the_next_request(client: Any, world: Any) -> None:
    url = reverse("portal:matter-detail", args=[world.matter_a.pk])
    staff = factories.StaffFactory()
    client.force_login(world.cocounsel)
    assert client.get(url).status_code == 200

    other = client.__class__()
    other.force_login(world.staff_on)
    other.post(reverse("staff:grant-revoke", args=[world.grant.pk]))

    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action=PortalAction.PERMISSION_REVOKED, matter_id=world.matter_a.pk
    ).exists()
    assert staff.pk  # a bystander staff member changes nothing


def test_disabling_a_user_takes_effect_on_the_next_request(client: Any, world: Any) -> None:
    client.force_login(world.client_a)
    world.client_a.is_active = False
    world.client_a.save(update_fields=["is_active"])

    response = client.get(reverse("portal:matter-detail", args=[world.matter_a.pk]))

    assert response.status_code == 302


def test_model_level_view_permission_does_not_reveal_every_matter(world: Any) -> None:
    # given a staff group holding the model-wide view_matter permission
    group = Group.objects.create(name="Paralegals")
    group.permissions.add(Permission.objects.get(codename="view_matter"))
    world.staff_off.groups.add(group)

    # when
    visible = set(selectors.matters_visible_to(world.staff_off))

    # then only the matter they are on
    assert visible == {world.matter_b}


def test_firm_admin_sees_every_matter(world: Any) -> None:
    assert set(selectors.matters_visible_to(world.admin)) == {world.matter_a, world.matter_b}


def test_extra_form_fields_are_ignored(client: Any, world: Any) -> None:
    client.force_login(world.client_a)

    client.post(
        reverse("portal:preferences"),
        {
            "language": "es",
            "time_zone": "Europe/Madrid",
            "is_staff": "on",
            "role": "staff",
            "is_superuser": "on",
        },
    )

    world.client_a.refresh_from_db()
    assert world.client_a.language == "es"
    assert not world.client_a.is_staff and world.client_a.role == "client"
    assert not world.client_a.is_superuser


def test_matter_views_are_audited(client: Any, world: Any) -> None:
    client.force_login(world.client_a)

    client.get(reverse("portal:matter-detail", args=[world.matter_a.pk]))

    event = AuditEvent.objects.get(action=PortalAction.MATTER_VIEWED)
    assert (event.actor, event.matter_id) == (world.client_a, world.matter_a.pk)
    assert event.ip == "127.0.0.1"


def test_staff_create_a_matter_and_the_team_gets_access(client: Any, world: Any) -> None:
    client.force_login(world.staff_on)

    response = client.post(
        reverse("staff:matter-create"),
        {
            "reference": "FAM-9",
            "title": "Custody",
            "practice_area": "family",
            "priority": "high",
            "responsible_lawyer": world.staff_on.pk,
            "team": [world.staff_off.pk],
            "clients": [world.contact_a.pk],
        },
    )

    matter = Matter.objects.get(reference="FAM-9")
    assert response.status_code == 302
    assert matter in selectors.matters_visible_to(world.staff_off)
    assert matter in selectors.matters_visible_to(world.client_a)
    assert matter not in selectors.matters_visible_to(world.client_b)


def test_staff_filter_the_audit_log(client: Any, world: Any) -> None:
    client.force_login(world.client_a)
    client.get(reverse("portal:matter-detail", args=[world.matter_a.pk]))
    client.force_login(world.admin)

    page = client.get(
        reverse("staff:audit-log"), {"action": PortalAction.MATTER_VIEWED}
    ).content.decode()

    assert world.client_a.email in page
    rows = page.split("<tbody>")[1]
    assert "Matter viewed" in rows
    assert "Matter created" not in rows


def test_expired_time_makes_no_difference_for_staff(world: Any) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(days=3650)):
        assert world.matter_a in selectors.matters_visible_to(world.staff_on)

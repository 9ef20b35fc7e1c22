from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_record
from portal.models import Matter

pytestmark = pytest.mark.django_db


def test_admin_cannot_change_or_delete_audit_rows(client: Any, world: Any) -> None:
    event = audit_record(action=AuditAction.OTHER, actor=world.admin)
    client.force_login(world.admin)

    change = client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "tampered"}
    )
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    listing = client.get(reverse("admin:audit_auditevent_changelist"))

    assert change.status_code in (403, 302) or b"tampered" not in change.content
    assert delete.status_code == 403
    assert listing.status_code == 200
    event.refresh_from_db()
    assert event.action == AuditAction.OTHER


def test_the_model_refuses_updates_and_deletes(world: Any) -> None:
    event = audit_record(action=AuditAction.OTHER, actor=world.admin)

    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_even_from_raw_sql(world: Any) -> None:
    event = audit_record(action=AuditAction.OTHER, actor=world.admin)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_logged_values_have_newlines_escaped_and_secrets_dropped(world: Any) -> None:
    event = audit_record(
        action=AuditAction.OTHER,
        actor_label="evil\nFAKE LINE",
        data={"note": "a\r\nb", "password": "hunter2", "token": "abc"},
    )

    assert "\n" not in event.actor_label
    assert event.data == {"note": "a\\r\\nb"}


def test_a_matter_cannot_be_deleted_in_the_admin_so_its_audit_trail_keeps_pointing_at_it(
    client: Any, world: Any
) -> None:
    client.force_login(world.admin)

    response = client.post(
        reverse("admin:portal_matter_delete", args=[world.matter_a.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Matter.objects.filter(pk=world.matter_a.pk).exists()

"""The staff audit log names what each row is about and exports the filtered rows as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.services import audit_record
from portal import services
from portal.audit_actions import PortalAction
from portal.models import Folder

pytestmark = pytest.mark.django_db


def _upload(world: Any, name: str, times: int = 1) -> Any:
    folder, _created = Folder.objects.get_or_create(matter=world.matter_a, name="Evidence")
    version = None
    for i in range(times):
        version = services.document_upload(
            actor=world.staff_on,
            matter=world.matter_a,
            folder=folder,
            files=[SimpleUploadedFile(name, f"text {i}".encode())],
        )[0]
    return version


def test_audit_list_names_the_document_and_its_version(client: Any, world: Any) -> None:
    # given: a second version of Lease.txt
    _upload(world, "Lease.txt", times=2)
    client.force_login(world.admin)

    # when
    page = client.get(reverse("staff:audit-log")).content.decode()

    # then
    rows = page.split("<tbody>")[1]
    assert "Lease.txt, version 2" in rows
    assert "(documentversion)" not in rows


def test_audit_list_labels_stay_flat_in_queries(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    from tests.budget import assert_page_budget

    for i in range(3):
        _upload(world, f"File {i}.txt", times=2)
    client.force_login(world.admin)
    client.get(reverse("staff:audit-log"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("staff:audit-log"))
    for i in range(3, 40):
        _upload(world, f"File {i}.txt")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("staff:audit-log"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert_page_budget(many.captured_queries, limit=12)


def test_audit_export_is_csv_of_the_filtered_rows_without_formulas(client: Any, world: Any) -> None:
    # given: a name that a spreadsheet would run as a formula
    _upload(world, "=HYPERLINK(evil).txt")
    audit_record(
        action=PortalAction.MATTER_VIEWED, actor=world.client_a, matter_id=world.matter_a.pk
    )
    client.force_login(world.admin)

    # when
    response = client.get(reverse("staff:audit-export"), {"action": PortalAction.DOCUMENT_UPLOADED})

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "When (UTC)"
    body = rows[1:]
    assert body and all(row[2] == PortalAction.DOCUMENT_UPLOADED for row in body)
    assert any(row[4].startswith("'=HYPERLINK") for row in body)
    assert all(row[5] == world.matter_a.reference for row in body)


def test_staff_off_the_matter_export_none_of_its_rows(client: Any, world: Any) -> None:
    _upload(world, "Secret lease.txt")
    client.force_login(world.staff_off)

    text = client.get(reverse("staff:audit-export")).content.decode("utf-8-sig")

    assert "Secret lease" not in text
    assert world.matter_a.reference not in text

"""Gapless numbering: 20 staff issue at once in one series; a rollback gives its number back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from billing import services
from billing.models import Invoice
from tests import factories
from tests.billing.helpers import draft

N = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_issues_take_twenty_consecutive_numbers(firm: Any) -> None:
    # given twenty drafts and a number lost to a rollback
    admin = factories.AdminFactory()
    _user, contact = factories.client_with_contact()
    drafts = [draft(actor=admin, contact=contact) for _i in range(N)]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.invoice_issue(actor=admin, invoice_id=drafts[0].pk)
        raise RuntimeError("the issuing transaction fails after the number was taken")
    barrier = threading.Barrier(N)
    errors: list[str] = []

    def issue(pk: Any) -> None:
        try:
            barrier.wait()
            services.invoice_issue(actor=admin, invoice_id=pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=issue, args=(d.pk,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    # then
    assert not errors
    numbers = sorted(
        int(n.rsplit("/", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, N + 1))

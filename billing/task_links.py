"""A "Pay" client task opens the matter's oldest unpaid invoice (else the invoice list)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from billing.selectors import invoices_for_client

if TYPE_CHECKING:
    from portal.models import ClientTask, User


def pay_links(user: User, tasks: Sequence[ClientTask]) -> dict[Any, str]:
    oldest: dict[Any, Any] = {}
    matter_ids = {task.matter_id for task in tasks}
    unpaid = (
        invoices_for_client(user=user)
        .filter(matter_id__in=matter_ids, balance__gt=0)
        .order_by("due_date", "issued_at")
        .values_list("matter_id", "pk")
    )
    for matter_id, invoice_id in unpaid:
        oldest.setdefault(matter_id, invoice_id)
    fallback = reverse("billing:portal-invoices")
    return {
        task.pk: reverse("billing:portal-invoice", kwargs={"invoice_id": oldest[task.matter_id]})
        if task.matter_id in oldest
        else fallback
        for task in tasks
    }

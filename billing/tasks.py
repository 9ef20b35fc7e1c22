"""Celery tasks: ids in, one service call, nothing returned."""

from __future__ import annotations

from celery import shared_task

from billing.services import online, reminders


@shared_task(ignore_result=True)
def stripe_event_process(event_id: str) -> None:
    online.stripe_event_process(event_id=event_id)


@shared_task(ignore_result=True)
def payments_reconcile() -> None:
    online.reconcile()


@shared_task(ignore_result=True)
def payment_reminders_plan() -> None:
    reminders.payment_reminders_plan()

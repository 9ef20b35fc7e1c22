"""Celery tasks: ids in, one service call, nothing returned."""

from __future__ import annotations

from celery import shared_task

from billing.services import online


@shared_task(ignore_result=True)
def stripe_event_process(event_id: str) -> None:
    online.stripe_event_process(event_id=event_id)


@shared_task(ignore_result=True)
def payments_reconcile() -> None:
    online.reconcile()

"""Celery tasks: ids in, one service call, nothing returned."""

from __future__ import annotations

from celery import shared_task

from notifications import registry, services


@shared_task(ignore_result=True)
def deliveries_sweep() -> None:
    services.deliveries_sweep()


@shared_task(ignore_result=True)
def delivery_send(model_label: str, pk: str) -> None:
    services.delivery_send_now(model=registry.outbox_model(model_label), pk=pk)

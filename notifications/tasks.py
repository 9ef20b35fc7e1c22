"""Celery tasks: ids in, one service call, nothing returned."""

from __future__ import annotations

from celery import shared_task
from django.apps import apps

from notifications import services


@shared_task(ignore_result=True)
def deliveries_sweep() -> None:
    services.deliveries_sweep()


@shared_task(ignore_result=True)
def delivery_send(model_label: str, pk: str) -> None:
    services.delivery_send_now(model=apps.get_model(model_label), pk=pk)


@shared_task(ignore_result=True)
def daily_digests() -> None:
    services.daily_run()

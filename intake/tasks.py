"""Intake's beat tasks (thin: the work is in intake.services)."""

from __future__ import annotations

from celery import shared_task

from intake import services


@shared_task(ignore_result=True)
def form_reminders_queue() -> None:
    """The 24 h reminders for after-booking forms not yet sent (idempotent)."""
    services.form_reminders_queue()

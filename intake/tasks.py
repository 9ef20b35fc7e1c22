"""Intake's beat tasks (thin: the work is in intake.services)."""

from __future__ import annotations

import logging

from celery import shared_task

from intake import services


@shared_task(ignore_result=True)
def form_reminders_queue() -> None:
    """The 24 h reminders for after-booking forms not yet sent (idempotent)."""
    services.form_reminders_queue()


@shared_task(ignore_result=True)
def prospects_purge() -> None:
    """Daily: the retention purge of declined and lost inquiries (reports in the log and
    one audit event per lead)."""
    report = services.prospects_purge()
    logging.getLogger("atrium.intake").info("; ".join(report.lines()))


@shared_task(ignore_result=True)
def engagements_expire() -> None:
    """Unsigned letters past their date → EXPIRED (idempotent; signing checks it too)."""
    services.engagements_expire()

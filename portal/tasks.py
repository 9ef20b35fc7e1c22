from __future__ import annotations

from celery import shared_task
from django.core import management

from portal import services


@shared_task(autoretry_for=(OSError,), max_retries=5, retry_backoff=30)
def invitation_deliver(invitation_id: str) -> None:
    services.invitation_deliver(invitation_id=invitation_id)


@shared_task(ignore_result=True)
def invitations_unsent_deliver() -> None:
    services.invitations_unsent_deliver()


@shared_task
def sessions_clear_expired() -> None:
    management.call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), max_retries=3, retry_backoff=30)
def document_version_extract_text(version_id: str) -> None:
    services.document_version_extract_text(version_id=version_id)


@shared_task(ignore_result=True)
def documents_text_extract_pending() -> None:
    services.documents_text_extract_pending()


@shared_task(autoretry_for=(OSError,), max_retries=48, retry_backoff=60, retry_backoff_max=1800)
def document_version_rescan(version_id: str) -> None:
    services.document_version_rescan(version_id=version_id)


@shared_task(ignore_result=True)
def daily_notices() -> None:
    """Once a day: the "due tomorrow" notices, then the silence digests to lawyers."""
    services.due_reminders_queue()
    services.silence_digest_send()

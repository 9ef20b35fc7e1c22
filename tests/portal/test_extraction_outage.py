"""Text extraction queued while the broker is down is not lost: the sweep picks it up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal import services, tasks
from portal.models import DocumentVersion
from portal.uploads import DOCX
from tests.portal.filesamples import docx_with_text


def _reset_pools(app: Any) -> None:
    app.amqp._producer_pool = None
    app._pool = None


def _upload_with_the_broker_down(world: Any, settings: Any, capture: Any) -> DocumentVersion:
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    app.conf.task_publish_retry = False
    _reset_pools(app)
    try:
        folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="In")
        with capture(execute=True):
            [version] = services.document_upload(
                actor=world.staff_on,
                matter=world.matter_a,
                folder=folder,
                files=[
                    SimpleUploadedFile(
                        "lease.docx", docx_with_text("Umowa najmu lokalu"), content_type=DOCX
                    )
                ],
            )
    finally:
        for key in ("broker_url", "task_always_eager", "task_publish_retry"):
            app.conf.changes.pop(key, None)
        _reset_pools(app)
    return version


def test_an_upload_during_a_broker_outage_gets_its_text_from_the_sweep(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: an upload whose extraction task could not be queued
    version = _upload_with_the_broker_down(world, settings, django_capture_on_commit_callbacks)
    version.refresh_from_db()
    assert version.text == "" and version.text_extracted_at is None
    # when: the sweep runs (it leaves uploads younger than two minutes to their task)
    assert services.documents_text_extract_pending() == 0
    later = timezone.now() + dt.timedelta(minutes=3)
    assert services.documents_text_extract_pending(now=later) == 1
    # then: the text is there, and the next run has nothing to do
    version.refresh_from_db()
    assert "Umowa najmu" in version.text and version.text_extracted_at is not None
    assert services.documents_text_extract_pending(now=later) == 0


def test_the_beat_schedule_runs_the_extraction_sweep(settings: Any) -> None:
    tasks_named = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.tasks.documents_text_extract_pending" in tasks_named
    assert tasks.documents_text_extract_pending.name in tasks_named


def test_a_version_without_readable_text_is_marked_done_and_not_retried(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    folder = services.folder_create(actor=world.staff_on, matter=world.matter_a, name="In")
    with django_capture_on_commit_callbacks(execute=True):
        [version] = services.document_upload(
            actor=world.staff_on,
            matter=world.matter_a,
            folder=folder,
            files=[SimpleUploadedFile("scan.pdf", b"%PDF-1.4 not really", "application/pdf")],
        )
    version.refresh_from_db()
    assert version.text == "" and version.text_extracted_at is not None
    later = timezone.now() + dt.timedelta(minutes=3)
    assert services.documents_text_extract_pending(now=later) == 0

from __future__ import annotations

import secrets
from typing import Any

from celery import shared_task

from scheduling import services


@shared_task(ignore_result=True)
def external_calendars_import_all() -> None:
    """Beat entry: one import task per feed, so a slow feed does not hold up the others."""
    for calendar_id in services.external_calendar_ids():
        external_calendar_import.delay(str(calendar_id))


@shared_task(ignore_result=True)
def external_calendar_import(calendar_id: Any) -> None:
    services.external_calendar_import(calendar_id=calendar_id)


@shared_task(ignore_result=True)
def calendar_sync(calendar_id: Any) -> None:
    """One read of one connection ("sync now" and the CalDAV beat entry)."""
    services.calendar_sync(calendar_id=calendar_id)


@shared_task(ignore_result=True)
def calendar_sync_all() -> None:
    """Beat entry (every ATRIUM_CALDAV_SYNC_SECONDS): one sync task per CalDAV, Google or
    Microsoft connection, spread over the first minute so they do not all start at once."""
    for calendar_id in services.api_connection_ids():
        calendar_sync.apply_async((str(calendar_id),), countdown=secrets.randbelow(60))


@shared_task(ignore_result=True)
def appointment_writeback(appointment_uid: str) -> None:
    """Write one appointment to its lawyer's calendars (after booking changes)."""
    services.appointment_writeback(appointment_uid=appointment_uid)


@shared_task(ignore_result=True)
def booking_holds_expire() -> None:
    """Beat entry, every minute: unfinished bookings past their time give it back."""
    services.booking_holds_expire()


@shared_task(ignore_result=True)
def owner_checks_expire() -> None:
    """Beat entry, every 5 minutes: bookings made with an existing client's email that
    nobody confirmed in time are cancelled and their time is freed."""
    services.owner_checks_expire()


@shared_task(autoretry_for=(OSError,), max_retries=5, retry_backoff=30, ignore_result=True)
def booking_invitation_deliver(invitation_id: str) -> None:
    services.booking_invitation_deliver(invitation_id=invitation_id)


@shared_task(ignore_result=True)
def booking_invitations_unsent_deliver() -> None:
    """Beat entry: booking invitations whose immediate task never reached the broker."""
    services.booking_invitations_unsent_deliver()

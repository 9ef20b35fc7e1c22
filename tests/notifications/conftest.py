from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.notifications.twilio_fake import CannedTwilioHttpClient

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token-that-must-never-be-logged"  # noqa: S105


@pytest.fixture(autouse=True)
def _private_cache(settings: Any) -> None:
    # The default file cache under var/ is shared with every other test run on this
    # machine; a clear() from elsewhere would make the query budgets flaky.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "notifications-tests",
        }
    }


@pytest.fixture
def twilio(settings: Any) -> type[CannedTwilioHttpClient]:
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.TWILIO_FROM_NUMBER = "+48500000000"
    settings.TWILIO_HTTP_CLIENT_CLASS = "tests.notifications.twilio_fake.CannedTwilioHttpClient"
    settings.SITE_URL = "https://atrium.example"
    CannedTwilioHttpClient.reset()
    yield CannedTwilioHttpClient
    CannedTwilioHttpClient.reset()


def make_notices(
    *, user: Any, matter: Any, count: int, channel: str = "email", due: dt.datetime | None = None
) -> list[Notification]:
    """Due "new message" notices, the way secure_message_notify leaves them."""
    due = due or timezone.now() - dt.timedelta(minutes=1)
    return Notification.objects.bulk_create(
        [
            Notification(
                event="message",
                channel=channel,
                recipient=user,
                about=f"matter:{matter.pk}",
                due_at=due,
                next_attempt_at=due,
            )
            for _ in range(count)
        ]
    )


_service_seq = iter(range(1, 10**9))


def make_service(**extra: Any) -> Any:
    from scheduling.models import Service

    n = next(_service_seq)
    return Service.objects.create(
        slug=f"consultation-{n}",
        name=extra.pop("name", "Consultation"),
        duration_minutes=extra.pop("duration_minutes", 45),
        **extra,
    )


def make_appointment(
    *,
    staff: Any,
    contact: Any,
    start: dt.datetime,
    service: Any = None,
    matter: Any = None,
    status: str = "booked",
    **extra: Any,
) -> Any:
    """An appointment row as scheduling's booking service leaves it (test data only)."""
    from scheduling.models import Appointment

    service = service or make_service()
    end = start + dt.timedelta(minutes=service.duration_minutes)
    return Appointment.objects.create(
        service=service,
        staff=staff,
        contact=contact,
        matter=matter,
        start_at=start,
        end_at=end,
        blocked_start=start,
        blocked_end=end,
        status=status,
        time_zone=contact.time_zone,
        **extra,
    )

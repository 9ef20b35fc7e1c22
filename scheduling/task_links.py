"""A "Book an appointment" client task opens the booking page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse

if TYPE_CHECKING:
    from portal.models import ClientTask, User


def book_links(user: User, tasks: Sequence[ClientTask]) -> dict[Any, str]:
    url = reverse("scheduling:book")
    return {task.pk: url for task in tasks}

"""Expire the unfinished bookings whose time is up (the beat task does it every minute)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling import services


class Command(BaseCommand):
    help = "Give back the time of every held booking whose hold has lapsed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="treat this ISO-8601 time (with offset) as now")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"].replace("Z", "+00:00"))
            except ValueError as exc:
                raise CommandError(
                    "--now must be ISO-8601, e.g. 2026-03-08T09:00:00+00:00"
                ) from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. +00:00")
        expired = services.booking_holds_expire(now=now)
        self.stdout.write(f"expired={expired}")

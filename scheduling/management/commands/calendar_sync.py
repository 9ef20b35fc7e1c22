"""Run one sync of every calendar connection (or one staff member's) and print the status."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import selectors as portal_selectors
from scheduling import selectors, services


class Command(BaseCommand):
    help = "Read every calendar connection once and print each one's health."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--staff", default=None, help="only this staff member's (email)")

    def handle(self, *args: Any, **options: Any) -> None:
        staff = None
        if options["staff"]:
            staff = portal_selectors.active_staff().filter(email__iexact=options["staff"]).first()
            if staff is None:
                raise CommandError(f"no active staff member with the email {options['staff']}")
        rows = selectors.calendar_connections_for_sync(staff=staff)
        if not rows:
            self.stdout.write("no calendar connections")
            return
        broken = 0
        for calendar in rows:
            services.calendar_sync(calendar_id=calendar.pk)
            calendar.refresh_from_db()
            broken += calendar.status == calendar.Health.BROKEN
            reason = selectors.calendar_reason(calendar.last_error, calendar.provider)
            last = calendar.last_success_at.isoformat() if calendar.last_success_at else "never"
            self.stdout.write(
                f"{calendar.staff.email}\t{calendar.provider}\t{calendar.name}\t"
                f"{calendar.status}\tlast success {last}" + (f"\t{reason}" if reason else "")
            )
        if broken:
            self.stderr.write(f"{broken} broken")

"""Connect a staff member's CalDAV calendar from the shell (operators and checks use it)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ServiceError
from portal import selectors as portal_selectors
from scheduling import services


class Command(BaseCommand):
    help = (
        "Connect a CalDAV account: --staff EMAIL --caldav URL --username U --password-env VAR "
        "[--busy NAME,...] [--write NAME]. The password is read from the environment "
        "variable named, never from the command line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--staff", required=True, help="the staff member's email")
        parser.add_argument("--caldav", required=True, help="the server's address")
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--password-env", required=True, help="name of the variable holding the password"
        )
        parser.add_argument("--busy", default=None, help="calendars that count as busy")
        parser.add_argument("--write", default=None, help="the calendar receiving appointments")
        parser.add_argument("--name", default="", help="a name for the connection")
        parser.add_argument("--fail-closed", action="store_true")
        parser.add_argument("--no-sync", action="store_true", help="do not read it at once")

    def handle(self, *args: Any, **options: Any) -> None:
        staff = portal_selectors.active_staff().filter(email__iexact=options["staff"]).first()
        if staff is None:
            raise CommandError(f"no active staff member with the email {options['staff']}")
        password = os.environ.get(options["password_env"], "")
        if not password:
            raise CommandError(f"the variable {options['password_env']} is empty or not set")
        busy = (
            [n for n in options["busy"].split(",") if n.strip()]
            if options["busy"] is not None
            else None
        )
        try:
            calendar = services.caldav_connect(
                staff=staff,
                url=options["caldav"],
                username=options["username"],
                password=password,
                name=options["name"],
                busy=busy,
                write=options["write"],
                fail_closed=options["fail_closed"],
            )
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        names = [str(c["name"]) for c in calendar.busy_calendars]
        write = next(
            (
                str(c["name"])
                for c in calendar.read_calendars
                if c["id"] == calendar.write_calendar_id
            ),
            "-",
        )
        self.stdout.write(
            f"connected {calendar.pk} for {staff.email}: busy {', '.join(names) or '-'}; "
            f"appointments to {write}"
        )
        if not options["no_sync"]:
            ok = services.calendar_sync(calendar_id=calendar.pk)
            calendar.refresh_from_db()
            self.stdout.write(
                f"first sync: {calendar.status}{'' if ok else ' ' + calendar.last_error}"
            )

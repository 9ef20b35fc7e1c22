"""Purge declined and lost inquiries past their retention period (spec intake.md §7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.services import prospects_purge


class Command(BaseCommand):
    help = (
        "Delete the answers, drafts and files of declined and lost inquiries past their "
        "retention date (sensitive answers earlier), keeping the conflict stub."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only say what would go.")
        parser.add_argument("--today", help="Run as on this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today is a date like 2027-01-31") from exc
        report = prospects_purge(today=today, dry_run=bool(options.get("dry_run")))
        for line in report.lines():
            self.stdout.write(line)

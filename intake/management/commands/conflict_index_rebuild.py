"""Rebuild the conflict index from contacts, aliases, matter parties and lead parties."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from intake.services import conflicts


class Command(BaseCommand):
    help = "Rebuild the conflict-check index from scratch."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = conflicts.conflict_index_rebuild()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))

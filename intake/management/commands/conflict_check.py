"""Run a conflict check from the shell: python manage.py conflict_check "<name>" [--json]."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from intake.services import conflicts


class Command(BaseCommand):
    help = "Print the conflict-check hits for a name (grade, name, why, role, matter)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--role", default="CLIENT", help="the role it is entered as")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        name = conflicts.Name(
            name=options["name"],
            role=options["role"].upper(),
            emails=(options["email"],) if options["email"] else (),
            phones=(options["phone"],) if options["phone"] else (),
        )
        check = conflicts.conflict_check_adhoc(names=[name], actor=None, actor_label="shell")
        rows = [
            {
                "grade": hit.grade,
                "name": hit.name,
                "reason": hit.reason,
                "role": hit.role,
                "matter": hit.matter_reference,
            }
            for hit in check.hits.order_by("-score", "pk")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write(f"No hits ({check.index_size} entries searched).")
            return
        for row in rows:
            self.stdout.write(
                f"{row['grade']:<7} {row['name']}  [{row['role'] or '-'}"
                f"{' ' + row['matter'] if row['matter'] else ''}]  {row['reason']}"
            )

"""``manage.py import_students FILE``: the student registry, as the admin imports it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clearance.registry import registry_import


class Command(BaseCommand):
    help = (
        "Import the education system's student export (CSV in UTF-8 or Windows-1256, or "
        "XLSX); rows are matched by student number and updated. Any bad row: nothing is "
        "imported and every bad row is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = registry_import(file, dry_run=dry_run)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for error in result.base_errors:
            self.stderr.write(str(error.error))
        for number, errors in result.row_errors():
            for error in errors:
                self.stderr.write(f"row {number}: {error.error}")
        for invalid in result.invalid_rows:
            for field, messages in invalid.error_dict.items():
                self.stderr.write(f"row {invalid.number}: {field}: {' '.join(messages)}")
        totals = result.totals
        summary = (
            f"new {totals['new']}, updated {totals['update']}, unchanged {totals['skip']}, "
            f"invalid {totals['invalid'] + totals['error']}"
        )
        if result.has_errors() or result.has_validation_errors():
            raise CommandError(f"nothing imported: {summary}")
        self.stdout.write(("checked, nothing saved: " if dry_run else "imported: ") + summary)

"""Back up the database and the uploaded documents into one dated archive."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clearance.backups import backup_create


class Command(BaseCommand):
    help = "Write tasvieh-backup-<UTC time>.tar.gz: the PostgreSQL dump and the documents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(),
            help="folder to write the archive into (default: the current folder)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(backup_create(output_dir=Path(options["output"]))))

"""Restore a backup archive into an empty database and the documents folder."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from clearance.backups import documents_root, migration_heads, restore


class Command(BaseCommand):
    help = "Restore an archive made by `backup` into an EMPTY database and documents folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="a tasvieh-backup-….tar.gz file")
        parser.add_argument("--yes", action="store_true", help="restore without asking")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        manifest = restore(archive=archive, confirm=lambda m: options["yes"] or self.ask(m))
        self.stdout.write(f"Restored {archive} ({manifest.get('documents')} documents).")
        if manifest.get("migrations") != migration_heads():
            # An archive from another release: the schema must be brought to this code's.
            self.stdout.write(
                self.style.WARNING("The archive comes from another version: run `migrate` next.")
            )

    def ask(self, manifest: dict[str, Any]) -> bool:
        """Ask the operator to confirm, showing what will be written where."""
        if not sys.stdin.isatty():
            raise CommandError("Not a terminal, so nothing to confirm with: pass --yes.")
        database = connection.settings_dict
        self.stdout.write(
            f"Restore the backup made {manifest.get('created')} ({manifest.get('documents')} "
            f"documents) into database {database['NAME']!r} on "
            f"{database.get('HOST') or 'localhost'} and into {documents_root()}."
        )
        return input("Type yes to continue: ").strip().lower() == "yes"

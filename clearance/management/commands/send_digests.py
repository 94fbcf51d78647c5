"""Queue each expert's daily digest e-mail (run once a day by a timer or cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from clearance.services.digests import digests_queue


class Command(BaseCommand):
    help = (
        "Queue today's digest e-mail for every expert with waiting tasks or tasks held longer "
        "than TASVIEH_DIGEST_HELD_DAYS; the worker (db_worker) sends them. Safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = digests_queue()
        self.stdout.write(f"{queued} digest(s) queued.")

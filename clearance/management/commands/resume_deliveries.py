"""Queue again the e-mails and SMS a killed worker left half-done (run as a worker starts)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from clearance.services import deliveries_resume


class Command(BaseCommand):
    help = (
        "Queue again every pending delivery whose worker died mid-attempt (an attempt running "
        "for longer than TASVIEH_WORKER_STALE_SECONDS). tasvieh-worker runs it as it starts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stale = dt.timedelta(seconds=settings.TASVIEH_WORKER_STALE_SECONDS)
        self.stdout.write(f"{deliveries_resume(stale_after=stale)} delivery(ies) queued again.")

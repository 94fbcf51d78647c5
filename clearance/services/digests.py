"""The experts' daily digest: what waits in their offices' queues, what they have held long.

``manage.py send_digests`` runs it from a scheduled job (docs/deploy.md); each digest is an
e-mail delivery like any other — recorded, sent by the worker, retried, never dropped.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Office, User
from clearance.access import tasks_for_officer, waiting_counts
from clearance.models import ClearanceRequest, Delivery
from clearance.notifications.delivery import delivery_queue
from clearance.notifications.events import preference_of, site_url
from persian.text import local_digits

DIGEST = "digest"


@dataclass(frozen=True)
class Digest:
    waiting: list[tuple[Office, int]]
    held: list[Task]

    @property
    def empty(self) -> bool:
        return not self.waiting and not self.held


def digest_for(expert: User, *, now: dt.datetime) -> Digest:
    """Unclaimed tasks per office, and the expert's own tasks older than N days."""
    older_than = now - dt.timedelta(days=settings.TASVIEH_DIGEST_HELD_DAYS)
    held = (
        tasks_for_officer(expert)
        .filter(
            owner=expert,
            status=STATUS.ASSIGNED,
            created__lt=older_than,
            # A returned request waits for its student, not for the expert.
            process__clearance_request__status=ClearanceRequest.Status.IN_PROGRESS,
        )
        .select_related("process__clearance_request")
        .order_by("created")
    )
    return Digest(
        waiting=[(office, n) for office, n in waiting_counts(expert) if n], held=list(held)
    )


def experts_to_remind() -> list[User]:
    """Active experts (anyone holding an office role) who have an e-mail address."""
    return list(
        User.objects.filter(is_active=True, roles__isnull=False).exclude(email="").distinct()
    )


@transaction.atomic
def digests_queue(*, now: dt.datetime | None = None) -> int:
    """Queue today's digest for every expert who has something waiting; return how many.

    Run twice on one day, it queues nothing new: each expert gets one digest a day.
    """
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    queued = 0
    sent_today = Delivery.objects.filter(kind=DIGEST, created__gte=start_of_day)
    for expert in experts_to_remind():
        if not preference_of(expert).email or sent_today.filter(recipient=expert).exists():
            continue
        digest = digest_for(expert, now=now)
        if digest.empty:
            continue
        with translation.override("fa"):
            delivery_queue(
                channel=Delivery.Channel.EMAIL,
                recipient=expert,
                to=expert.email,
                kind=DIGEST,
                subject=_subject(digest),
                body=render_to_string(
                    "clearance/email/digest.txt",
                    {
                        "expert": expert,
                        "digest": digest,
                        "days": local_digits(settings.TASVIEH_DIGEST_HELD_DAYS),
                        "queue_url": site_url(reverse("office_queue")),
                        "site": settings.TASVIEH_SITE_URL.rstrip("/"),
                    },
                ),
            )
        queued += 1
    return queued


def _subject(digest: Digest) -> str:
    waiting = sum(n for _, n in digest.waiting)
    if waiting:
        return ngettext(
            "Tasvieh: %(n)s request waits for your offices",
            "Tasvieh: %(n)s requests wait for your offices",
            waiting,
        ) % {"n": local_digits(waiting)}
    return gettext("Tasvieh: requests you have held for a while")

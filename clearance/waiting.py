"""How many unclaimed tasks wait under each office permission, kept a few seconds.

Every page an expert opens shows these numbers in the menu, and the queue takes its total
from them. Counting one office's queue costs PostgreSQL 2–4 ms at 100k requests (its open
tasks, less those of returned requests), and all the experts of an office read the same
number. So each number is kept in Django's cache for ``TASVIEH_WAITING_COUNT_SECONDS``
(10 by default; 0 counts on every page): a task saved in this process drops its
permission's number at once, and again when the transaction commits; the other processes
(each has its own memory cache) see the change within that time. The queue's rows and
every action's checks always read the database; only the numbers may lag.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from viewflow.workflow.models import Task

_KEY = "tasvieh:waiting:{}"


Count = Callable[[list[str]], dict[str, int]]


def counts(permissions: Iterable[str], count: Count) -> dict[str, int]:
    """The number waiting under each of ``permissions``: the kept ones, and the others
    from ``count`` (one query for all of them), which are then kept."""
    permissions = sorted(set(permissions))
    kept = cache.get_many([_KEY.format(p) for p in permissions])
    known = {p: kept[_KEY.format(p)] for p in permissions if _KEY.format(p) in kept}
    missing = [p for p in permissions if p not in known]
    if missing:
        fresh = count(missing)
        fresh = {p: fresh.get(p, 0) for p in missing}
        seconds = settings.TASVIEH_WAITING_COUNT_SECONDS
        if seconds > 0:
            cache.set_many({_KEY.format(p): n for p, n in fresh.items()}, timeout=seconds)
        known.update(fresh)
    return known


def forget(permission: str) -> None:
    """Something under ``permission`` changed: count it again on the next page."""
    key = _KEY.format(permission)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _task_changed(sender: Any, instance: Task, **kwargs: Any) -> None:
    if instance.owner_permission:
        forget(instance.owner_permission)


post_save.connect(_task_changed, sender=Task, dispatch_uid="tasvieh-waiting-saved")
post_delete.connect(_task_changed, sender=Task, dispatch_uid="tasvieh-waiting-deleted")

"""Small tables that change only in the admin, read once per process and kept a while.

The offices, the faculties and the form's lists (cities, degrees, fields of study …) are
read on almost every page and action; a few dozen to a few thousand rows that an
administrator edits now and then. Each process keeps a copy of such a table for
``TASVIEH_TABLE_CACHE_SECONDS`` (60 by default; 0 reads the table every time): a save or
delete through the ORM in this process drops every copy at once, and the other processes
see an administrator's edit within that time. Rows of a table that are no longer active
stay in the copy, so a request that names a city since retired still shows it.
"""

import threading
import time
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

M = TypeVar("M", bound=models.Model)

_copies: dict[type[models.Model], tuple[float, dict[Any, Any]]] = {}
_joins: dict[type[models.Model], tuple[str, ...]] = {}
_watched: set[type[models.Model]] = set()
_watching = threading.Lock()


def join(model: type[models.Model], *related: str) -> None:
    """Read ``model``'s copy with ``related`` joined (a city with its province)."""
    _joins[model] = related


def rows(model: type[M]) -> dict[Any, M]:
    """Every row of ``model`` by primary key, in its ordering, with its joins.

    The joined tables are watched too: a city's copy is dropped when a province changes.
    """
    now = time.monotonic()
    copy = _copies.get(model)
    if copy is not None and copy[0] > now:
        return copy[1]
    related = _joins.get(model, ())
    _watch(model, *(_related_model(model, path) for path in related))
    table = {row.pk: row for row in model._default_manager.select_related(*related)}
    seconds = settings.TASVIEH_TABLE_CACHE_SECONDS
    if seconds > 0:
        _copies[model] = (now + seconds, table)
    return table


def active(model: type[M]) -> list[M]:
    """The rows a form may offer (``is_active``), in the table's ordering."""
    return [row for row in rows(model).values() if getattr(row, "is_active", True)]


def attach(instance: models.Model, *names: str) -> None:
    """Give ``instance`` the rows its foreign keys ``names`` point to, from the copies.

    Instead of joining them in the query; a key the copy lacks (a row added this instant)
    is left to the ORM.
    """
    for name in names:
        key = getattr(instance, f"{name}_id")
        model = instance._meta.get_field(name).related_model
        row = rows(model).get(key) if key is not None else None  # type: ignore[arg-type]
        if row is not None:
            setattr(instance, name, row)


def clear(**kwargs: Any) -> None:
    """Drop every copy (after a save or delete, between tests)."""
    _copies.clear()


def _dropped(**kwargs: Any) -> None:
    clear()
    # A transaction that saved a row may re-read the table before it commits.
    transaction.on_commit(clear, using=kwargs.get("using"))


def _related_model(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    return model


def _watch(*models_: type[models.Model]) -> None:
    with _watching:
        for model in models_:
            if model in _watched:
                continue
            post_save.connect(_dropped, sender=model, weak=False)
            post_delete.connect(_dropped, sender=model, weak=False)
            _watched.add(model)

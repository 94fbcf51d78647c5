"""Seed PostgreSQL with a university's worth of clearance requests, as the services write them.

Nothing here knows which rows a request has. Template requests are taken through the real
actions (``request_submit``, ``task_claim``, ``decision_record``, ``request_return``,
``request_resubmit``, ``request_cancel``, ``comment_post``) for every faculty, with and
without a dormitory, and every row those actions wrote — in any table: the request, its
viewflow process and tasks, history events, comments, notifications, queued messages — is
captured at each point of the chain (waiting at an office, claimed there, returned from
there, cancelled, cleared). Each request of the dataset is then one such snapshot copied
with COPY: new primary keys, foreign keys into the copy, a new student with a new identity,
the work spread over experts sharing each role, and the timestamps moved to the request's
own dates. A table or column another change adds is copied the same way; one the copy
cannot handle fails ``tests/benchmarks/test_seed.py``, not the benchmark.
"""

import datetime as dt
import io
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from viewflow.workflow.models import Task

from accounts.models import Faculty, Role, User
from benchmarks.templates import (
    Row,
    Snapshot,
    Templates,
    columns,
    experts_by_role,
)
from clearance.demo import DEMO_PASSWORD, make_national_code
from clearance.models import ClearanceRequest
from clearance.reports import daily_counts_rebuild

# How the requests of a dataset are spread (fractions of all requests).
CLEARED, CANCELLED = 0.72, 0.05
OPEN_STATES = {"new": 0.60, "claimed": 0.25, "returned": 0.15}  # of the open 23 %
EXPERTS_PER_ROLE = 3
HISTORY_DAYS = 730
# Integer columns (not foreign keys) that hold a viewflow task's id.
TASK_ID_COLUMNS = {"task_id"}
FIRST_NAMES = ["سارا", "مریم", "زهرا", "فاطمه", "نرگس", "الهام", "علی", "رضا", "محمد"]
FIRST_NAMES += ["حسین", "امیر", "مهدی", "نیما", "کاوه"]
LAST_NAMES = ["احمدی", "کریمی", "رضایی", "حسینی", "موسوی", "محمدی", "جعفری", "صادقی"]
LAST_NAMES += ["رحیمی", "کاظمی", "نوری", "یزدانی"]


NULL = "@@null@@"  # how NULL travels through COPY's CSV (an empty string stays "")


def csv_line(values: list[str | None]) -> str:
    """One row for COPY FROM: every value quoted, NULL unquoted."""
    return ",".join(NULL if v is None else '"' + v.replace('"', '""') + '"' for v in values) + "\n"


# --- copies: COPY FROM ----------------------------------------------------------------


def _vary_user(column: str, value: str | None, serial: int, rng: random.Random) -> str | None:
    return {
        "username": f"student{serial}",
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "student_number": f"{40_000_000 + serial}",
        "email": "",
    }.get(column, value)


def _vary_request(column: str, value: str | None, serial: int, rng: random.Random) -> str | None:
    if value is None and column in {"letter_number", "certificate_code"}:
        return None
    return {
        "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "student_number": f"{40_000_000 + serial}",
        "national_code": make_national_code(10_000_000 + serial),
        "mobile": f"0912{serial % 10_000_000:07d}",
        "father_name": rng.choice(FIRST_NAMES),
        # Not the sequence's own format, so the faculty's next numbers stay free.
        "letter_number": f"{value}-{serial}",
        "certificate_code": f"{serial:016X}",
    }.get(column, value)


VARY = {User: _vary_user, ClearanceRequest: _vary_request}


class Recipe:
    """How one table's template row becomes a copy's row, column by column."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = columns(model)
        self.pk = self.columns.index(model._meta.pk.column)
        self.uuid_pk = isinstance(model._meta.pk, models.UUIDField)
        # (column, the target's table, the target's column)
        self.foreign: list[tuple[int, str, str]] = []
        self.times: list[int] = []
        # An event's time with the office: from its task's creation to the event, in the
        # copy's own (stretched) times.
        self.waited: int | None = None
        vary = VARY.get(model)
        self.varied: list[tuple[int, str]] = []
        for i, f in enumerate(model._meta.concrete_fields):
            if f.primary_key:
                continue
            if f.is_relation and f.related_model is not None:
                target = f.related_model._meta.concrete_model._meta.db_table
                self.foreign.append((i, target, f.target_field.column))
            elif f.column in TASK_ID_COLUMNS:
                self.foreign.append((i, Task._meta.db_table, Task._meta.pk.column))
            elif isinstance(f, models.DateTimeField):
                self.times.append(i)
            elif f.column == "waited_seconds":
                self.waited = i
            elif vary is not None:
                self.varied.append((i, f.column))
            elif f.unique:
                raise ValueError(f"{self.table}.{f.column} is unique: say how copies vary it")
        self.vary = vary
        names = [f.column for f in model._meta.concrete_fields]
        self.created = names.index("created") if "created" in names else None
        self.task_ref = names.index("task_id") if "task_id" in names else None


@dataclass
class Clone:
    serial: int
    start: dt.datetime
    stretch: float
    experts: int  # which of the experts sharing each role does this request's work


class Copier:
    """Write ``size`` requests, each a copy of one snapshot, with COPY FROM."""

    def __init__(
        self,
        snapshots: list[Snapshot],
        *,
        variants: dict[str, list[str]],
        seed: int = 11,
        record: bool = False,
    ) -> None:
        """``record``: keep each copy's new keys (for tests/benchmarks/test_seed.py)."""
        self.snapshots = snapshots
        self.rng = random.Random(seed)
        self.recipes = {m: Recipe(m) for s in snapshots for m in s.rows}
        self.next_pk: dict[str, int] = {}
        for model in self.recipes:
            if not isinstance(model._meta.pk, models.UUIDField):
                top = model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0
                self.next_pk[model._meta.db_table] = top + 1_000
        self.buffers: dict[type[models.Model], io.StringIO] = defaultdict(io.StringIO)
        self.variants = variants
        self.now = timezone.now()
        self.record = record
        # Each copy's snapshot, and (when recording) its new keys by (table, template key).
        self.copies: list[tuple[Snapshot, dict[tuple[str, str], str]]] = []

    def copy(self, size: int, *, first_serial: int = 1) -> None:
        weights = [_weight(s, self.snapshots) for s in self.snapshots]
        chosen = self.rng.choices(self.snapshots, weights=weights, k=size)
        with connection.cursor() as cursor:
            fast = _replica_mode(cursor)
            for offset, snapshot in enumerate(chosen):
                self._one(snapshot, first_serial + offset)
                if offset % 2_000 == 1_999:
                    self._flush(cursor)
            self._flush(cursor)
            if fast:
                cursor.execute("SET session_replication_role = DEFAULT")
            self._fix_sequences(cursor)

    def _one(self, snapshot: Snapshot, serial: int) -> None:
        rng = self.rng
        span = dt.timedelta(days=snapshot.steps * rng.uniform(0.5, 3.0) + rng.uniform(0, 1))
        open_now = snapshot.kind.split("@")[0] in OPEN_STATES
        if open_now:
            waiting = dt.timedelta(days=rng.uniform(0, 12))
            start = self.now - waiting - span
        else:
            start = self.now - span - dt.timedelta(days=rng.uniform(1, HISTORY_DAYS))
        taken = max((snapshot.taken - snapshot.started).total_seconds(), 0.001)
        clone = Clone(serial, start, span.total_seconds() / taken, rng.randrange(EXPERTS_PER_ROLE))
        new_pks: dict[tuple[str, str], str] = {}
        for model, rows in snapshot.rows.items():
            recipe = self.recipes[model]
            for row in rows:
                new_pks[recipe.table, str(row[recipe.pk])] = self._new_pk(recipe)
        self.copies.append((snapshot, new_pks if self.record else {}))
        for model, rows in snapshot.rows.items():
            recipe = self.recipes[model]
            out = self.buffers[model]
            for row in rows:
                out.write(csv_line(self._row(recipe, row, snapshot, clone, new_pks)))

    def _new_pk(self, recipe: Recipe) -> str:
        if recipe.uuid_pk:
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        pk = self.next_pk[recipe.table]
        self.next_pk[recipe.table] = pk + 1
        return str(pk)

    def _row(
        self,
        recipe: Recipe,
        row: list[str | None],
        snapshot: Snapshot,
        clone: Clone,
        new_pks: dict[tuple[str, str], str],
    ) -> list[str | None]:
        out = list(row)
        out[recipe.pk] = new_pks[recipe.table, str(row[recipe.pk])]
        for i, table, _ in recipe.foreign:
            value = row[i]
            if value is None:
                continue
            mapped = new_pks.get((table, value))
            if mapped is not None:
                out[i] = mapped
            elif table == User._meta.db_table and value in self.variants:
                out[i] = self.variants[value][clone.experts]
        for i in recipe.times:
            if row[i] is not None:
                moment = dt.datetime.fromisoformat(row[i])
                # Only the template's own moments; a sentinel (a queued message's "run
                # after: never") stays as it is.
                if snapshot.started <= moment <= snapshot.taken:
                    seconds = (moment - snapshot.started).total_seconds() * clone.stretch
                    out[i] = (clone.start + dt.timedelta(seconds=seconds)).isoformat()
        if recipe.waited is not None and row[recipe.waited] is not None:
            out[recipe.waited] = self._waited(recipe, row, out, snapshot, clone)
        if recipe.vary is not None:
            for i, column in recipe.varied:
                out[i] = recipe.vary(column, row[i], clone.serial, self.rng)
        return out

    def _waited(
        self, recipe: Recipe, row: Row, out: Row, snapshot: Snapshot, clone: Clone
    ) -> str | None:
        task_created = snapshot.task_created.get(str(row[recipe.task_ref or 0]))
        if recipe.created is None or task_created is None or out[recipe.created] is None:
            return row[recipe.waited or 0]
        seconds = (dt.datetime.fromisoformat(row[recipe.created]) - task_created).total_seconds()
        return str(max(int(seconds * clone.stretch), 0))

    def _flush(self, cursor: Any) -> None:
        for model, buffer in self.buffers.items():
            if not buffer.tell():
                continue
            buffer.seek(0)
            recipe = self.recipes[model]
            table = connection.ops.quote_name(recipe.table)
            cols = ", ".join(connection.ops.quote_name(c) for c in recipe.columns)
            cursor.cursor.copy_expert(
                f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer
            )
            buffer.seek(0)
            buffer.truncate()

    def _fix_sequences(self, cursor: Any) -> None:
        for model, recipe in self.recipes.items():
            if recipe.uuid_pk:
                continue
            pk = connection.ops.quote_name(model._meta.pk.column)
            table = connection.ops.quote_name(recipe.table)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT max({pk}) FROM {table}))",
                [recipe.table, model._meta.pk.column],
            )


def _weight(snapshot: Snapshot, snapshots: list[Snapshot]) -> float:
    """This snapshot's share: its kind's share of all requests, split among its copies."""
    state = snapshot.kind.partition("@")[0]
    same = sum(1 for s in snapshots if s.kind.partition("@")[0] == state)
    if state == "cleared":
        return CLEARED / same
    if state == "cancelled":
        return CANCELLED / same
    return (1 - CLEARED - CANCELLED) * OPEN_STATES[state] / same


def _replica_mode(cursor: Any) -> bool:
    """Skip foreign-key triggers while loading (a superuser's right; the rows are consistent
    by construction, and tests/benchmarks/test_seed.py proves it at a small size)."""
    try:
        with transaction.atomic():
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:  # not a superuser: load with the checks on
        return False
    return True


def expert_variants(experts: dict[str, User]) -> dict[str, list[str]]:
    """For each template expert, the ids of the experts sharing their role (them first):
    ``nutrition``, ``nutrition-2``, ``nutrition-3``."""
    variants: dict[str, list[str]] = {}
    password = make_password(DEMO_PASSWORD)
    for name, user in experts.items():
        ids = [str(user.pk)]
        for k in range(2, EXPERTS_PER_ROLE + 1):
            other, _ = User.objects.get_or_create(
                username=f"{name}-{k}",
                defaults={"password": password, "first_name": user.first_name, "last_name": f"{k}"},
            )
            for role in user.roles.all():
                Role.objects.get_or_create(user=other, office=role.office, faculty=role.faculty)
            ids.append(str(other.pk))
        variants[str(user.pk)] = ids
    return variants


def seed(
    size: int, *, faculties: list[Faculty] | None = None, seed: int = 11, record: bool = False
) -> Copier:
    """Templates through the real actions, then ``size`` requests copied from them."""
    faculties = faculties or list(Faculty.objects.filter(is_active=True))
    experts = experts_by_role(faculties)
    templates = Templates()
    templates.run(faculties, experts)
    copier = Copier(
        templates.snapshots, variants=expert_variants(experts), seed=seed, record=record
    )
    copier.copy(size)
    daily_counts_rebuild()  # the reports count past days once; the copies are new history
    return copier

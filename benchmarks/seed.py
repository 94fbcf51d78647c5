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
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Faculty, Office, Role, User
from clearance import services
from clearance.decisions import decision_parts
from clearance.demo import DEMO_PASSWORD, expert_username, form_values, make_national_code
from clearance.models import ClearanceRequest, LetterSequence
from clearance.reports import daily_counts_rebuild

# How the requests of a dataset are spread (fractions of all requests).
CLEARED, CANCELLED = 0.72, 0.05
OPEN_STATES = {"new": 0.60, "claimed": 0.25, "returned": 0.15}  # of the open 23 %
EXPERTS_PER_ROLE = 3
HISTORY_DAYS = 730
# Integer columns (not foreign keys) that hold a viewflow task's id.
TASK_ID_COLUMNS = {"task_id"}
# Rows the actions share between requests (a faculty's letter counter): never copied.
SHARED_MODELS = {LetterSequence}
FIRST_NAMES = ["سارا", "مریم", "زهرا", "فاطمه", "نرگس", "الهام", "علی", "رضا", "محمد"]
FIRST_NAMES += ["حسین", "امیر", "مهدی", "نیما", "کاوه"]
LAST_NAMES = ["احمدی", "کریمی", "رضایی", "حسینی", "موسوی", "محمدی", "جعفری", "صادقی"]
LAST_NAMES += ["رحیمی", "کاظمی", "نوری", "یزدانی"]


Row = list[str | None]  # one table row as text, in the model's column order


@dataclass
class Snapshot:
    """Every row one template request had written at one point of its chain."""

    kind: str  # "new@nutrition", "claimed@it", "returned@council", "cancelled@…", "cleared"
    faculty_id: int
    rows: dict[type[models.Model], list[Row]] = field(default_factory=dict)
    started: dt.datetime = field(default_factory=timezone.now)
    taken: dt.datetime = field(default_factory=timezone.now)
    steps: int = 0
    task_created: dict[str, dt.datetime] = field(default_factory=dict)  # by task id


def copy_models() -> list[type[models.Model]]:
    """Every table the actions may write, auto-created ones (viewflow's task links) too."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model not in SHARED_MODELS
    ]


def columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


# --- templates: the real actions --------------------------------------------------------


class Templates:
    """Run template requests through the actions and snapshot their rows as they go."""

    def __init__(self) -> None:
        self.models = copy_models()
        self.snapshots: list[Snapshot] = []
        self.serial = 0
        self.password = make_password(DEMO_PASSWORD)

    def run(
        self, faculties: list[Faculty], experts: dict[str, User], *, steps_to_snapshot: bool = True
    ) -> None:
        for faculty in faculties:
            self._chain(faculty, experts, dormitory=False, busy=False, every_step=True)
            self._chain(faculty, experts, dormitory=True, busy=True, every_step=steps_to_snapshot)

    def _chain(
        self,
        faculty: Faculty,
        experts: dict[str, User],
        *,
        dormitory: bool,
        busy: bool,
        every_step: bool,
    ) -> None:
        """One request from the form to its certificate; ``busy``: it is returned once and
        has a conversation on the way."""
        self.serial += 1
        watermark = self._watermark()
        student = User.objects.create(
            username=f"template{self.serial}",
            password=self.password,
            first_name="دانشجو",
            last_name=f"نمونه {self.serial}",
        )
        started = timezone.now()
        req = services.request_submit(
            student=student, data=form_values(serial=900_000 + self.serial, faculty=faculty)
        )
        steps = 0
        while (task := _open_task(req)) is not None:
            office = task.flow_task.office_code
            row = office_row(office)
            expert = experts[expert_username(row, faculty if row.is_faculty_office else None)]
            snap = every_step or office in {"education", "nutrition"}
            if snap:
                self._take(f"new@{office}", faculty, watermark, started, steps)
                if office in {"education", "council", "nutrition"}:
                    with _rolled_back():
                        services.request_cancel(clearance_request=req, student=student)
                        self._take(f"cancelled@{office}", faculty, watermark, started, steps)
            services.task_claim(task=task, user=expert)
            if snap:
                self._take(f"claimed@{office}", faculty, watermark, started, steps)
                with _rolled_back():
                    services.request_return(
                        task=_open_task(req), user=expert, reason="مدارک ناقص است"
                    )
                    self._take(f"returned@{office}", faculty, watermark, started, steps)
            if busy and office == "council":
                services.request_return(task=_open_task(req), user=expert, reason="امضا ندارد")
                req.refresh_from_db()
                services.request_resubmit(
                    clearance_request=req,
                    student=student,
                    data={"address": req.address + " ۲"},
                    note="امضا شد",
                )
                services.task_claim(task=_open_task(req), user=expert)
            if busy and office == "dormitory":
                services.comment_post(
                    clearance_request=req,
                    author=expert,
                    office=office_row(office),
                    body="رسید تحویل کلید را بارگذاری کنید.",
                )
                services.comment_post(clearance_request=req, author=student, body="بارگذاری شد.")
            services.decision_record(
                task=_open_task(req), user=expert, decision=_decision(task, dormitory)
            )
            req.refresh_from_db()
            steps += 1
        self._take("cleared", faculty, watermark, started, steps)

    def _watermark(self) -> dict[type[models.Model], Any]:
        """What each table holds before a template starts: its rows are not the template's.

        The highest key of a table with counted keys, every key of one with random keys.
        """
        marks: dict[type[models.Model], Any] = {}
        for model in self.models:
            if _counted_keys(model):
                marks[model] = model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0
            else:
                marks[model] = [str(pk) for pk in model._base_manager.values_list("pk", flat=True)]
        return marks

    def _take(
        self,
        kind: str,
        faculty: Faculty,
        watermark: dict[type[models.Model], Any],
        started: dt.datetime,
        steps: int,
    ) -> None:
        snapshot = Snapshot(kind=kind, faculty_id=faculty.pk, started=started, steps=steps)
        snapshot.rows = rows_after(watermark)
        columns_ = columns(Task)
        pk, created = columns_.index("id"), columns_.index("created")
        for row in snapshot.rows.get(Task, []):
            snapshot.task_created[str(row[pk])] = dt.datetime.fromisoformat(str(row[created]))
        self.snapshots.append(snapshot)


def _counted_keys(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField)


def rows_after(marks: dict[type[models.Model], Any]) -> dict[type[models.Model], list[Row]]:
    """Every row above the marks, in every table, in one query (each row as JSON)."""
    parts, params = [], []
    for model, mark in marks.items():
        pk = connection.ops.quote_name(model._meta.pk.column)
        table = connection.ops.quote_name(model._meta.db_table)
        where = f"{pk} > %s" if _counted_keys(model) else f"NOT ({pk}::text = ANY(%s))"
        parts.append(f"SELECT %s, row_to_json(t)::text FROM {table} t WHERE {where}")
        params += [model._meta.db_table, mark]
    found: dict[type[models.Model], list[Row]] = defaultdict(list)
    by_table = {model._meta.db_table: model for model in marks}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for table, data in cursor.fetchall():
            model = by_table[table]
            found[model].append(_as_row(model, json.loads(data)))
    return dict(found)


def rows_of(model: type[models.Model], pks: list[str]) -> list[Row]:
    """These rows of one table, as ``rows_after`` gives them."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_to_json(t)::text FROM {table} t WHERE {pk}::text = ANY(%s)", [pks]
        )
        return [_as_row(model, json.loads(data)) for (data,) in cursor.fetchall()]


def _as_row(model: type[models.Model], data: dict[str, Any]) -> Row:
    """A row as PostgreSQL's text input reads it, in the model's column order."""
    row: Row = []
    for f in model._meta.concrete_fields:
        value = data[f.column]
        if value is None:
            row.append(None)
        elif isinstance(f, models.JSONField):
            row.append(json.dumps(value, ensure_ascii=False))
        elif isinstance(value, bool):
            row.append("t" if value else "f")
        elif isinstance(value, dict | list):
            row.append(json.dumps(value, ensure_ascii=False))
        else:
            row.append(str(value))
    return row


def experts_by_role(faculties: list[Faculty]) -> dict[str, User]:
    """The template experts: one per role, named as in the demo (``education.medicine``)."""
    password = make_password(DEMO_PASSWORD)
    experts = {}
    for office in Office.objects.all():
        for faculty in faculties if office.is_faculty_office else [None]:
            name = expert_username(office, faculty)
            user, _ = User.objects.get_or_create(
                username=name, defaults={"password": password, "first_name": office.name}
            )
            Role.objects.get_or_create(user=user, office=office, faculty=faculty)
            experts[name] = user
    return experts


def office_row(code: str) -> Office:
    return Office.objects.get(code=code)


def _open_task(req: ClearanceRequest) -> Task | None:
    return Task.objects.filter(
        process_id=req.process_id,
        flow_task_type="HUMAN",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    ).first()


def _decision(task: Task, dormitory: bool) -> dict[str, Any]:
    """What an office records when it approves (the approve form's cleaned data)."""
    decision: dict[str, Any] = {
        "note": "تایید شد",
        "had_dormitory": dormitory,
        "form_registered": True,
        "letter_date": timezone.localdate(),
    }
    for part in decision_parts(task.flow_task.decision, office_row(task.flow_task.office_code)):
        decision.update(part.bulk_data())
    return decision


class _Rollback(Exception):
    pass


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Run an action, snapshot, and undo it: the template goes on as if it never happened."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


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

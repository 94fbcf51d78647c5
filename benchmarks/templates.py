"""Template requests through the real actions, and every row they wrote, point by point.

A template request is taken from the form to its certificate by ``request_submit``,
``task_claim``, ``decision_record``, ``request_return``, ``request_resubmit``,
``request_cancel`` and ``comment_post``; at each office it is snapshotted waiting, claimed,
returned (undone after) and, at a few offices, cancelled (undone after). A snapshot holds
every row the request had written by then, in every table, as PostgreSQL's text.
benchmarks/seed.py copies them.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Faculty, Office, Role, User
from clearance import services
from clearance.decisions import decision_parts
from clearance.demo import DEMO_PASSWORD, expert_username, form_values
from clearance.models import ClearanceRequest, LetterSequence

# Rows the actions share between requests (a faculty's letter counter): never copied.
SHARED_MODELS = {LetterSequence}

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

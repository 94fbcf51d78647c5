"""Migration operations that build indexes without blocking writers on big tables.

On PostgreSQL they run ``CREATE INDEX CONCURRENTLY`` (so their migration must be
``atomic = False``); on SQLite, the demo's database, they build the same index plainly.
"""

import warnings
from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import DatabaseError
from django.db.migrations import AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation


def _postgres(schema_editor: Any) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


class _WherePossible:
    """The concurrent operation on PostgreSQL; ``plain``, its plain twin, elsewhere."""

    plain: type[Operation]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)  # type: ignore[misc]
        else:
            self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)  # type: ignore[arg-type]

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if _postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)  # type: ignore[misc]
        else:
            self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)  # type: ignore[arg-type]


class AddIndexConcurrentlyWherePossible(_WherePossible, AddIndexConcurrently):
    """``AddIndexConcurrently`` for one of our models, a plain ``AddIndex`` elsewhere."""

    plain = AddIndex


class RemoveIndexConcurrentlyWherePossible(_WherePossible, RemoveIndexConcurrently):
    """``RemoveIndexConcurrently`` on PostgreSQL, a plain ``RemoveIndex`` elsewhere."""

    plain = RemoveIndex


class AddTableIndex(Operation):
    """An index on a table that is not our model (viewflow's tasks): SQL only, no state.

    ``include`` (covering columns, for index-only scans) is PostgreSQL's; SQLite leaves it
    out. ``where`` makes a partial index, which both understand.
    """

    reversible = True
    atomic = False

    def __init__(self, *, name: str, table: str, columns: str, where: str = "", include: str = ""):
        self.name, self.table, self.columns = name, table, columns
        self.where, self.include = where, include

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs = {"name": self.name, "table": self.table, "columns": self.columns}
        if self.where:
            kwargs["where"] = self.where
        if self.include:
            kwargs["include"] = self.include
        return (f"{__name__}.{type(self).__name__}", [], kwargs)

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        postgres = _postgres(schema_editor)
        sql = (
            f"CREATE INDEX {'CONCURRENTLY ' if postgres else ''}IF NOT EXISTS {self.name} "
            f"ON {self.table} ({self.columns})"
        )
        if self.include and postgres:
            sql += f" INCLUDE ({self.include})"
        if self.where:
            sql += f" WHERE {self.where}"
        schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        concurrently = "CONCURRENTLY " if _postgres(schema_editor) else ""
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {self.name}")

    def describe(self) -> str:
        return f"Create index {self.name} on {self.table}"

    @property
    def migration_name_fragment(self) -> str:
        return self.name


class AddTrigramIndex(AddTableIndex):
    """A trigram index (pg_trgm) for ``LIKE '%…%'`` searches, on PostgreSQL only.

    ``columns`` is the indexed expression exactly as the ORM writes it in the query (for
    ``icontains``: ``UPPER("col"::text)``). Creating the extension needs PostgreSQL's
    contrib modules and, before PostgreSQL 13, a superuser; without them the search still
    works, only by reading the table, and the migration says so instead of failing.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if not _postgres(schema_editor):
            return
        try:
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:
            warnings.warn(f"{self.name} not built: pg_trgm is not available ({exc})", stacklevel=1)
            return
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {self.name} "
            f"ON {self.table} USING gin ({self.columns} gin_trgm_ops)"
        )
        # The planner knows how many rows match only once the expression has statistics;
        # until autovacuum gathers them it guesses ten and probes the tasks once per match.
        schema_editor.execute(f"ANALYZE {self.table}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if _postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)

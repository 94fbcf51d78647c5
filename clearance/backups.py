"""Back up the database and the uploaded documents as one archive, and restore it."""

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
DOCUMENTS = "documents"

EXTRACT_OPTIONS: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def backup_create(*, output_dir: Path) -> Path:
    """Write a dated archive of the database and the documents; return its path."""
    require_postgresql()
    created = datetime.now(UTC)
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    archive = output_dir / f"tasvieh-backup-{created:%Y%m%d-%H%M%S}.tar.gz"
    if archive.exists():
        raise CommandError(f"{archive} already exists; run the backup again in a second.")
    root = documents_root()
    # Work next to the archive: that disk has room for it, /tmp may not.
    with tempfile.TemporaryDirectory(prefix=".tasvieh-backup-", dir=output_dir) as work:
        dump = Path(work) / DUMP
        options = ["--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"]
        pg_run(tool="pg_dump", args=options)
        # Listed after the dump, so every document row in the dump has its file here; a file
        # uploaded in between is only an orphan.
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        manifest = {
            "format": FORMAT,
            "created": created.isoformat(),
            "migrations": migration_heads(),
            "documents": len(files),
        }
        # A half-written archive never carries the final name.
        partial = output_dir / f".{archive.name}.partial"
        try:
            write_archive(path=partial, manifest=manifest, dump=dump, root=root, files=files)
            partial.rename(archive)
        finally:
            partial.unlink(missing_ok=True)
    return archive


def restore(*, archive: Path, confirm: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Restore an archive into the empty configured database and the documents folder."""
    require_postgresql()
    root = documents_root()
    if not (archive.is_file() and tarfile.is_tarfile(archive)):
        raise CommandError(f"{archive} is not a backup archive (.tar.gz).")
    with (
        tempfile.TemporaryDirectory(prefix="tasvieh-restore-") as work,
        tarfile.open(archive) as tar,
    ):
        # Everything is checked before anything is written.
        manifest, documents = archive_contents(tar=tar, work=Path(work))
        refuse_non_empty_database()
        clashes = [name for name in documents if (root / name).exists()]
        if clashes:
            raise CommandError(f"{root / clashes[0]} already exists. Nothing was changed.")
        if not confirm(manifest):
            raise CommandError("Restore cancelled. Nothing was changed.")
        # Every member was checked above; the "data" filter, where this Python has it, too.
        tar.extractall(work, **EXTRACT_OPTIONS)
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        pg_run(tool="pg_restore", args=[*options, Path(work) / DUMP])
        for name in documents:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            # "x" never overwrites, not even a file that appeared since the check above.
            with (Path(work) / DOCUMENTS / name).open("rb") as source, target.open("xb") as copy:
                shutil.copyfileobj(source, copy)
    return manifest


def documents_root() -> Path:
    """Return the documents folder as configured now (tests move it per test)."""
    default = cast(dict[str, Any], settings.STORAGES["default"])
    return Path(default["OPTIONS"]["location"])


def migration_heads() -> dict[str, str]:
    """Return the latest migration of each app that this code knows."""
    return dict(sorted(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()))


def require_postgresql() -> None:
    """Refuse any database but PostgreSQL, the only one pg_dump can copy."""
    if connection.vendor != "postgresql":
        raise CommandError(
            f"Backup and restore need PostgreSQL, but the database is {connection.vendor}; "
            "set DATABASE_URL to the PostgreSQL database."
        )


def pg_binary(*, tool: str) -> str:
    """Find a PostgreSQL client tool in TASVIEH_PG_BIN_DIR, else on PATH."""
    folder = os.environ.get("TASVIEH_PG_BIN_DIR")
    found = shutil.which(tool, path=folder) if folder else shutil.which(tool)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            major = int(cursor.fetchone()[0]) // 10000
        raise CommandError(
            f"{tool} not found {f'in {folder}' if folder else 'on PATH'}: install the package "
            f"postgresql-client-{major} (the server's major version), or set TASVIEH_PG_BIN_DIR."
        )
    return found


def pg_run(*, tool: str, args: Sequence[str | Path]) -> None:
    """Run a PostgreSQL client tool on the configured database; fail with its stderr."""
    database = connection.settings_dict
    command: list[str | Path] = [pg_binary(tool=tool), f"--dbname={database['NAME']}"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            command.append(f"{flag}={database[key]}")
    env = dict(os.environ)
    # The password goes through the environment: any user can read a command line.
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(database["OPTIONS"]["sslmode"])
    result = subprocess.run([*command, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{tool} failed (exit code {result.returncode}):\n{result.stderr}")


def write_archive(
    *, path: Path, manifest: dict[str, Any], dump: Path, root: Path, files: list[Path]
) -> None:
    """Write the manifest, the dump and the documents into a new .tar.gz at path."""
    # Owner-only from the first byte: the archive holds password hashes and personal data.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        data = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
        tar.addfile(info, io.BytesIO(data))
        tar.add(dump, arcname=DUMP)
        for file in files:
            tar.add(file, arcname=f"{DOCUMENTS}/{file.relative_to(root).as_posix()}")


def archive_contents(*, tar: tarfile.TarFile, work: Path) -> tuple[dict[str, Any], list[str]]:
    """Refuse unsafe members; return the manifest and the documents' paths in their folder."""
    # Checked by hand: Debian 12's Python 3.11.2 predates tarfile's extraction filters.
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts:
            raise CommandError(f"Unsafe archive member {member.name!r} (outside its folder).")
        if not (member.isfile() or member.isdir()):
            raise CommandError(f"Unsafe archive member {member.name!r} (not a plain file).")
    names = [member.name for member in tar.getmembers() if member.isfile()]
    if MANIFEST not in names or DUMP not in names:
        raise CommandError(f"The archive lacks {MANIFEST} or {DUMP}: not a Tasvieh backup.")
    try:
        handle = tar.extractfile(MANIFEST)
        manifest = json.load(handle) if handle else {}
    except ValueError as exc:
        raise CommandError(f"Unreadable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise CommandError(f"Backup format {manifest.get('format')!r}; this code reads {FORMAT}.")
    prefix = f"{DOCUMENTS}/"
    return manifest, [name.removeprefix(prefix) for name in names if name.startswith(prefix)]


def refuse_non_empty_database() -> None:
    """Refuse a database that already has tables: a restore never replaces data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
        (tables,) = cursor.fetchone()
    if tables:
        raise CommandError(
            f"Database {connection.settings_dict['NAME']!r} is not empty ({tables} tables). "
            "Create an empty database (createdb), point DATABASE_URL at it and run the "
            "restore again. Nothing was changed."
        )

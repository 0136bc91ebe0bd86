"""Backups of an installation: the database and the uploaded files in one
.tar file, and putting one back.

- SQLite: Python's online backup API copies a consistent snapshot while the
  site keeps running (readers and writers wait only for page copies).
- PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean`.
  The client tools must be installed (Debian: postgresql-client of the
  server's major version).

The archive holds `manifest.json` (what it is, when, which engine), the dump
(`database.sqlite3` or `database.pgdump`) and `uploads/` (MEDIA_ROOT)."""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT = "shishi-backup-1"


class BackupError(Exception):
    pass


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def _run(command: list[str], env: dict) -> None:
    try:
        # A fixed program (pg_dump, pg_restore) with arguments from the settings.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client tools "
            "(Debian: postgresql-client) of the server's major version"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> str:
    engine = _engine()
    if engine == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target.name
    env, args = _pg_env_and_args()
    target = folder / "database.pgdump"
    name = settings.DATABASES["default"]["NAME"]
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args, name], env)
    return target.name


def backup_create(output: Path) -> dict:
    """Write a backup to `output` (.tar); returns its manifest."""
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="shishi-backup-") as work:
        folder = Path(work)
        dump = _dump_database(folder)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "engine": connection.vendor,
            "database": dump,
            "uploads": len(files),
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(folder / "manifest.json", arcname="manifest.json")
            archive.add(folder / dump, arcname=dump)
            for path in files:
                archive.add(path, arcname=f"uploads/{path.relative_to(media).as_posix()}")
        os.replace(partial, output)
    return manifest


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"the archive holds an unsafe entry: {member.name!r}")
        members.append(member)
    return members


def backup_restore(source: Path) -> dict:
    """Replace the database and the uploads with those of the backup at
    `source`. The site should be stopped meanwhile."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    try:
        archive = tarfile.open(source, "r")
    except tarfile.TarError as error:
        raise BackupError(f"{source} is not a Shishi backup ({error})") from None
    with archive, tempfile.TemporaryDirectory(prefix="shishi-restore-") as work:
        folder = Path(work)
        members = _safe_members(archive)
        archive.extractall(folder, members=members, filter="data")
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            raise BackupError(f"{source} is not a Shishi backup (no manifest)") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}")
        engine = _engine()
        if manifest.get("engine") != engine:
            raise BackupError(
                f"the backup is of a {manifest.get('engine')} database; this installation "
                f"uses {engine}"
            )
        dump = folder / manifest["database"]
        if engine == "sqlite":
            connection.ensure_connection()
            origin = sqlite3.connect(dump)
            try:
                origin.backup(connection.connection)
            finally:
                origin.close()
        else:
            connections.close_all()
            env, args = _pg_env_and_args()
            name = settings.DATABASES["default"]["NAME"]
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    name,
                    *args,
                    str(dump),
                ],
                env,
            )
        media = Path(settings.MEDIA_ROOT)
        uploads = folder / "uploads"
        if media.exists():
            shutil.rmtree(media)
        if uploads.is_dir():
            shutil.copytree(uploads, media)
        else:
            media.mkdir(parents=True, exist_ok=True)
    return manifest

"""collectstatic only when the static sources changed. Collecting (and
compressing) every file takes about a minute, on every `make run`; a stamp of
the sources (each file's path, size and modification time, as the finders see
them, with the storage and the Django version) in STATIC_ROOT tells whether
the last collection is still current."""

import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command

STAMP_NAME = ".shishi-static-stamp"


def sources_stamp() -> str:
    digest = hashlib.sha256()
    digest.update(django.get_version().encode())
    digest.update(repr(settings.STORAGES.get("staticfiles")).encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = Path(storage.path(path)).stat()
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode("utf-8", "surrogateescape"))
        digest.update(b"\n")
    return digest.hexdigest()


def collectstatic_if_changed(*, verbosity: int = 0) -> bool:
    """Run collectstatic unless STATIC_ROOT holds a collection of the same
    sources; returns whether it ran."""
    root = Path(settings.STATIC_ROOT)
    stamp_file = root / STAMP_NAME
    stamp = sources_stamp()
    if stamp_file.is_file() and stamp_file.read_text(encoding="ascii").strip() == stamp:
        return False
    call_command("collectstatic", interactive=False, verbosity=verbosity)
    root.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(stamp, encoding="ascii")
    return True

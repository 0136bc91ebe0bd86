"""Where an installation keeps its files. Imported by the settings and by the
console script before Django starts, so it imports nothing from Django."""

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    """SHISHI_DATA_DIR, or a `data/` folder in the current directory."""
    return Path(os.environ.get("SHISHI_DATA_DIR") or Path.cwd() / "data").resolve()


def secret_key_file() -> Path:
    return Path(os.environ.get("SECRET_KEY_FILE") or data_dir() / "secret_key")


def secret_key_ensure() -> Path | None:
    """Write a new random secret key file unless one exists (or SECRET_KEY is
    set). Returns the file written, or None."""
    path = secret_key_file()
    if os.environ.get("SECRET_KEY") or path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by its owner alone, before anything is written to it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_urlsafe(50))
    return path

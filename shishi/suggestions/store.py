"""The trained models and indexes on disk, and each process's loaded copy.

Layout under settings.SHISHI_SUGGESTIONS_DIR (the data folder's
``suggestions/``)::

    current            the version in use, a number
    v7/meta.json       when and from what version 7 was built
    v7/classifier.pkl  shishi.combing.Classifier (pickle, signed: see _signed)
    v7/router.pkl      shishi.combing.Router (pickle, signed)
    v7/appeals.npz     DuplicateIndex over stored appeals (ids: appeal pks)
    v7/items.npz       DuplicateIndex over ledger items' texts (ids: item pks)

A build writes a new version folder, then replaces ``current`` (atomic
rename). Every web process reads ``current`` on each use (a tiny file) and
reloads when the number changed. Appeals and items stored after the build are
added to the loaded indexes on the fly (at most `CATCH_UP_MAX` a time); the
next build takes the rest.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from shishi.combing import Classifier, DuplicateIndex, Router, appeal_text

log = logging.getLogger("shishi.suggestions")

# New appeals (or items) added to a loaded index in one go; more than this
# since the build and only the newest are added until the next build.
CATCH_UP_MAX = 5000


def root() -> Path:
    return Path(settings.SHISHI_SUGGESTIONS_DIR)


def current_version(base: Path | None = None) -> int:
    """The version in use, 0 when none was built."""
    try:
        return int((base or root()).joinpath("current").read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return 0


@dataclass
class Models:
    """One version's artefacts, as loaded into this process."""

    version: int = 0
    base: str = ""
    meta: dict = field(default_factory=dict)
    classifier: Classifier | None = None
    router: Router | None = None
    appeals: DuplicateIndex = field(default_factory=DuplicateIndex)
    items: DuplicateIndex = field(default_factory=DuplicateIndex)
    # The highest pk in each index: what is above it is new.
    appeals_upto: int = 0
    items_upto: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)


# A pickle runs code when it is loaded, so one is loaded only when it carries
# an HMAC-SHA256 of its bytes made with the installation's SECRET_KEY: a file
# dropped into the folder (or one from another installation) is refused.
_SIGNED_MAGIC = b"SHISHI-HMAC-SHA256\n"
_SIGN_SALT = "shishi.suggestions.store"


class UnsignedModelFile(ValueError):
    """A model file without a valid signature of this installation."""


def _signature(payload: bytes) -> bytes:
    from django.utils.crypto import salted_hmac

    return salted_hmac(_SIGN_SALT, payload, algorithm="sha256").hexdigest().encode("ascii")


def _signed(payload: bytes) -> bytes:
    return _SIGNED_MAGIC + _signature(payload) + b"\n" + payload


def _verified(data: bytes, path: Path) -> bytes:
    """The payload of a signed file; UnsignedModelFile when the signature is
    missing or wrong (nothing of the payload is unpickled before this)."""
    import hmac

    if data.startswith(_SIGNED_MAGIC):
        rest = data[len(_SIGNED_MAGIC) :]
        signature, _newline, payload = rest.partition(b"\n")
        if hmac.compare_digest(signature, _signature(payload)):
            return payload
    raise UnsignedModelFile(
        f"{path} is not signed with this installation's secret key: not loaded "
        "(run `shishi suggestions train` to build the models again)"
    )


def save(
    *,
    meta: dict,
    classifier: Classifier | None,
    router: Router | None,
    appeals: DuplicateIndex,
    items: DuplicateIndex,
) -> int:
    """Write a new version and make it current; returns its number."""
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    version = max([current_version(base), *_versions(base)], default=0) + 1
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=base))
    try:
        for name, model in (("classifier.pkl", classifier), ("router.pkl", router)):
            if model is not None:
                payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
                (work / name).write_bytes(_signed(payload))
        appeals.save(work / "appeals.npz")
        items.save(work / "items.npz")
        (work / "meta.json").write_text(
            json.dumps({**meta, "version": version}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        os.replace(work, base / f"v{version}")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    fd, tmp = tempfile.mkstemp(prefix=".current-", dir=base)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(str(version))
    os.replace(tmp, base / "current")
    _prune(base, keep=version)
    return version


def _versions(base: Path) -> list[int]:
    return [int(p.name[1:]) for p in base.glob("v*") if p.is_dir() and p.name[1:].isdigit()]


def _prune(base: Path, *, keep: int) -> None:
    # The version before stays: a process may be loading it right now.
    for number in _versions(base):
        if number < keep - 1:
            shutil.rmtree(base / f"v{number}", ignore_errors=True)


def load(version: int, base: Path | None = None) -> Models:
    folder = (base or root()) / f"v{version}"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    models = Models(version=version, base=str(base or root()), meta=meta)
    for name in ("classifier", "router"):
        path = folder / f"{name}.pkl"
        if path.exists():
            payload = _verified(path.read_bytes(), path)
            setattr(models, name, pickle.loads(payload))  # noqa: S301 - signed by us
    models.appeals = DuplicateIndex.load(folder / "appeals.npz")
    models.items = DuplicateIndex.load(folder / "items.npz")
    models.appeals_upto = int(meta.get("appeals_upto", 0))
    models.items_upto = int(meta.get("items_upto", 0))
    return models


_loaded: Models | None = None
_load_lock = threading.Lock()


def forget() -> None:
    """Drop this process's loaded copy (tests; a new data folder)."""
    global _loaded
    with _load_lock:
        _loaded = None


def models(*, fresh: bool = True) -> Models:
    """The current version's models, reloaded when a newer one was built and
    (`fresh`) brought up to date with the appeals and items stored since.
    Never raises for a missing or broken build: it falls back to empty models."""
    global _loaded
    base = root()
    version = current_version(base)
    with _load_lock:
        if _loaded is None or _loaded.version != version or _loaded.base != str(base):
            try:
                _loaded = load(version, base) if version else Models(base=str(base))
            except Exception:
                log.exception("suggestions version %s could not be loaded", version)
                _loaded = Models(version=version, base=str(base))
        loaded = _loaded
    if fresh:
        catch_up(loaded)
    return loaded


def catch_up(models: Models) -> None:
    """Add the appeals and items stored since the indexes were built. A
    database that holds fewer than the index knows (restored, or a test's
    rolled back) is taken as another database: the indexes start again."""
    from shishi.intake.models import Appeal
    from shishi.ledger.models import LedgerItem

    from .texts import item_texts

    def appeals_after(pk: int) -> tuple[list[int], list[str]]:
        rows = list(
            Appeal.objects.filter(pk__gt=pk)
            .order_by("-pk")
            .values_list("pk", "title", "body")[:CATCH_UP_MAX]
        )
        return [pk for pk, _, _ in rows], [appeal_text(t, b) for _, t, b in rows]

    def items_after(pk: int) -> tuple[list[int], list[str]]:
        items = list(
            LedgerItem.objects.filter(pk__gt=pk)
            .order_by("-pk")
            .prefetch_related("targets")[:CATCH_UP_MAX]
        )
        return [item.pk for item in items], item_texts(items)

    with models.lock:
        models.appeals, models.appeals_upto = _caught_up(
            models.appeals, models.appeals_upto, Appeal, appeals_after
        )
        models.items, models.items_upto = _caught_up(
            models.items, models.items_upto, LedgerItem, items_after
        )


def _caught_up(index: DuplicateIndex, upto: int, model, rows_after) -> tuple[DuplicateIndex, int]:
    """(the index with `model`'s rows above `upto` added, the newest pk)."""
    newest = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if newest < upto:
        index, upto = DuplicateIndex(), 0
    if newest > upto:
        ids, texts = rows_after(upto)
        index.add(texts=texts, ids=ids)
    return index, newest

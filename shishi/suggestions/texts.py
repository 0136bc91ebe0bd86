"""What the engine reads of stored records: one text per appeal or item, the
category tree as taxonomy rows, and office names mapped to units."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shishi.combing import appeal_text, normalise, office_kind

# Labels are category and unit primary keys, as text (the engine's labels are strings).


def item_texts(items: Sequence) -> list[str]:
    """Title, targets and description of each item (targets prefetched)."""
    out = []
    for item in items:
        targets = " ".join(t.name for t in item.targets.all())
        out.append(appeal_text(f"{item.title} {targets}", item.description))
    return out


def taxonomy_rows(categories: Iterable, *, roots_only: bool) -> list[list[str]]:
    """Rows for `Classifier.fit(taxonomy=…)`: for each active category C (or
    each root, on day one) and each leaf L at or below it, [C's pk, the names
    from C down to L]. The engine turns each row into a pseudo-appeal
    labelled C."""
    nodes = [c for c in categories if c.is_active]
    children: dict[int | None, list] = {}
    for c in nodes:
        children.setdefault(c.parent_id, []).append(c)
    known = {c.pk for c in nodes}
    rows: list[list[str]] = []

    def leaves(node, path):
        below = children.get(node.pk, [])
        if not below:
            yield path
        for child in below:
            yield from leaves(child, [*path, child.name])

    for c in nodes:
        is_root = c.parent_id is None or c.parent_id not in known
        if roots_only and not is_root:
            continue
        for path in leaves(c, [c.name]):
            rows.append([str(c.pk), *path])
    return rows


_PUNCT = re.compile(r"[\s·()（）]+")


def _plain(name: str) -> str:
    return _PUNCT.sub("", normalise(name))


@dataclass
class UnitMatcher:
    """Office names (as `combing.routing.extract_office` reads them out of a
    reply) to units: the exact name, then the normalised name or kind of
    office (区教育局 ~ 教育局), then the one unit whose name contains it or
    is contained in it. Names matched by none (or by several) are counted in
    `unmatched`."""

    units: Sequence
    unmatched: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self._exact = {}
        self._plain: dict[str, list] = {}
        for unit in self.units:
            self._exact.setdefault(unit.name, unit)
            for key in {_plain(unit.name), _plain(office_kind(unit.name))}:
                if len(key) >= 2:
                    self._plain.setdefault(key, []).append(unit)
        self._cache: dict[str, object] = {}

    def unit_for(self, name: str | None):
        if not name:
            return None
        if name not in self._cache:
            self._cache[name] = self._match(name)
        unit = self._cache[name]
        if unit is None:
            self.unmatched[name] = self.unmatched.get(name, 0) + 1
        return unit

    def _match(self, name: str):
        if name in self._exact:
            return self._exact[name]
        for key in (_plain(name), _plain(office_kind(name))):
            found = {u.pk: u for u in self._plain.get(key, [])}
            if len(found) == 1:
                return next(iter(found.values()))
        plain = _plain(name)
        if len(plain) < 2:
            return None
        found = {
            u.pk: u
            for u in self.units
            if len(_plain(u.name)) >= 2 and (_plain(u.name) in plain or plain in _plain(u.name))
        }
        return next(iter(found.values())) if len(found) == 1 else None

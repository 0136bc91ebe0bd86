"""Matters that recur in the demo: some appeals still waiting to be combed are
written about one concrete matter (corpus.RECURRING_MATTERS), by several
residents in their own words, so the hot-issues page and the duplicate
suggestions meet them as they would in a real district.

The builder calls `rewrite` once per appeal with the text it drew: the
draw happens as before (the demo's random sequence is unchanged); only
the title and body of the chosen appeals are replaced. Every plan also
gets the matter it was written about in ``plan.slots["_matter"]``: the
recurring matter's key, or for a template appeal its topic, its case and
the places that case names, so that a test can check that each hot issue
holds one matter.
"""

from __future__ import annotations

import string
import zlib

from . import corpus

# Residents per recurring matter (at most its wordings).
PER_MATTER = 4
_PLACE_SLOTS = ("street", "community", "compound", "road", "road2", "road3", "school", "park")


def _fields(case: tuple[str, ...]) -> list[str]:
    return [f for text in case for _, f, _, _ in string.Formatter().parse(text) if f]


def template_matter(plan, title: str) -> str:
    """The matter a template appeal was written about: its topic, its case and
    the places that case names."""
    for k, case in enumerate(plan.topic.cases):
        if case[0].format(**plan.slots) == title:
            names = sorted({f for f in _fields(case) if f in _PLACE_SLOTS})
            return "|".join([plan.topic.key, str(k), *(str(plan.slots[f]) for f in names)])
    return plan.topic.key


def _choose(plans) -> dict[int, tuple[str, tuple[str, str]]]:
    """Which plans tell a recurring matter, and in whose words: for each
    matter, `PER_MATTER` of the appeals that will still be waiting (fate
    "received", or "pending" in the matter's category, as they are triaged),
    in an order fixed by a hash of their place in the plan and channel."""
    # Ordered by a hash of each plan's place in the plan list, not of its
    # date: the same seed gives the same demo whatever day it ends.
    waiting = [(k, p) for k, p in enumerate(plans) if p.fate in ("received", "pending")]
    waiting.sort(key=lambda kp: zlib.crc32(f"{kp[0]}|{kp[1].channel}".encode()))
    waiting = [p for _, p in waiting]
    chosen: dict[int, tuple[str, tuple[str, str]]] = {}
    for key, category, _street, wordings in corpus.RECURRING_MATTERS:
        fits = [
            p
            for p in waiting
            if id(p) not in chosen and (p.fate == "received" or p.topic.category == category)
        ]
        for plan, wording in zip(fits, wordings[:PER_MATTER], strict=False):
            chosen[id(plan)] = (key, wording)
    return chosen


def rewrite(builder, plan, text: dict) -> dict:
    """`text` (title, body …) as drawn, or one resident's wording of a
    recurring matter."""
    if "_recurring" not in builder.__dict__:
        builder._recurring = _choose(builder.appeals)
    chosen = builder._recurring.get(id(plan))
    if chosen is None:
        plan.slots["_matter"] = template_matter(plan, text["title"])
        return text
    key, (title, body) = chosen
    plan.slots["_matter"] = key
    return {**text, "title": title, "body": body}

"""Build bench/data/same_matter_pairs.csv and bench/data/hot_issues.csv from
the hand judgements in bench/data/same_matter_judgements.txt.

    .venv/bin/python bench/make_same_matter_sets.py

The judgements were made by reading (see bench/data/README.md): each line is
one concrete matter (``key|place|problem|message ids``), the messages that
one fix would settle. This script only turns them into pairs and issues,
deterministically (seed 15); it never looks at a model score.

- positive pairs (``same_matter``): two messages of one matter by different
  users (留言用户), not copies of each other (under 60% of the shorter one's
  character 4-grams shared), at most 8 pairs per matter.
- ``same_place`` negatives: two messages of different matters whose titles
  name one specific place (`shishi.combing.places.extract_places`; not an
  administrative area, town or street office); at most 3 pairs per pair of matters.
- ``same_problem`` negatives: two messages of different matters that carry
  the same problem (the judgement's problem tag) at places that share no
  specific place name; at most 2 pairs per pair of matters.
- hot issues: every matter with at least 4 messages by at least 2 users.

Split: each matter falls into ``tune`` or ``report`` by a seeded shuffle of
the matters, half each; a pair whose two matters fell apart is dropped, so no
message is in both halves. The split was fixed before any model was run.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shishi.combing import io  # noqa: E402
from shishi.combing.places import extract_places  # noqa: E402
from shishi.combing.text import normalise  # noqa: E402

DATA = Path(os.environ.get("TEDDY_DIR", "/work/shared/data/teddy2020"))
HERE = Path(__file__).resolve().parent / "data"
FILES = ("messages_with_votes.xlsx", "messages_with_replies.xlsx", "labelled_sample.xlsx")
SEED = 15
# Not specific enough to make two messages "the same place": administrative
# areas (towns and street offices included) and words the place extractor
# takes for names.
_ADMIN = re.compile(r"^[0-9a-z]*[市区县省镇乡]$|^[a-z]\d+|[镇乡县]$|(?<![小社园])区$|街道$")
_NOT_PLACES = {"临街", "幼儿园", "惠性幼儿园", "塘路", "建议a7县"}


def load_messages(data: Path = DATA) -> dict[str, dict]:
    """Every message of the three files by 留言编号 (the first file that has an id wins)."""
    rows: dict[str, dict] = {}
    for name in FILES:
        table = io.read_table(data / name)
        cols = {c: table.column(c) for c in ("留言编号", "留言用户", "留言主题", "留言详情")}
        for i in range(len(table)):
            key = cols["留言编号"][i].strip()
            rows.setdefault(
                key,
                {
                    "user": cols["留言用户"][i].strip(),
                    "title": cols["留言主题"][i],
                    "body": cols["留言详情"][i],
                },
            )
    return rows


def read_judgements(path: Path = HERE / "same_matter_judgements.txt") -> list[dict]:
    matters = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, place, problem, ids = line.split("|")
        matters.append({"key": key, "place": place, "problem": problem, "ids": ids.split()})
    return matters


def _grams(text: str) -> set[str]:
    t = normalise(text)
    return {t[i : i + 4] for i in range(len(t) - 3)}


def main() -> None:
    rows = load_messages()
    matters = read_judgements()
    # One matter per message: a message judged twice keeps its first matter.
    owner: dict[str, int] = {}
    for m, matter in enumerate(matters):
        matter["ids"] = [i for i in dict.fromkeys(matter["ids"]) if owner.setdefault(i, m) == m]
        missing = [i for i in matter["ids"] if i not in rows]
        if missing:
            raise SystemExit(f"{matter['key']}: ids not in the data: {missing}")
    rng = random.Random(SEED)
    order = list(range(len(matters)))
    rng.shuffle(order)
    split = {m: ("tune" if k % 2 == 0 else "report") for k, m in enumerate(order)}
    grams = {i: _grams(rows[i]["title"] + rows[i]["body"]) for i in owner}
    places = {
        i: {
            p
            for p in extract_places(normalise(rows[i]["title"]))
            if not _ADMIN.search(p) and p not in _NOT_PLACES
        }
        for i in owner
    }

    def copies(a: str, b: str) -> bool:
        ga, gb = grams[a], grams[b]
        return len(ga & gb) / max(1, min(len(ga), len(gb))) >= 0.6

    pairs: list[tuple[str, str, int, str, str]] = []
    for m, matter in enumerate(matters):
        cands = [
            (a, b)
            for a, b in itertools.combinations(matter["ids"], 2)
            if rows[a]["user"] != rows[b]["user"] and not copies(a, b)
        ]
        rng.shuffle(cands)
        pairs += [(a, b, 1, "same_matter", split[m]) for a, b in cands[:8]]
    for m1, m2 in itertools.combinations(range(len(matters)), 2):
        if split[m1] != split[m2]:
            continue
        a_ids, b_ids = matters[m1]["ids"], matters[m2]["ids"]
        shared = [(a, b) for a in a_ids for b in b_ids if places[a] & places[b]]
        same_problem = matters[m1]["problem"] == matters[m2]["problem"]
        if shared:
            rng.shuffle(shared)
            pairs += [(a, b, 0, "same_place", split[m1]) for a, b in shared[:3]]
        elif same_problem:
            cands = [
                (a, b)
                for a in a_ids
                for b in b_ids
                if not copies(a, b) and not (places[a] & places[b])
            ]
            rng.shuffle(cands)
            pairs += [(a, b, 0, "same_problem", split[m1]) for a, b in cands[:2]]
    with open(HERE / "same_matter_pairs.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id_a", "id_b", "same_matter", "kind", "split"])
        w.writerows(pairs)
    issues = [
        (m, matter)
        for m, matter in enumerate(matters)
        if len(matter["ids"]) >= 4 and len({rows[i]["user"] for i in matter["ids"]}) >= 2
    ]
    with open(HERE / "hot_issues.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "issue", "split"])
        for m, matter in issues:
            title = f"{matter['place']}:{matter['problem']}"
            w.writerows([(i, title, split[m]) for i in matter["ids"]])
    from collections import Counter

    print(Counter((p[3], p[4]) for p in pairs))
    print(Counter(split[m] for m, _ in issues), "hot issues")


if __name__ == "__main__":
    main()

"""Build bench/data/duplicate_pairs.csv, the duplicate-detection evaluation set.

    .venv/bin/python bench/make_duplicate_set.py [--source messages_with_votes.xlsx]

Deterministic (seed 0). Every pair is (a stored appeal ``a_id``, a query):
the query is another stored appeal ``b_id`` or a rewritten text ``b_text``.
Three sources:

- ``real_copy`` (label 1): pairs of appeals in the file that are near copies
  of each other: at least 70% of the character 4-grams of the shorter one
  appear in the other (the same appeal posted again, a template copied with
  small edits). 4-grams and containment here, not the detector's 3-gram
  score, so the set is not defined by the method it tests. A sample was
  read by eye (bench/data/README.md).
- rewritten copies (label 1) of appeals drawn at random: ``reorder``
  (sentences shuffled), ``abbreviate`` (A市/A3区 prefixes dropped,
  ``XX小区`` → ``XX``), ``truncate`` (title and the first 40–70% of the
  body), ``pad`` (greeting, a closing plea and a sentence of another appeal
  added), ``edit`` (about 5% of characters deleted or replaced), and
  ``combined`` (reorder + abbreviate + edit).
- hard negatives (label 0): ``same_topic``: an appeal and its nearest
  neighbour by word TF-IDF cosine (same place or same kind of problem)
  whose texts share under 30% of their 4-grams; ``template``: pairs sharing
  30–50% of their 4-grams written by different residents (one resident's
  boilerplate, a campaign's wording) — the closest non-copies there are.

Pairs sharing 50–70% are left out: reading them, about half are the same
appeal retold and half different problems; a label there would be a guess.
Each pair gets ``split`` dev or test at random: thresholds are chosen on dev,
the benchmark reports test.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shishi.combing.io import read_table  # noqa: E402
from shishi.combing.text import appeal_text, char_ngram_counts, segment  # noqa: E402

SOURCE = Path("/work/shared/data/teddy2020/messages_with_votes.xlsx")
OUT = Path(__file__).resolve().parent / "data" / "duplicate_pairs.csv"
SENTENCE_RE = re.compile(r"(?<=[。！？!?；;])")
ADMIN_RE = re.compile(r"[A-Z]\d{0,2}[市区县]")
N_REAL = 200
N_REWRITE = 360
N_SAME_TOPIC = 300
N_TEMPLATE = 150


def clean_body(body: str) -> str:
    return re.sub(r"\s+", "", body)


def sentences(body: str) -> list[str]:
    return [s for s in SENTENCE_RE.split(body) if s]


def reorder(title: str, body: str, rng: random.Random) -> str | None:
    parts = sentences(body)
    if len(parts) < 3:
        return None
    shuffled = parts[:]
    while shuffled == parts:
        rng.shuffle(shuffled)
    return title + "".join(shuffled)


def abbreviate(title: str, body: str, rng: random.Random) -> str | None:
    text = title + "\n" + body
    short = ADMIN_RE.sub("", text)
    short = re.sub(r"([\u4e00-\u9fff]{2,6})(小区|社区)", r"\1", short)
    return short if short != text else None


def truncate(title: str, body: str, rng: random.Random) -> str | None:
    if len(body) < 80:
        return None
    keep = int(len(body) * rng.uniform(0.4, 0.7))
    return title + body[:keep]


def pad(title: str, body: str, rng: random.Random, other: str) -> str:
    extra = rng.choice(sentences(other) or [other[:60]])
    return f"尊敬的领导：您好！{title}。{body}恳请相关部门尽快调查处理，谢谢！{extra}"


def edit(title: str, body: str, rng: random.Random) -> str:
    chars = list(title + "。" + body)
    n = max(1, len(chars) // 20)
    for _ in range(n):
        i = rng.randrange(len(chars))
        if rng.random() < 0.5:
            chars[i] = ""
        else:
            chars[i] = rng.choice(chars)
    return "".join(chars)


def containment_matrix(texts: list[str]) -> np.ndarray:
    x = char_ngram_counts(texts, sizes=(4,), binary=True, n_features=1 << 24)
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = (x @ x.T).toarray()
    np.fill_diagonal(inter, 0)
    return inter / np.maximum(1, np.minimum.outer(sizes, sizes))


def word_neighbours(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = [" ".join(segment(t[:300])) for t in texts]
    x = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=2, max_df=0.3).fit_transform(
        words
    )
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    return sim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    rng = random.Random(0)

    table = read_table(args.source)
    ids = [i.strip() for i in table.column("留言编号")]
    titles = table.column("留言主题")
    bodies = [clean_body(b) for b in table.column("留言详情")]
    users = table.column("留言用户")
    texts = [appeal_text(t, b) for t, b in zip(titles, bodies, strict=True)]
    n = len(texts)

    contain = containment_matrix(texts)
    upper = np.triu_indices(n, 1)
    values = contain[upper]
    rows: list[dict[str, str]] = []

    def add(kind: str, label: int, a: int, b: int | None = None, text: str = "") -> None:
        rows.append(
            {
                "kind": kind,
                "label": str(label),
                "a_id": ids[a],
                "b_id": ids[b] if b is not None else "",
                "b_text": text,
            }
        )

    real = [k for k in np.flatnonzero(values >= 0.7)]
    for k in sorted(rng.sample(real, min(N_REAL, len(real)))):
        add("real_copy", 1, int(upper[0][k]), int(upper[1][k]))

    template = [
        k
        for k in np.flatnonzero((values >= 0.3) & (values < 0.5))
        if users[upper[0][k]] != users[upper[1][k]]
    ]
    for k in sorted(rng.sample(template, min(N_TEMPLATE, len(template)))):
        add("template", 0, int(upper[0][k]), int(upper[1][k]))

    sim = word_neighbours(texts)
    sim[contain >= 0.3] = 0  # near copies are not negatives
    order = rng.sample(range(n), n)
    taken = 0
    for a in order:
        if taken >= N_SAME_TOPIC:
            break
        b = int(sim[a].argmax())
        if sim[a, b] < 0.2:
            continue
        add("same_topic", 0, a, b)
        taken += 1

    rewrites = ["reorder", "abbreviate", "truncate", "pad", "edit", "combined"]
    per_kind = N_REWRITE // len(rewrites)
    pool = rng.sample(range(n), n)
    cursor = 0
    for kind in rewrites:
        made = 0
        while made < per_kind and cursor < len(pool):
            a = pool[cursor]
            cursor += 1
            title, body = titles[a], bodies[a]
            if kind == "reorder":
                text = reorder(title, body, rng)
            elif kind == "abbreviate":
                text = abbreviate(title, body, rng)
            elif kind == "truncate":
                text = truncate(title, body, rng)
            elif kind == "pad":
                text = pad(title, body, rng, bodies[rng.randrange(n)])
            elif kind == "edit":
                text = edit(title, body, rng)
            else:
                step = reorder(title, body, rng)
                step = abbreviate("", step, rng) if step else None
                text = edit("", step, rng) if step else None
            if text:
                add(kind, 1, a, None, text)
                made += 1

    rng.shuffle(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["pair_id", "split", "kind", "label", "a_id", "b_id", "b_text"]
        )
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({"pair_id": str(i), "split": "dev" if i % 2 == 0 else "test", **row})
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    print(f"{args.output}: {len(rows)} pairs; " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()

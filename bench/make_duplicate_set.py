"""Build bench/data/duplicate_pairs.csv, the duplicate-detection evaluation set.

    .venv/bin/python bench/make_duplicate_set.py [--source messages_with_votes.xlsx]

Deterministic (seed 0). Every pair is (a stored appeal ``a_id``, a query):
the query is another stored appeal ``b_id`` or a rewritten text ``b_text``.

**Duplicate** here means the same matter: the same request about the same
place or subject, so that one answer settles both — the same appeal filed
again, reposted, copied with edits, a resident's re-filing in new words, or
a campaign's copies of one complaint. Two appeals of one template or one
topic about different places or different problems are not duplicates.

Positives (label 1):

- ``real_copy``: pairs of the file sharing at least 70% of the shorter
  one's character 4-grams (reposts, copies with small edits).
- ``real_near``: pairs sharing 20–70% of their 4-grams that a person read
  and judged the same matter (``bench/data/real_pair_labels.csv``, label 1:
  re-filings in new words, the same complaint told by several residents).
- rewritten copies of appeals drawn at random: ``reorder`` (sentences
  shuffled), ``place_variant`` (places written differently: A市/A3区
  prefixes dropped, 小区/社区 suffixes dropped, numbers in 汉字 or digits),
  ``truncate`` (title and the first 25–50% of the body), ``pad`` (greeting,
  a closing plea and two or three sentences of another appeal),
  ``edit`` (about 10% of characters deleted, replaced or inserted),
  ``reword`` (common words replaced by synonyms: 反映→投诉, 尽快→尽早 …,
  and 3% of characters edited), and ``combined`` (reorder, place_variant,
  reword, edit and a cut at 60–90%).

Hard negatives (label 0):

- ``real_different``: pairs sharing 20–70% of their 4-grams that a person
  read and judged different matters (one author's template about another
  request, one complaint about another place; label 0 in
  ``real_pair_labels.csv``).
- ``place_swap``: an appeal that names one specific place (a proper-looking
  小区, 路, 村 … name), in its title too, with that place replaced by a
  place of another appeal (only names that recur in the titles of several
  appeals: real places, not phrases): the same complaint about another
  place, as when a template is reused. Place names come from
  `shishi.combing.places.extract_places` (jieba), not from the detector's
  own place grams.
- ``same_place``: two appeals whose titles name the same specific place,
  about different problems (word TF-IDF cosine below 0.1 once place names
  are removed, under 20% shared 4-grams).
- ``same_topic``: an appeal and its nearest neighbour by word TF-IDF
  cosine (≥ 0.3) whose specific places are disjoint, whose titles share no
  four characters in a row, under 25% shared 4-grams.

The split is by connected groups of appeals (pairs that share an appeal
stay in one half): ``dev`` to tune the detector, ``test`` to report.
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
from shishi.combing.places import extract_places  # noqa: E402
from shishi.combing.text import appeal_text, char_ngram_counts, normalise, segment  # noqa: E402

SOURCE = Path("/work/shared/data/teddy2020/messages_with_votes.xlsx")
HERE = Path(__file__).resolve().parent / "data"
OUT = HERE / "duplicate_pairs.csv"
LABELS = HERE / "real_pair_labels.csv"
SENTENCE_RE = re.compile(r"(?<=[。！？!?；;])")
ADMIN_RE = re.compile(r"[A-Z]\d{0,2}[市区县]")
ADMIN_PLACE_RE = re.compile(r"^[0-9a-z]*[市区县省镇乡]$|街道$")
# A place for place_swap must look like a proper name (2–6 characters and a
# usual ending).
PROPER_PLACE_RE = re.compile(
    r"[\u4e00-\u9fff]{2,6}(?:小区|花园|家园|新城|社区|村|路|街|苑|广场|大厦|公寓|国际城)"
)
N_REAL_COPY = 150
PER_REWRITE = 60
N_PLACE_SWAP = 80
N_SAME_PLACE = 120
N_SAME_TOPIC = 150

SYNONYMS = {
    "反映": "投诉",
    "投诉": "反映",
    "尽快": "尽早",
    "希望": "恳请",
    "恳请": "希望",
    "相关部门": "有关部门",
    "有关部门": "相关部门",
    "解决": "处理",
    "居民": "住户",
    "业主": "住户",
    "目前": "现在",
    "现在": "目前",
    "已经": "早已",
    "多次": "屡次",
    "影响": "干扰",
    "没有": "未",
    "不能": "无法",
    "要求": "请求",
    "马上": "立即",
    "请问": "想问一下",
    "什么时候": "何时",
    "为什么": "为何",
    "噪音": "噪声",
    "每天": "天天",
    "晚上": "夜里",
    "导致": "造成",
    "非常": "特别",
    "严重": "十分",
    "市民": "群众",
    "问题": "情况",
    "领导": "书记",
    "附近": "周边",
    "周边": "附近",
    "进行": "开展",
    "能否": "可否",
    "是否": "有没有",
    "谢谢": "感谢",
    "部门": "单位",
}
DIGITS = "零一二三四五六七八九"


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


def _number_variant(match: re.Match) -> str:
    text = match.group(0)
    if text.isdigit():
        return "".join(DIGITS[int(c)] for c in text) if len(text) <= 2 else text
    return str(DIGITS.index(text)) if text in DIGITS else text


def place_variant(title: str, body: str, rng: random.Random) -> str | None:
    text = title + "\n" + body
    out = ADMIN_RE.sub("", text)
    out = re.sub(r"([\u4e00-\u9fff]{2,6})(小区|社区)", r"\1", out)
    # House and building numbers in the other script: 3栋 ↔ 三栋, 12号 ↔ 十二号.
    out = re.sub(
        r"\d{1,2}(?=[栋号楼期组单])|[一二三四五六七八九](?=[栋号期组])", _number_variant, out
    )
    return out if out != text else None


def truncate(title: str, body: str, rng: random.Random) -> str | None:
    if len(body) < 80:
        return None
    keep = int(len(body) * rng.uniform(0.25, 0.5))
    return title + body[:keep]


def pad(title: str, body: str, rng: random.Random, other: str) -> str:
    parts = sentences(other) or [other[:80]]
    start = rng.randrange(len(parts))
    extra = "".join(parts[start : start + rng.randint(2, 3)])
    return f"尊敬的领导：您好！{title}。{body}恳请相关部门尽快调查处理，谢谢！另外，{extra}"


def edit(title: str, body: str, rng: random.Random, rate: float = 0.10) -> str:
    chars = list(title + "。" + body)
    for _ in range(max(1, int(len(chars) * rate))):
        i = rng.randrange(len(chars))
        roll = rng.random()
        if roll < 0.4:
            chars[i] = ""
        elif roll < 0.8:
            chars[i] = rng.choice(chars) or "的"
        else:
            chars[i] = chars[i] + (rng.choice(chars) or "了")
    return "".join(chars)


def reword(title: str, body: str, rng: random.Random) -> str | None:
    text = title + "。" + body
    keys = sorted(SYNONYMS, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, keys)))
    count = 0

    def swap(match: re.Match) -> str:
        nonlocal count
        if rng.random() < 0.8:
            count += 1
            return SYNONYMS[match.group(0)]
        return match.group(0)

    out = pattern.sub(swap, text)
    if count < 3:
        return None
    return edit("", out, rng, rate=0.03)


def combined(title: str, body: str, rng: random.Random) -> str | None:
    step = reorder(title, body, rng)
    step = place_variant("", step, rng) if step else None
    step = reword("", step, rng) if step else None
    if not step:
        return None
    step = edit("", step, rng, rate=0.05)
    return step[: int(len(step) * rng.uniform(0.6, 0.9))]


def specific_places(text: str) -> list[str]:
    return [p for p in extract_places(normalise(text)) if not ADMIN_PLACE_RE.search(p)]


def shares_place(places: list[str], text: str) -> bool:
    """Whether `text` holds any three characters in a row of one of `places`."""
    for place in places:
        core = re.sub(r"^[0-9a-z]*[市区县]", "", place)
        if any(core[i : i + 3] in text for i in range(max(1, len(core) - 2))):
            return True
    return False


def place_swap(text: str, mine: list[str], others: list[str], rng: random.Random) -> str | None:
    """The text with each of its specific places replaced by one of `others`."""
    if not mine or not others:
        return None
    out = normalise(text)
    pool = others[:]
    rng.shuffle(pool)
    for k, place in enumerate(sorted(mine, key=len, reverse=True)):
        out = out.replace(place, pool[k % len(pool)])
    return out


def containment_matrix(texts: list[str]) -> np.ndarray:
    x = char_ngram_counts(texts, sizes=(4,), binary=True, n_features=1 << 24)
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = (x @ x.T).toarray()
    np.fill_diagonal(inter, 0)
    return inter / np.maximum(1, np.minimum.outer(sizes, sizes))


def word_similarity(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = [" ".join(segment(normalise(t[:300]))) for t in texts]
    x = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=2, max_df=0.3).fit_transform(
        words
    )
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    return sim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    rng = random.Random(0)

    table = read_table(args.source)
    ids = [i.strip() for i in table.column("留言编号")]
    row_of = {ident: k for k, ident in enumerate(ids)}
    titles = table.column("留言主题")
    bodies = [clean_body(b) for b in table.column("留言详情")]
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

    real = list(np.flatnonzero(values >= 0.7))
    for k in sorted(rng.sample(real, min(N_REAL_COPY, len(real)))):
        add("real_copy", 1, int(upper[0][k]), int(upper[1][k]))

    with open(args.labels, encoding="utf-8") as handle:
        for judged in csv.DictReader(handle):
            a, b = row_of[judged["a_id"]], row_of[judged["b_id"]]
            if judged["label"] == "1":
                add("real_near", 1, a, b)
            else:
                add("real_different", 0, a, b)

    places = [specific_places(t) for t in texts]
    sim = word_similarity(texts)

    # Same topic, other places: nearest neighbour by words, places disjoint.
    norm = [normalise(t) for t in texts]
    title_grams = []
    for t in titles:
        t = ADMIN_RE.sub("", normalise(t).upper()).lower()
        title_grams.append(
            {
                t[i : i + 4]
                for i in range(len(t) - 3)
                if re.fullmatch(r"[\u4e00-\u9fff]{4}", t[i : i + 4])
            }
        )
    order = rng.sample(range(n), n)
    taken = 0
    for a in order:
        if taken >= N_SAME_TOPIC:
            break
        b = int(sim[a].argmax())
        if sim[a, b] < 0.3 or contain[a, b] >= 0.25 or not places[a] or not places[b]:
            continue
        if shares_place(places[a], norm[b]) or shares_place(places[b], norm[a]):
            continue
        if title_grams[a] & title_grams[b]:  # the same named subject (恒大御景天下 …)
            continue
        add("same_topic", 0, a, b)
        taken += 1

    # Same place, other problems: share a specific place, little else.
    stripped = []
    for t, ps in zip(texts, places, strict=True):
        s = normalise(t)
        for p in ps:
            s = s.replace(p, " ")
        stripped.append(s)
    topic = word_similarity(stripped)
    # The shared place must be in both titles: what both appeals are about.
    heads = [normalise(t) for t in titles]
    by_place: dict[str, list[int]] = {}
    for k, ps in enumerate(places):
        for p in set(ps):
            if len(p) >= 3 and p in heads[k]:
                by_place.setdefault(p, []).append(k)
    candidates = []
    for _p, members in sorted(by_place.items()):
        if not 2 <= len(members) <= 60:
            continue
        for i in members:
            for j in members:
                if i < j and topic[i, j] < 0.1 and contain[i, j] < 0.2:
                    candidates.append((i, j))
    candidates = sorted(set(candidates))
    for i, j in rng.sample(candidates, min(N_SAME_PLACE, len(candidates))):
        add("same_place", 0, i, j)

    # Place swap: the same text about places of another appeal. Only names
    # that look proper and recur in the titles of several appeals are
    # swapped (the extractor also lets phrases through).
    title_counts: dict[str, int] = {}
    for k, ps in enumerate(places):
        for p in set(ps):
            if p in heads[k] and PROPER_PLACE_RE.fullmatch(p):
                title_counts[p] = title_counts.get(p, 0) + 1
    recurring = {p for p, c in title_counts.items() if c >= 2}
    pool = rng.sample(range(n), n)
    made = 0
    for a in pool:
        if made >= N_PLACE_SWAP:
            break
        donor = rng.randrange(n)
        named = [p for p in places[donor] if p in recurring]
        if donor == a or not named or set(places[a]) & set(named):
            continue
        # Only appeals about one place, named in the title: swapping it moves
        # the whole complaint elsewhere.
        if len(places[a]) != 1 or places[a][0] not in heads[a]:
            continue
        if not PROPER_PLACE_RE.fullmatch(places[a][0]):
            continue
        text = place_swap(texts[a], places[a], named, rng)
        if text and not shares_place(places[a], text):
            add("place_swap", 0, a, None, text)
            made += 1

    rewrites = ["reorder", "place_variant", "truncate", "pad", "edit", "reword", "combined"]
    pool = rng.sample(range(n), n)
    cursor = 0
    for kind in rewrites:
        made = 0
        while made < PER_REWRITE and cursor < len(pool):
            a = pool[cursor]
            cursor += 1
            title, body = titles[a], bodies[a]
            if kind == "reorder":
                text = reorder(title, body, rng)
            elif kind == "place_variant":
                text = place_variant(title, body, rng)
            elif kind == "truncate":
                text = truncate(title, body, rng)
            elif kind == "pad":
                text = pad(title, body, rng, bodies[rng.randrange(n)])
            elif kind == "edit":
                text = edit(title, body, rng)
            elif kind == "reword":
                text = reword(title, body, rng)
            else:
                text = combined(title, body, rng)
            if text:
                add(kind, 1, a, None, text)
                made += 1

    # Split by connected groups of appeals, so no appeal is in both halves.
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in rows:
        if row["b_id"]:
            ra, rb = root(row_of[row["a_id"]]), root(row_of[row["b_id"]])
            parent[max(ra, rb)] = min(ra, rb)
    groups = sorted({root(row_of[row["a_id"]]) for row in rows})
    half = dict(zip(groups, rng.sample([0, 1] * len(groups), len(groups)), strict=False))
    rng.shuffle(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["pair_id", "split", "kind", "label", "a_id", "b_id", "b_text"]
        )
        writer.writeheader()
        for i, row in enumerate(rows):
            split = "test" if half[root(row_of[row["a_id"]])] else "dev"
            writer.writerow({"pair_id": str(i), "split": split, **row})
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    print(f"{args.output}: {len(rows)} pairs; " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()

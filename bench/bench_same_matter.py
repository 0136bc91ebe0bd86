"""Same matter and hot issues, measured on the hand-judged sets of bench/data
(same_matter_pairs.csv, hot_issues.csv; how they were built: bench/data/README.md).
Prints one figure per line (``name: value``), the tuning half beside the report half.

    .venv/bin/python bench/bench_same_matter.py            # everything (~9 min on a busy 2-core box)
    .venv/bin/python bench/bench_same_matter.py --fit      # refit the pair model on the tuning half
    .venv/bin/python bench/bench_same_matter.py --only pairs,hot,speed

- pairs: every message of the three teddy2020 files is encoded as one batch
  (place specificity counted over them all), each judged pair scored by
  `shishi.combing.pairs`; recall, precision, and the share of each negative
  kind called the same matter (false merges); then ``pairs_search``: the
  app's path, `DuplicateIndex.search` over an index of all messages (a's
  text searched, b among the duplicates), which must agree. Before this
  work that verdict (text overlap and places) found 4% / 14% of the
  same-matter pairs (tune / report) at precision 1.00. Also the share of
  each kind of bench/data/duplicate_pairs.csv called the same matter.
- hot: `cluster.matter_clusters` over all 7,636 messages; pairwise precision,
  recall and F1 over the messages of the judged hot issues (a pair counts
  when both messages are in judged issues), and the same for `cluster_texts`.
- speed: an appeal's duplicate/related search against 100,000 synthetic
  appeals (median and 99th percentile of 300 searches) and `matter_clusters`
  on 100,000 synthetic appeals (wall and CPU seconds).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_same_matter_sets import load_messages  # noqa: E402

from shishi.combing import pairs as pm  # noqa: E402
from shishi.combing.text import appeal_text  # noqa: E402

HERE = Path(__file__).resolve().parent / "data"
KINDS = ("same_place", "same_problem")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def out(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.3f}"
    print(f"{name}: {value}", flush=True)


def corpus():
    rows = load_messages()
    ids = list(rows)
    texts = [appeal_text(rows[i]["title"], rows[i]["body"]) for i in ids]
    return rows, ids, texts


def read_pairs():
    with open(HERE / "same_matter_pairs.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def pair_report(prefix: str, judged: list[dict], decided: np.ndarray) -> None:
    for half in ("tune", "report"):
        sel = [k for k, p in enumerate(judged) if p["split"] == half]
        y = np.array([int(judged[k]["same_matter"]) for k in sel])
        d = decided[sel]
        tp = int((d & (y == 1)).sum())
        out(f"{prefix}.{half}.pairs", len(sel))
        out(f"{prefix}.{half}.recall", tp / max(1, int((y == 1).sum())))
        out(f"{prefix}.{half}.precision", tp / max(1, int(d.sum())))
        for kind in KINDS:
            ks = [i for i, k in enumerate(sel) if judged[k]["kind"] == kind]
            out(f"{prefix}.{half}.false_merges.{kind}", float(d[ks].mean()) if ks else 0.0)


def read_duplicate_pairs():
    """bench/data/duplicate_pairs.csv: copies, rewrites and place swaps (see its README)."""
    with open(HERE / "duplicate_pairs.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run_pairs(fit: bool) -> None:
    rows, ids, texts = corpus()
    judged = read_pairs()
    dups = read_duplicate_pairs()
    at = {i: k for k, i in enumerate(ids)}
    # The rewritten queries of duplicate_pairs.csv join the batch after the corpus.
    extra = [p["b_text"] for p in dups if not p["b_id"]]
    enc = pm.encode(texts + extra)
    ia = [at[p["id_a"]] for p in judged]
    ib = [at[p["id_b"]] for p in judged]
    feats = pm.pair_features(enc, ia, enc, ib)
    da, db, k = [], [], len(texts)
    for p in dups:
        da.append(at[p["a_id"]])
        if p["b_id"]:
            db.append(at[p["b_id"]])
        else:
            db.append(k)
            k += 1
    dfeats = pm.pair_features(enc, da, enc, db)
    dy = np.array([int(p["label"]) for p in dups])
    if fit:
        from sklearn.linear_model import LogisticRegression

        # Tuned on the tuning half of the judged pairs and the dev half of
        # duplicate_pairs.csv (copies, rewrites, place swaps).
        tune = np.array([p["split"] == "tune" for p in judged])
        dev = np.array([p["split"] == "dev" for p in dups])
        y = np.array([int(p["same_matter"]) for p in judged])
        x_fit = np.vstack([feats[tune], dfeats[dev]])
        y_fit = np.concatenate([y[tune], dy[dev]])
        model = LogisticRegression(C=1.0, max_iter=2000)
        model.fit(x_fit, y_fit)
        weights = [*model.coef_[0].round(2).tolist(), round(float(model.intercept_[0]), 2)]
        out("fit.weights", dict(zip([*pm.FEATURES, "bias"], weights, strict=True)))
        pm.WEIGHTS = np.array(weights)
        s = pm.score(feats[tune])
        for t in np.arange(0.3, 0.9, 0.04).round(2):
            d = s >= t
            tp = int((d & (y[tune] == 1)).sum())
            out(
                f"fit.tune.threshold_{t}",
                f"recall {tp / (y[tune] == 1).sum():.3f} precision {tp / max(1, d.sum()):.3f}",
            )
    pair_report("pairs", judged, pm.same_matter(feats))
    decided = pm.same_matter(dfeats)
    for half in ("dev", "test"):
        for kind in sorted({p["kind"] for p in dups}):
            sel = [i for i, p in enumerate(dups) if p["split"] == half and p["kind"] == kind]
            out(f"duplicate_pairs.{half}.{kind}.called_same", float(decided[sel].mean()))
    # The app's path: DuplicateIndex.search decides as the batch does.
    from shishi.combing.duplicates import DuplicateIndex

    index = DuplicateIndex()
    index.add(texts=texts, ids=ids)
    old = np.zeros(len(judged), dtype=bool)
    cache: dict[str, set] = {}
    for k, p in enumerate(judged):
        if p["id_a"] not in cache:
            found = index.search(text=texts[at[p["id_a"]]], limit=1000, exclude=p["id_a"])
            cache[p["id_a"]] = {m.id for m in found.duplicates}
        old[k] = p["id_b"] in cache[p["id_a"]]
    pair_report("pairs_search", judged, old)


def pairwise(labels: np.ndarray, members: list[int], issue: list[str]) -> tuple[float, ...]:
    tp = fp = fn = 0
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            same = issue[x] == issue[y]
            together = labels[members[x]] == labels[members[y]]
            tp += same and together
            fp += together and not same
            fn += same and not together
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return p, r, 2 * p * r / max(1e-9, p + r)


def run_hot() -> None:
    from shishi.combing.cluster import cluster_texts, matter_clusters

    rows, ids, texts = corpus()
    at = {i: k for k, i in enumerate(ids)}
    with open(HERE / "hot_issues.csv", encoding="utf-8") as f:
        judged = list(csv.DictReader(f))
    results = {}
    started, cpu = time.monotonic(), _cpu()
    results["hot"] = matter_clusters(texts)
    out("hot.cluster_seconds_7636", round(time.monotonic() - started, 2))
    out("hot.cluster_cpu_seconds_7636", round(_cpu() - cpu, 2))
    sizes = np.bincount(results["hot"])
    for rank, c in enumerate(np.argsort(-sizes, kind="stable")[:8], start=1):
        members = np.flatnonzero(results["hot"] == c)
        titles = " / ".join(rows[ids[i]]["title"][:16] for i in members[:4])
        out(f"hot.largest_{rank}", f"{sizes[c]} appeals: {titles}")
    results["hot_cluster_texts"] = cluster_texts(texts)
    for name, labels in results.items():
        for half in ("tune", "report"):
            sel = [r for r in judged if r["split"] == half]
            p, r, f1 = pairwise(labels, [at[x["id"]] for x in sel], [x["issue"] for x in sel])
            issues = len({x["issue"] for x in sel})
            out(f"{name}.{half}.issues", issues)
            out(f"{name}.{half}.pairwise_precision", p)
            out(f"{name}.{half}.pairwise_recall", r)
            out(f"{name}.{half}.pairwise_f1", f1)


def synthetic(texts: list[str], n: int, seed: int = 0) -> list[str]:
    """Half copies of a real message with a few edits and a cut tail, half a
    real title with sentences drawn from any messages (as bench_combing.py)."""
    rng = random.Random(seed)
    sentences = [s for t in texts for s in t.split("。") if len(s) > 8]
    out_texts = []
    for k in range(n):
        base = rng.choice(texts)
        if k % 2 == 0:
            chars = list(base[: rng.randint(max(20, len(base) // 2), max(21, len(base)))])
            for _ in range(3):
                if chars:
                    chars[rng.randrange(len(chars))] = rng.choice("的了在是有和")
            out_texts.append("".join(chars))
        else:
            title = base.split("。")[0]
            body = "。".join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))
            out_texts.append(f"{title}。{body}{rng.randint(1, 10**6)}")
    return out_texts


def run_speed(n: int) -> None:
    from shishi.combing.cluster import matter_clusters
    from shishi.combing.duplicates import DuplicateIndex

    _, _, texts = corpus()
    corpus_texts = synthetic(texts, n)
    index = DuplicateIndex()
    index.add(texts=corpus_texts)
    rng = random.Random(1)
    queries = [rng.choice(texts) for _ in range(300)]
    index.search(text=queries[0])
    times = []
    for q in queries:
        t0 = time.perf_counter()
        index.search(text=q, limit=10)
        times.append(time.perf_counter() - t0)
    out(f"speed.search_ms_median_{n}", round(1000 * float(np.median(times)), 2))
    out(f"speed.search_ms_p99_{n}", round(1000 * float(np.percentile(times, 99)), 2))
    started, cpu = time.monotonic(), _cpu()
    labels = matter_clusters(corpus_texts)
    out(f"speed.matter_clusters_seconds_{n}", round(time.monotonic() - started, 2))
    out(f"speed.matter_clusters_cpu_seconds_{n}", round(_cpu() - cpu, 2))
    out(f"speed.matter_clusters_clusters_{n}", len(set(labels.tolist())))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--fit", action="store_true", help="refit the pair model on the tuning half"
    )
    parser.add_argument("--only", default="pairs,hot,speed")
    parser.add_argument("--size", type=int, default=100_000, help="synthetic corpus for speed")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    parts = args.only.split(",")
    if "pairs" in parts:
        run_pairs(args.fit)
    if "hot" in parts:
        run_hot()
    if "speed" in parts:
        run_speed(args.size)


if __name__ == "__main__":
    main()

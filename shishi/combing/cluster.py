"""Group appeals into issues and rank the hot ones (热点问题).

Clustering (`cluster_texts`), built to take 100,000 appeals in under a minute
on two cores even when they are busy: about 17 s of CPU on one BLAS thread
(bench/bench_combing.py), the whole run capped at one thread by default.

1. Features: TF-IDF of character bigrams of the whole text and, as a second
   block, of its first 40 characters (roughly the title), fitted on the
   batch. Bigrams in more than `max_df` of the appeals (的问, 小区 …) are
   dropped: they join everything and make the similarity products dense.
   No word segmentation: jieba would take most of the time budget and
   bigrams find the same issues (checked by eye on messages_with_votes).
2. LSA of the head block (what the appeals are about), on its 16,384 most
   common columns, fitted on a sample of 5,000 appeals, to `dims`
   dimensions, rows L2-normalised.
3. Coarse split: k-means (mini-batch, fixed seed, k-means++ seeded on a
   sample of 3k rows) into about one group per `coarse_size` appeals, so
   that no exact step below sees more than a few hundred appeals at once.
   Groups larger than `max_group` are split again.
4. Fine clustering inside each group: average-linkage agglomerative
   clustering on cosine distance of the sparse TF-IDF rows (more specific
   than the LSA vectors: it separates two 小区 with the same problem), cut
   at `1 - similarity`. Appeals alone in their fine cluster keep their own id.
5. Clusters split by the coarse step are joined again when the cosine of
   their centroids is at least `similarity` (one pass over centroids, again
   grouped by k-means).

Cluster ids are 0, 1, 2 … by descending size, then by first appearance.

Heat index (`hot_issues`), for a cluster C::

    voices  = u + 0.5 · (n − u)              n appeals, u distinct residents (留言用户)
    support = 2 · log2(1 + likes + dislikes)  点赞数 + 反对数 over C (attention either way)
    recency = 0.5 + 0.5 · 2^(−age / 30)       age: days from C's latest appeal to the
                                              latest appeal of the whole table
    heat    = (voices + support) · recency

A resident who writes five times counts 1 + 4 × 0.5 = 3 voices, five
residents count 5. Votes count on a log scale, so that 2,000 clicks weigh
like 22 residents, not like 2,000. An issue not raised for a
month keeps three quarters of its heat, an old one half: old issues that
were never solved stay on the list. Missing columns count as nothing (no
users: every appeal a distinct resident; no votes: 0; no times: recency 1).
Only clusters of at least `min_size` appeals are hot issues.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from shishi.combing.features import HashedTfidf, _normalise_rows
from shishi.combing.places import top_places
from shishi.combing.text import normalise

SIMILARITY = 0.35
HALF_LIFE_DAYS = 30.0


def _kmeans(z: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import MiniBatchKMeans

    if k <= 1 or len(z) <= k:
        return np.zeros(len(z), dtype=np.int64)
    # k-means++ seeding costs k passes over its sample: with 500 groups over
    # scikit-learn's default sample (12,288 rows) it took most of the time of
    # clustering 100,000 appeals. A sample of 3k rows (at least 2,000) seeds
    # as well, measured on the labelled pairs of bench/data, in a sixth of it.
    model = MiniBatchKMeans(
        n_clusters=k,
        random_state=seed,
        batch_size=4096,
        n_init=1,
        max_iter=20,
        max_no_improvement=3,
        init_size=min(len(z), max(3 * k, 2000)),
    )
    return model.fit_predict(z).astype(np.int64)


def _agglomerate(x: sp.csr_matrix, similarity: float) -> np.ndarray:
    """Average-linkage clusters of the rows of x (L2-normalised) at cosine ≥ similarity."""
    n = x.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    sim = (x @ x.T).toarray()
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    return fcluster(tree, t=1.0 - similarity, criterion="distance").astype(np.int64) - 1


def _split(z: np.ndarray, members: np.ndarray, max_group: int, seed: int) -> list[np.ndarray]:
    if len(members) <= max_group:
        return [members]
    k = int(np.ceil(len(members) / (max_group / 2)))
    labels = _kmeans(z[members], k, seed)
    if len(np.unique(labels)) == 1:  # k-means could not split: cut arbitrarily
        return [members[i : i + max_group] for i in range(0, len(members), max_group)]
    out = []
    for g in np.unique(labels):
        out.extend(_split(z, members[labels == g], max_group, seed + 1))
    return out


def cluster_texts(
    texts: Sequence[str],
    *,
    similarity: float = SIMILARITY,
    dims: int = 64,
    max_df: float = 0.05,
    coarse_size: int = 200,
    max_group: int = 1500,
    random_state: int = 0,
    blas_threads: int | None = 1,
) -> np.ndarray:
    """A cluster id for each text (see the module docstring).

    `blas_threads` caps the BLAS/OpenMP threads while it runs (None: the
    library default). One is the robust choice on a shared machine: BLAS
    threads spin while they wait for each other; with the k-means seeding
    this module had before, 100,000 appeals took 71 s of CPU on two threads
    against 22 s on one. One thread also gives the same clusters on every
    machine: k-means sums in thread order, so the thread count can move a
    borderline appeal.
    """
    if blas_threads is None:
        return _cluster_texts(texts, similarity, dims, max_df, coarse_size, max_group, random_state)
    # Loaded before the cap: a native library loaded inside it (the OpenMP
    # runtime of scikit-learn's k-means) would escape it.
    import sklearn.cluster  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(blas_threads):
        return _cluster_texts(texts, similarity, dims, max_df, coarse_size, max_group, random_state)


def _cluster_texts(
    texts: Sequence[str],
    similarity: float,
    dims: int,
    max_df: float,
    coarse_size: int,
    max_group: int,
    random_state: int,
) -> np.ndarray:
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    norm = [normalise(t) for t in texts]
    body = HashedTfidf(sizes=(2,), seed=0, min_df=2, max_df=max_df).fit_transform(norm)
    head = HashedTfidf(sizes=(2,), seed=1, min_df=2, max_df=max_df, max_chars=40)
    head_x = head.fit_transform(norm)
    x = _normalise_rows(sp.hstack([body, head_x], format="csr"))
    if x.shape[1] == 0:
        return np.arange(n, dtype=np.int64)
    z = _lsa(head_x if head_x.shape[1] >= 2 else x, dims, random_state)

    coarse = _kmeans(z, max(1, n // coarse_size), random_state)
    labels = np.full(n, -1, dtype=np.int64)
    next_id = 0
    for g in np.unique(coarse):
        for members in _split(z, np.flatnonzero(coarse == g), max_group, random_state + 1):
            fine = _agglomerate(x[members], similarity)
            labels[members] = fine + next_id
            next_id += int(fine.max()) + 1
    labels = _join_across_groups(x, labels, similarity, random_state)
    return _renumber(labels)


def _common_columns(x: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """x restricted to its `width` columns with the most non-zero rows."""
    if x.shape[1] <= width:
        return x
    df = np.bincount(x.indices, minlength=x.shape[1])
    keep = np.sort(np.argpartition(-df, width)[:width])
    return x[:, keep]


def _lsa(x: sp.csr_matrix, dims: int, seed: int, sample: int = 5_000) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD

    # The randomized SVD works with dense (columns × dims) blocks: with
    # hundreds of thousands of columns that took seconds of QR. The 16,384
    # most common columns hold the topics (same pairs kept together on the
    # labelled pairs of bench/data as with all columns; folding columns
    # instead lost some).
    x = _common_columns(x, 1 << 14)
    dims = min(dims, x.shape[0] - 1, x.shape[1] - 1)
    if dims < 2:
        return x.toarray().astype(np.float32)
    # The topics of 5,000 appeals are the topics of all: fit on a sample.
    rows = np.random.default_rng(seed).permutation(x.shape[0])[:sample]
    svd = TruncatedSVD(dims, random_state=seed, n_iter=2).fit(x[np.sort(rows)])
    z = np.asarray(x @ svd.components_.T.astype(np.float32), dtype=np.float32)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    return z / np.where(norms > 0, norms, 1)


def _centroids(x: sp.csr_matrix, labels: np.ndarray) -> sp.csr_matrix:
    k = int(labels.max()) + 1
    assign = sp.csr_matrix(
        (np.ones(len(labels), np.float32), (labels, np.arange(len(labels)))), shape=(k, len(labels))
    )
    c = (assign @ x).tocsr()
    norms = np.sqrt(np.asarray(c.multiply(c).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sp.csr_matrix(sp.diags(1 / norms) @ c)


def _join_across_groups(
    x: sp.csr_matrix, labels: np.ndarray, similarity: float, seed: int
) -> np.ndarray:
    # Multi-member clusters only: singletons were compared with their group already.
    sizes = np.bincount(labels)
    multi = np.flatnonzero(sizes >= 2)
    if len(multi) < 2:
        return labels
    cent = _centroids(x, labels)[multi]
    z = _lsa(cent, 50, seed)
    parent = np.arange(int(labels.max()) + 1)
    for members in _split(z, np.arange(len(multi)), 1500, seed + 2):
        if len(members) < 2:
            continue
        sim = (cent[members] @ cent[members].T).toarray()
        np.fill_diagonal(sim, 0)
        for a, b in zip(*np.nonzero(np.triu(sim >= similarity)), strict=True):
            ra, rb = _root(parent, multi[members[a]]), _root(parent, multi[members[b]])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([_root(parent, i) for i in range(len(parent))])
    return roots[labels]


def _root(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return int(i)


def _renumber(labels: np.ndarray) -> np.ndarray:
    uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.empty(int(uniq.max()) + 1, dtype=np.int64)
    mapping[uniq[order]] = np.arange(len(uniq))
    return mapping[labels]


@dataclass(frozen=True)
class HotIssue:
    rank: int
    heat: float
    title: str
    places: list[str]
    start: dt.datetime | None
    end: dt.datetime | None
    ids: list[str]
    cluster_id: int
    appeals: int
    residents: int
    votes: int
    # What the issue is, by place and problem (``魅力之城小区：油烟、噪音``);
    # empty when its appeals share neither.
    matter: str = ""

    @property
    def time_span(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%Y/%m/%d} 至 {self.end:%Y/%m/%d}"


def heat_index(*, appeals: int, residents: int, votes: int, age_days: float | None) -> float:
    """The heat of one cluster (formula in the module docstring)."""
    voices = residents + 0.5 * (appeals - residents)
    support = 2.0 * np.log2(1.0 + max(0, votes))
    recency = 1.0 if age_days is None else 0.5 + 0.5 * 2.0 ** (-max(0.0, age_days) / HALF_LIFE_DAYS)
    return float((voices + support) * recency)


def hot_issues(
    *,
    labels: Sequence[int],
    ids: Sequence[str],
    titles: Sequence[str],
    texts: Sequence[str],
    users: Sequence[str] | None = None,
    times: Sequence[dt.datetime | None] | None = None,
    likes: Sequence[int] | None = None,
    dislikes: Sequence[int] | None = None,
    min_size: int = 2,
) -> list[HotIssue]:
    """Clusters of at least `min_size` appeals, ranked by heat (highest first)."""
    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        members[int(label)].append(i)
    known_times = [t for t in (times or []) if t is not None]
    reference = max(known_times) if known_times else None
    issues = []
    for label, rows in members.items():
        if len(rows) < min_size:
            continue
        residents = len({users[i] or f"row{i}" for i in rows}) if users else len(rows)
        votes = sum(int(likes[i] or 0) for i in rows) if likes else 0
        votes += sum(int(dislikes[i] or 0) for i in rows) if dislikes else 0
        row_times = [times[i] for i in rows if times and times[i] is not None]
        start = min(row_times) if row_times else None
        end = max(row_times) if row_times else None
        age = (reference - end).total_seconds() / 86400 if end and reference else None
        heat = heat_index(appeals=len(rows), residents=residents, votes=votes, age_days=age)
        issues.append(
            HotIssue(
                rank=0,
                heat=round(heat, 3),
                title=_representative_title(rows, titles, texts),
                places=top_places([normalise(texts[i]) for i in rows]),
                start=start,
                end=end,
                ids=[str(ids[i]) for i in rows],
                cluster_id=label,
                appeals=len(rows),
                residents=residents,
                votes=votes,
                matter=matter_label([normalise(texts[i]) for i in rows]),
            )
        )
    issues.sort(key=lambda h: (-h.heat, h.cluster_id))
    return [
        HotIssue(**{**issue.__dict__, "rank": rank}) for rank, issue in enumerate(issues, start=1)
    ]


def matter_label(texts: Sequence[str]) -> str:
    """A group's matter by place and problem: the places at least half of its
    appeals name (at most two, the most specific first), then the objects
    and problems that at least half of them name (`places.matter_fields`)."""
    from shishi.combing.places import matter_fields

    fields = [matter_fields(t) for t in texts]
    places = _joined(top_places(texts, limit=3, min_share=0.5), texts)
    need = max(1, (len(texts) + 1) // 2)
    what: list[str] = []
    for kind in ("objects", "problems"):
        counts: dict[str, int] = defaultdict(int)
        for f in fields:
            for name in getattr(f, kind):
                counts[name] += 1
        common = sorted((n for n, c in counts.items() if c >= need), key=lambda n: -counts[n])
        what += [n for n in common[:2] if n not in what]
    if not places and not what:
        return ""
    # Two places most appeals name both (a crossing: 桐柏路、建设路); an
    # administrative area only when nothing more specific is shared.
    specific = [p for p in places if not _ADMIN_PLACE.match(p)] or places
    distinct: list[str] = []
    for p in specific:  # 魅力之城小区 says 魅力之城 already
        if not any(p in q or q in p for q in distinct):
            distinct.append(p)
    where = "、".join(distinct[:2])
    return "：".join(part for part in (where, "、".join(what[:3])) if part)


_ADMIN_PLACE = re.compile(r"^[0-9a-z]*[市区县省]$")


def _joined(places: list[str], texts: Sequence[str]) -> list[str]:
    """The places, with two that are one name cut in two by the segmenter
    (互助路 + 路小区 → 互助路小区) joined when most texts write them so."""
    for a in places:
        for b in places:
            if a != b and a[-1] == b[0]:
                whole = a + b[1:]
                if sum(whole in t for t in texts) * 2 >= len(texts):
                    return [whole, *(p for p in places if p not in (a, b))]
    return places


def _representative_title(rows: list[int], titles: Sequence[str], texts: Sequence[str]) -> str:
    """The title closest to the others: most character bigrams in common with the group's."""
    if len(rows) == 1:
        return titles[rows[0]]
    grams = []
    for i in rows:
        t = normalise(titles[i]) or normalise(texts[i])[:40]
        grams.append({t[j : j + 2] for j in range(len(t) - 1)})
    counts: dict[str, int] = defaultdict(int)
    for g in grams:
        for gram in g:
            counts[gram] += 1
    best = max(
        range(len(rows)),
        key=lambda k: (sum(counts[g] for g in grams[k]) / (len(grams[k]) + 2), -k),
    )
    return titles[rows[best]]


# ------------------------------------------------------------ one matter each
# Candidate pairs: appeals that share a specific place gram (a block holds at
# most BLOCK_MAX appeals: a gram in more is a district, not an estate), and
# near-copies found by MinHash bands over character 3-grams (copies that name
# no place). Larger groups are cut before the exact linkage.
BLOCK_MAX = 60
# A group joined by same-matter pairs is cut where its average pair score
# falls below this: on the tuning half of bench/data/hot_issues.csv 0.5
# split its issues (pairwise recall 0.63), 0.4 kept them (0.95) with the
# largest clusters still one matter each, 0.35 joined kindergartens of
# several estates.
LINK_SCORE = 0.4
LINKAGE_MAX = 400
_MINHASH_ROWS = 2
_MINHASH_BANDS = 6


def _block_pairs(places: sp.csr_matrix) -> np.ndarray:
    """(i, j) with i < j for appeals that share a place column held by 2..BLOCK_MAX appeals."""
    cols = places.tocsc()
    df = np.diff(cols.indptr)
    out = []
    for c in np.flatnonzero((df >= 2) & (df <= BLOCK_MAX)):
        members = cols.indices[cols.indptr[c] : cols.indptr[c + 1]]
        i, j = np.triu_indices(len(members), k=1)
        out.append(np.column_stack([members[i], members[j]]))
    return np.concatenate(out) if out else np.zeros((0, 2), np.int64)


def _minhash_pairs(grams: sp.csr_matrix, seed: int = 3) -> np.ndarray:
    """Pairs that share a MinHash band: likely to share half their 3-grams or more."""
    n = grams.shape[0]
    lengths = np.diff(grams.indptr)
    rows = np.flatnonzero(lengths > 0)
    if len(rows) < 2:
        return np.zeros((0, 2), np.int64)
    rng = np.random.default_rng(seed)
    cols = grams.indices.astype(np.uint64)
    starts = grams.indptr[:-1][rows]
    out = []
    for _ in range(_MINHASH_BANDS):
        band = np.zeros(len(rows), np.uint64)
        for _ in range(_MINHASH_ROWS):
            a = np.uint64(rng.integers(1, 2**31) * 2 + 1)
            b = np.uint64(rng.integers(0, 2**31))
            h = (cols * a + b) & np.uint64(0xFFFFFFFF)
            mins = np.minimum.reduceat(h, starts)
            band = band * np.uint64(1_000_003) + mins
        order = np.argsort(band, kind="stable")
        sorted_band = band[order]
        same = np.flatnonzero(sorted_band[1:] == sorted_band[:-1])
        # Consecutive rows of one bucket: a chain links the bucket, enough for
        # union-find; a bucket of thousands (a template) stays linear.
        out.append(np.column_stack([rows[order[same]], rows[order[same + 1]]]))
    pairs = np.concatenate(out)
    return pairs[pairs[:, 0] != pairs[:, 1]] if n else pairs


def matter_clusters(texts: Sequence[str], *, blas_threads: int | None = 1) -> np.ndarray:
    """A cluster id per text: appeals about one matter (one place or object and
    one problem, as `pairs.same_matter` decides) share an id. Ids are 0, 1, 2 …
    by descending size, then by first appearance."""
    if blas_threads is None:
        return _matter_clusters(texts)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(blas_threads):
        return _matter_clusters(texts)


def _matter_clusters(texts: Sequence[str]) -> np.ndarray:
    from shishi.combing import pairs as pm

    n = len(texts)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    enc = pm.encode(texts)
    cand = np.concatenate([_block_pairs(enc.places), _minhash_pairs(enc.grams)])
    cand = np.sort(cand, axis=1)
    cand = np.unique(cand[cand[:, 0] != cand[:, 1]], axis=0)
    parent = np.arange(n)
    known = np.zeros(0)
    if len(cand):
        known = pm.score(pm.pair_features(enc, cand[:, 0], enc, cand[:, 1]))
        accepted = cand[known >= pm.THRESHOLD]
        for a, b in accepted:
            ra, rb = _root(parent, int(a)), _root(parent, int(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = _roots(parent)
    labels = roots.copy()
    # Union-find chains: one wrong pair joins two matters. Each group is cut
    # again by average linkage over all its pairs' scores.
    order = np.argsort(roots, kind="stable")
    _, starts, counts = np.unique(roots[order], return_index=True, return_counts=True)
    groups = [
        np.sort(order[start : start + count])
        for start, count in zip(starts, counts, strict=True)
        if count >= 3
    ]
    next_id = n
    # Scores already known (the candidate pairs, sorted) are not computed again.
    scored = (cand[:, 0] * n + cand[:, 1], known)
    for part in _linkage_parts(enc, groups, scored):
        labels[part] = next_id
        next_id += 1
    return _renumber(labels)


def _roots(parent: np.ndarray) -> np.ndarray:
    """Every element's root, by pointer jumping (vectorised)."""
    roots = parent.copy()
    while True:
        nxt = roots[roots]
        if np.array_equal(nxt, roots):
            return roots
        roots = nxt


def _linkage_parts(
    enc, groups: list[np.ndarray], scored: tuple[np.ndarray, np.ndarray]
) -> list[np.ndarray]:
    """Each group cut by average linkage over all its pairs' scores (the
    pairs of all groups scored in one batch)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from shishi.combing import pairs as pm

    # Rare (a campaign of hundreds): split by order, each part linked alone.
    groups = [
        g[start : start + LINKAGE_MAX] for g in groups for start in range(0, len(g), LINKAGE_MAX)
    ]
    firsts, seconds, bounds = [], [], [0]
    for g in groups:
        i, j = np.triu_indices(len(g), k=1)
        firsts.append(g[i])
        seconds.append(g[j])
        bounds.append(bounds[-1] + len(i))
    if not groups:
        return []
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    keys, known = scored
    want = first.astype(np.int64) * len(enc) + second
    pos = np.minimum(np.searchsorted(keys, want), max(0, len(keys) - 1))
    have = (keys[pos] == want) if len(keys) else np.zeros(len(want), bool)
    scores = np.empty(len(want))
    scores[have] = known[pos[have]]
    missing = np.flatnonzero(~have)
    scores[missing] = pm.score(pm.pair_features(enc, first[missing], enc, second[missing]))
    parts = []
    for k, g in enumerate(groups):
        if len(g) < 2:
            parts.append(g)
            continue
        s = scores[bounds[k] : bounds[k + 1]]
        if s.min() >= LINK_SCORE:  # every pair the same matter: nothing to cut
            parts.append(g)
            continue
        i, j = np.triu_indices(len(g), k=1)
        dist = np.zeros((len(g), len(g)))
        dist[i, j] = dist[j, i] = 1.0 - s
        tree = linkage(squareform(dist, checks=False), method="average")
        cut = fcluster(tree, t=1.0 - LINK_SCORE, criterion="distance")
        parts.extend(g[cut == c] for c in np.unique(cut))
    return parts

"""Same matter: whether two appeals are one matter (one fix settles both).

Copies and retellings share words; residents who report one matter in their
own words often do not, and one template about another place shares nearly
all. So the decision reads the structured fields of `places` beside the text:

- ``overlap``: share of the shorter text's character 3-grams in the other
  (``|A ∩ B| / (min(|A|, |B|) + 8)``, as `DuplicateIndex` scores).
- ``head``: the same for character 2-grams of the first `HEAD_CHARS`
  characters (the title: what the appeal is about).
- ``head_rest``: the same, on the head with its places taken out
  (`places.strip_places`) and without `GENERIC_BIGRAMS` (问题, 反映, 业主 …):
  what the titles say beside where.
- ``place_agree`` / ``place_conflict``: a specific place gram of one (two
  characters before a place ending and the ending's first: 可可小城小区 →
  可小城, 小城小; see `duplicates.place_texts`) is among the other's 3-grams;
  conflict: both name specific places and neither names one of the other's,
  or both name estates, buildings or institutions (小区, 家属院, 学校 …)
  and neither names one of the other's (two estates on one road).
- ``object`` / ``object_conflict``: Jaccard of the objects named
  (`places.OBJECTS`: 路灯, 搅拌站, 公交 …, read in the first
  `places.FIELD_CHARS` characters); conflict when both name objects
  and share none.
- ``problem`` / ``problem_conflict``: the same for the problems named
  (`places.PROBLEMS`: 噪音, 停水, 收费 …).
- ``rest_agree``, ``object_agree``: ``head_rest`` and ``object`` where the
  places agree, 0 elsewhere. Most appeals that name one place are about
  other matters (an estate's noise, fees, school places …): what they say
  beside the place decides, and only at one place.

A logistic regression over these (`WEIGHTS`, fitted on the tuning halves of
bench/data by ``bench/bench_same_matter.py --fit``) gives a score;
``score ≥ THRESHOLD`` is the same matter, never when the places conflict.
The duplicate suggestions (`DuplicateIndex.search`, which computes the same
features from its stored arrays: `matter_keys`, `key_features`,
`assemble`), the pair command and the hot issues (`cluster.matter_clusters`)
all decide with it. Place specificity is counted over the batch (or the
index): a place gram in more than max(1,000, 0.2% of the appeals) is a
phrase. Figures: bench/bench_same_matter.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from shishi.combing.places import object_ids, problem_ids, strip_places
from shishi.combing.text import ngram_break_text, ngram_hashes, normalise

FEATURES = (
    "overlap",
    "head",
    "head_rest",
    "place_agree",
    "place_conflict",
    "object",
    "object_conflict",
    "problem",
    "problem_conflict",
    "rest_agree",
    "object_agree",
)
# Fitted on the tuning half of bench/data/same_matter_pairs.csv and the dev
# half of bench/data/duplicate_pairs.csv (bench/bench_same_matter.py --fit,
# logistic regression, C=1); bias last. THRESHOLD: 0.46 was the lowest of
# 0.30, 0.34 … with precision ≥ 0.90 on the tuning half (recall 0.70); at
# 0.46 a parking-fee complaint merged with a parking-shortage one of the same
# estate (tests/combing/test_duplicates.py), so the next step, 0.50 (tuning
# half: recall 0.69, precision 0.94).
WEIGHTS = np.array([2.66, 2.48, 0.2, 0.33, -3.54, -0.24, -1.76, 0.52, -0.68, 1.31, 1.36, -1.95])
THRESHOLD = 0.5
# Below the same matter, a score this high (or a shared-text overlap of
# `duplicates.RELATED_THRESHOLD`) is shown as related.
RELATED_SCORE = 0.2
HEAD_CHARS = 40
SMOOTHING = 8.0
HEAD_SMOOTHING = 2.0
_BITS = 22
# Bigrams of many titles that say nothing of the matter (the most common head
# bigrams of the teddy2020 messages, content words such as 噪音 or 公交 left out).
GENERIC_BIGRAMS = frozenset(
    """
    问题 尊敬 敬的 我是 小区 领导 您好 咨询 投诉 书记 反映 请求 关于 我们 西地 地省 本人 政府
    业主 希望 的领 街道 公司 建议 居民 严重 的问 社区 建设 请问 们是 解决 你好 什么 一个 举报
    区的 一名 相关 现在 是一 工作 附近 胡书 政策 有限 中心 大道 的一 何时 部门 限公 管理 的咨
    位于 项目 人员 合理 今年 作为 办理 市的 一直 是否 可以 的胡 目前 时候 人民 国家 们好 求解
    已经 的业 时间 各位 的建 为什 题的 周边 住在 要求 市人 工程 关问 发展 居住 市公 位领 每天
    有关 生活 不能 市民 市委 一下 为何 服务 怎么 百姓 进行 情况 影响 记您 的相 集团 不合 开始
    处理 住户 最近 存在 城市 新城 国际 二期 星沙 泉塘 梅溪 时代 楼盘 市场 广场 开发 发商 么时
    """.split()
)
_LATIN_OR_DIGIT = re.compile(r"[0-9a-z]")


def score(features: np.ndarray) -> np.ndarray:
    """The pair model's probability of the same matter for each row of
    features; where the places conflict, at most half the threshold: one
    complaint about two places is two matters, however alike the words (a
    template reused for another estate)."""
    features = np.atleast_2d(features)
    z = features @ WEIGHTS[:-1] + WEIGHTS[-1]
    p = 1.0 / (1.0 + np.exp(-z))
    conflict = features[:, FEATURES.index("place_conflict")] > 0
    return np.where(conflict, np.minimum(p, THRESHOLD / 2), p)


def same_matter(features: np.ndarray) -> np.ndarray:
    return score(features) >= THRESHOLD


def head_text(norm: str) -> str:
    return norm[:HEAD_CHARS]


def head_rest(norm: str) -> str:
    """The head's bigrams that say what the appeal is about, space-separated."""
    text = ngram_break_text(strip_places(head_text(norm)))
    grams = {text[i : i + 2] for i in range(len(text) - 1)}
    return " ".join(
        sorted(
            g
            for g in grams
            if " " not in g and g not in GENERIC_BIGRAMS and not _LATIN_OR_DIGIT.search(g)
        )
    )


def _binary(doc: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    m = sp.csr_matrix(
        (np.ones(len(doc), np.float32), (doc, cols.astype(np.int64))), shape=(n, 1 << _BITS)
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def _ids_matrix(rows: list[list[int]], width: int) -> sp.csr_matrix:
    doc = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    cols = np.array([c for r in rows for c in r], dtype=np.int64)
    m = sp.csr_matrix((np.ones(len(cols), np.float32), (doc, cols)), shape=(len(rows), width))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


@dataclass
class Encoded:
    """A batch of appeals as binary matrices, one row each."""

    grams: sp.csr_matrix  # character 3-grams of the whole text
    head: sp.csr_matrix  # character 2-grams of the head
    rest: sp.csr_matrix  # the head's bigrams without places and generic bigrams
    places: sp.csr_matrix  # specific place grams, in the 3-gram columns
    fine: sp.csr_matrix  # those of estates, buildings and institutions
    # The 3-grams that are a place gram of some appeal of the batch: all that
    # `places · grams` can meet, at a fraction of the size.
    grams_at_places: sp.csr_matrix
    objects: sp.csr_matrix
    problems: sp.csr_matrix

    def __len__(self) -> int:
        return self.grams.shape[0]


def encode(
    texts: Sequence[str],
    *,
    normalised: bool = False,
    max_df: float = 0.002,
    max_df_floor: int = 1000,
) -> Encoded:
    """Encode a batch; a place gram held by more than max(`max_df_floor`,
    `max_df` × n) texts of the batch is a phrase, not a place, and dropped."""
    from shishi.combing.duplicates import place_texts

    norm = list(texts) if normalised else [normalise(t) for t in texts]
    n = len(norm)
    mask = np.uint64((1 << _BITS) - 1)
    doc, h = ngram_hashes(norm, sizes=(3,), seed=7)
    grams = _binary(doc, h & mask, n)
    doc, h = ngram_hashes([head_text(t) for t in norm], sizes=(2,), seed=11)
    head = _binary(doc, h & mask, n)
    doc, h = ngram_hashes([head_rest(t) for t in norm], sizes=(2,), seed=11)
    rest = _binary(doc, h & mask, n)
    df = np.bincount(grams.indices, minlength=grams.shape[1])
    cap = max(max_df_floor, int(max_df * n))
    found = []
    for fine in (False, True):
        doc, h = ngram_hashes(place_texts(norm, normalised=True, fine=fine), sizes=(3,), seed=7)
        m = _binary(doc, h & mask, n)
        if m.nnz:
            m.data[df[m.indices] > cap] = 0
            m.eliminate_zeros()
        found.append(m)
    places, fine_places = found
    at_places = grams.copy()
    mask = np.zeros(grams.shape[1], bool)
    mask[places.indices] = True
    at_places.data = at_places.data * mask[at_places.indices]
    at_places.eliminate_zeros()
    return Encoded(
        grams=grams,
        head=head,
        rest=rest,
        places=places,
        fine=fine_places,
        grams_at_places=at_places,
        objects=_ids_matrix([object_ids(t) for t in norm], 256),
        problems=_ids_matrix([problem_ids(t) for t in norm], 256),
    )


def _row_dot(a: sp.csr_matrix, ia: np.ndarray, b: sp.csr_matrix, ib: np.ndarray) -> np.ndarray:
    if len(ia) == 0:
        return np.zeros(0)
    return np.asarray(a[ia].multiply(b[ib]).sum(axis=1)).ravel()


def _row_len(m: sp.csr_matrix, idx: np.ndarray) -> np.ndarray:
    return np.diff(m.indptr)[idx].astype(np.float64)


def pair_features(
    a: Encoded, ia: Sequence[int], b: Encoded | None = None, ib: Sequence[int] = ()
) -> np.ndarray:
    """Features (`FEATURES` order) of the pairs (a[ia[k]], b[ib[k]]); b defaults to a."""
    b = a if b is None else b
    ia = np.asarray(ia, dtype=np.int64)
    ib = np.asarray(ib, dtype=np.int64)
    out = np.zeros((len(ia), len(FEATURES)))
    if len(ia) == 0:
        return out
    for chunk in range(0, len(ia), 50_000):
        s = slice(chunk, chunk + 50_000)
        out[s] = _features(a, ia[s], b, ib[s])
    return out


def _features(a: Encoded, ia: np.ndarray, b: Encoded, ib: np.ndarray) -> np.ndarray:
    inter = _row_dot(a.grams, ia, b.grams, ib)
    shorter = np.minimum(_row_len(a.grams, ia), _row_len(b.grams, ib))
    overlap = np.where(shorter > 0, inter / (shorter + SMOOTHING), 0.0)
    inter = _row_dot(a.head, ia, b.head, ib)
    shorter = np.minimum(_row_len(a.head, ia), _row_len(b.head, ib))
    head = np.where(shorter > 0, inter / (shorter + HEAD_SMOOTHING), 0.0)
    inter = _row_dot(a.rest, ia, b.rest, ib)
    shorter = np.minimum(_row_len(a.rest, ia), _row_len(b.rest, ib))
    rest = np.where(shorter > 0, inter / (shorter + HEAD_SMOOTHING), 0.0)
    agree, conflict = _places(a.places, ia, b.places, ib, a, b)
    # Two estates (or schools …) are two places even on one road.
    _, fine_conflict = _places(a.fine, ia, b.fine, ib, a, b)
    conflict |= fine_conflict
    agree &= ~fine_conflict
    feats = np.column_stack(
        [
            overlap,
            head,
            rest,
            agree,
            conflict,
            *_jaccard(a.objects, ia, b.objects, ib, conflict=True),
            *_jaccard(a.problems, ia, b.problems, ib, conflict=True),
        ]
    )
    agree_f = feats[:, FEATURES.index("place_agree")]
    return np.column_stack(
        [
            feats,
            feats[:, FEATURES.index("head_rest")] * agree_f,
            feats[:, FEATURES.index("object")] * agree_f,
        ]
    )


def _places(pa, ia, pb, ib, a: Encoded, b: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """(agree, conflict): a place gram of one among the other's 3-grams; both
    name places and neither names one of the other's."""
    # A place gram is among the other's 3-grams only where it is a place gram
    # column: the restricted 3-grams give the same answer.
    agree = (_row_dot(pa, ia, b.grams_at_places, ib) > 0) | (
        _row_dot(a.grams_at_places, ia, pb, ib) > 0
    )
    has_a, has_b = _row_len(pa, ia) > 0, _row_len(pb, ib) > 0
    return agree, has_a & has_b & ~agree


def _jaccard(
    a: sp.csr_matrix, ia: np.ndarray, b: sp.csr_matrix, ib: np.ndarray, *, conflict: bool = False
) -> list[np.ndarray]:
    inter = _row_dot(a, ia, b, ib)
    la, lb = _row_len(a, ia), _row_len(b, ib)
    union = la + lb - inter
    jac = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    if not conflict:
        return [jac]
    return [jac, ((la > 0) & (lb > 0) & (inter == 0)).astype(np.float64)]


def pair_scores(texts_a: Sequence[str], texts_b: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(score, same matter) of each pair (texts_a[k], texts_b[k]), both sides
    encoded as one batch (place specificity counted over both)."""
    enc = encode([*texts_a, *texts_b])
    n = len(texts_a)
    f = pair_features(enc, np.arange(n), enc, np.arange(n, 2 * n))
    s = score(f)
    return s, s >= THRESHOLD


# ------------------------------------------------------- per-appeal keys (index)
# `DuplicateIndex` keeps, per stored appeal, what the pair model reads besides
# the 3-grams and place grams it holds already: one sorted uint32 array of
# tagged keys (tag << 24 | column), the columns `encode` uses.
TAG_HEAD, TAG_REST, TAG_OBJECT, TAG_PROBLEM = 1, 2, 3, 4
_TAGS = (TAG_HEAD, TAG_REST, TAG_OBJECT, TAG_PROBLEM)


def matter_keys(norm: Sequence[str]) -> list[np.ndarray]:
    """Each normalised text's tagged keys (sorted, unique)."""
    n = len(norm)
    mask = np.uint64((1 << _BITS) - 1)
    parts_doc, parts_key = [], []
    for tag, texts in (
        (TAG_HEAD, [head_text(t) for t in norm]),
        (TAG_REST, [head_rest(t) for t in norm]),
    ):
        doc, h = ngram_hashes(texts, sizes=(2,), seed=11)
        parts_doc.append(doc)
        parts_key.append(((h & mask) | np.uint64(tag << 24)).astype(np.uint32))
    for tag, fn in ((TAG_OBJECT, object_ids), (TAG_PROBLEM, problem_ids)):
        rows = [fn(t) for t in norm]
        parts_doc.append(np.repeat(np.arange(n), [len(r) for r in rows]))
        parts_key.append(np.array([(tag << 24) | c for r in rows for c in r], dtype=np.uint32))
    doc = np.concatenate(parts_doc).astype(np.int64)
    key = np.concatenate(parts_key)
    order = np.lexsort((key, doc))
    doc, key = doc[order], key[order]
    keep = np.ones(len(key), bool)
    keep[1:] = (doc[1:] != doc[:-1]) | (key[1:] != key[:-1])
    doc, key = doc[keep], key[keep]
    bounds = np.searchsorted(doc, np.arange(n + 1))
    return [key[bounds[i] : bounds[i + 1]] for i in range(n)]


def key_features(
    query: np.ndarray, values: np.ndarray, rows: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """head, head_rest, object(_conflict) and problem(_conflict) of a query's keys
    against n stored appeals' keys (`values` end to end, `rows` their appeal)."""
    tags_v = (values >> 24).astype(np.int64)
    tags_q = (query >> 24).astype(np.int64)
    if len(query):
        pos = np.minimum(np.searchsorted(query, values), len(query) - 1)
        found = query[pos] == values
    else:
        found = np.zeros(len(values), bool)
    inter, len_d, len_q = {}, {}, {}
    for tag in _TAGS:
        sel = tags_v == tag
        inter[tag] = np.bincount(rows[sel & found], minlength=n).astype(np.float64)
        len_d[tag] = np.bincount(rows[sel], minlength=n).astype(np.float64)
        len_q[tag] = float(np.count_nonzero(tags_q == tag))

    def containment(tag: int) -> np.ndarray:
        shorter = np.minimum(len_d[tag], len_q[tag])
        return np.where(shorter > 0, inter[tag] / (shorter + HEAD_SMOOTHING), 0.0)

    def jaccard(tag: int) -> np.ndarray:
        union = len_d[tag] + len_q[tag] - inter[tag]
        return np.where(union > 0, inter[tag] / np.maximum(union, 1), 0.0)

    def clash(tag: int) -> np.ndarray:
        return ((len_d[tag] > 0) & (len_q[tag] > 0) & (inter[tag] == 0)).astype(np.float64)

    return {
        "head": containment(TAG_HEAD),
        "head_rest": containment(TAG_REST),
        "object": jaccard(TAG_OBJECT),
        "object_conflict": clash(TAG_OBJECT),
        "problem": jaccard(TAG_PROBLEM),
        "problem_conflict": clash(TAG_PROBLEM),
    }


def assemble(
    overlap: np.ndarray, agree: np.ndarray, conflict: np.ndarray, keys: dict[str, np.ndarray]
) -> np.ndarray:
    """The feature matrix (`FEATURES` order) from its parts."""
    agree = agree.astype(np.float64)
    return np.column_stack(
        [
            overlap,
            keys["head"],
            keys["head_rest"],
            agree,
            conflict.astype(np.float64),
            keys["object"],
            keys["object_conflict"],
            keys["problem"],
            keys["problem_conflict"],
            keys["head_rest"] * agree,
            keys["object"] * agree,
        ]
    )

"""Text normalisation, jieba word segmentation and fast hashed character n-grams.

- `normalise`: NFKC (full-width letters, digits and the ideographic space become
  their plain forms), lower-case Latin, whitespace runs (the ``\\n\\t`` runs that
  start every 留言详情) collapsed to one space.
- `segment`: jieba's precise mode with its own dictionary (shipped in the PyPI
  wheel; nothing is downloaded), punctuation, digits-only tokens and a short
  built-in list of function words dropped. One `jieba.Tokenizer` per process,
  built on first use (about 1 s; jieba caches the prefix dictionary in the
  temp folder).
- `char_ngram_counts`: character n-grams hashed straight to columns of a sparse
  count matrix with numpy, for a whole batch at once. Punctuation and spaces
  break n-grams (a gram never spans two clauses). This is ~30× faster than
  scikit-learn's char analyzer, which builds a Python string per gram, and
  deterministic (no Python ``hash``), so hashed columns are the same in every
  process.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

_SPACE_RE = re.compile(r"\s+")
# Anything that is not a CJK ideograph, a Latin letter or a digit breaks n-grams.
_BREAK_RE = re.compile(r"[^0-9a-z\u3400-\u9fff]+")

# Function words and politeness formulas that every appeal carries. Kept short
# on purpose: TF-IDF already damps common words; this only saves features.
STOPWORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 也 都 就 又 还 而 并 且 但 被 把 将 对 于 从 向 给 让 为 以 之 其
    这 那 这个 那个 这些 那些 这里 那里 此 该 我 我们 你 你们 您 他 他们 她 它 它们 自己
    有 没有 没 不 很 非常 太 最 更 已 已经 曾 正在 会 能 可以 可 要 想 应 应该 需要 得 着 过
    吗 呢 吧 啊 呀 哦 嘛 么 啦 等 等等 个 些 一 一个 一些 什么 怎么 怎么办 如何 为何 为什么
    因为 所以 如果 虽然 但是 然而 而且 并且 或者 还是 以及 通过 根据 关于 由于 因此 所以
    您好 你好 尊敬 领导 谢谢 感谢 麻烦 请 请问 希望 望 恳请 特此 此致 敬礼
    """.split()
)


def normalise(text: object) -> str:
    """NFKC, lower-case, whitespace collapsed; None and non-strings become text."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = value.lower()
    return _SPACE_RE.sub(" ", value).strip()


def appeal_text(title: object, body: object = "") -> str:
    """Title and body as one normalised text (the title first: it is the densest part)."""
    title_text, body_text = normalise(title), normalise(body)
    if not body_text:
        return title_text
    if not title_text:
        return body_text
    return f"{title_text}。{body_text}"


_tokenizer = None
_tokenizer_lock = threading.Lock()


def tokenizer():
    """The process's jieba tokenizer, built on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                _tokenizer = tk
    return _tokenizer


_WORD_RE = re.compile(r"[0-9a-z\u3400-\u9fff]")
_DIGITS_RE = re.compile(r"[0-9.]+")


def segment(text: str, *, hmm: bool = False, keep_stopwords: bool = False) -> list[str]:
    """jieba words of a normalised text; HMM (new-word guessing) off by default: 30% faster
    and, measured on the labelled sample, no less accurate."""
    words = []
    for word in tokenizer().cut(text, HMM=hmm):
        if not _WORD_RE.search(word) or _DIGITS_RE.fullmatch(word):
            continue
        if not keep_stopwords and word in STOPWORDS:
            continue
        words.append(word)
    return words


def ngram_break_text(text: str) -> str:
    """The text with every run of non-word characters replaced by one space."""
    return _BREAK_RE.sub(" ", text)


_MIX1 = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)
_MIX3 = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray) -> np.ndarray:
    # splitmix64 finaliser: spreads nearby code points over all bits.
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX2
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX3
    return h ^ (h >> np.uint64(31))


def ngram_hashes(
    texts: Sequence[str], *, sizes: Iterable[int] = (1, 2, 3), seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, 64-bit hash) of every character n-gram of the given sizes.

    Texts should be normalised; non-word characters break grams. Vectorised
    over the whole batch: the texts are joined with a break between them and
    each gram size is one pass of array arithmetic.
    """
    broken = [ngram_break_text(t) for t in texts]
    joined = " ".join(broken) + " "
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in broken), dtype=np.int64, count=len(broken))
    doc = np.repeat(np.arange(len(broken), dtype=np.int64), lengths)
    is_break = codes == np.uint64(32)
    docs_out, hashes_out = [], []
    n_codes = len(codes)
    for n in sizes:
        if n_codes < n:
            continue
        m = n_codes - n + 1
        h = np.full(m, np.uint64(seed * 1000 + n), dtype=np.uint64)
        valid = np.ones(m, dtype=bool)
        for k in range(n):
            h = _mix(h * _MIX1 + codes[k : k + m])
            valid &= ~is_break[k : k + m]
        docs_out.append(doc[:m][valid])
        hashes_out.append(h[valid])
    if not docs_out:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(docs_out), np.concatenate(hashes_out)


def sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unique values, counts) by sorting: numpy 2's hash-based np.unique is
    several times slower on tens of millions of 64-bit keys."""
    if len(values) == 0:
        return values, np.zeros(0, dtype=np.int64)
    ordered = np.sort(values)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered)))
    return ordered[starts], counts


def char_ngram_counts(
    texts: Sequence[str],
    *,
    sizes: Iterable[int] = (1, 2, 3),
    n_features: int = 1 << 20,
    seed: int = 0,
    binary: bool = False,
) -> sp.csr_matrix:
    """A (len(texts), n_features) CSR matrix of hashed n-gram counts (or 0/1 with binary)."""
    if n_features & (n_features - 1):
        raise ValueError("n_features must be a power of two")
    doc, hashes = ngram_hashes(texts, sizes=sizes, seed=seed)
    cols = (hashes & np.uint64(n_features - 1)).astype(np.int64)
    keys = doc * n_features + cols
    unique, counts = sorted_unique(keys)
    rows = unique // n_features
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
    data = np.ones(len(unique), dtype=np.float64) if binary else counts.astype(np.float64)
    return sp.csr_matrix(
        (data, (unique % n_features).astype(np.int32), indptr), shape=(len(texts), n_features)
    )

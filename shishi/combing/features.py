"""Sparse text features shared by the classifier, the router and the clustering.

Three TF-IDF blocks (sublinear tf, idf learnt at `fit`), each L2-normalised,
then joined and L2-normalised again (a fourth with ``dict_words=True``):

- words: jieba words of the first `word_chars` characters (title first, then
  the start of the body). Segmentation is the slowest step of the pipeline,
  so it reads only the head of long appeals (none with ``word_chars=0``).
- chars: character 1- and 2-grams of the whole text, hashed
  (`text.char_ngram_counts`), only the columns seen in at least `min_df`
  fitted texts kept.
- head: character 1- and 2-grams of the first `head_chars` characters
  (roughly the title): what an appeal is about is said there.
- dictionary words (`DictionaryWords`, only with ``dict_words=True``): the
  jieba words (2–6 characters) of the fitted texts, found again in new texts
  by hashing their character 2–6-grams. Segmenting at `fit` only keeps the
  words' signal (物业费, 拖欠工资 …) at n-gram speed: jieba segments about
  1,000 appeals/s per core, the hashed lookup several times that. A word is
  counted wherever it occurs, also across a jieba word boundary.

The vocabulary and idf come from every text given to `fit`, labelled or not,
which is how unlabelled appeals help even a plain linear model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from shishi.combing.text import char_ngram_counts, ngram_hashes, normalise, segment

_HASH_BITS = 20


def _remap(matrix: sp.csr_matrix, colmap: np.ndarray, width: int) -> sp.csr_matrix:
    """Keep the columns colmap maps (≥ 0), renumbered; others dropped."""
    new = colmap[matrix.indices]
    keep = new >= 0
    counts = np.add.reduceat(keep.astype(np.int64), matrix.indptr[:-1]) if keep.size else None
    lengths = np.diff(matrix.indptr)
    if counts is None:
        counts = np.zeros(matrix.shape[0], np.int64)
    counts = np.where(lengths > 0, counts, 0)
    indptr = np.zeros(matrix.shape[0] + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    return sp.csr_matrix(
        (matrix.data[keep], new[keep], indptr), shape=(matrix.shape[0], width), dtype=np.float32
    )


class HashedTfidf:
    """TF-IDF of hashed character n-grams, keeping columns seen in `min_df` to `max_df` of texts."""

    def __init__(
        self,
        *,
        sizes: tuple[int, ...] = (1, 2),
        seed: int = 0,
        min_df: int = 2,
        max_df: float = 1.0,
        max_chars: int | None = None,
    ):
        self.sizes, self.seed, self.min_df, self.max_df = sizes, seed, min_df, max_df
        self.max_chars = max_chars

    def _counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.max_chars is not None:
            texts = [t[: self.max_chars] for t in texts]
        return char_ngram_counts(
            texts, sizes=self.sizes, n_features=1 << _HASH_BITS, seed=self.seed
        )

    def _fit_counts(self, counts: sp.csr_matrix) -> None:
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        # The max_df share never drops a column held by 20 texts or fewer:
        # in a small batch every shared bigram is evidence.
        keep = np.flatnonzero((df >= self.min_df) & (df <= max(self.max_df * n, 20)))
        self.colmap = np.full(counts.shape[1], -1, dtype=np.int64)
        self.colmap[keep] = np.arange(len(keep))
        self.width = len(keep)
        self.idf = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        m = _remap(counts, self.colmap, self.width)
        m.data = (1 + np.log(m.data)).astype(np.float32)
        return _normalise_rows(m @ sp.diags(self.idf, format="csr"))

    def fit(self, texts: Sequence[str]) -> HashedTfidf:
        self._fit_counts(self._counts(texts))
        return self

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = self._counts(texts)
        self._fit_counts(counts)
        return self._weigh(counts)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._weigh(self._counts(texts))


class _WordBlock:
    def __init__(self, *, min_df: int, max_chars: int):
        self.min_df, self.max_chars = min_df, max_chars

    def words(self, texts: Sequence[str]) -> list[list[str]]:
        return [segment(t[: self.max_chars]) for t in texts]

    def fit_words(self, words: list[list[str]]) -> _WordBlock:
        df: dict[str, int] = {}
        for doc in words:
            for w in set(doc):
                df[w] = df.get(w, 0) + 1
        n = len(words)
        # Words in more than half the texts carry no topic; rare ones no evidence.
        kept = sorted(w for w, c in df.items() if c >= self.min_df and c <= 0.5 * n)
        self.vocab = {w: i for i, w in enumerate(kept)}
        counts = np.array([df[w] for w in kept], dtype=np.float64)
        self.idf = (np.log((1 + n) / (1 + counts)) + 1).astype(np.float32)
        return self

    def transform_words(self, words: list[list[str]]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for i, doc in enumerate(words):
            counts: dict[int, int] = {}
            for w in doc:
                j = self.vocab.get(w)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            rows.extend([i] * len(counts))
            cols.extend(counts)
            vals.extend(counts.values())
        m = sp.csr_matrix(
            (np.array(vals, np.float32), (np.array(rows, np.int64), np.array(cols, np.int64))),
            shape=(len(words), len(self.vocab)),
            dtype=np.float32,
        )
        m.data = 1 + np.log(m.data)
        return _normalise_rows(m @ sp.diags(self.idf, format="csr"))


class DictionaryWords:
    """TF-IDF of the fitted texts' jieba words, looked up in new texts as hashed n-grams."""

    _SEED = 7
    _SIZES = (2, 3, 4, 5, 6)
    _BITMAP_BITS = 22

    def __init__(self, *, min_df: int = 2, max_df: float = 0.5):
        self.min_df, self.max_df = min_df, max_df

    def fit_words(self, words: list[list[str]]) -> DictionaryWords:
        df: dict[str, int] = {}
        for doc in words:
            for w in set(doc):
                if len(w) in self._SIZES:
                    df[w] = df.get(w, 0) + 1
        n = len(words)
        kept = sorted(w for w, c in df.items() if self.min_df <= c <= self.max_df * n)
        # Hash every word the way `ngram_hashes` hashes a gram of its length.
        hashes = np.zeros(len(kept), dtype=np.uint64)
        for size in self._SIZES:
            idx = [i for i, w in enumerate(kept) if len(w) == size]
            if idx:
                doc, h = ngram_hashes([kept[i] for i in idx], sizes=(size,), seed=self._SEED)
                hashes[np.array(idx)[doc]] = h
        self.hashes, order = np.unique(hashes, return_index=True)
        # A bitmap of the hashes' low bits rules out most grams before the search.
        self._bitmap = np.zeros(1 << self._BITMAP_BITS, dtype=bool)
        self._bitmap[(self.hashes & np.uint64((1 << self._BITMAP_BITS) - 1)).astype(np.int64)] = (
            True
        )
        counts = np.array([df[kept[i]] for i in order], dtype=np.float64)
        self.idf = (np.log((1 + n) / (1 + counts)) + 1).astype(np.float32)
        return self

    @property
    def width(self) -> int:
        return len(self.hashes)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Texts must be normalised."""
        if not self.width:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        doc, h = ngram_hashes(texts, sizes=self._SIZES, seed=self._SEED)
        maybe = self._bitmap[(h & np.uint64((1 << self._BITMAP_BITS) - 1)).astype(np.int64)]
        doc, h = doc[maybe], h[maybe]
        pos = np.searchsorted(self.hashes, h)
        pos[pos >= self.width] = 0
        hit = self.hashes[pos] == h
        m = sp.csr_matrix(
            (np.ones(int(hit.sum()), np.float32), (doc[hit], pos[hit])),
            shape=(len(texts), self.width),
        )
        m.sum_duplicates()
        m.data = 1 + np.log(m.data)
        return _normalise_rows(m @ sp.diags(self.idf, format="csr"))


def _normalise_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    m = m.tocsr().astype(np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sp.csr_matrix(sp.diags(1 / norms) @ m, dtype=np.float32)


class TextFeatures:
    """Words + char 1-2-grams + head char 1-2-grams (+ dictionary words), TF-IDF,
    one sparse row per text."""

    def __init__(
        self,
        *,
        word_chars: int = 120,
        head_chars: int = 40,
        min_df: int = 2,
        weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
        dict_words: bool = False,
        dict_weight: float = 2**0.5,
    ) -> None:
        self.word_chars = word_chars
        self.head_chars = head_chars
        self.min_df = min_df
        self.weights = weights
        self.dict_words = dict_words
        self.dict_weight = dict_weight

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        self._fit([normalise(t) for t in texts])
        return self

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """`fit` then `transform`, segmenting each text once."""
        texts = [normalise(t) for t in texts]
        words = self._fit(texts)
        return self._transform(texts, words)

    def _fit(self, texts: list[str]) -> list[list[str]]:
        self._words = _WordBlock(min_df=self.min_df, max_chars=self.word_chars)
        words = self._words.words(texts) if self.word_chars else [[] for _ in texts]
        self._words.fit_words(words)
        self._chars = HashedTfidf(sizes=(1, 2), seed=0, min_df=self.min_df)
        self._chars.fit(texts)
        self._head = HashedTfidf(
            sizes=(1, 2), seed=1, min_df=self.min_df, max_chars=self.head_chars
        )
        self._head.fit(texts)
        self._dict = None
        if self.dict_words:
            self._dict = DictionaryWords(min_df=self.min_df).fit_words([segment(t) for t in texts])
        return words

    @property
    def width(self) -> int:
        extra = self._dict.width if self._dict is not None else 0
        return len(self._words.vocab) + self._chars.width + self._head.width + extra

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = [normalise(t) for t in texts]
        words = self._words.words(texts) if self.word_chars else [[] for _ in texts]
        return self._transform(texts, words)

    def _transform(self, texts: list[str], words: list[list[str]]) -> sp.csr_matrix:
        blocks = [
            self._words.transform_words(words),
            self._chars.transform(texts),
            self._head.transform(texts),
        ]
        weights = list(self.weights)
        if self._dict is not None:
            blocks.append(self._dict.transform(texts))
            weights.append(self.dict_weight)
        joined = sp.hstack([b * w for b, w in zip(blocks, weights, strict=True)], format="csr")
        return _normalise_rows(joined)

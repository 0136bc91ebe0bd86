"""Find the likely duplicates and related appeals of a new appeal among stored ones.

Method: each appeal is the set of its character 3-grams (shingles) after
`text.normalise`; punctuation breaks shingles, so reordered sentences keep
nearly all of theirs. A shingle is stored as a 32-bit hash.

- Index: an inverted index shingle → appeals, built in immutable segments
  (sorted shingle keys, int32 offsets, int32 appeal numbers) of up to
  `segment_size` appeals, plus every appeal's sorted shingle array for the
  exact re-ranking. New appeals wait in a buffer that becomes a segment at the
  next search; while more than four segments are small, the two newest are
  merged, so adding appeals one by one stays cheap and searches touch few
  segments.
- Candidates: `probes` of the query's shingles are looked up: those with the
  smallest hash values (a uniform sample, as in bottom-k MinHash) among the
  shingles held by at most `max_df` of the stored appeals (and at least
  `max_df_floor` allowed): common shingles (小区的, 反映一) would cost long
  postings lists and say nothing. An appeal that holds a share f of the
  query's shingles is hit by about f × probes of them; those hit by at least
  `min_hit_share` of the probes are the candidates (the `max_candidates`
  most-hit kept). The rarest shingles would be a worse sample: when a copy
  is padded, they all come from the padding.
- Score: ``overlap = |Q ∩ D| / (min(|Q|, |D|) + smoothing)``: the share of the
  shorter text found in the longer one. Unlike Jaccard it stays high when a
  copy is truncated or padded with greetings or an extra paragraph; the
  smoothing keeps two short titles that share a few words from counting as
  copies.
- Verdict: ``overlap ≥ duplicate_threshold`` is a likely duplicate (the
  same appeal filed again, copied with edits, shortened, reordered);
  ``related_threshold ≤ overlap`` below that is related (a substantial part
  in common: the same place and the same problem retold, a follow-up). The
  thresholds were chosen on the development half of
  ``bench/data/duplicate_pairs.csv``; the benchmark reports the other half.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from shishi.combing.text import ngram_hashes, normalise, sorted_unique

DUPLICATE_THRESHOLD = 0.55
RELATED_THRESHOLD = 0.25


@dataclass(frozen=True)
class Match:
    id: Hashable
    score: float


@dataclass(frozen=True)
class SearchResult:
    duplicates: list[Match]
    related: list[Match]


def shingle_sets(texts: Sequence[str], *, size: int = 3) -> list[np.ndarray]:
    """Each text's sorted unique 32-bit shingle hashes."""
    norm = [normalise(t) for t in texts]
    doc, hashes = ngram_hashes(norm, sizes=(size,), seed=7)
    h32 = (hashes >> np.uint64(32)).astype(np.uint32)
    keys = doc.astype(np.uint64) << np.uint64(32) | h32.astype(np.uint64)
    keys, _ = sorted_unique(keys)
    docs = (keys >> np.uint64(32)).astype(np.int64)
    values = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    bounds = np.searchsorted(docs, np.arange(len(texts) + 1))
    return [values[bounds[i] : bounds[i + 1]] for i in range(len(texts))]


@dataclass
class _Segment:
    keys: np.ndarray  # uint32, sorted unique shingles
    offsets: np.ndarray  # int32/int64, len(keys) + 1
    postings: np.ndarray  # int32 appeal numbers
    size: int  # appeals in this segment

    @classmethod
    def build(cls, first: int, sets: Sequence[np.ndarray]) -> _Segment:
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        shingles = np.concatenate(sets) if sets else np.zeros(0, np.uint32)
        docs = np.repeat(np.arange(first, first + len(sets), dtype=np.int32), lengths)
        order = np.argsort(shingles, kind="stable")
        shingles, docs = shingles[order], docs[order]
        if len(shingles):
            starts = np.flatnonzero(np.concatenate(([True], shingles[1:] != shingles[:-1])))
        else:
            starts = np.zeros(0, np.int64)
        keys = shingles[starts]
        dtype = np.int32 if len(docs) < 2**31 else np.int64
        offsets = np.append(starts, len(docs)).astype(dtype)
        return cls(keys=keys, offsets=offsets, postings=docs, size=len(sets))

    def lookup(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, df) in this segment's postings for each query shingle."""
        pos = np.searchsorted(self.keys, query)
        pos = np.minimum(pos, len(self.keys) - 1)
        found = self.keys[pos] == query if len(self.keys) else np.zeros(len(query), bool)
        start = self.offsets[pos].astype(np.int64)
        df = np.where(found, self.offsets[pos + 1] - self.offsets[pos], 0).astype(np.int64)
        return start, df

    def nbytes(self) -> int:
        return self.keys.nbytes + self.offsets.nbytes + self.postings.nbytes


class DuplicateIndex:
    """Stored appeals, searchable for duplicates and related appeals of a new one."""

    def __init__(
        self,
        *,
        probes: int = 48,
        min_hit_share: float = 0.15,
        max_df: float = 0.002,
        max_df_floor: int = 1000,
        max_candidates: int = 200,
        smoothing: float = 8.0,
        duplicate_threshold: float = DUPLICATE_THRESHOLD,
        related_threshold: float = RELATED_THRESHOLD,
        segment_size: int = 200_000,
    ) -> None:
        self.probes = probes
        self.min_hit_share = min_hit_share
        self.max_df = max_df
        self.max_df_floor = max_df_floor
        self.max_candidates = max_candidates
        self.smoothing = smoothing
        self.duplicate_threshold = duplicate_threshold
        self.related_threshold = related_threshold
        self.segment_size = segment_size
        self._ids: list[Hashable] = []
        self._segments: list[_Segment] = []
        self._pending: list[np.ndarray] = []
        # Every appeal's shingles, end to end, in a buffer that grows by half
        # when full (appending one appeal copies only that appeal).
        self._buffer = np.zeros(1024, np.uint32)
        self._ptr_buffer = np.zeros(1024, np.int64)
        self._count = 0

    @property
    def _store(self) -> np.ndarray:
        return self._buffer[: self._ptr_buffer[self._count]]

    @property
    def _ptr(self) -> np.ndarray:
        return self._ptr_buffer[: self._count + 1]

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, *, texts: Sequence[str], ids: Sequence[Hashable] | None = None) -> None:
        """Store appeals (raw text: title and body joined); ids default to 0, 1, 2 …"""
        if ids is None:
            ids = range(len(self._ids), len(self._ids) + len(texts))
        if len(ids) != len(texts):
            raise ValueError("texts and ids differ in length")
        for start in range(0, len(texts), 20_000):
            self._add_sets(shingle_sets(texts[start : start + 20_000]))
        self._ids.extend(ids)

    def _add_sets(self, sets: list[np.ndarray]) -> None:
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        end = int(self._ptr_buffer[self._count])
        need_rows, need = self._count + len(sets) + 1, end + int(lengths.sum())
        if need_rows > len(self._ptr_buffer):
            grown = np.zeros(max(need_rows, len(self._ptr_buffer) * 3 // 2), np.int64)
            grown[: self._count + 1] = self._ptr_buffer[: self._count + 1]
            self._ptr_buffer = grown
        if need > len(self._buffer):
            grown = np.zeros(max(need, len(self._buffer) * 3 // 2), np.uint32)
            grown[:end] = self._buffer[:end]
            self._buffer = grown
        if sets:
            self._buffer[end:need] = np.concatenate(sets)
        self._ptr_buffer[self._count + 1 : need_rows] = end + np.cumsum(lengths)
        self._count += len(sets)
        self._pending.extend(sets)
        if len(self._pending) >= self.segment_size:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        first = sum(s.size for s in self._segments)
        self._segments.append(_Segment.build(first, self._pending))
        self._pending = []
        self._merge_small()

    def _merge_small(self) -> None:
        # Searches touch every segment: while more than four are small, merge
        # the adjacent pair of small segments with the fewest appeals. Sizes
        # stay balanced, so each appeal is rebuilt about log2(segment_size)
        # times in all, however the appeals arrive.
        segs = self._segments
        while sum(1 for s in segs if s.size < self.segment_size) > 4:
            pairs = [
                (segs[i].size + segs[i + 1].size, i)
                for i in range(len(segs) - 1)
                if segs[i].size < self.segment_size and segs[i + 1].size < self.segment_size
            ]
            _, i = min(pairs)
            first = sum(s.size for s in segs[:i])
            ptr, store = self._ptr, self._store
            count = segs[i].size + segs[i + 1].size
            sets = [store[ptr[d] : ptr[d + 1]] for d in range(first, first + count)]
            segs[i : i + 2] = [_Segment.build(first, sets)]

    def nbytes(self) -> int:
        """Bytes held by the index arrays (not counting the ids list)."""
        self._flush()
        return (
            self._buffer.nbytes + self._ptr_buffer.nbytes + sum(s.nbytes() for s in self._segments)
        )

    def _candidates(self, query: np.ndarray) -> np.ndarray:
        lookups = [seg.lookup(query) for seg in self._segments]
        df = np.sum([d for _, d in lookups], axis=0)
        cap = max(self.max_df_floor, int(self.max_df * len(self._ids)))
        eligible = np.flatnonzero((df > 0) & (df <= cap))
        # The query's shingles are sorted by hash: the first `probes` eligible
        # ones are a uniform sample (bottom-k), so an appeal holding a share f
        # of the query's shingles is hit by about f * probes of them.
        chosen = eligible[: self.probes]
        if len(chosen) < self.probes:
            common = np.flatnonzero(df > cap)
            common = common[np.argsort(df[common], kind="stable")]
            chosen = np.concatenate([chosen, common[: self.probes - len(chosen)]])
        if len(chosen) == 0:
            return np.zeros(0, np.int64)
        hits = []
        for seg, (start, seg_df) in zip(self._segments, lookups, strict=True):
            for j in chosen:
                if seg_df[j]:
                    hits.append(seg.postings[start[j] : start[j] + seg_df[j]])
        if not hits:
            return np.zeros(0, np.int64)
        docs, counts = sorted_unique(np.concatenate(hits))
        needed = max(2, int(np.ceil(self.min_hit_share * len(chosen))))
        needed = min(needed, len(chosen))
        keep = counts >= needed
        docs, counts = docs[keep], counts[keep]
        if len(docs) > self.max_candidates:
            top = np.argsort(-counts, kind="stable")[: self.max_candidates]
            docs = docs[np.sort(top)]
        return docs.astype(np.int64)

    def scores(self, query: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """Overlap score of the query shingles with each stored appeal in `docs`."""
        if len(docs) == 0:
            return np.zeros(0)
        starts, ends = self._ptr[docs], self._ptr[docs + 1]
        lengths = ends - starts
        idx = np.repeat(starts - np.cumsum(np.append(0, lengths[:-1])), lengths)
        idx += np.arange(lengths.sum())
        shingles = self._store[idx]
        pos = np.minimum(np.searchsorted(query, shingles), len(query) - 1)
        found = (query[pos] == shingles).astype(np.int64)
        bounds = np.append(0, np.cumsum(lengths))
        inter = np.add.reduceat(found, bounds[:-1]) if len(found) else np.zeros(len(docs))
        inter = np.where(lengths > 0, inter, 0)
        return inter / (np.minimum(lengths, len(query)) + self.smoothing)

    def search(self, *, text: str, limit: int = 10, exclude: Hashable = None) -> SearchResult:
        """Likely duplicates and related appeals of `text`, best first, at most `limit` each."""
        self._flush()
        query = shingle_sets([text])[0]
        if len(query) == 0 or not self._segments:
            return SearchResult(duplicates=[], related=[])
        docs = self._candidates(query)
        score = self.scores(query, docs)
        order = np.argsort(-score, kind="stable")
        duplicates: list[Match] = []
        related: list[Match] = []
        for k in order:
            s = float(score[k])
            if s < self.related_threshold:
                break
            ident = self._ids[int(docs[k])]
            if exclude is not None and ident == exclude:
                continue
            target = duplicates if s >= self.duplicate_threshold else related
            if len(target) < limit:
                target.append(Match(id=ident, score=round(s, 4)))
        return SearchResult(duplicates=duplicates, related=related)

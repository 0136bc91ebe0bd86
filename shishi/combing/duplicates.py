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
- Bounded work per query, whatever the corpus and the text: only a prefix
  of the query's shingles (in hash order) is looked up, long enough to
  hold `probes` usable ones; a short or generic query that has too few
  fills up with the least common of the others, but at most `max_postings`
  postings are read in all (the slowest searches at 1,000,000 appeals were
  short queries made of common shingles, each of them read whole); at most
  `max_scored` stored shingles are scored (the most-hit candidates first).
  Exact scoring looks each stored shingle up in an open table of the
  query's shingles rather than by binary search.
- Score: ``overlap = |Q ∩ D| / (min(|Q|, |D|) + smoothing)``: the share of the
  shorter text found in the longer one. Unlike Jaccard it stays high when a
  copy is truncated or padded with greetings or an extra paragraph; the
  smoothing keeps two short titles that share a few words from counting as
  copies.
- Places: every appeal also keeps its place grams, the two characters before
  a place ending (小区, 花园, 村, 路, 苑 …) and the ending's first character
  (可可小城小区 → 可小城, 小城小), skipping common words (我们小区, 道路);
  those in more than the `max_df` share of appeals are not specific. Two
  appeals *agree* when a place gram of one is among the other's shingles
  (so 可可小城 still matches 可可小城小区), and *conflict* when both name
  specific places and neither names one of the other's.
- Verdict: a likely duplicate is the same matter filed again: ``overlap ≥
  duplicate_threshold`` (copied with edits, shortened, reordered, reworded)
  or ``overlap ≥ place_threshold`` when the places agree (the same problem
  at the same place retold), and never when the places conflict (one
  template, or one kind of complaint, about another 小区). Below that,
  ``overlap ≥ related_threshold`` is related. The thresholds were chosen on
  the development half of ``bench/data/duplicate_pairs.csv``; the benchmark
  reports the other half, per kind of pair.
- Persistence: ``index.save(path)`` writes every array to one uncompressed
  ``.npz`` (no pickle; ids must be all ints or all strings) and
  ``DuplicateIndex.load(path)`` reads it back, so a background job can build
  the index and a web process load it and `add` the appeals stored since.
  Files of another format version are refused with a clear error: rebuild.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shishi.combing import pairs as pm
from shishi.combing.text import ngram_hashes, normalise, sorted_unique

FORMAT_VERSION = 3
DUPLICATE_THRESHOLD = 0.5
RELATED_THRESHOLD = 0.25
PLACE_THRESHOLD = 0.3


@dataclass(frozen=True)
class Match:
    """A stored appeal found: `score` is the share of text in common (what a
    clerk is shown), `matter` the pair model's score of the same matter
    (what decides duplicate or related, and the order)."""

    id: Hashable
    score: float
    matter: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    duplicates: list[Match]
    related: list[Match]


def shingle_sets(
    texts: Sequence[str], *, size: int = 3, normalised: bool = False
) -> list[np.ndarray]:
    """Each text's sorted unique 32-bit shingle hashes."""
    norm = list(texts) if normalised else [normalise(t) for t in texts]
    doc, hashes = ngram_hashes(norm, sizes=(size,), seed=7)
    h32 = (hashes >> np.uint64(32)).astype(np.uint32)
    keys = doc.astype(np.uint64) << np.uint64(32) | h32.astype(np.uint64)
    keys, _ = sorted_unique(keys)
    docs = (keys >> np.uint64(32)).astype(np.int64)
    values = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    bounds = np.searchsorted(docs, np.arange(len(texts) + 1))
    return [values[bounds[i] : bounds[i + 1]] for i in range(len(texts))]


# A place is named by the characters before one of these endings (可可小城小区,
# 伊景园滨河苑, 桐梓坡西路, 新卯村). Administrative areas (A3区, A市) are not
# specific enough to tell two appeals apart.
_PLACE_END_RE = re.compile(
    r"(?<=[0-9a-z\u3400-\u9fff]{2})(?:小区|社区|花园|家园|家属院|号院|大院|公园|新城|新村|大道|广场|大厦|公寓"
    r"|学校|小学|中学|大学|学院|幼儿园|医院|市场|驾校|村|镇|乡|路|街(?!道)|巷|苑|城|园|湾)"
)
# Characters of common words that stand before those endings (我们小区, 附近公园,
# 造成学校, 反映小区 …) and are never the end of a name.
_PLACE_STOPS = frozenset(
    "的在到和与及是了对向从把被给为于将让我你他她这那该本各每有无个们条座住"
    "近边成重迁求造占用污染解决过附周靠严政要请等多所此其入出进快加校区市县"
    "映响彻去旁灯提高"
)
# Common words that end like a place (架空线路, 红绿灯路口, 自来水城 …).
_PLACE_WORDS = frozenset(
    "线路 道路 马路 铁路 公路 水路 通路 出路 思路 套路 网路 进城 县城 省城 全城 满城 水城 入园".split()
)
# Two characters that stand before a place ending but name no place (路口路灯,
# 门口路边): a crossing or a gate is not a place of its own.
_PLACE_NAME_STOPS = frozenset("路口 街口 道口 门口 入口 出口 路边 路段 十字 交叉".split())


# Endings of an estate, a building or an institution: finer than a road,
# a community or a village. Two appeals on one road about two estates'
# lifts are two matters.
_FINE_ENDINGS = frozenset(
    "小区 花园 家园 家属院 号院 大院 公寓 大厦 苑 学校 小学 中学 大学 学院 幼儿园 医院 驾校 新村".split()
)


def place_texts(texts: Sequence[str], *, normalised: bool = False, fine: bool = False) -> list[str]:
    """Each text's place grams (two characters before a place ending and the
    ending's first character: 可小城, 滨河苑, 坡西路), space-separated, so that
    they hash exactly as the same three characters do among the shingles.
    With `fine`, only the grams of estates, buildings and institutions."""
    out = []
    for text in texts:
        norm = text if normalised else normalise(text)
        grams = []
        for m in _PLACE_END_RE.finditer(norm):
            name = norm[m.start() - 2 : m.start()]
            if (
                set(name) & _PLACE_STOPS
                or name[1] + norm[m.start()] in _PLACE_WORDS
                or name in _PLACE_NAME_STOPS
            ):
                continue
            if fine and m.group(0) not in _FINE_ENDINGS:
                continue
            grams.append(name + norm[m.start()])
        out.append(" ".join(grams))
    return out


class _Ragged:
    """Rows of uint32 arrays end to end in a buffer that grows by half when full
    (appending rows copies only those rows)."""

    def __init__(self, values: np.ndarray | None = None, ptr: np.ndarray | None = None) -> None:
        self.buffer = np.zeros(1024, np.uint32) if values is None else values
        self.ptr_buffer = np.zeros(1024, np.int64) if ptr is None else ptr
        self.count = 0 if ptr is None else len(ptr) - 1

    @property
    def values(self) -> np.ndarray:
        return self.buffer[: self.ptr_buffer[self.count]]

    @property
    def ptr(self) -> np.ndarray:
        return self.ptr_buffer[: self.count + 1]

    def extend(self, rows: Sequence[np.ndarray]) -> None:
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        end = int(self.ptr_buffer[self.count])
        need_rows, need = self.count + len(rows) + 1, end + int(lengths.sum())
        if need_rows > len(self.ptr_buffer):
            grown = np.zeros(max(need_rows, len(self.ptr_buffer) * 3 // 2), np.int64)
            grown[: self.count + 1] = self.ptr_buffer[: self.count + 1]
            self.ptr_buffer = grown
        if need > len(self.buffer):
            grown = np.zeros(max(need, len(self.buffer) * 3 // 2), np.uint32)
            grown[:end] = self.buffer[:end]
            self.buffer = grown
        if rows:
            self.buffer[end:need] = np.concatenate(rows)
        self.ptr_buffer[self.count + 1 : need_rows] = end + np.cumsum(lengths)
        self.count += len(rows)

    def nbytes(self) -> int:
        return self.buffer.nbytes + self.ptr_buffer.nbytes


def _ids_array(ids: list[Hashable]) -> np.ndarray:
    if all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in ids):
        return np.array(ids, dtype=np.int64)
    if all(isinstance(i, str) for i in ids):
        return np.array(ids, dtype=str) if ids else np.zeros(0, dtype="<U1")
    kinds = sorted({type(i).__name__ for i in ids})
    raise ValueError(f"ids must be all ints or all strings to be saved, got {', '.join(kinds)}")


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
    """Stored appeals, searchable for duplicates and related appeals of a new one.

    Not thread-safe: `search` may turn the appeals added since into a
    segment, so threads sharing an index hold a lock around `add` and `search`.
    """

    def __init__(
        self,
        *,
        probes: int = 48,
        min_hit_share: float = 0.1,
        max_df: float = 0.002,
        max_df_floor: int = 1000,
        max_candidates: int = 200,
        max_postings: int = 150_000,
        max_scored: int = 600_000,
        smoothing: float = 8.0,
        duplicate_threshold: float = DUPLICATE_THRESHOLD,
        related_threshold: float = RELATED_THRESHOLD,
        place_threshold: float = PLACE_THRESHOLD,
        segment_size: int = 200_000,
    ) -> None:
        self.probes = probes
        self.min_hit_share = min_hit_share
        self.max_df = max_df
        self.max_df_floor = max_df_floor
        self.max_candidates = max_candidates
        self.max_postings = max_postings
        self.max_scored = max_scored
        self.smoothing = smoothing
        self.duplicate_threshold = duplicate_threshold
        self.related_threshold = related_threshold
        self.place_threshold = place_threshold
        self.segment_size = segment_size
        self._ids: list[Hashable] = []
        self._segments: list[_Segment] = []
        self._pending: list[np.ndarray] = []
        # Every appeal's shingles, and its place grams, end to end.
        self._shingles = _Ragged()
        self._places = _Ragged()
        self._matter = _Ragged()
        self._fine = _Ragged()

    @property
    def _store(self) -> np.ndarray:
        return self._shingles.values

    @property
    def _ptr(self) -> np.ndarray:
        return self._shingles.ptr

    def __len__(self) -> int:
        return len(self._ids)

    _PARAMS = (
        "probes",
        "min_hit_share",
        "max_df",
        "max_df_floor",
        "max_candidates",
        "max_postings",
        "max_scored",
        "smoothing",
        "duplicate_threshold",
        "related_threshold",
        "place_threshold",
        "segment_size",
    )

    def save(self, path: str | os.PathLike) -> None:
        """Write the index to `path` as an uncompressed numpy .npz (no pickle).

        Ids must be all ints or all strings. The file is written next to its
        final name and renamed into place, so a process loading it never sees
        half a file.
        """
        self._flush()
        ids = _ids_array(self._ids)
        arrays: dict[str, np.ndarray] = {
            "meta": np.array(
                json.dumps(
                    {
                        "format": FORMAT_VERSION,
                        "params": {k: getattr(self, k) for k in self._PARAMS},
                        "segment_sizes": [s.size for s in self._segments],
                    }
                )
            ),
            "ids": ids,
            "store": self._store,
            "ptr": self._ptr,
            "places": self._places.values,
            "places_ptr": self._places.ptr,
            "matter": self._matter.values,
            "matter_ptr": self._matter.ptr,
            "fine": self._fine.values,
            "fine_ptr": self._fine.ptr,
        }
        for i, seg in enumerate(self._segments):
            arrays[f"seg{i}_keys"] = seg.keys
            arrays[f"seg{i}_offsets"] = seg.offsets
            arrays[f"seg{i}_postings"] = seg.postings
        target = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from other users' processes
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike) -> DuplicateIndex:
        """An index written by `save`; more appeals can be added to it."""
        with np.load(path, allow_pickle=False) as data:
            try:
                meta = json.loads(str(data["meta"]))
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}: not a saved DuplicateIndex") from exc
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(
                    f"{path}: index format {meta.get('format')!r}, expected {FORMAT_VERSION}"
                )
            index = cls(**meta["params"])
            shingles = _Ragged(data["store"].astype(np.uint32), data["ptr"].astype(np.int64))
            places = _Ragged(data["places"].astype(np.uint32), data["places_ptr"].astype(np.int64))
            matter = _Ragged(data["matter"].astype(np.uint32), data["matter_ptr"].astype(np.int64))
            fine = _Ragged(data["fine"].astype(np.uint32), data["fine_ptr"].astype(np.int64))
            ids = data["ids"].tolist()
            for ragged in (shingles, places, matter, fine):
                if ragged.count != len(ids) or int(ragged.ptr[-1]) != len(ragged.buffer):
                    raise ValueError(f"{path}: ids, pointers and shingles do not agree")
            sizes = meta["segment_sizes"]
            if sum(sizes) != len(ids):
                raise ValueError(f"{path}: segments hold {sum(sizes)} appeals, ids {len(ids)}")
            for i, size in enumerate(sizes):
                index._segments.append(
                    _Segment(
                        keys=data[f"seg{i}_keys"],
                        offsets=data[f"seg{i}_offsets"],
                        postings=data[f"seg{i}_postings"],
                        size=int(size),
                    )
                )
        index._shingles = shingles
        index._places = places
        index._matter = matter
        index._fine = fine
        index._ids = ids
        return index

    def add(self, *, texts: Sequence[str], ids: Sequence[Hashable] | None = None) -> None:
        """Store appeals (raw text: title and body joined); ids default to 0, 1, 2 …"""
        if ids is None:
            ids = range(len(self._ids), len(self._ids) + len(texts))
        if len(ids) != len(texts):
            raise ValueError("texts and ids differ in length")
        for start in range(0, len(texts), 20_000):
            batch = [normalise(t) for t in texts[start : start + 20_000]]
            places = place_texts(batch, normalised=True)
            self._add_sets(
                shingle_sets(batch, normalised=True),
                shingle_sets(places, normalised=True),
                pm.matter_keys(batch),
                shingle_sets(place_texts(batch, normalised=True, fine=True), normalised=True),
            )
        self._ids.extend(ids)

    def _add_sets(
        self,
        sets: list[np.ndarray],
        places: list[np.ndarray],
        matter: list[np.ndarray],
        fine: list[np.ndarray],
    ) -> None:
        self._shingles.extend(sets)
        self._places.extend(places)
        self._matter.extend(matter)
        self._fine.extend(fine)
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
            self._shingles.nbytes()
            + self._places.nbytes()
            + self._matter.nbytes()
            + self._fine.nbytes()
            + sum(s.nbytes() for s in self._segments)
        )

    def _probe_df(self, query: np.ndarray) -> tuple[list, np.ndarray, int]:
        """Look up a prefix of the query's shingles (in hash order) in every
        segment, long enough to hold `probes` eligible ones: a long query
        costs no more lookups than a short one."""
        cap = max(self.max_df_floor, int(self.max_df * len(self._ids)))
        upto = min(len(query), 4 * self.probes)
        while True:
            part = query[:upto]
            lookups = [seg.lookup(part) for seg in self._segments]
            df = np.sum([d for _, d in lookups], axis=0)
            if upto == len(query) or np.count_nonzero((df > 0) & (df <= cap)) >= self.probes:
                return lookups, df, cap
            upto = min(len(query), upto * 4)

    def _candidates(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """(candidate appeal numbers, probes hitting each, probes used)."""
        empty = np.zeros(0, np.int64)
        lookups, df, cap = self._probe_df(query)
        eligible = np.flatnonzero((df > 0) & (df <= cap))
        # The query's shingles are sorted by hash: the first `probes` eligible
        # ones are a uniform sample (bottom-k), so an appeal holding a share f
        # of the query's shingles is hit by about f * probes of them.
        chosen = eligible[: self.probes]
        if len(chosen) < self.probes:
            # A short or generic query: fill up with the least common of the
            # others, as long as the postings to read stay within budget.
            common = np.flatnonzero(df > cap)
            common = common[np.argsort(df[common], kind="stable")][: self.probes - len(chosen)]
            chosen = np.concatenate([chosen, common])
        # Whatever the corpus, read at most `max_postings` postings per query.
        within = np.cumsum(df[chosen]) <= self.max_postings
        chosen = chosen[within]
        if len(chosen) == 0:
            return empty, empty, 0
        hits = [
            seg.postings[start[j] : start[j] + seg_df[j]]
            for seg, (start, seg_df) in zip(self._segments, lookups, strict=True)
            for j in chosen
            if seg_df[j]
        ]
        if not hits:
            return empty, empty, len(chosen)
        hits = np.concatenate(hits)
        needed = max(2, int(np.ceil(self.min_hit_share * len(chosen))))
        needed = min(needed, len(chosen))
        if len(hits) * 32 > len(self._ids):
            # Many postings: counting into one slot per appeal beats sorting.
            counts = np.bincount(hits)
            docs = np.flatnonzero(counts >= needed)
            counts = counts[docs]
        else:
            docs, counts = sorted_unique(hits)
            keep = counts >= needed
            docs, counts = docs[keep], counts[keep]
        if len(docs) > self.max_candidates:
            top = np.argsort(-counts, kind="stable")[: self.max_candidates]
            docs, counts = docs[top], counts[top]
        # Bound the exact scoring too: the most-hit candidates first, until
        # `max_scored` stored shingles (a few very long appeals cannot make
        # one search slow).
        if len(docs) == 0:
            return empty, empty, len(chosen)
        lengths = self._ptr[docs + 1] - self._ptr[docs]
        order = np.argsort(-counts, kind="stable")
        fits = np.cumsum(lengths[order]) <= self.max_scored
        fits[0] = True
        order = np.sort(order[fits])
        return docs[order].astype(np.int64), counts[order], len(chosen)

    def scores(self, query: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """Overlap score of the query shingles (sorted) with each stored appeal in `docs`."""
        if len(docs) == 0 or len(query) == 0:
            return np.zeros(len(docs))
        starts, ends = self._ptr[docs], self._ptr[docs + 1]
        lengths = ends - starts
        idx = np.repeat(starts - np.cumsum(np.append(0, lengths[:-1])), lengths)
        idx += np.arange(lengths.sum())
        shingles = self._store[idx]
        # An open table of the query's shingles by their low bits holds each
        # one's position: one array read and one compare settle a stored
        # shingle; only slots that two query shingles share need a binary
        # search.
        bits = min(22, max(12, int(len(query)).bit_length() + 6))
        mask = np.uint32((1 << bits) - 1)
        slots = (query & mask).astype(np.int64)
        table = np.full(1 << bits, -1, dtype=np.int32)
        table[slots] = np.arange(len(query), dtype=np.int32)
        shared, counts = sorted_unique(slots)
        table[shared[counts > 1]] = -2
        at = table[(shingles & mask).astype(np.int64)]
        found = (at >= 0) & (query[np.maximum(at, 0)] == shingles)
        ambiguous = np.flatnonzero(at == -2)
        if len(ambiguous):
            probe = shingles[ambiguous]
            pos = np.minimum(np.searchsorted(query, probe), len(query) - 1)
            found[ambiguous] = query[pos] == probe
        found = found.astype(np.int64)
        bounds = np.append(0, np.cumsum(lengths))
        inter = np.add.reduceat(found, bounds[:-1]) if len(found) else np.zeros(len(docs))
        inter = np.where(lengths > 0, inter, 0)
        return inter / (np.minimum(lengths, len(query)) + self.smoothing)

    def search(self, *, text: str, limit: int = 10, exclude: Hashable = None) -> SearchResult:
        """Likely duplicates (the same matter, `pairs.same_matter`) and related
        appeals of `text`, best first, at most `limit` each."""
        self._flush()
        norm = normalise(text)
        query = shingle_sets([norm], normalised=True)[0]
        if len(query) == 0 or not self._segments:
            return SearchResult(duplicates=[], related=[])
        docs, _, _ = self._candidates(query)
        qp = self._specific(shingle_sets(place_texts([norm], normalised=True), normalised=True)[0])
        docs = self._with_place_candidates(docs, qp)
        overlap = self.scores(query, docs)
        conflict, agree = self._places_compare(qp, query, docs, self._places)
        # Two estates (or schools …) are two places even on one road.
        qf = self._specific(
            shingle_sets(place_texts([norm], normalised=True, fine=True), normalised=True)[0]
        )
        fine_conflict, _ = self._places_compare(qf, query, docs, self._fine)
        conflict |= fine_conflict
        agree &= ~fine_conflict
        values, rows = self._rows(self._matter, docs)
        keys = pm.key_features(pm.matter_keys([norm])[0], values, rows, len(docs))
        prob = pm.score(pm.assemble(overlap, agree, conflict, keys)) if len(docs) else overlap
        is_dup = prob >= pm.THRESHOLD
        is_related = ~is_dup & ((prob >= pm.RELATED_SCORE) | (overlap >= self.related_threshold))
        order = np.lexsort((-prob, ~is_dup))
        duplicates: list[Match] = []
        related: list[Match] = []
        for k in order:
            if not (is_dup[k] or is_related[k]):
                continue
            ident = self._ids[int(docs[k])]
            if exclude is not None and ident == exclude:
                continue
            target = duplicates if is_dup[k] else related
            if len(target) < limit:
                target.append(
                    Match(
                        id=ident,
                        score=round(float(overlap[k]), 4),
                        matter=round(float(prob[k]), 4),
                    )
                )
        return SearchResult(duplicates=duplicates, related=related)

    def _with_place_candidates(self, docs: np.ndarray, qp: np.ndarray) -> np.ndarray:
        """`docs` and the appeals that name one of the query's specific places
        (their place gram is among the appeal's 3-grams), newest first, at
        most `max_candidates` more: residents who tell one matter in their
        own words share the place more than the words."""
        if len(qp) == 0:
            return docs
        found = []
        for seg in self._segments:
            start, df = seg.lookup(qp)
            for j in np.flatnonzero(df):
                found.append(seg.postings[start[j] : start[j] + df[j]])
        if not found:
            return docs
        extra = np.unique(np.concatenate(found).astype(np.int64))[::-1][: self.max_candidates]
        return np.union1d(docs, extra)

    def _places_compare(
        self, qp: np.ndarray, query: np.ndarray, docs: np.ndarray, places: _Ragged
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each stored appeal in `docs`: (conflict, agree). They agree when a
        specific place gram of one is among the other's shingles; they conflict
        when both name specific places and neither names one of the other's."""
        conflict = np.zeros(len(docs), dtype=bool)
        agree = np.zeros(len(docs), dtype=bool)
        if len(docs) == 0:
            return conflict, agree
        # The stored appeals' place grams, end to end; the specific ones kept.
        d_grams, d_row = self._rows(places, docs)
        if len(d_grams):
            unique = np.unique(d_grams)
            specific = self._specific(unique)
            keep = np.isin(d_grams, specific, assume_unique=False)
            d_grams, d_row = d_grams[keep], d_row[keep]
        d_has = np.bincount(d_row, minlength=len(docs)) > 0
        d_in_q = np.zeros(len(docs), dtype=bool)
        if len(d_grams):
            pos = np.minimum(np.searchsorted(query, d_grams), len(query) - 1)
            d_in_q[d_row[query[pos] == d_grams]] = True
        q_in_d = np.zeros(len(docs), dtype=bool)
        if len(qp):
            shingles, row = self._rows(self._shingles, docs)
            pos = np.minimum(np.searchsorted(qp, shingles), len(qp) - 1)
            q_in_d[row[qp[pos] == shingles]] = True
        agree = q_in_d | d_in_q
        conflict = (len(qp) > 0) & d_has & ~agree
        return conflict, agree

    @staticmethod
    def _rows(ragged: _Ragged, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows `docs` of a ragged array end to end, and each value's row number."""
        starts, ends = ragged.ptr[docs], ragged.ptr[docs + 1]
        lengths = ends - starts
        idx = np.repeat(starts - np.cumsum(np.append(0, lengths[:-1])), lengths)
        idx += np.arange(lengths.sum())
        return ragged.buffer[idx], np.repeat(np.arange(len(docs)), lengths)

    def _specific(self, grams: np.ndarray) -> np.ndarray:
        """The place grams held by at most `max_df` of the stored appeals (a
        gram in many appeals is a common phrase, not a place)."""
        if len(grams) == 0:
            return grams
        cap = max(self.max_df_floor, int(self.max_df * len(self._ids)))
        df = np.sum([seg.lookup(grams)[1] for seg in self._segments], axis=0)
        return grams[df <= cap]

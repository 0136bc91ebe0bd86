"""Suggest a category for each appeal, with a confidence; learn from few labels.

Method (fixed configuration, chosen by cross-validation on the labelled
sample during development; see bench/bench_combing.py for the protocol):

1. Features: `features.TextFeatures` (character 1-2 grams of the whole text
   and of its head, TF-IDF; jieba words of the head only with
   ``word_chars > 0``), fitted on every text available: labelled appeals,
   unlabelled appeals and the taxonomy's pseudo-documents. Words are off by
   default: on the labelled sample (5-fold, seed 0) jieba words of the
   first 40 characters gave macro-F1 0.839 against 0.850 without, and
   segmentation would halve the speed (2,300 against 3,900 appeals/s).
2. LSA: a truncated SVD (up to `lsa_dims` components) of the same pool,
   appended to the sparse features. It carries what co-occurs with what in
   the unlabelled appeals (物业 with 小区 and 业委会 …), which few labels
   cannot teach.
3. Taxonomy seeding: every leaf of the category tree (二级分类 + 三级分类
   names, "其他" left out) becomes a short pseudo-document labelled with its
   一级分类 (weight `taxonomy_weight`). With labels, only the categories the
   labels use are seeded: the model never suggests a category no clerk has
   ever used. With no label at all (day one), every 一级分类 of the tree is
   seeded and the model learns from the tree alone.
4. A linear SVM (one-vs-rest, `C`) on the labelled rows and the seeds.
5. Self-training, one round: the model labels the unlabelled appeals; the
   `self_train_per_class` most confident of each category are added with
   weight `self_train_weight`, and the SVM is refitted. Taking the same
   number per category keeps a frequent category from swallowing the rest.
6. Confidence: a softmax of the SVM scores with a temperature fitted by
   3-fold cross-validation on the labelled rows (minimum log-loss), so that a
   confidence of 0.8 is right about 80% of the time on data like the
   training data. Suggestions below `LOW_CONFIDENCE` (0.5: less likely than
   not) are flagged ``low_confidence`` for a clerk to check first. Without
   labels the temperature cannot be fitted and a fixed one is used; those
   confidences only rank suggestions.

Deterministic: every random step has a fixed seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from shishi.combing.features import TextFeatures
from shishi.combing.text import normalise

LOW_CONFIDENCE = 0.5
_DEFAULT_TEMPERATURE = 4.0


@dataclass(frozen=True)
class Suggestion:
    category: str
    confidence: float
    low_confidence: bool


def taxonomy_seeds(
    rows: Sequence[Sequence[str]], *, categories: set[str] | None = None
) -> tuple[list[str], list[str]]:
    """(pseudo-texts, labels) from taxonomy rows (一级, 二级, 三级 …), one per leaf."""
    texts: list[str] = []
    labels: list[str] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        cells = [normalise(c) for c in row if c and str(c).strip()]
        if not cells:
            continue
        top = cells[0]
        if categories is not None and top not in categories:
            continue
        words = [c for c in cells[1:] if c != "其他"]
        text = " ".join(words) if words else top
        if (top, text) in seen:
            continue
        seen.add((top, text))
        texts.append(text)
        labels.append(top)
    return texts, labels


class Classifier:
    """A category suggester: `fit(texts=…, labels=…)` then `predict(texts=…)`."""

    def __init__(
        self,
        *,
        C: float = 0.5,  # noqa: N803 - the usual name for an SVM's regularisation
        use_lsa: bool = True,
        lsa_dims: int = 500,
        taxonomy_weight: float = 1.0,
        self_train_per_class: int = 50,
        self_train_weight: float = 0.5,
        word_chars: int = 0,
        low_confidence: float = LOW_CONFIDENCE,
        calibrate: bool = True,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.use_lsa = use_lsa
        self.lsa_dims = lsa_dims
        self.taxonomy_weight = taxonomy_weight
        self.self_train_per_class = self_train_per_class
        self.self_train_weight = self_train_weight
        self.word_chars = word_chars
        self.low_confidence = low_confidence
        self.calibrate = calibrate
        self.random_state = random_state
        self.temperature = _DEFAULT_TEMPERATURE
        self.classes_: np.ndarray = np.array([], dtype=object)

    # -- features ---------------------------------------------------------

    def _fit_features(self, pool: Sequence[str]) -> None:
        self._features = TextFeatures(word_chars=self.word_chars).fit(pool)
        self._svd = None
        if self.use_lsa:
            from sklearn.decomposition import TruncatedSVD

            x = self._features.transform(pool)
            dims = min(self.lsa_dims, x.shape[0] - 1, x.shape[1] - 1)
            if dims >= 2:
                self._svd = TruncatedSVD(dims, random_state=self.random_state).fit(x)
                self._svd.components_ = self._svd.components_.astype(np.float32)

    def _vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        x = self._features.transform(texts)
        if self._svd is None:
            return x
        z = np.asarray(x @ self._svd.components_.T, dtype=np.float32)
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        z /= np.where(norms > 0, norms, 1)
        return sp.hstack([x, sp.csr_matrix(z)], format="csr")

    # -- training ---------------------------------------------------------

    def _svm(self, x, y, weights):
        from sklearn.svm import LinearSVC

        model = LinearSVC(C=self.C, random_state=self.random_state)
        return model.fit(x, y, sample_weight=weights)

    def _train(self, x_lab, y_lab, x_seed, y_seed, x_unl):
        parts_x = [x_lab, x_seed]
        parts_y = [y_lab, y_seed]
        parts_w = [np.ones(x_lab.shape[0]), np.full(x_seed.shape[0], self.taxonomy_weight)]
        x = sp.vstack(parts_x, format="csr")
        y = np.concatenate(parts_y)
        w = np.concatenate(parts_w)
        model = self._svm(x, y, w)
        if x_unl is not None and x_unl.shape[0] and self.self_train_per_class > 0:
            scores = _scores(model, x_unl)
            best = scores.argmax(axis=1)
            top = scores.max(axis=1)
            chosen = []
            for k in range(len(model.classes_)):
                members = np.flatnonzero(best == k)
                ranked = members[np.argsort(-top[members], kind="stable")]
                chosen.extend(ranked[: self.self_train_per_class])
            chosen = np.array(sorted(chosen), dtype=np.int64)
            if len(chosen):
                x = sp.vstack([x, x_unl[chosen]], format="csr")
                y = np.concatenate([y, model.classes_[best[chosen]]])
                w = np.concatenate([w, np.full(len(chosen), self.self_train_weight)])
                model = self._svm(x, y, w)
        return model

    def fit(
        self,
        *,
        texts: Sequence[str],
        labels: Sequence[str],
        unlabelled: Sequence[str] = (),
        taxonomy: Sequence[Sequence[str]] = (),
    ) -> Classifier:
        """Learn from labelled texts (may be empty if a taxonomy is given).

        `texts` are appeal texts (title and body joined, see
        `text.appeal_text`); `labels` their categories. `unlabelled` texts and
        the `taxonomy` rows (一级分类, 二级分类, 三级分类) help as described in
        the module docstring.
        """
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        pairs = [
            (t, normalise(lab)) for t, lab in zip(texts, labels, strict=True) if normalise(lab)
        ]
        texts_l = [t for t, _ in pairs]
        y_lab = np.array([lab for _, lab in pairs], dtype=object)
        used = set(y_lab.tolist()) if len(y_lab) else None
        seed_texts, seed_labels = taxonomy_seeds(taxonomy, categories=used)
        classes = set(y_lab.tolist()) | set(seed_labels)
        if len(classes) < 2:
            raise ValueError("need at least two categories (from labels or the taxonomy)")
        self._fit_features([*texts_l, *unlabelled, *seed_texts])
        x_lab = self._vectors(texts_l) if texts_l else None
        x_seed = self._vectors(seed_texts) if seed_texts else None
        x_unl = self._vectors(list(unlabelled)) if len(unlabelled) else None
        width = (x_lab if x_lab is not None else x_seed).shape[1]
        empty = sp.csr_matrix((0, width), dtype=np.float32)
        x_lab = x_lab if x_lab is not None else empty
        x_seed = x_seed if x_seed is not None else empty
        y_seed = np.array(seed_labels, dtype=object)
        self._model = self._train(x_lab, y_lab, x_seed, y_seed, x_unl)
        self.classes_ = self._model.classes_
        if self.calibrate and len(y_lab) >= 30:
            self.temperature = self._fit_temperature(x_lab, y_lab, x_seed, y_seed, x_unl)
        return self

    def _fit_temperature(self, x_lab, y_lab, x_seed, y_seed, x_unl) -> float:
        from sklearn.model_selection import StratifiedKFold

        counts = {c: int((y_lab == c).sum()) for c in set(y_lab.tolist())}
        folds = min(3, min(counts.values()))
        if folds < 2:
            return _DEFAULT_TEMPERATURE
        scores = np.zeros((len(y_lab), len(self.classes_)))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(np.zeros(len(y_lab)), y_lab):
            model = self._train(x_lab[train], y_lab[train], x_seed, y_seed, x_unl)
            part = _scores(model, x_lab[test])
            # Align this model's classes with the full model's.
            index = {c: i for i, c in enumerate(model.classes_)}
            for k, c in enumerate(self.classes_):
                scores[test, k] = part[:, index[c]] if c in index else -10.0
        truth = np.array([list(self.classes_).index(c) for c in y_lab])
        grid = np.exp(np.linspace(np.log(0.5), np.log(50), 60))
        losses = [_log_loss(_softmax(scores * t), truth) for t in grid]
        return float(grid[int(np.argmin(losses))])

    # -- prediction -------------------------------------------------------

    def probabilities(self, *, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), len(classes_)) calibrated probabilities."""
        if not len(self.classes_):
            raise RuntimeError("fit() the classifier first")
        if not len(texts):
            return np.zeros((0, len(self.classes_)))
        return _softmax(_scores(self._model, self._vectors(texts)) * self.temperature)

    def predict(self, *, texts: Sequence[str], batch_size: int = 2000) -> list[Suggestion]:
        out: list[Suggestion] = []
        for start in range(0, len(texts), batch_size):
            probs = self.probabilities(texts=texts[start : start + batch_size])
            best = probs.argmax(axis=1)
            for k, p in zip(best, probs[np.arange(len(best)), best], strict=True):
                out.append(
                    Suggestion(str(self.classes_[k]), float(p), bool(p < self.low_confidence))
                )
        return out

    def top_k(self, *, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        probs = self.probabilities(texts=texts)
        order = np.argsort(-probs, axis=1, kind="stable")[:, :k]
        return [
            [(str(self.classes_[j]), float(row[j])) for j in idx]
            for row, idx in zip(probs, order, strict=True)
        ]


def _scores(model, x) -> np.ndarray:
    scores = model.decision_function(x)
    if scores.ndim == 1:  # two classes: sklearn gives one column
        scores = np.column_stack([-scores, scores])
    return scores


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _log_loss(probs: np.ndarray, truth: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(truth)), truth], 1e-12, 1))))

"""The line classifier: per-line features, a first logistic regression, and stacked context stages
(two by default) that read the previous stage's probabilities in a window around each line.

The context stages are what let a teaser block go as a block: a prose-like summary surrounded by
lines the first stage calls boilerplate is pulled down with them, and a related-news box in the
middle of an article does not cut the article in two. Each is trained on out-of-fold probabilities
of the stage before (folds leave whole sites out), so it learns how that stage errs on unseen
sites rather than how it fits the sites it was trained on.

Samples are documents: ``fit(documents, labels)`` takes a sequence of documents (each a sequence of
dump lines) and, for each, one label per line (``"content"``, ``"boilerplate"`` or None for a blank
line); ``predict`` and ``predict_proba`` return one list per document, aligned with its lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler

from .augment import recombine
from ..features.batch import Documents, LineBatch
from ..features.context import context_rows
from ..features.context import stack_feature_names as stack_feature_names
from .transformers import BASE_FEATURES, LineShapeFeatures
from .predictor import BOILERPLATE, CONTENT, Predictor, first_stage_probability
from ..features.shape import markup_rows
from ..text import is_blank, join_kept, split_lines
from .words import CueWordTfidf


def best_threshold(probabilities: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    """The cut on held-out P(content) that maximises character-weighted F1 of the content class."""
    order = np.argsort(-probabilities)
    weights = weights.astype(float)
    true_positive = np.cumsum(weights * y[order])
    kept = np.cumsum(weights)
    precision = true_positive / np.maximum(kept, 1e-9)
    recall = true_positive / max(float((weights * y).sum()), 1e-9)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    best = int(np.argmax(f1))
    below = probabilities[order[best + 1]] if best + 1 < len(order) else 0.0
    return float((probabilities[order[best]] + below) / 2)


def line_targets(labels: Sequence[Sequence[str | None]]) -> np.ndarray:
    """1 for content, 0 for boilerplate, over the non-blank lines of all documents."""
    return np.asarray([label == CONTENT for doc in labels for label in doc if label is not None], dtype=np.int8)


class FirstStage:
    """Scaled shape features plus cue-word TF-IDF, into a logistic regression.

    The word block is multiplied by ``word_weight``: with one C for both blocks, that penalises the
    word weights ``word_weight``² times less than the shape weights. Strong regularisation keeps the
    shape weights from fitting a dozen sites' layouts, while cue words (``Tin liên quan``,
    ``Related``) deserve large weights because they mean the same on every site.
    """

    def __init__(self, C: float, use_words: bool, min_documents: int, word_weight: float = 1.0) -> None:
        self.word_weight = word_weight
        self.C = C
        self.use_words = use_words
        self.min_documents = min_documents

    def _matrix(self, documents: Documents, shape: np.ndarray) -> sp.csr_matrix:
        parts = [sp.csr_matrix(self.scaler_.transform(shape))]
        if self.words_ is not None:
            parts.append(self.words_.transform(documents) * self.word_weight)
        return sp.hstack(parts, format="csr")

    def fit(self, documents: Documents, shape: np.ndarray, y: np.ndarray) -> FirstStage:
        self.scaler_ = StandardScaler().fit(shape)
        self.words_ = CueWordTfidf(min_documents=self.min_documents).fit(documents) if self.use_words else None
        self.classifier_ = LogisticRegression(C=self.C, max_iter=5000, class_weight="balanced")
        self.classifier_.fit(self._matrix(documents, shape), y)
        return self

    def predict_proba(self, documents: Documents, shape: np.ndarray) -> np.ndarray:
        """The logistic regression's P(content), by :func:`~cleaner.predictor.first_stage_probability`
        (which the predictor uses too)."""
        words = None
        if self.words_ is not None and len(shape):
            words = self.words_.transform(documents)
        scaling = (self.scaler_.mean_, self.scaler_.scale_)
        coef, intercept = self.classifier_.coef_[0], self.classifier_.intercept_[0]
        return first_stage_probability(shape, words, scaling, coef, intercept, self.word_weight)


class LineClassifier(BaseEstimator):
    """Classify every line of a dump as content or boilerplate.

    Parameters
    ----------
    C : float
        Inverse regularisation of the first-stage logistic regression. Strong (small C): with pages
        from a dozen sites, a simpler first stage transfers better to sites never seen.
    use_words : bool
        Add word 1-2-gram TF-IDF features of the line to the shape features. They learn cue phrases
        (``Tin liên quan``, ``Related``, ``Share``); see :class:`~cleaner.words.CueWordTfidf`.
    min_documents : int
        A word n-gram is a feature only if it occurs in at least this many training documents.
    word_weight : float
        Scale of the word block against the scaled shape features (see :class:`FirstStage`).
    context_rounds : int
        How many context-reading stages follow the first (0: none). Each reads the previous stage's
        held-out probabilities around every line; a second round lets a decision about a block
        settle after its neighbours' decisions have.
    n_splits : int
        Folds (grouped by site) for the out-of-fold first-stage probabilities the second stage learns
        from; one site per fold when there are fewer sites. More folds train each out-of-fold model
        on more sites, so its errors look more like the final model's on a new site.
    stack_C : float
        Inverse regularisation of the second-stage logistic regression.
    augment : float
        Recombined pages added per training page (see :mod:`cleaner.classifier.augment`); off by default
        because it did not help on held-out sites (the model card measures it).
    random_state : int
        Seed of the augmentation.
    threshold : float or None
        P(content) above which a line is kept; None chooses it by cross-validation in ``fit``.
    stopword_languages : tuple of str
        Languages whose stopwords count in the stopword-density features.
    """

    def __init__(
        self,
        C: float = 0.03,
        use_words: bool = True,
        min_documents: int = 3,
        n_splits: int = 10,
        threshold: float | None = None,
        stopword_languages: tuple[str, ...] = ("vi", "en"),
        stack_C: float = 1.0,
        augment: float = 0.0,
        random_state: int = 0,
        context_rounds: int = 2,
        word_weight: float = 20.0,
    ) -> None:
        self.word_weight = word_weight
        self.context_rounds = context_rounds
        self.augment = augment
        self.stack_C = stack_C
        self.random_state = random_state
        self.C = C
        self.use_words = use_words
        self.min_documents = min_documents
        self.n_splits = n_splits
        self.threshold = threshold
        self.stopword_languages = stopword_languages

    def _new_first_stage(self) -> FirstStage:
        return FirstStage(self.C, self.use_words, self.min_documents, self.word_weight)

    def _fit_first_stage(
        self, documents: list[list[str]], labels: Sequence[Sequence[str | None]], shape: np.ndarray, y: np.ndarray
    ) -> FirstStage:
        """Fit a first stage, on the documents plus recombined ones when ``augment`` > 0."""
        extra_docs, extra_labels = recombine(documents, labels, round(self.augment * len(documents)), self.random_state)
        if extra_docs:
            documents = documents + extra_docs
            shape = np.vstack([shape, self._shape(extra_docs)[0]])
            y = np.concatenate([y, line_targets(extra_labels)])
        return self._new_first_stage().fit(documents, shape, y)

    def _new_second_stage(self) -> LogisticRegression:
        return LogisticRegression(C=self.stack_C, max_iter=5000, class_weight="balanced")

    def _shape(self, documents: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shape features of all non-blank lines, each document's first row (plus the end), and
        which rows are image markup only."""
        return self._shape_of(LineBatch(documents))

    def _shape_of(self, batch: LineBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        shape = self.shape_features_.transform_batch(batch)
        return shape, batch.bounds, markup_rows(shape, batch)

    def fit(
        self,
        documents: Documents,
        labels: Sequence[Sequence[str | None]],
        groups: Sequence[str] | None = None,
    ) -> LineClassifier:
        """Fit on labelled documents; ``groups`` (one per document, e.g. its site) keep the
        out-of-fold folds from mixing pages of one site."""
        documents = [list(doc) for doc in documents]
        _check_aligned(documents, labels)
        y = line_targets(labels)
        if len(set(y.tolist())) < 2:
            raise ValueError("training data needs both content and boilerplate lines")
        self.shape_features_ = LineShapeFeatures(stopword_languages=self.stopword_languages).fit(documents)
        shape, offsets, markup = self._shape(documents)
        self.first_stage_ = self._fit_first_stage(documents, labels, shape, y)
        self.context_stages_: list[LogisticRegression] = []
        self.threshold_ = 0.5 if self.threshold is None else self.threshold
        if self.context_rounds < 1:
            return self
        groups = list(groups) if groups is not None else [str(i) for i in range(len(documents))]
        n_splits = min(self.n_splits, len(set(groups)))
        if n_splits < 2:
            return self
        oof = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=n_splits).split(documents, groups=groups):
            train_rows = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in train])
            test_rows = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in test])
            model = self._fit_first_stage(
                [documents[i] for i in train], [labels[i] for i in train], shape[train_rows], y[train_rows]
            )
            oof[test_rows] = model.predict_proba([documents[i] for i in test], shape[test_rows])
        # Image markup is boilerplate by definition (see is_markup_only): the context stages neither
        # learn from it nor see it in a line's context, so a photo between two paragraphs does not
        # make them look like the end of the article.
        text = ~markup
        line_groups = np.repeat(groups, np.diff(offsets))[text]
        chars = np.expm1(shape[text, BASE_FEATURES.index("chars_log")])
        self.context_stages_ = []
        for _ in range(self.context_rounds):
            stacked = context_rows(oof, shape, offsets, markup)
            self.context_stages_.append(self._new_second_stage().fit(stacked, y[text]))
            # Held-out probabilities of this round: the next round's input and the threshold's basis.
            held_out = cross_val_predict(
                self._new_second_stage(),
                stacked,
                y[text],
                groups=line_groups,
                cv=GroupKFold(n_splits),
                method="predict_proba",
            )[:, 1]
            oof = np.zeros(len(y))
            oof[text] = held_out
        if self.threshold is None:
            # Few sites make the held-out probabilities coarse; keep the cut near the calibrated middle.
            self.threshold_ = float(np.clip(best_threshold(oof[text], y[text], chars), 0.25, 0.75))
        return self

    def predict_proba_nonblank(self, documents: Documents) -> list[np.ndarray]:
        """P(content) of the non-blank lines of each document, by the model's
        :class:`~cleaner.predictor.Predictor` (the one implementation of prediction)."""
        return Predictor.from_estimator(self).predict_proba_nonblank(documents)

    def predict_proba(self, documents: Documents) -> list[list[float | None]]:
        """P(content) for every line of every document; None for blank lines."""
        documents = [list(doc) for doc in documents]
        result = []
        for doc, probabilities in zip(documents, self.predict_proba_nonblank(documents)):
            values = iter(probabilities.tolist())
            result.append([None if is_blank(line) else next(values) for line in doc])
        return result

    def predict(self, documents: Documents, threshold: float | None = None) -> list[list[str | None]]:
        """``"content"``, ``"boilerplate"`` or None (blank) for every line of every document."""
        cut = self.threshold_ if threshold is None else threshold
        return [
            [None if p is None else (CONTENT if p >= cut else BOILERPLATE) for p in doc]
            for doc in self.predict_proba(documents)
        ]

    # Single-document conveniences: what other tools call after ``load_model`` or ``joblib.load``.

    def predict_lines(self, lines: Sequence[str], threshold: float | None = None) -> list[str | None]:
        """``"content"``, ``"boilerplate"`` or None (blank) for each line of one dump."""
        return self.predict([lines], threshold=threshold)[0]

    def predict_proba_lines(self, lines: Sequence[str]) -> list[float | None]:
        """P(content) for each line of one dump; None for blank lines."""
        return self.predict_proba([lines])[0]

    def clean(self, text: str, threshold: float | None = None) -> str:
        """The dump with its boilerplate lines deleted; nothing else is changed."""
        lines = split_lines(text)
        labels = self.predict_lines(lines, threshold=threshold)
        return join_kept(lines, [label == CONTENT for label in labels])


def _check_aligned(documents: Sequence[Sequence[str]], labels: Sequence[Sequence[str | None]]) -> None:
    if len(documents) != len(labels):
        raise ValueError(f"{len(documents)} documents but {len(labels)} label lists")
    for number, (doc, doc_labels) in enumerate(zip(documents, labels)):
        if len(doc) != len(doc_labels):
            raise ValueError(f"document {number}: {len(doc)} lines but {len(doc_labels)} labels")
        for line, label in zip(doc, doc_labels):
            if (label is None) != is_blank(line):
                raise ValueError(f"document {number}: blank lines and only blank lines take the label None")

"""Predicting with a trained model without scikit-learn: what `cleaner predict` loads.

Importing scikit-learn takes about a second (sklearn.base pulls in scipy.stats), most of a short
run's time, and prediction needs none of it: the scaler is ``(x - mean) / scale``, each logistic
regression a product, an intercept and a sigmoid, and the features are cleaner's own numpy code.
A :class:`Predictor` holds a fitted :class:`~cleaner.estimator.LineClassifier`'s numbers as plain
arrays, and is the one implementation of prediction: ``LineClassifier.predict_proba_nonblank``
makes one and calls it, so the two cannot disagree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..features.batch import Documents, LineBatch
from ..features.context import context_inputs, context_probability, context_rows, expit
from ..features.cuewords import CueWords, SparseRows
from ..features.shape import markup_rows, shape_matrix

CONTENT = "content"
BOILERPLATE = "boilerplate"


def first_stage_probability(
    shape: np.ndarray,
    words: SparseRows | Any | None,
    scaling: tuple[np.ndarray, np.ndarray],
    coef: np.ndarray,
    intercept: float,
    word_weight: float,
) -> np.ndarray:
    """The first stage's P(content): a logistic regression on the standardised shape features
    (``scaling``: the scaler's mean and scale) and the word block times ``word_weight``, computed
    block by block, since stacking the dense and the sparse block into one matrix costs more than
    the product. ``coef`` is the regression's weights, shape columns first; ``words`` is
    :class:`~cleaner.cuewords.SparseRows` or a scipy sparse matrix (both multiply alike)."""
    if len(shape) == 0:
        return np.zeros(0)
    mean, scale = scaling
    n_shape = shape.shape[1]
    standardised = shape - mean
    standardised /= scale  # in place: the same values as (shape - mean) / scale, one matrix fewer
    score = standardised @ coef[:n_shape] + intercept
    if words is not None:
        score += (words @ coef[n_shape:]) * word_weight
    return expit(score)


class Predictor:
    """P(content) of every non-blank line, from a fitted LineClassifier's arrays.

    It answers what the workers ask a model (:meth:`predict_proba_nonblank` and ``threshold_``),
    with the same values, bit for bit, as the LineClassifier it was made from.
    """

    def __init__(
        self,
        stopwords: frozenset[str],
        scaling: tuple[np.ndarray, np.ndarray],
        coef: np.ndarray,
        intercept: float,
        word_weight: float,
        words: CueWords | None,
        context_stages: list[tuple[np.ndarray, np.ndarray]],
        threshold: float,
    ) -> None:
        self.stopwords = stopwords
        self.scaling = scaling
        self.coef = coef
        self.intercept = intercept
        self.word_weight = word_weight
        self.words = words
        self.context_stages = context_stages
        self.threshold_ = threshold

    @classmethod
    def from_estimator(cls, model: Any) -> Predictor:
        """The predictor of a fitted :class:`~cleaner.estimator.LineClassifier` (sharing its arrays).

        Raises ValueError if its word features are ones :class:`CueWords` cannot compute.
        """
        first = model.first_stage_
        words = None
        if first.words_ is not None:
            words = first.words_.cue_words()
            if words is None:
                raise ValueError("the model's word vectorizer has settings cleaner's CueWords cannot reproduce")
        return cls(
            stopwords=model.shape_features_.stopwords_,
            scaling=(first.scaler_.mean_, first.scaler_.scale_),
            coef=first.classifier_.coef_[0],
            intercept=first.classifier_.intercept_[0],
            word_weight=first.word_weight,
            words=words,
            context_stages=[(stage.coef_, stage.intercept_) for stage in model.context_stages_],
            threshold=model.threshold_,
        )

    def predict_proba_nonblank(self, documents: Documents) -> list[np.ndarray]:
        """P(content) of the non-blank lines of each document; 0 for lines of image markup only."""
        documents = [list(doc) for doc in documents]
        batch = LineBatch(documents)  # lines stripped and classified once for both feature sets
        shape = shape_matrix(batch, self.stopwords)
        markup = markup_rows(shape, batch)
        words = self.words.rows(batch) if self.words is not None and len(batch) else None
        probabilities = first_stage_probability(shape, words, self.scaling, self.coef, self.intercept, self.word_weight)
        offsets = batch.bounds
        if (~markup).any():
            inputs = context_inputs(shape, offsets, markup)  # the same for every stage
            for coef, intercept in self.context_stages:
                rows = context_rows(probabilities, shape, offsets, markup, inputs)
                probabilities[~markup] = context_probability(rows, coef, intercept)
        probabilities[markup] = 0.0
        return [probabilities[offsets[i] : offsets[i + 1]] for i in range(len(documents))]

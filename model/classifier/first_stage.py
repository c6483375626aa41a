"""The first stage of :class:`~cleaner.classifier.estimator.LineClassifier`: each line's shape
features, scaled, and its cue words (and character n-grams) as TF-IDF, into one logistic
regression; with the stopword lists a model keeps and the line targets it is fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache, partial

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from ..features.batch import LineBatch
from ..features.cuechars import CueChars
from ..features.cuewords import CueWords
from ..features.stopwords import Stopwords
from ..labels import CONTENT
from .predictor import first_stage_parts

Labels = Sequence[Sequence[str | None]]


def line_targets(labels: Labels) -> np.ndarray:
    """1 for content, 0 for boilerplate, over the non-blank lines of all documents."""
    return np.asarray([label == CONTENT for doc in labels for label in doc if label is not None], dtype=np.int8)


@lru_cache(maxsize=8)
def stopword_lists(languages: tuple[str, ...] | None = None) -> Stopwords:
    """stopwordsiso's lists of the given languages (all of them if None).

    Read when a model is fitted and kept in it, so that another stopwordsiso release cannot change
    a saved model's features. Vietnamese is written in syllables separated by spaces, so its
    multi-syllable entries are left out rather than split (see :class:`Stopwords`): their
    syllables are often content words on their own.
    """
    import stopwordsiso

    chosen = sorted(stopwordsiso.langs()) if languages is None else languages
    return Stopwords({language: stopwordsiso.stopwords(language) for language in chosen})


class FirstStage:
    """Scaled shape features plus cue-word TF-IDF, into a logistic regression.

    The word block is multiplied by ``word_weight``: with one C for both blocks, that penalises the
    word weights ``word_weight``² times less than the shape weights. Strong regularisation keeps the
    shape weights from fitting a dozen sites' layouts, while cue words (``Tin liên quan``,
    ``Related``) deserve large weights because they mean the same on every site.

    With ``char_ngrams`` (a range of sizes), a block of character n-grams inside words follows the
    word block (:class:`~cleaner.features.cuechars.CueChars`, n-grams seen in ``char_min_documents``
    pages), its rows times ``char_weight`` and then, with the word block, times ``word_weight``.
    """

    def __init__(
        self,
        *,
        C: float,
        use_words: bool,
        min_documents: int,
        word_weight: float,
        char_ngrams: tuple[int, int] | None = None,
        char_min_documents: int = 5,
        char_weight: float = 0.5,
    ) -> None:
        self.C = C
        self.use_words = use_words
        self.min_documents = min_documents
        self.word_weight = word_weight
        self.char_ngrams = char_ngrams
        self.char_min_documents = char_min_documents
        self.char_weight = char_weight

    def fit(
        self,
        batch: LineBatch,
        shape: np.ndarray,
        y: np.ndarray,
        weights: np.ndarray | None = None,
        page_of: Sequence[int] | None = None,
    ) -> FirstStage:
        """Fit on the batch's lines; ``weights`` (one per line, all of a document's lines alike) make a
        page count as that many pages, in the regression and in the cue words' page counts;
        ``page_of`` (one per document) names the page an excerpt was cut from, for those counts."""
        self.scaler_ = StandardScaler().fit(shape)
        page_weights = None
        if weights is not None and len(weights):
            page_weights = np.ones(batch.bounds.shape[0] - 1)
            page_weights[batch.doc] = weights  # every line of a page has its page's weight
        self.cue_words_ = None
        if self.use_words:
            self.cue_words_ = CueWords.fit(batch, self.min_documents, page_weights=page_weights, page_of=page_of)
        self.cue_chars_ = None
        if self.char_ngrams is not None:
            low, high = self.char_ngrams
            self.cue_chars_ = CueChars.fit(
                batch, self.char_min_documents, (low, high), page_weights=page_weights, page_of=page_of
            )
        parts = [sp.csr_matrix(self.scaler_.transform(shape))]
        if self.cue_words_ is not None:
            parts.append(self.cue_words_.rows(batch).to_csr() * self.word_weight)
        if self.cue_chars_ is not None:
            parts.append(self.cue_chars_.rows(batch).to_csr() * (self.word_weight * self.char_weight))
        self.classifier_ = LogisticRegression(C=self.C, max_iter=5000, class_weight="balanced")
        self.classifier_.fit(sp.hstack(parts, format="csr"), y, sample_weight=weights)
        return self

    @property
    def scaling(self) -> tuple[np.ndarray, np.ndarray]:
        return self.scaler_.mean_, self.scaler_.scale_

    def predict_proba(self, batch: LineBatch, shape: np.ndarray) -> np.ndarray:
        """P(content) of the batch's lines, as the predictor computes it."""
        return self.predict_parts(batch, shape)[0]

    def predict_parts(self, batch: LineBatch, shape: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`predict_proba`, and the cue blocks' part of each line's logit, as the predictor
        computes them (:func:`~cleaner.classifier.predictor.first_stage_parts`)."""
        words = self.cue_words_.rows(batch) if self.cue_words_ is not None and len(shape) else None
        chars = partial(self.cue_chars_.scores, batch) if self.cue_chars_ is not None and len(shape) else None
        coef, intercept = self.classifier_.coef_[0], self.classifier_.intercept_[0]
        return first_stage_parts(shape, words, self.scaling, coef, intercept, self.word_weight, chars, self.char_weight)

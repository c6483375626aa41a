"""The line features as scikit-learn transformers, for training and for pipelines.

All transformers take ``documents``, a sequence of documents, each a sequence of dump lines, and
return one row per non-blank line, in order (blank lines carry no label and get no row). The
computation is :mod:`cleaner.features.shape` (and :mod:`cleaner.features.cuewords` for the word features): it does
not need scikit-learn, so that predicting does not import it.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..features.batch import Documents, LineBatch
from ..features.shape import (
    BASE_FEATURES,
    BLOCK_FEATURES,
    DOCUMENT_FEATURES,
    NEIGHBOUR_FEATURES,
    NEIGHBOUR_OFFSETS,
    is_markup_only,
    shape_feature_names,
    shape_matrix,
    stopword_set,
)
from ..features.slugs import ascii_fold
from .words import CueWordTfidf, NonBlankLines

__all__ = [
    "BASE_FEATURES",
    "BLOCK_FEATURES",
    "DOCUMENT_FEATURES",
    "NEIGHBOUR_FEATURES",
    "NEIGHBOUR_OFFSETS",
    "CueWordTfidf",
    "LineShapeFeatures",
    "NonBlankLines",
    "ascii_fold",
    "is_markup_only",
    "stopword_set",
]


class LineShapeFeatures(TransformerMixin, BaseEstimator):
    """Dense, language-light features of every non-blank line and its context.

    Parameters
    ----------
    stopword_languages : tuple of str
        ISO 639-1 codes whose stopword lists count towards ``stopword_ratio``.

    Attributes
    ----------
    stopwords_ : frozenset of str
        The stopwords of those languages when the transformer was fitted. They are kept with the
        model, so that another stopwordsiso release, with other lists, cannot change the features
        of a saved model, and predicting does not import stopwordsiso.
    """

    def __init__(self, stopword_languages: tuple[str, ...] = ("vi", "en")) -> None:
        self.stopword_languages = stopword_languages

    def fit(self, documents: Documents, y: object = None) -> LineShapeFeatures:
        self.stopwords_ = stopword_set(tuple(self.stopword_languages))
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def transform(self, documents: Documents) -> np.ndarray:
        return self.transform_batch(LineBatch(documents))

    def transform_batch(self, batch: LineBatch) -> np.ndarray:
        """``transform`` of the documents that ``batch`` was made from."""
        check_is_fitted(self, "stopwords_")
        return shape_matrix(batch, self.stopwords_)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(shape_feature_names(), dtype=object)

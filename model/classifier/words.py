"""Word features: TF-IDF of the cue words that recur across pages, computed over a whole batch.

Kept apart from the shape features because it is the one transformer that is fitted to a vocabulary
(sklearn's TfidfVectorizer); the transform itself is :mod:`cleaner.features.cuewords`, which predicting
uses without scikit-learn.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from ..features.batch import Documents, LineBatch
from ..features.cuewords import CueWords
from ..text import is_blank


class NonBlankLines(TransformerMixin, BaseEstimator):
    """Flatten documents into their non-blank lines, the input of a text vectorizer."""

    def fit(self, documents: Documents, y: object = None) -> NonBlankLines:
        return self

    def transform(self, documents: Documents) -> list[str]:
        return [line.strip() for lines in documents for line in lines if not is_blank(line)]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(["line"], dtype=object)


# TfidfVectorizer settings under which CueWordTfidf.transform computes the same matrix itself.
_TFIDF_SETTINGS = {
    "input": "content",
    "analyzer": "word",
    "lowercase": True,
    "preprocessor": None,
    "strip_accents": None,
    "tokenizer": None,
    "token_pattern": r"(?u)\b\w\w+\b",
    "stop_words": None,
    "binary": False,
    "dtype": np.float64,
    "sublinear_tf": True,
    "use_idf": True,
    "norm": "l2",
}


class CueWordTfidf(TransformerMixin, BaseEstimator):
    """Word n-gram TF-IDF of each non-blank line, over words that recur across many documents.

    Boilerplate cues (``Tin liên quan``, ``Đọc nhiều``, ``Related``, ``Share``) recur on every page
    of every site; an article's topical words recur only within its own page. Keeping n-grams seen
    in at least ``min_documents`` training documents lets the model learn the cues without learning
    that today's news topics are content.

    ``transform`` returns exactly what the fitted ``vectorizer_`` (a TfidfVectorizer) returns, but
    counts the n-grams itself, vectorised over the whole batch (see :meth:`transform_batch`):
    TfidfVectorizer tokenises and looks up n-grams line by line in Python.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_documents: int = 4) -> None:
        self.ngram_range = ngram_range
        self.min_documents = min_documents

    def _vectorizer(self, vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(ngram_range=self.ngram_range, sublinear_tf=True, vocabulary=vocabulary)

    def fit(self, documents: Documents, y: object = None) -> CueWordTfidf:
        analyze = self._vectorizer().build_analyzer()
        document_frequency: dict[str, int] = {}
        for lines in documents:
            terms = {term for line in lines if not is_blank(line) for term in analyze(line)}
            for term in terms:
                document_frequency[term] = document_frequency.get(term, 0) + 1
        vocabulary = sorted(t for t, n in document_frequency.items() if n >= self.min_documents)
        self.vectorizer_ = self._vectorizer(vocabulary or ["\0"]).fit(NonBlankLines().transform(documents))
        return self

    def transform(self, documents: Documents) -> Any:
        return self.transform_batch(LineBatch(documents))

    def transform_batch(self, batch: LineBatch) -> Any:
        """``transform`` of the documents that ``batch`` was made from, by :meth:`cue_words`."""
        words = self.cue_words()
        if words is None or not len(batch):  # (the vectorizer raises ValueError for no lines)
            return self.vectorizer_.transform(batch.texts)
        matrix = words.transform_batch(batch)
        return sp.csr_array(matrix) if sklearn.get_config().get("sparse_interface") == "sparray" else matrix

    def cue_words(self) -> CueWords | None:
        """The fitted vocabulary as a :class:`~cleaner.cuewords.CueWords`, which computes the
        vectorizer's rows without it; None if the vectorizer's settings are not those it assumes."""
        return _cue_words(self.vectorizer_)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.vectorizer_.get_feature_names_out()


_CUE_WORDS: weakref.WeakKeyDictionary[TfidfVectorizer, CueWords | None] = weakref.WeakKeyDictionary()


def _cue_words(vectorizer: TfidfVectorizer) -> CueWords | None:
    """The CueWords of a fitted vectorizer (made once per vectorizer, with its n-gram index), or
    None when its settings are not those CueWordTfidf uses, so that only the vectorizer itself can
    transform."""
    if vectorizer not in _CUE_WORDS:
        params = vectorizer.get_params()
        same = all(params[name] == value for name, value in _TFIDF_SETTINGS.items())
        words = CueWords(vectorizer.vocabulary_, vectorizer.idf_, vectorizer.ngram_range) if same else None
        _CUE_WORDS[vectorizer] = words if words is not None and words.usable else None
    return _CUE_WORDS[vectorizer]

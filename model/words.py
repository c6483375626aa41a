"""Word features: TF-IDF of the cue words that recur across pages, computed over a whole batch.

Kept apart from the shape features because it is the one transformer that is fitted to a vocabulary
(sklearn's TfidfVectorizer), and matches it with the hashed n-gram index of :mod:`cleaner.lexicon`.
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
from sklearn.preprocessing import normalize

from cleaner.batch import Documents, LineBatch
from cleaner.lexicon import NgramIndex
from cleaner.text import is_blank


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
        """``transform`` of the documents that ``batch`` was made from.

        The vectorizer's analyzer lower-cases a line and takes its tokens (runs of two or more word
        characters, the token pattern ``\\b\\w\\w+\\b``) and their n-grams; here the tokens of the
        whole batch come from one pass of numpy over its lower-cased text, are looked up in the
        vocabulary's words at once, and n-grams are matched as integer keys. The counts then go
        through the same steps as TfidfVectorizer's (sublinear tf, idf, l2 norm), in the same order.
        """
        vectorizer = self.vectorizer_
        index = _ngram_index(vectorizer)
        if index is None or not len(batch):  # (the vectorizer raises ValueError for no lines)
            return vectorizer.transform(batch.texts)
        starts, ends, line = batch.tokens
        word = index.words.find(batch.lowered.codes, starts, ends - starts)
        rows, columns = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        low, high = vectorizer.ngram_range
        for size, table in index.tables.items():
            if low <= size <= high:
                first, column = table.find(word, line)
                rows.append(line[first])
                columns.append(column)
        n_rows, n_columns = len(batch), len(vectorizer.vocabulary_)
        cells, counts = np.unique(np.concatenate(rows) * n_columns + np.concatenate(columns), return_counts=True)
        indptr = np.searchsorted(cells // n_columns, np.arange(n_rows + 1))
        matrix = sp.csr_matrix(
            (counts.astype(np.float64), (cells % n_columns).astype(np.int32), indptr.astype(np.int32)),
            shape=(n_rows, n_columns),
        )
        np.log(matrix.data, out=matrix.data)  # sublinear tf: 1 + log(count)
        matrix.data += 1.0
        matrix.data *= vectorizer.idf_[matrix.indices]
        matrix = normalize(matrix, norm="l2", copy=False)
        return sp.csr_array(matrix) if sklearn.get_config().get("sparse_interface") == "sparray" else matrix

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.vectorizer_.get_feature_names_out()


_NGRAM_INDEXES: weakref.WeakKeyDictionary[TfidfVectorizer, NgramIndex | None] = weakref.WeakKeyDictionary()


def _ngram_index(vectorizer: TfidfVectorizer) -> NgramIndex | None:
    """The n-gram index of a fitted vectorizer (made once per vectorizer), or None when its settings
    are not those CueWordTfidf uses, so that only the vectorizer itself can transform."""
    if vectorizer not in _NGRAM_INDEXES:
        params = vectorizer.get_params()
        same = all(params[name] == value for name, value in _TFIDF_SETTINGS.items())
        index = NgramIndex(vectorizer.vocabulary_) if same else None
        usable = index is not None and all(table.usable for table in index.tables.values())
        _NGRAM_INDEXES[vectorizer] = index if usable else None
    return _NGRAM_INDEXES[vectorizer]

"""The cue-word TF-IDF rows of a batch of lines, from a fitted vocabulary, without scikit-learn.

:class:`~cleaner.words.CueWordTfidf` fits the vocabulary with scikit-learn's TfidfVectorizer and
transforms with :class:`CueWords`, which holds only what the transform needs (the vocabulary, the
idf weights, the n-gram sizes): predicting (:mod:`cleaner.predictor`) then imports numpy and
scipy.sparse only. The rows are exactly the vectorizer's (the tests compare them bit for bit).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from cleaner.batch import LineBatch
from cleaner.lexicon import NgramIndex


class CueWords:
    """TF-IDF (sublinear tf, idf, l2 norm) of the vocabulary's word n-grams in each line.

    ``vocabulary`` maps each n-gram (words joined by one space) to its column, ``idf`` holds the
    column weights and ``ngram_range`` the n-gram sizes counted, all as a fitted TfidfVectorizer
    with CueWordTfidf's settings has them.
    """

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, ngram_range: tuple[int, int]) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.ngram_range = ngram_range

    @cached_property
    def index(self) -> NgramIndex:
        """The vocabulary's hashed n-gram index, made on first use (not saved: it is rebuilt
        faster than it loads, and its dense tables are large)."""
        return NgramIndex(self.vocabulary)

    @property
    def usable(self) -> bool:
        """Whether every n-gram table can number its cells in int64 (true unless n-grams are long)."""
        return all(table.usable for table in self.index.tables.values())

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("index", None)
        return state

    def transform_batch(self, batch: LineBatch) -> sp.csr_matrix:
        """The TF-IDF rows of the batch's non-blank lines.

        TfidfVectorizer's analyzer lower-cases a line and takes its tokens (runs of two or more word
        characters, the token pattern ``\\b\\w\\w+\\b``) and their n-grams; here the tokens of the
        whole batch come from one pass of numpy over its lower-cased text, are looked up in the
        vocabulary's words at once, and n-grams are matched as integer keys. The counts then go
        through the same steps as TfidfVectorizer's (sublinear tf, idf, l2 norm), in the same order.
        """
        n_rows, n_columns = len(batch), len(self.vocabulary)
        rows, columns = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        if n_rows:
            starts, ends, line = batch.tokens
            word = self.index.words.find(batch.lowered.codes, starts, ends - starts)
            low, high = self.ngram_range
            for size, table in self.index.tables.items():
                if low <= size <= high:
                    first, column = table.find(word, line)
                    rows.append(line[first])
                    columns.append(column)
        cells, counts = np.unique(np.concatenate(rows) * n_columns + np.concatenate(columns), return_counts=True)
        indptr = np.searchsorted(cells // n_columns, np.arange(n_rows + 1))
        matrix = sp.csr_matrix(
            (counts.astype(np.float64), (cells % n_columns).astype(np.int32), indptr.astype(np.int32)),
            shape=(n_rows, n_columns),
        )
        np.log(matrix.data, out=matrix.data)  # sublinear tf: 1 + log(count)
        matrix.data += 1.0
        matrix.data *= self.idf[matrix.indices]
        normalize_rows_l2(matrix)
        return matrix


def normalize_rows_l2(matrix: sp.csr_matrix) -> None:
    """Divide each row of a CSR matrix by its l2 norm, in place, as sklearn's ``normalize`` does.

    Bit for bit: scikit-learn adds a row's squares one after the other, left to right, while numpy's
    sums add in pairs (other roundings). So the squares are added column position by position for
    all rows at once: rows longest first, so that those with a k-th entry are a prefix. Rows of
    zeros are left alone, as sklearn leaves them.
    """
    lengths = np.diff(matrix.indptr)
    order = np.argsort(-lengths, kind="stable")
    longest_first = lengths[order]
    starts = matrix.indptr[:-1][order]
    squares = matrix.data * matrix.data
    sums = np.zeros(len(order))
    width = int(longest_first[0]) if len(order) else 0
    # has[k]: how many rows have a k-th entry (lengths are non-increasing along ``order``)
    has = np.searchsorted(-longest_first, -np.arange(width), side="left")
    for k, rows in enumerate(has.tolist()):
        sums[:rows] += squares[starts[:rows] + k]
    norms = np.empty(len(order))
    norms[order] = np.sqrt(sums)
    norms[norms == 0.0] = 1.0  # x / 1.0 is x: a row of zeros is left as it is
    matrix.data /= np.repeat(norms, lengths)

"""The cue-word TF-IDF rows of a batch of lines, from a fitted vocabulary, without scikit-learn.

:class:`~cleaner.words.CueWordTfidf` fits the vocabulary with scikit-learn's TfidfVectorizer and
transforms with :class:`CueWords`, which holds only what the transform needs (the vocabulary, the
idf weights, the n-gram sizes): predicting (:mod:`cleaner.classifier.predictor`) then imports numpy only.
The rows are exactly the vectorizer's (the tests compare them bit for bit).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .batch import LineBatch
from .lexicon import NgramIndex

if TYPE_CHECKING:
    import scipy.sparse as sp


@dataclass(frozen=True)
class SparseRows:
    """Rows of a sparse matrix in scipy's CSR layout (row i's columns and values are
    ``indices[indptr[i]:indptr[i + 1]]`` and ``data[...]``), without scipy.

    Prediction only needs each row's product with the first stage's weights, and importing
    scipy.sparse costs about 0.15 s of every run's start-up (and of a pool's fork server): so the
    rows stay plain arrays until a scipy matrix is asked for (:meth:`to_csr`, for training and
    scikit-learn).
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_columns: int

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        """Each row times ``weights``, as scipy's ``csr_matrix @ vector`` computes it: the
        products added left to right within each row (see :func:`row_sums`), bit for bit."""
        return row_sums(self.indptr, self.data * weights[self.indices])

    def to_csr(self) -> sp.csr_matrix:
        import scipy.sparse as sp

        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(len(self), self.n_columns))


def row_sums(indptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per CSR row, the sum of its ``values``, added one after the other, left to right, from 0.

    That is how scikit-learn's ``normalize`` sums a row's squares and scipy's CSR product a row's
    products; numpy's sums add in pairs (other roundings). So the values are added column position
    by column position for all rows at once: rows longest first, so that those with a k-th entry
    are a prefix of them.
    """
    lengths = np.diff(indptr)
    order = np.argsort(-lengths, kind="stable")
    longest_first = lengths[order]
    starts = indptr[:-1][order]
    sums = np.zeros(len(order))
    width = int(longest_first[0]) if len(order) else 0
    # has[k]: how many rows have a k-th entry (lengths are non-increasing along ``order``)
    has = np.searchsorted(-longest_first, -np.arange(width), side="left")
    for k, rows in enumerate(has.tolist()):
        sums[:rows] += values[starts[:rows] + k]
    result = np.empty(len(order))
    result[order] = sums
    return result


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
        """The TF-IDF rows of the batch's non-blank lines, as a scipy matrix (see :meth:`rows`)."""
        return self.rows(batch).to_csr()

    def rows(self, batch: LineBatch) -> SparseRows:
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
        indices = (cells % n_columns).astype(np.int32)
        rows = SparseRows(indptr.astype(np.int32), indices, counts.astype(np.float64), n_columns)
        data = rows.data
        np.log(data, out=data)  # sublinear tf: 1 + log(count)
        data += 1.0
        data *= self.idf[rows.indices]
        normalize_rows_l2(rows.indptr, data)
        return rows


def normalize_rows_l2(indptr: np.ndarray, data: np.ndarray) -> None:
    """Divide each row of a CSR matrix (its ``indptr`` and ``data``) by its l2 norm, in place, as
    sklearn's ``normalize`` does, bit for bit: its squares summed by :func:`row_sums`. Rows of
    zeros are left alone, as sklearn leaves them.
    """
    norms = np.sqrt(row_sums(indptr, data * data))
    norms[norms == 0.0] = 1.0  # x / 1.0 is x: a row of zeros is left as it is
    data /= np.repeat(norms, np.diff(indptr))

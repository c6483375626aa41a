"""Cue-word TF-IDF: word n-grams that recur across many pages, fitted and computed over a whole batch.

Boilerplate cues (``Tin liên quan``, ``Đọc nhiều``, ``Related``, ``Share``) recur on every page of
every site; an article's topical words recur only within its own page. :meth:`CueWords.fit` keeps
the n-grams seen in at least ``min_documents`` training pages, so the model learns the cues without
learning that today's news topics are content.

The tokens are those of scikit-learn's ``TfidfVectorizer`` defaults (the lines lower-cased, runs of
two or more word characters, word 1-2-grams) and the weights are its ``sublinear_tf=True`` ones
(``1 + log(count)``, smoothed idf over lines, rows scaled to unit l2 norm); tests compare the two
to a tolerance. Fitting and transforming take the tokens from the same numpy pass over the batch
(:attr:`~cleaner.features.batch.LineBatch.tokens`), so predicting imports neither scikit-learn nor
scipy, and every sum runs within one row, so a line's row never depends on its batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    """Rows of a sparse matrix in CSR layout (row i's columns and values are
    ``indices[indptr[i]:indptr[i + 1]]`` and ``data[...]``), without scipy.

    Prediction only needs each row's product with the first stage's weights, and importing
    scipy.sparse costs about 0.15 s of every run's start-up: so the rows stay plain arrays until a
    scipy matrix is asked for (:meth:`to_csr`, for training).
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_columns: int

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        """Each row times ``weights``: its products summed within the row alone."""
        return row_sums(self.indptr, self.data * weights[self.indices])

    def to_csr(self) -> sp.csr_matrix:
        import scipy.sparse as sp

        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(len(self), self.n_columns))


def row_sums(indptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per CSR row, the sum of its ``values``, each row on its own (so a row's sum never depends
    on the other rows of its batch)."""
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    return np.bincount(rows, weights=values, minlength=len(indptr) - 1)


class CueWords:
    """TF-IDF of the vocabulary's word n-grams in each line.

    Parameters
    ----------
    vocabulary : list of str
        The n-grams (words joined by one space), in column order.
    idf : ndarray of shape (len(vocabulary),)
        The columns' inverse document frequencies.
    ngram_range : (int, int)
        The smallest and largest n-gram sizes counted.
    """

    def __init__(self, vocabulary: list[str], idf: np.ndarray, ngram_range: tuple[int, int] = (1, 2)) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))

    @classmethod
    def fit(
        cls,
        batch: LineBatch,
        min_documents: int,
        ngram_range: tuple[int, int] = (1, 2),
        page_weights: np.ndarray | None = None,
        page_of: Sequence[int] | None = None,
    ) -> CueWords:
        """The n-grams of the batch's lines that occur in at least ``min_documents`` of its
        documents, sorted, with their smoothed idf over lines: ``log((1 + n) / (1 + df)) + 1``.

        ``page_weights`` (one per document) count a page as that many pages, so that a site's menu
        words can be learnt from the one or two pages a user labelled of it, weighted. ``page_of``
        (one per document) names the page a document was cut from, so that an excerpt of a page
        adds nothing to the count: its words are that page's words, not another page's."""
        vocabulary, idf = page_vocabulary(_line_ngrams(batch, ngram_range), batch, min_documents, page_weights, page_of)
        return cls(vocabulary, idf, ngram_range)

    @cached_property
    def index(self) -> NgramIndex:
        """The vocabulary's hashed n-gram index, made on first use (not saved: it is rebuilt
        faster than it loads, and its dense tables are large)."""
        return NgramIndex({term: i for i, term in enumerate(self.vocabulary)})

    def rows(self, batch: LineBatch) -> SparseRows:
        """The TF-IDF rows of the batch's non-blank lines.

        The tokens of the whole batch come from one pass of numpy over its lower-cased text, are
        looked up in the vocabulary's words at once, and n-grams are matched as integer keys; the
        counts then become ``(1 + log(count)) * idf``, each row scaled to unit l2 norm.
        """
        n_rows, n_columns = len(batch), len(self.vocabulary)
        rows, columns = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        if n_rows and n_columns:
            starts, ends, line = batch.tokens
            word = self.index.words.find(batch.lowered.codes, starts, ends - starts)
            low, high = self.ngram_range
            for size, table in self.index.tables.items():
                if low <= size <= high:
                    first, column = table.find(word, line)
                    rows.append(line[first])
                    columns.append(column)
        return tfidf_rows(np.concatenate(rows), np.concatenate(columns), n_rows, self.idf)


def tfidf_rows(rows: np.ndarray, columns: np.ndarray, n_rows: int, idf: np.ndarray) -> SparseRows:
    """The TF-IDF rows of terms found at (``rows``, ``columns``), one pair per occurrence: each
    cell's count becomes ``(1 + log(count)) * idf``, each row scaled to unit l2 norm (scikit-learn's
    ``sublinear_tf=True``, ``norm="l2"``), every sum within its own row."""
    n_columns = len(idf)
    width = max(n_columns, 1)
    # Cell numbers as 32-bit integers when they fit (a batch's lines times its columns nearly always
    # do): the sort that counts them takes half the time of 64-bit ones, for the same cells.
    # (Any: numpy's stubs take either type, not the union of the two.)
    key: Any = np.uint32 if n_rows * width < 2**32 else np.int64
    cells, counts = np.unique(rows.astype(key) * key(width) + columns.astype(key), return_counts=True)
    indptr = np.searchsorted(cells // key(width), np.arange(n_rows + 1, dtype=key)).astype(np.int32)
    indices = (cells % key(width)).astype(np.int32)
    data = np.log(counts.astype(np.float64)) + 1.0
    data *= idf[indices]
    norms = np.sqrt(row_sums(indptr, data * data))
    norms[norms == 0.0] = 1.0
    data /= np.repeat(norms, np.diff(indptr))
    return SparseRows(indptr, indices, data, n_columns)


def page_vocabulary(
    per_line: Sequence[Iterable[str]],
    batch: LineBatch,
    min_documents: int,
    page_weights: np.ndarray | None = None,
    page_of: Sequence[int] | None = None,
) -> tuple[list[str], np.ndarray]:
    """The terms (``per_line``: each of the batch's lines' terms) that occur in at least
    ``min_documents`` pages, sorted, and their smoothed idf over lines, ``log((1 + n) / (1 + df)) + 1``:
    the vocabulary of a cue block (words or character n-grams). ``page_weights`` and ``page_of`` as
    in :meth:`CueWords.fit`."""
    doc = batch.doc.tolist()
    n_documents = batch.bounds.shape[0] - 1
    page = list(range(n_documents)) if page_of is None else list(page_of)
    weight = np.ones(n_documents) if page_weights is None else np.asarray(page_weights, dtype=np.float64)
    weight_of = {page[d]: float(weight[d]) for d in range(n_documents)}
    seen: dict[int, set[str]] = {}
    for row, terms in enumerate(per_line):
        seen.setdefault(page[doc[row]], set()).update(terms)
    pages: dict[str, float] = {}
    for number, unique in seen.items():
        for term in unique:
            pages[term] = pages.get(term, 0.0) + weight_of[number]
    vocabulary = sorted(term for term, n in pages.items() if n >= min_documents)
    column = {term: i for i, term in enumerate(vocabulary)}
    lines = np.zeros(len(vocabulary))
    for terms in per_line:
        for term in set(terms):
            if term in column:
                lines[column[term]] += 1
    return vocabulary, np.log((1.0 + len(per_line)) / (1.0 + lines)) + 1.0


def _line_ngrams(batch: LineBatch, ngram_range: tuple[int, int]) -> list[list[str]]:
    """The word n-grams of each of the batch's lines (the tokens of :attr:`LineBatch.tokens`)."""
    starts, ends, line = batch.tokens
    text = batch.lowered.string
    tokens: list[list[str]] = [[] for _ in range(len(batch))]
    for start, end, row in zip(starts.tolist(), ends.tolist(), line.tolist()):
        tokens[row].append(text[start:end])
    low, high = ngram_range
    return [
        [" ".join(words[i : i + n]) for n in range(low, high + 1) for i in range(len(words) - n + 1)]
        for words in tokens
    ]

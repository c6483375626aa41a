"""The shape matrix: each line's own features, its document's, its neighbours' and its place in the page.

A line alone cannot tell a teaser summary from a body paragraph: both are prose. What differs is
the line's surroundings: a teaser summary sits after a repeated title and a timestamp, far below the
article's longest run of prose; a body paragraph sits inside that run. So besides the line's own
shape (:mod:`cleaner.features.lines`: length, punctuation, stopword density, markup...), every row
carries its neighbours' shape and its place relative to the document's main prose block.

Every function returns one row per non-blank line of a batch, in order (blank lines carry no label
and get no row). The features of a whole batch of documents are computed at once, over its
:class:`~cleaner.features.batch.LineBatch` (see :mod:`cleaner.features.batch` for why), with numpy
only, so that predicting does not import scikit-learn.
"""

from __future__ import annotations

import numpy as np

from .batch import LineBatch
from .lines import BASE_FEATURES, line_matrix
from .segments import document_cumsum
from .stopwords import Stopwords

DOCUMENT_FEATURES = ("doc_blank_ratio", "doc_lines_log")
NEIGHBOUR_FEATURES = (
    "chars_log",
    "ends_terminal",
    "prose_like",
    "is_image",
    "has_time",
    "has_date",
    "stopword_ratio",
    "starts_bracket",
    "same_as_prev",
)
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
BLOCK_FEATURES = (
    "prose_window_3",
    "prose_window_8",
    "prose_chars_before",
    "prose_chars_after",
    "in_main_block",
    "lines_before_main_block_log",
    "lines_after_main_block_log",
)


def _block_matrix(base: np.ndarray, batch: LineBatch) -> np.ndarray:
    """Where each line sits relative to its document's prose: local prose density, the share of
    prose characters before and after it, and its distance to the main prose block (the run of
    prose-like lines, gaps of up to two other lines allowed, with the most prose characters)."""
    n = len(base)
    out = np.zeros((n, len(BLOCK_FEATURES)))
    if n == 0:
        return out
    prose = base[:, BASE_FEATURES.index("prose_like")]
    chars = np.expm1(base[:, BASE_FEATURES.index("chars_log")]) * prose
    first, stop = batch.bounds[:-1][batch.doc], batch.bounds[1:][batch.doc]
    cumulative = np.concatenate([[0.0], np.cumsum(prose)])  # whole numbers: exact across documents
    index = np.arange(n)
    for column, radius in ((0, 3), (1, 8)):
        lo = np.maximum(index - radius, first)
        hi = np.minimum(index + radius + 1, stop)
        out[:, column] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
    # Sums of prose characters (fractional after expm1) document by document, so that a row never
    # depends on the rounding of other documents' sums; for speed, the running sums of all
    # documents at once (see cleaner.features.segments) and Python only for the totals (numpy's pairwise
    # sum of each document alone, which no batched sum reproduces bit for bit) and main blocks.
    bounds = batch.bounds
    documents = np.unique(batch.doc[prose > 0]).tolist()
    totals = np.zeros(len(bounds) - 1)
    with_prose = np.zeros(len(bounds) - 1, dtype=bool)
    with_prose[documents] = True
    block_start = np.full(len(bounds) - 1, -1)
    block_end = np.full(len(bounds) - 1, -1)
    for doc in documents:
        lo, hi = bounds[doc], bounds[doc + 1]
        totals[doc] = chars[lo:hi].sum()
        block_start[doc], block_end[doc] = main_block(prose[lo:hi], chars[lo:hi])
    running = document_cumsum(chars, bounds)
    counted = with_prose[batch.doc]  # the rows of documents with prose
    doc = batch.doc
    place_columns(out[:, 2:], counted, totals[doc], running - chars, chars, block_start[doc], block_end[doc], batch.row)
    return out


def place_columns(
    out: np.ndarray,
    counted: np.ndarray,
    total: np.ndarray,
    before: np.ndarray,
    mass: np.ndarray,
    start: np.ndarray | int,
    end: np.ndarray | int,
    rows: np.ndarray,
) -> None:
    """The last five :data:`BLOCK_FEATURES` of some rows, written into ``out``: the share of their
    document's prose characters before and after each (rows of documents with prose, ``counted``;
    ``total`` their document's, ``before`` and ``mass`` theirs) and where each sits relative to the
    main prose block (``start`` to ``end``, -1 if none; ``rows``: row numbers in the document).
    Shared with cleaner.classifier.windows, which gives a long document's rows a window at a time."""
    total, before, mass = total[counted], before[counted], mass[counted]
    out[counted, 0] = before / total
    out[counted, 1] = (total - before - mass) / total
    found = start >= 0
    out[:, 2] = found & (rows >= start) & (rows <= end)
    out[:, 3] = np.where(found, np.log1p(np.clip(start - rows, 0, None)), 0.0)
    out[:, 4] = np.where(found, np.log1p(np.clip(rows - end, 0, None)), 0.0)


def main_block(prose: np.ndarray, chars: np.ndarray, max_gap: int = 2) -> tuple[int, int]:
    """(first, last) row of the run of prose lines with the most prose characters, or (-1, -1).

    A run goes on across up to ``max_gap`` other lines; its characters are summed in row order.
    """
    best, best_span = 0.0, (-1, -1)
    start, mass, previous = -1, 0.0, -1
    masses = chars.tolist()
    for row in np.flatnonzero(prose).tolist():
        if start < 0 or row - previous - 1 > max_gap:
            start, mass = row, 0.0
        mass += masses[row]
        previous = row
        if mass > best:
            best, best_span = mass, (start, row)
    return best_span


def _neighbour_matrix(base: np.ndarray, batch: LineBatch, out: np.ndarray) -> None:
    """The neighbours' shape, shifted into each row, with an indicator for 'no such neighbour'
    (the neighbour would be outside the document), written into ``out`` (zeros, one block of
    columns per offset)."""
    columns = [BASE_FEATURES.index(name) for name in NEIGHBOUR_FEATURES]
    n, width = len(base), len(columns) + 1
    first, stop = batch.bounds[:-1][batch.doc], batch.bounds[1:][batch.doc]
    shared = base[:, columns]  # the neighbours' columns once, then shifted: not their whole rows
    for block, offset in enumerate(NEIGHBOUR_OFFSETS):
        shifted = out[:, block * width : (block + 1) * width]
        source = np.arange(n) + offset
        missing = (source < first) | (source >= stop)
        # For speed, every row takes the row `offset` away (a slice, not a gather), then the few
        # rows whose neighbour lies outside their document are set back to zeros.
        if offset > 0:
            shifted[: max(n - offset, 0), :-1] = shared[offset:]
        else:
            shifted[-offset:, :-1] = shared[: max(n + offset, 0)]
        shifted[missing, :-1] = 0.0
        shifted[missing, -1] = 1.0


def shape_feature_names() -> list[str]:
    """The names of :func:`shape_matrix`'s columns, in order."""
    neighbours = [
        f"{'prev' if o < 0 else 'next'}{abs(o)}_{name}"
        for o in NEIGHBOUR_OFFSETS
        for name in (*NEIGHBOUR_FEATURES, "missing")
    ]
    return [*BASE_FEATURES, *DOCUMENT_FEATURES, *neighbours, *BLOCK_FEATURES]


def shape_matrix(batch: LineBatch, stopwords: Stopwords, languages: np.ndarray | None = None) -> np.ndarray:
    """The shape features of every non-blank line of the batch: its own, its document's, its
    neighbours' and its place relative to the main prose block.

    Each block of columns is written into one matrix allocated up front: stacking the blocks
    afterwards copied every row of the batch twice more.
    """
    widths = (
        len(BASE_FEATURES),
        len(DOCUMENT_FEATURES),
        len(NEIGHBOUR_OFFSETS) * (len(NEIGHBOUR_FEATURES) + 1),
        len(BLOCK_FEATURES),
    )
    base_end, document_end, neighbour_end, total = np.cumsum(widths).tolist()
    out = np.zeros((len(batch), total))
    base = line_matrix(batch, stopwords, out[:, :base_end], languages)
    blank_ratio = batch.blanks / np.maximum(batch.sizes, 1)
    out[:, base_end:document_end] = np.column_stack([blank_ratio[batch.doc], np.log1p(batch.sizes)[batch.doc]])
    _neighbour_matrix(base, batch, out[:, document_end:neighbour_end])
    out[:, neighbour_end:] = _block_matrix(base, batch)
    return out


def markup_rows(shape: np.ndarray, batch: LineBatch) -> np.ndarray:
    """Which rows of ``shape_matrix(batch, ...)`` are image markup only (see
    cleaner.features.markdown.is_markup_only): of the rows whose ``is_image`` feature says they may
    be, those the batch found so (``LineBatch.markup_only``: its Markdown stripping needs it too)."""
    return (shape[:, BASE_FEATURES.index("is_image")] > 0) & batch.markup_only

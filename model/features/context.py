"""The context stages' features and probabilities: what a stacked stage reads around each line.

Kept apart from :mod:`cleaner.classifier.estimator`, which fits the stages with scikit-learn, so that
predicting (:mod:`cleaner.classifier.predictor`) imports numpy only; both use these functions.
"""

from __future__ import annotations

import numpy as np

from .lines import BASE_FEATURES
from .segments import document_cumsum

STACK_OFFSETS = (-3, -2, -1, 0, 1, 2, 3)
STACK_WINDOWS = (2, 5, 10)
# Own-line facts the second stage may need to overrule the context: image markup inside the
# article is still image markup, and a timestamp between two paragraphs is still a timestamp.
STACK_SHAPE = (
    "chars_log",
    "is_image",
    "has_link",
    "has_time",
    "has_date",
    "same_as_prev",
    "same_as_next",
    "repeats_log",
    "copy_of_earlier",
    "prose_like",
    "ends_ellipsis",
    "starts_bracket",
    "slug_spells_title",
    "heading_prose_after_log",
    "heading_prose_before_log",
)
_STACK_SHAPE_COLUMNS = [BASE_FEATURES.index(name) for name in STACK_SHAPE]
# The page as a whole, read by the context stages of a model fitted with span_share: how much of the
# document's P(content) its best span holds, and how many of its lines. An article's span holds most
# of its page's content; a thread's first post, or its longest, a small part of the thread.
PAGE_FEATURES = ("span_p_share", "span_lines_share")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _stack_rows(probabilities: np.ndarray, own: np.ndarray, bounds: np.ndarray, page: bool = False) -> np.ndarray:
    """Context-stage features of many documents at once (rows ``bounds[d]:bounds[d + 1]`` of
    document d), from first-stage P(content): the logit of each line and of its neighbours, local
    means of P(content), the mean before and after the line, whether the line lies inside the span
    that maximises sum(P - 0.5) (the most likely article span) or how far outside it, and ``own``,
    the rows' :data:`STACK_SHAPE` columns of the shape features, then, if ``page``, the
    :data:`PAGE_FEATURES`. Each document's rows are what computing it alone would give."""
    p = np.asarray(probabilities, dtype=np.float64)
    n = len(p)
    if n == 0:
        return np.zeros((0, len(stack_feature_names()) + page * len(PAGE_FEATURES)))
    sizes = np.diff(bounds)
    doc = np.repeat(np.arange(len(sizes)), sizes)
    first, size = bounds[:-1][doc], sizes[doc]
    # Running sums of P, restarting at 0 for each document as np.cumsum of the document alone
    # would (so rows never depend on other documents' rounding): document d's run, its leading 0
    # included, is cumulative[bounds[d] + d : bounds[d + 1] + d + 1].
    cumulative = np.zeros(n + len(sizes))
    cumulative[np.arange(n) + doc + 1] = document_cumsum(p, bounds)
    spans = [_best_span(p[lo:hi] - 0.5) for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist())]
    start, end = np.asarray(spans, dtype=np.int64).reshape(-1, 2)[doc].T
    rows = np.arange(n) - first  # row number within the document
    return stack_columns(_logit(p), cumulative, own, rows, first, size, first + doc, (start, end), page)


def stack_columns(
    logit: np.ndarray,
    cumulative: np.ndarray,
    own: np.ndarray,
    rows: np.ndarray,
    first: np.ndarray | int,
    size: np.ndarray | int,
    base: np.ndarray | int,
    span: tuple[np.ndarray | int, np.ndarray | int],
    page: bool = False,
) -> np.ndarray:
    """The context-stage rows of some lines: ``rows`` their row numbers in their documents, which
    start at ``first`` in ``logit`` (the logit of every line's P) and hold ``size`` lines; ``base``
    is where each document's run of P starts in ``cumulative`` (its leading 0), ``span`` the
    document's best span, ``own`` the lines' :data:`STACK_SHAPE` columns; ``page``: the
    :data:`PAGE_FEATURES` after them. Shared by a batch of documents and by the windows of one long
    document (cleaner.classifier.windows)."""
    n = len(logit)
    start, end = span
    columns = []
    for offset in STACK_OFFSETS:
        source = rows + offset
        valid = (source >= 0) & (source < size)
        columns.append(np.where(valid, logit[np.clip(first + source, 0, n - 1)], 0.0))
        if offset:
            columns.append((~valid).astype(float))
    for radius in STACK_WINDOWS:
        lo = np.clip(rows - radius, 0, size)
        hi = np.clip(rows + radius + 1, 0, size)
        columns.append((cumulative[base + hi] - cumulative[base + lo]) / (hi - lo))
    columns.append(np.where(rows > 0, cumulative[base + rows] / np.maximum(rows, 1), 0.5))
    after = cumulative[base + size] - cumulative[base + rows + 1]
    columns.append(np.where(rows < size - 1, after / np.maximum(size - 1 - rows, 1), 0.5))
    columns.append(((rows >= start) & (rows <= end)).astype(float))
    columns.append(np.log1p(np.clip(start - rows, 0, None)))
    columns.append(np.log1p(np.clip(rows - end, 0, None)))
    out = np.empty((len(rows), len(columns) + own.shape[1] + page * len(PAGE_FEATURES)))
    for i, column in enumerate(columns):
        out[:, i] = column
    out[:, len(columns) : len(columns) + own.shape[1]] = own
    if page:
        out[:, -2], out[:, -1] = _span_shares(cumulative, base, size, start, end)
    return out


def _span_shares(
    cumulative: np.ndarray,
    base: np.ndarray | int,
    size: np.ndarray | int,
    start: np.ndarray | int,
    end: np.ndarray | int,
) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`PAGE_FEATURES` of each row's document: the share of its P that its best span
    (``start`` to ``end``; none when ``end < start``) holds, and the share of its lines (0 and 0
    without a span; a P share of 0 for a document whose P sums to 0)."""
    found = np.asarray(end >= start)
    last = np.where(found, end, start - 1)  # an empty span sums to 0
    inside = cumulative[base + last + 1] - cumulative[base + start]
    total = cumulative[base + size]
    p_share = np.where(total > 0, inside / np.where(total > 0, total, 1.0), 0.0)
    lines_share = np.where(found, (np.asarray(end) - start + 1) / np.maximum(size, 1), 0.0)
    return p_share, lines_share


def best_span(p: np.ndarray) -> tuple[int, int]:
    """The best span of one document's P (see :func:`_stack_rows`)."""
    return _best_span(p - 0.5)


def logit(p: np.ndarray) -> np.ndarray:
    return _logit(p)


def stack_feature_names() -> list[str]:
    names = []
    for offset in STACK_OFFSETS:
        names.append(f"logit[{offset:+d}]")
        if offset:
            names.append(f"missing[{offset:+d}]")
    names += [f"mean_p[±{r}]" for r in STACK_WINDOWS]
    names += ["mean_p_before", "mean_p_after", "in_best_span", "lines_before_span_log", "lines_after_span_log"]
    return names + list(STACK_SHAPE)


def _best_span(scores: np.ndarray) -> tuple[int, int]:
    """(start, end) of the contiguous run with the largest sum (Kadane); (0, -1) when all <= 0."""
    best, best_span = 0.0, (0, -1)
    running, start = 0.0, 0
    for i, value in enumerate(scores.tolist()):
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, best_span = running, (start, i)
    return best_span


def context_inputs(shape: np.ndarray, offsets: np.ndarray, markup: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the context rows take from the shape features, the same for every context stage: the
    :data:`STACK_SHAPE` columns of the lines that are not image markup, and each document's bounds
    among those lines (rows ``offsets[d]:offsets[d + 1]`` of ``shape`` are document d's). A
    predictor computes them once for all its stages (for speed)."""
    text = ~markup
    document = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    kept = np.bincount(document[text], minlength=len(offsets) - 1)
    # The few shape columns the stage reads, then their rows: not every column of those rows.
    own = shape[:, _STACK_SHAPE_COLUMNS][text]
    return own, np.concatenate([[0], np.cumsum(kept)])


def context_rows(
    probabilities: np.ndarray,
    shape: np.ndarray,
    offsets: np.ndarray,
    markup: np.ndarray,
    inputs: tuple[np.ndarray, np.ndarray] | None = None,
    page: bool = False,
) -> np.ndarray:
    """Context-stage rows of the lines that are not image markup, document by document (rows
    ``offsets[d]:offsets[d + 1]`` of ``probabilities`` and ``shape`` are document d's);
    ``inputs``, if given, is ``context_inputs(shape, offsets, markup)``; ``page``: with the
    :data:`PAGE_FEATURES`."""
    own, bounds = context_inputs(shape, offsets, markup) if inputs is None else inputs
    return _stack_rows(probabilities[~markup], own, bounds, page)


def with_extra_inputs(
    rows: np.ndarray, headers: np.ndarray | None, topics: np.ndarray | None, cues: np.ndarray | None = None
) -> np.ndarray:
    """Context rows followed by the inputs a model may read besides them, in the one order its file
    is saved with (estimator, predictor and windows alike): the post headers' columns
    (:mod:`cleaner.features.headers`), then the topic overlap (:mod:`cleaner.features.topics`),
    then the cue blocks' part of each line's first-stage logit (``cue_logit``)."""
    extra = [block for block in (headers, topics, cues) if block is not None]
    return np.column_stack([rows, *extra]) if extra else rows


# A fitted context stage as plain arrays: its layers, each (weights of shape (inputs, outputs), bias of
# shape (outputs,)), ReLU between two layers, the logistic function after the last (one output). A
# logistic regression is one layer; a small network, two.
Layers = list[tuple[np.ndarray, np.ndarray]]


def context_probability(rows: np.ndarray, layers: Layers) -> np.ndarray:
    """P(content) of a fitted context stage on dense rows: scikit-learn's ``predict_proba(rows)[:, 1]``
    of the LogisticRegression (one layer) or ReLU MLPClassifier (two or more) it was, to rounding
    (see :func:`row_dot`)."""
    values = rows
    for number, (weights, bias) in enumerate(layers):
        values = row_dot(values, weights) + bias
        if number < len(layers) - 1:
            values = np.maximum(values, 0.0)
    return expit(values[:, 0])


def row_dot(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each row of a C-ordered ``matrix`` times ``weights`` (a vector, or a matrix of columns),
    each row's product computed on its own.

    Not ``matrix @ weights``: BLAS picks its kernel (and so its rounding) by the number of rows,
    so a line's score would depend on how many lines share its batch, and the output on the chunk
    size, a worker's retry of one document, or which records ``--resume`` skipped. A stack of
    one-row products is the same call for every row, whatever its batch or its place in it
    (tests/test_predictor.py checks a document alone against it in a batch). For a matrix of
    weights (a context stage's first layer) that is three times as fast as ``einsum``, which made
    6% of ``cleaner predict``'s time (2026-12-05); for a vector, ``einsum`` is as fast.
    """
    if weights.ndim == 1:
        return np.einsum("ij,j->i", matrix, weights)
    return np.matmul(matrix[:, None, :], weights)[:, 0, :]


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``, the formula of ``scipy.special.expit``.

    Not scipy's own: importing scipy.special costs about 0.2 s of every run's start-up (and of a
    pool's fork server). numpy's exp has its own SIMD code, which may round the last bit otherwise
    than the C library's exp that scipy calls, so a result may differ from scipy's by an ulp
    (tests/test_predictor.py bounds it). Below x = -709, exp(-x) overflows to inf and the result is
    0, as scipy's is; above x = 745 it underflows to 0 and the result is 1: neither is an error.
    """
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-x))

"""Per-document work done for all documents at once equals doing each document alone, bit for bit.

cleaner.segments pads a batch's documents into a 2-D array; context._best_spans and
shape._main_blocks find every document's best span and main prose block from running sums. The
references are the per-document code: np.cumsum of the document, and the Python loops
context._best_span (Kadane) and shape._main_block.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner import context, shape
from cleaner.segments import document_cumsum, document_groups, pad

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values with exact ties and exact zero sums (dyadic: every sum is exact), and values that round.
TIED = st.sampled_from([0.0, 0.25, -0.25, 0.5, -0.5, 0.125, -0.375])
ROUNDING = st.floats(-0.5, 0.5, allow_nan=False)
SIZES = st.lists(st.integers(0, 40) | st.sampled_from([0, 1]), max_size=8)


@st.composite
def batches(draw: st.DrawFn, values: st.SearchStrategy[float]) -> tuple[np.ndarray, np.ndarray]:
    """(values, bounds) of random documents, empty and one-line ones included."""
    sizes = draw(SIZES)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return np.array(draw(st.lists(values, min_size=int(bounds[-1]), max_size=int(bounds[-1]))), dtype=float), bounds


@PROPERTY
@given(batches(ROUNDING | TIED), st.sampled_from([1, 7, 40, 1 << 19]))
@example((np.zeros(0), np.array([0])), 1)
@example((np.zeros(0), np.array([0, 0, 0])), 1)
def test_document_cumsum_is_each_documents_cumsum(batch: tuple[np.ndarray, np.ndarray], max_cells: int) -> None:
    values, bounds = batch
    expected = np.concatenate([np.zeros(0), *(np.cumsum(values[a:b]) for a, b in pairwise(bounds))])
    np.testing.assert_array_equal(document_cumsum(values, bounds, max_cells), expected)


@given(SIZES, st.sampled_from([1, 5, 30, 1000]))
def test_document_groups_cover_every_document_once_within_the_cap(sizes: list[int], max_cells: int) -> None:
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    groups = list(document_groups(bounds, max_cells))
    assert sorted(np.concatenate([np.zeros(0, int), *groups]).tolist()) == list(range(len(sizes)))
    for group in groups:
        longest = max(sizes[d] for d in group)
        assert len(group) == 1 or len(group) * longest <= max_cells


def test_a_long_document_is_padded_alone() -> None:
    """One 100,000-line document among short ones does not pad the short ones to its length."""
    sizes = [3] * 127 + [100_000]
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    values = np.arange(bounds[-1], dtype=float)
    cells = [pad(values, bounds, group).grid.size for group in document_groups(bounds)]
    assert sum(cells) == 127 * 3 + 100_000


@PROPERTY
@given(batches(ROUNDING | TIED))
@example((np.array([0.25, -0.25, 0.25]), np.array([0, 3])))  # a run summing to exactly 0 restarts
@example((np.array([0.25, 0.0, -0.5, 0.25, 0.0]), np.array([0, 5])))  # equal best sums: the first
@example((np.array([-0.5, -0.25]), np.array([0, 2])))  # nothing positive
def test_best_spans_are_kadanes(batch: tuple[np.ndarray, np.ndarray]) -> None:
    scores, bounds = batch
    expected = [context._best_span(scores[a:b]) for a, b in pairwise(bounds)]
    assert [tuple(span) for span in context._best_spans(scores, bounds).tolist()] == expected


def test_best_spans_of_probabilities_are_kadanes() -> None:
    """Near ties of rounded sums: P(content) minus 0.5 of long documents."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        sizes = rng.integers(0, 400, rng.integers(1, 30))
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        scores = rng.random(bounds[-1]) - 0.5
        expected = [context._best_span(scores[a:b]) for a, b in pairwise(bounds)]
        assert [tuple(span) for span in context._best_spans(scores, bounds).tolist()] == expected


@st.composite
def prose_batches(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(prose, chars, bounds): prose flags and their lines' characters, as shape._block_matrix has them."""
    sizes = draw(SIZES)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(bounds[-1])
    prose = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=float)
    lengths = st.sampled_from([1, 2, 3, 40]) | st.integers(1, 2000)  # small ones tie
    chars = np.expm1(np.log1p(np.array(draw(st.lists(lengths, min_size=n, max_size=n)), dtype=float))) * prose
    return prose, chars, bounds


@PROPERTY
@given(prose_batches())
@example((np.array([1.0, 0, 0, 1, 0, 0, 0, 1]), np.array([5.0, 0, 0, 5, 0, 0, 0, 10]), np.array([0, 8])))
@example((np.array([1.0, 0, 0, 0, 1]), np.array([7.0, 0, 0, 0, 7]), np.array([0, 2, 5])))
def test_main_blocks_are_the_loops(batch: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    prose, chars, bounds = batch
    running = document_cumsum(chars, bounds)
    totals = np.array([chars[a:b].sum() for a, b in pairwise(bounds)])
    first, last = shape._main_blocks(prose, chars, running, totals, bounds)
    expected = [shape._main_block(prose[a:b], chars[a:b]) for a, b in pairwise(bounds)]
    assert list(zip(first.tolist(), last.tolist())) == expected

"""Per-document running sums done for all documents at once equal each document's own, bit for bit.

cleaner.features.segments pads a batch's documents into a 2-D array; the reference is np.cumsum of each
document alone.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.features.segments import document_cumsum, document_groups, pad

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

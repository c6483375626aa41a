"""Per-document numpy over a batch: the documents' rows padded side by side into one 2-D array.

A batch holds the rows of many documents, document d's being ``bounds[d]:bounds[d + 1]``. Some
features are running sums within each document (np.cumsum of the document alone, so that a row
never depends on other documents' rounding), and computing them in a Python loop over the
documents costs a few numpy calls per document, a large share of a batch of short pages. Padded
into a (documents x longest) array, one ``np.cumsum(axis=1)`` does them all, with each document's
rounding unchanged: an accumulation runs sequentially along its axis, and the padding comes after
a document's last row.

The padding costs memory, so documents are padded in groups of at most :data:`MAX_CELLS` cells
(a document longer than that is a group alone, no bigger than the document itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

# At most this many cells (8 bytes each) in one padded group: 4 MB, whatever the documents' lengths.
MAX_CELLS = 1 << 19


class Padded(NamedTuple):
    """A group of documents as the rows of ``grid``: the group's i-th document is row i, its values
    first, then padding. Line ``lines[k]`` of the batch is cell ``cells[k]`` of ``grid.ravel()``."""

    lines: np.ndarray
    cells: np.ndarray
    grid: np.ndarray


def document_groups(bounds: np.ndarray, max_cells: int = MAX_CELLS) -> Iterator[np.ndarray]:
    """The documents of ``bounds`` in groups of at most ``max_cells`` padded cells.

    Usually one group, all documents in order. Otherwise documents go shortest first, so that a
    group pads its documents to about their own length, and a document too long for any company
    is a group alone.
    """
    sizes = np.diff(bounds)
    if len(sizes) == 0:
        return
    if len(sizes) * int(sizes.max()) <= max_cells:
        yield np.arange(len(sizes))
        return
    order = np.argsort(sizes, kind="stable")
    begin = 0
    for end, size in enumerate(sizes[order].tolist()):
        # Sorted by length, so the group's longest is its newest: does it still fit?
        if end > begin and (end + 1 - begin) * size > max_cells:
            yield order[begin:end]
            begin = end
    yield order[begin:]


def pad(values: np.ndarray, bounds: np.ndarray, documents: np.ndarray, fill: float = 0.0) -> Padded:
    """The rows of ``documents`` (indices into ``bounds``) of the 1-D ``values``, as a padded grid."""
    sizes = np.diff(bounds)[documents]
    width = int(sizes.max()) if len(sizes) else 0
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)  # where each one starts in `lines`
    position = np.arange(int(sizes.sum()))
    lines = position + np.repeat(bounds[documents] - offsets, sizes)
    cells = position + np.repeat(np.arange(len(sizes)) * width - offsets, sizes)
    grid = np.full(len(sizes) * width, fill, dtype=np.float64)
    grid[cells] = values[lines]
    return Padded(lines, cells, grid.reshape(len(sizes), width))


def document_cumsum(values: np.ndarray, bounds: np.ndarray, max_cells: int = MAX_CELLS) -> np.ndarray:
    """``np.cumsum(values[bounds[d]:bounds[d + 1]])`` of every document d, in one array of the shape
    of ``values``, equal bit for bit to the cumsum of each document alone."""
    if len(bounds) == 2 and bounds[0] == 0 and bounds[1] == len(values):
        return np.cumsum(values, dtype=np.float64)  # one document (a long one's windows): no padded copies
    out = np.zeros(len(values))
    for documents in document_groups(bounds, max_cells):
        padded = pad(values, bounds, documents)
        # Zeros after each document's end: they change none of its sums.
        out[padded.lines] = np.cumsum(padded.grid, axis=1).ravel()[padded.cells]
    return out

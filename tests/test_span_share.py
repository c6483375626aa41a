"""The page's span shares (features.context.PAGE_FEATURES), by hand and per document (a model that
reads them: tests/test_extra_inputs.py)."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.features.context import PAGE_FEATURES, STACK_SHAPE, _stack_rows, stack_feature_names


def shares(documents: list[list[float]]) -> np.ndarray:
    """The PAGE_FEATURES columns of the context rows of documents given by their P."""
    p = np.concatenate([np.asarray(doc, float) for doc in documents])
    bounds = np.concatenate([[0], np.cumsum([len(doc) for doc in documents])])
    rows = _stack_rows(p, np.zeros((len(p), 0)), bounds, page=True)
    assert rows.shape[1] == len(stack_feature_names()) - len(STACK_SHAPE) + len(PAGE_FEATURES)  # no own columns
    return rows[:, -len(PAGE_FEATURES) :]


def test_shares_by_hand() -> None:
    # P - 0.5 is -0.4, 0.4, 0.3, -0.3, 0.2: the best span is rows 1-2 (0.7; with rows 3-4, 0.6).
    got = shares([[0.1, 0.9, 0.8, 0.2, 0.7]])
    assert got == pytest.approx(np.tile([(0.9 + 0.8) / 2.7, 2 / 5], (5, 1)))


def test_each_document_has_its_own_and_none_without_a_span() -> None:
    article = [0.9, 0.95, 0.9, 0.1]
    thread = [0.8, 0.1, 0.1, 0.7, 0.1, 0.1, 0.6]
    alone = shares([thread])
    assert alone[0] == pytest.approx([0.8 / 2.5, 1 / 7])
    together = shares([article, thread, [0.2, 0.3]])
    assert np.array_equal(together[4:11], alone)
    assert together[0] == pytest.approx([2.75 / 2.85, 3 / 4])
    assert together[11:].tolist() == [[0.0, 0.0], [0.0, 0.0]]  # no line above 0.5: no span

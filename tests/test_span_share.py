"""The page's span shares (features.context.PAGE_FEATURES) and a model whose context stages read
them (LineClassifier(span_share=True)): by hand, per document, in the model file and in windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import Labelled, fit_on

from cleaner.classifier import windows
from cleaner.classifier.format import EXTENDED_FORMAT, load_model, read_manifest
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


@pytest.fixture(scope="module")
def span_model(seed_documents: list[Labelled], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("span") / "span.npz"
    fit_on(seed_documents, span_share=True).save(path)
    return path


def test_a_span_model_is_saved_in_the_extended_format_and_predicts_as_fitted(
    seed_documents: list[Labelled], span_model: Path
) -> None:
    manifest = read_manifest(span_model)
    assert manifest["format"] == EXTENDED_FORMAT and manifest["span_share"] is True
    assert "topic_overlap" not in manifest
    loaded = load_model(span_model)
    inputs = len(stack_feature_names()) + len(PAGE_FEATURES)
    assert loaded.span_share and all(layers[0][0].shape[0] == inputs for layers in loaded.context_stages)
    probe = [doc.lines for doc in seed_documents]
    assert loaded.predict_proba(probe) == fit_on(seed_documents, span_share=True).predict_proba(probe)
    loaded.span_share = False  # the stages would read other inputs
    with pytest.raises(ValueError):
        loaded.predict_proba(probe)


def test_a_span_model_scores_long_pages_in_windows_as_whole(seed_documents: list[Labelled], span_model: Path) -> None:
    loaded = load_model(span_model)
    joined = [line for doc in seed_documents for line in doc.lines]
    for lines in (seed_documents[0].lines, joined):
        expected = loaded._predict_batch([lines])[0]
        for window in (3, 50):
            assert np.array_equal(windows.predict_long(loaded, lines, window=window), expected), window


def test_both_extra_inputs_load_together(seed_documents: list[Labelled], tmp_path: Path) -> None:
    path = tmp_path / "both.npz"
    fitted = fit_on(seed_documents, span_share=True, topic_overlap=True)
    fitted.save(path)
    manifest = read_manifest(path)
    assert manifest["span_share"] is True and manifest["topic_overlap"] is True
    loaded = load_model(path)
    assert loaded.context_stages[0][0][0].shape[0] == len(stack_feature_names()) + len(PAGE_FEATURES) + 1
    probe = [doc.lines for doc in seed_documents]
    assert loaded.predict_proba(probe) == fitted.predict_proba(probe)

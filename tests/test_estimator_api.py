"""cleaner.classifier.estimator.LineClassifier: shapes, alignment, consistency between its methods."""

from __future__ import annotations

import pytest
from conftest import Labelled
from sklearn.base import clone
from support import non_blank, output_lines

from cleaner.classifier.estimator import BOILERPLATE, CONTENT, LineClassifier
from cleaner.text import is_blank, split_lines

MIXED = ["Trang chủ | Đăng nhập", "", "Tiêu đề bài viết", "  ", "\t", "Nội dung chính của bài viết.", ""]


def test_predict_is_aligned_with_lines(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    documents = [doc.lines for doc in seed_documents] + [MIXED, [], ["", " "]]
    predictions = trained_model.predict(documents)
    assert len(predictions) == len(documents)
    for lines, labels in zip(documents, predictions):
        assert len(labels) == len(lines)
        for line, label in zip(lines, labels):
            assert (label is None) == is_blank(line)
            assert label in (None, CONTENT, BOILERPLATE)


def test_predict_proba_is_aligned_and_bounded(trained_model: LineClassifier) -> None:
    (scores,) = trained_model.predict_proba([MIXED])
    assert len(scores) == len(MIXED)
    for line, score in zip(MIXED, scores):
        if is_blank(line):
            assert score is None
        else:
            assert isinstance(score, float)
            assert 0.0 <= score <= 1.0


def test_predict_follows_proba_and_threshold(trained_model: LineClassifier, sample_document: Labelled) -> None:
    assert 0.0 <= trained_model.threshold_ <= 1.0
    scores = trained_model.predict_proba_lines(sample_document.lines)
    labels = trained_model.predict_lines(sample_document.lines)
    for score, label in zip(scores, labels):
        if score is not None:
            assert label == (CONTENT if score >= trained_model.threshold_ else BOILERPLATE)


def test_explicit_threshold(trained_model: LineClassifier, sample_document: Labelled) -> None:
    assert set(trained_model.predict_lines(sample_document.lines, threshold=0.0)) <= {CONTENT, None}
    assert trained_model.predict_lines(MIXED, threshold=0.0).count(CONTENT) == len(non_blank(MIXED))


def test_single_document_helpers_match_batch(trained_model: LineClassifier, sample_document: Labelled) -> None:
    lines = sample_document.lines
    assert trained_model.predict_lines(lines) == trained_model.predict([lines])[0]
    assert trained_model.predict_proba_lines(lines) == trained_model.predict_proba([lines])[0]
    assert trained_model.predict_lines(tuple(lines)) == trained_model.predict_lines(lines)


def test_documents_do_not_influence_each_other(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    together = trained_model.predict_proba([doc.lines for doc in seed_documents[:3]])
    for doc, scores in zip(seed_documents[:3], together):
        assert scores == pytest.approx(trained_model.predict_proba_lines(doc.lines))


def test_clean_keeps_exactly_the_predicted_content(trained_model: LineClassifier, sample_document: Labelled) -> None:
    text = sample_document.text
    labels = trained_model.predict_lines(split_lines(text))
    cleaned = output_lines(trained_model.clean(text))
    expected = [line for line, label in zip(split_lines(text), labels) if label == CONTENT]
    assert non_blank(cleaned) == expected
    assert 0 < len(expected) < len(non_blank(sample_document.lines))


def test_clean_threshold(trained_model: LineClassifier, sample_document: Labelled) -> None:
    cleaned = output_lines(trained_model.clean(sample_document.text, threshold=0.0))
    assert non_blank(cleaned) == non_blank(sample_document.lines)


@pytest.mark.parametrize("text", ["", "\n", "  \n\t\n", "\r\n\r\n"])
def test_clean_of_blank_dumps(trained_model: LineClassifier, text: str) -> None:
    assert trained_model.clean(text) == ""


def test_threshold_parameter_is_used(seed_documents: list[Labelled]) -> None:
    small = seed_documents[1:3]
    model = LineClassifier(n_splits=2, threshold=0.8).fit([d.lines for d in small], [d.labels for d in small])
    assert model.threshold_ == pytest.approx(0.8)


def test_fit_is_deterministic(seed_documents: list[Labelled]) -> None:
    small = seed_documents[1:3]

    def fitted() -> LineClassifier:
        return LineClassifier(n_splits=2).fit(
            [d.lines for d in small], [d.labels for d in small], groups=[d.name for d in small]
        )

    first, second = fitted(), fitted()
    probe = [doc.lines for doc in seed_documents]
    assert first.predict_proba(probe) == second.predict_proba(probe)
    assert first.threshold_ == second.threshold_


def test_is_a_scikit_learn_estimator() -> None:
    model = LineClassifier(n_splits=2, C=0.5)
    copy = clone(model)
    assert copy.get_params()["n_splits"] == 2
    assert copy.get_params()["C"] == 0.5


@pytest.mark.parametrize(
    ("documents", "labels"),
    [
        ([["a", "b"]], []),  # fewer label lists than documents
        ([["a", "b"]], [["content"], ["boilerplate"]]),  # more label lists
        ([["a", "b"]], [["content"]]),  # fewer labels than lines
        ([["a", "b"]], [["content", "boilerplate", None]]),  # more labels than lines
        ([["a", "", "b"]], [["content", "boilerplate", "content"]]),  # a label on a blank line
        ([["a", "b", "c"]], [["content", None, "boilerplate"]]),  # None on a non-blank line
    ],
)
def test_fit_rejects_misaligned_labels(documents: list[list[str]], labels: list[list[str | None]]) -> None:
    with pytest.raises(ValueError):
        LineClassifier(n_splits=2).fit(documents, labels)


def test_fit_needs_both_classes() -> None:
    with pytest.raises(ValueError):
        LineClassifier(n_splits=2).fit([["a", "b"], ["c"]], [[CONTENT, CONTENT], [CONTENT]])

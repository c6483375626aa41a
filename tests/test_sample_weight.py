"""Document weights in training: what `cleaner train` gives the user's own pages, and what
`cleaner evaluate --adapt` varies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import Labelled

from cleaner.classifier.estimator import LineClassifier
from cleaner.features.batch import LineBatch
from cleaner.features.cuewords import CueWords
from cleaner.training.labels import LabelledDocument, load_labelled_dir
from cleaner.training.train import USER_WEIGHT, user_weights


def fit(documents: list[Labelled], weights: list[float] | None) -> LineClassifier:
    return LineClassifier(n_splits=2).fit(
        [doc.lines for doc in documents],
        [doc.labels for doc in documents],
        groups=[doc.site for doc in documents],
        sample_weight=weights,
    )


def test_weights_of_one_are_no_weights(seed_documents: list[Labelled], trained_model: LineClassifier) -> None:
    weighted = fit(seed_documents, [1.0] * len(seed_documents))
    lines = [doc.lines for doc in seed_documents]
    for ours, theirs in zip(weighted.predict_proba_nonblank(lines), trained_model.predict_proba_nonblank(lines)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


def test_a_weighted_page_counts_as_that_many_pages_for_cue_words() -> None:
    documents = [["Đọc nhiều hôm nay", "Một đoạn văn."], ["Khác hẳn", "Nội dung."], ["Lại khác", "Bài viết."]]
    batch = LineBatch(documents)
    assert "đọc" not in CueWords.fit(batch, min_documents=3).vocabulary
    weighted = CueWords.fit(batch, min_documents=3, page_weights=np.array([3.0, 1.0, 1.0]))
    assert "đọc nhiều" in weighted.vocabulary
    assert CueWords.fit(batch, 3, page_weights=np.ones(3)).vocabulary == CueWords.fit(batch, 3).vocabulary


def test_excerpts_of_a_page_count_as_that_page_for_cue_words() -> None:
    page = ["Đọc nhiều hôm nay", "Một đoạn văn."]
    documents = [page, ["Khác hẳn", "Nội dung."], page[:1], page[:1]]  # the last two cut from the first
    batch = LineBatch(documents)
    assert "đọc nhiều" in CueWords.fit(batch, min_documents=3).vocabulary
    assert "đọc nhiều" not in CueWords.fit(batch, min_documents=3, page_of=[0, 1, 0, 0]).vocabulary
    weights = np.array([3.0, 1.0, 3.0, 3.0])  # a weighted page counts its weight once, not once per excerpt
    assert "đọc nhiều" in CueWords.fit(batch, 3, page_weights=weights, page_of=[0, 1, 0, 0]).vocabulary
    assert "đọc nhiều" not in CueWords.fit(batch, 4, page_weights=weights, page_of=[0, 1, 0, 0]).vocabulary
    assert "đọc nhiều" in CueWords.fit(batch, 4, page_weights=weights).vocabulary


def test_weighting_a_page_moves_the_model_towards_it(seed_documents: list[Labelled]) -> None:
    weights = [1.0] * len(seed_documents)
    weights[-1] = 20.0
    heavy, plain = fit(seed_documents, weights), fit(seed_documents, None)
    target = seed_documents[-1]
    y = np.array([label == "content" for label in target.labels if label is not None])

    def log_loss(model: LineClassifier) -> float:
        p = np.clip(model.first_stage_.predict_proba(LineBatch([target.lines]), _shape(model, target)), 1e-9, 1 - 1e-9)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    assert log_loss(heavy) < log_loss(plain)


def _shape(model: LineClassifier, doc: Labelled) -> np.ndarray:
    from cleaner.features.shape import shape_matrix

    return shape_matrix(LineBatch([doc.lines]), model.stopwords_)


@pytest.mark.parametrize("weights", [[1.0, 1.0], [1.0] * 4 + [0.0], [1.0] * 4 + [float("nan")]])
def test_bad_weights_are_refused(seed_documents: list[Labelled], weights: list[float]) -> None:
    with pytest.raises(ValueError, match="sample_weight"):
        fit(seed_documents, weights)


def test_only_the_users_pages_are_weighted() -> None:
    documents = [LabelledDocument("a", ["x"], ["content"], origin=origin) for origin in ("seed", "user", "written")]
    assert user_weights(documents, 5.0) == [1.0, 5.0, 1.0]
    assert user_weights(documents[::2], 5.0) is None  # no page of the user's: nothing to weigh
    assert user_weights(documents, 1.0) is None
    expected = None if USER_WEIGHT == 1.0 else [1.0, USER_WEIGHT, 1.0]
    assert user_weights(documents) == expected


def user_labels(labels_dir: Path, directory: Path) -> Path:
    """Two seed pages in a labels folder of their own, the second of them the user's."""
    directory.mkdir()
    rows = ["name,site,language,origin"]
    for name, origin in (("seed-thoidai-000", "seed"), ("seed-baoquocte-003", "user")):
        (directory / f"{name}.tsv").write_bytes((labels_dir / f"{name}.tsv").read_bytes())
        rows.append(f"{name},{name.split('-')[1]}.vn,vi,{origin}")
    (directory / "manifest.csv").write_text("\n".join(rows) + "\n")
    return directory


def test_train_cross_validates_with_the_weights_it_fits_with(
    labels_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cross-validation ``cleaner train`` records weighs the user's pages as the saved model's
    fit does (it once weighed them in the fit only)."""
    from cleaner.training import train as training

    seen: list[list[float] | None] = []

    def cross_validated(  # type: ignore[no-untyped-def]
        documents, make_estimator, n_jobs=1, folds=10, weights=None, **progress
    ):
        seen.append(weights)
        raise KeyboardInterrupt  # what was asked is known; no fit needed

    monkeypatch.setattr(training, "cross_validated_predictions", cross_validated)
    directory = user_labels(labels_dir, tmp_path / "labels")
    with pytest.raises(KeyboardInterrupt):
        training.train(directory, tmp_path / "m.npz", user_weight=4.0)
    with pytest.raises(KeyboardInterrupt):
        training.train(directory, tmp_path / "m.npz")
    assert seen == [[1.0, 4.0], user_weights(load_labelled_dir(directory))]


def test_evaluate_cross_validates_with_the_weights_train_fits_with(
    labels_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cleaner evaluate --user-weight`` scores the model ``cleaner train --user-weight`` makes: it
    had no such option, and cross-validated every page at weight 1."""
    from typer.testing import CliRunner

    from cleaner.cli import app
    from cleaner.training import report

    seen: list[list[float] | None] = []

    class Asked(Exception):
        """What was asked is known; no fit needed."""

    def cross_validated(documents, make_estimator, n_jobs=1, folds=10, weights=None, **progress):  # type: ignore[no-untyped-def]
        seen.append(weights)
        raise Asked

    monkeypatch.setattr(report, "cross_validated_predictions", cross_validated)
    directory = user_labels(labels_dir, tmp_path / "labels")
    for extra in (["--user-weight", "4"], []):
        result = CliRunner().invoke(app, ["evaluate", "--labels", str(directory), "--folds", "2", *extra])
        assert isinstance(result.exception, Asked), result.output
    assert seen == [[1.0, 4.0], user_weights(load_labelled_dir(directory))]

"""A model with a character n-gram block (LineClassifier's char_ngrams): fitted, saved, loaded,
and predicting as the estimator does, in a batch and in windows; files without one are unchanged."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import Labelled, fit_on

from cleaner.classifier import windows
from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.format import CHARS_FORMAT, MODEL_FORMAT, ModelError, load_model, read_manifest
from cleaner.features.batch import LineBatch
from cleaner.features.shape import shape_matrix


@pytest.fixture(scope="module")
def char_model(seed_documents: list[Labelled]) -> LineClassifier:
    return fit_on(seed_documents, char_ngrams=(3, 5), char_min_documents=2)


@pytest.fixture(scope="module")
def char_path(char_model: LineClassifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chars") / "chars.npz"
    char_model.save(path)
    return path


def test_the_block_is_fitted_after_the_words(char_model: LineClassifier) -> None:
    first = char_model.first_stage_
    assert first.cue_chars_ is not None and first.cue_words_ is not None
    n_shape = len(first.scaling[0])
    words, chars = len(first.cue_words_.vocabulary), len(first.cue_chars_.vocabulary)
    assert chars > 1000 and first.classifier_.coef_.shape == (1, n_shape + words + chars)
    assert char_model.predictor_.chars is first.cue_chars_


def test_saved_and_loaded_it_predicts_as_the_estimator(
    char_model: LineClassifier, char_path: Path, seed_documents: list[Labelled]
) -> None:
    loaded = load_model(char_path)
    documents = [doc.lines for doc in seed_documents]
    assert loaded.chars is not None and loaded.chars.vocabulary == char_model.first_stage_.cue_chars_.vocabulary
    assert loaded.char_weight == 0.5
    assert loaded.predict_proba(documents) == char_model.predict_proba(documents)
    assert "character n-grams" in repr(loaded)


def test_the_block_changes_the_first_stage(char_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    """The char block's weights reach the score: without them the first stage says otherwise."""
    predictor = char_model.predictor_
    batch = LineBatch([seed_documents[0].lines])
    shape = shape_matrix(batch, predictor.stopwords)
    with_chars = predictor.first_stage_parts(shape, batch)[0]
    chars, predictor.chars = predictor.chars, None
    try:
        without = predictor.first_stage_parts(shape, batch)[0]
    finally:
        predictor.chars = chars
    assert not np.allclose(with_chars, without)


def test_the_cue_part_is_the_logit_less_the_shape_part(
    char_model: LineClassifier, seed_documents: list[Labelled]
) -> None:
    """What ``cue_logit`` stages read: the words' and the character n-grams' part of the first
    stage's logit, which with the shape part (and the intercept) makes the whole logit."""
    predictor = char_model.predictor_
    batch = LineBatch([seed_documents[0].lines])
    shape = shape_matrix(batch, predictor.stopwords)
    probabilities, cues = predictor.first_stage_parts(shape, batch)
    mean, scale = predictor.scaling
    shape_part = ((shape - mean) / scale) @ predictor.coef[: shape.shape[1]] + predictor.intercept
    inside = (probabilities > 1e-9) & (probabilities < 1 - 1e-9)  # where the logit can be read back
    assert inside.sum() > 10 and np.abs(cues).max() > 0.1
    logit = np.log(probabilities / (1 - probabilities))
    np.testing.assert_allclose(logit[inside], (shape_part + cues)[inside], atol=1e-6)
    chars, predictor.chars = predictor.chars, None
    try:
        words_only = predictor.first_stage_parts(shape, batch)[1]
    finally:
        predictor.chars = chars
    assert np.abs(words_only).max() > 0.1 and not np.allclose(words_only, cues)  # both blocks are in it


def test_windows_score_as_the_whole_document(char_path: Path, seed_documents: list[Labelled]) -> None:
    loaded = load_model(char_path)
    lines = [line for doc in seed_documents for line in doc.lines]
    whole = loaded._predict_batch([lines])[0]
    for window in (7, 300):
        assert np.array_equal(windows.predict_long(loaded, lines, window=window), whole)


def test_the_file_is_arrays_and_json_in_format_7(char_path: Path, char_model: LineClassifier) -> None:
    """Format 7, so that a cleaner reading format 5 only refuses it rather than dropping the block."""
    manifest = read_manifest(char_path)
    assert manifest["format"] == CHARS_FORMAT != MODEL_FORMAT
    assert manifest["char_ngram_range"] == [3, 5] and manifest["char_weight"] == 0.5
    assert manifest["char_vocabulary"] == char_model.first_stage_.cue_chars_.vocabulary
    assert manifest["estimator"]["params"]["char_ngrams"] == [3, 5]
    with zipfile.ZipFile(char_path) as archive:
        for name in archive.namelist():
            assert archive.read(name).startswith(b"\x93NUMPY"), name
    with np.load(char_path, allow_pickle=False) as archive:
        assert archive["char_idf"].dtype == np.float64


def test_a_model_without_the_block_is_written_as_before(model_path: Path) -> None:
    manifest = read_manifest(model_path)
    assert manifest["format"] == MODEL_FORMAT
    assert not {"char_vocabulary", "char_ngram_range", "char_weight"} & set(manifest)
    assert not any(name.startswith("char") for name in manifest["estimator"]["params"])
    with np.load(model_path, allow_pickle=False) as archive:
        assert "char_idf" not in archive.files
    assert load_model(model_path).chars is None


def _rewrite_manifest(source: Path, target: Path, change: dict[str, object]) -> None:
    """A copy of the model file with manifest entries changed (the arrays' digest still holds)."""
    with np.load(source, allow_pickle=False) as archive:
        members = {name: archive[name] for name in archive.files}
    manifest = {**json.loads(members["manifest"].tobytes()), **change}
    members["manifest"] = np.frombuffer(json.dumps(manifest, ensure_ascii=False).encode(), np.uint8)
    np.savez(target, **members)


def test_a_block_without_its_format_is_refused(char_path: Path, tmp_path: Path) -> None:
    """A char model that says format 5, as one a cleaner without the block would half read."""
    target = tmp_path / "mixed.npz"
    _rewrite_manifest(char_path, target, {"format": MODEL_FORMAT})
    with pytest.raises(ModelError, match="do not make a model"):
        load_model(target)


def test_a_format_6_file_is_refused(char_path: Path, tmp_path: Path) -> None:
    """Format 6's block read a clause of Chinese or Japanese as one word; this cleaner reads its
    letters, so such a file would be scored with rows it was not trained on: retrain it."""
    assert CHARS_FORMAT == 7
    target = tmp_path / "format6.npz"
    _rewrite_manifest(char_path, target, {"format": 6})
    with pytest.raises(ModelError, match=r"saved in model format 6, this cleaner reads format 5 \(and 7"):
        load_model(target)

"""cleaner.classifier.format: a model file beside its manifest, loaded only when the manifest vouches for it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn
from conftest import Labelled

import cleaner
from cleaner.classifier.format import MODEL_FORMAT, ModelError, load_model, load_predictor, save_model
from cleaner.atomic import temporary_beside
from cleaner.classifier.estimator import LineClassifier
from cleaner.features.shape import stopword_set


def manifest_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def load_error(path: Path | str) -> str:
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert message.strip()
    assert "\n" not in message.strip(), message
    return message


def test_save_writes_model_and_manifest(trained_model: LineClassifier, tmp_path: Path) -> None:
    path = tmp_path / "nested" / "m.joblib"
    returned = save_model(trained_model, path, {"note": "unit test", "training_data": {"documents": 5}})
    assert path.is_file()
    manifest = manifest_of(path)
    assert manifest == returned
    assert manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["versions"]["scikit-learn"] == sklearn.__version__
    assert manifest["threshold"] == pytest.approx(trained_model.threshold_)
    assert manifest["note"] == "unit test"
    assert manifest["training_data"] == {"documents": 5}
    predictor = path.with_suffix(".predictor.pkl")
    assert manifest["predictor"] == {
        "artifact": predictor.name,
        "sha256": hashlib.sha256(predictor.read_bytes()).hexdigest(),
    }
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "m.joblib",
        "m.json",
        "m.predictor.pkl",
    ]  # no temporary files left


def test_save_deletes_what_a_killed_training_left(trained_model: LineClassifier, tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    left = []
    for name in ("m.joblib", "m.predictor.pkl", "m.json"):
        fd, temporary = temporary_beside(tmp_path / name)  # as a SIGKILL mid-write leaves it
        os.close(fd)
        left.append(Path(temporary))
    other = tmp_path / ".other.joblib.abcd1234.tmp"
    other.write_bytes(b"another model's")
    save_model(trained_model, path, {})
    assert not any(p.exists() for p in left)
    assert other.exists()  # not one of this model's files: left alone


def test_load_round_trip(model_path: Path, trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    loaded = load_model(model_path)
    assert isinstance(loaded, LineClassifier)
    assert loaded.threshold_ == trained_model.threshold_
    documents = [doc.lines for doc in seed_documents]
    assert loaded.predict_proba(documents) == trained_model.predict_proba(documents)
    assert load_model(str(model_path)).threshold_ == trained_model.threshold_


def test_package_exports_load_model(model_path: Path, sample_document: Labelled) -> None:
    from cleaner import load_model as exported

    model = exported(model_path)
    assert model.clean(sample_document.text) == load_model(model_path).clean(sample_document.text)
    assert cleaner.LineClassifier is LineClassifier


def test_default_path_comes_from_the_environment(model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANER_MODEL", str(model_path))
    assert isinstance(load_model(), LineClassifier)


def test_joblib_load_gives_a_usable_classifier(
    model_path: Path, trained_model: LineClassifier, sample_document: Labelled
) -> None:
    model = joblib.load(model_path)
    assert isinstance(model, LineClassifier)
    lines = sample_document.lines
    assert model.predict_lines(lines) == trained_model.predict_lines(lines)
    assert model.predict_proba_lines(lines) == trained_model.predict_proba_lines(lines)
    assert model.clean(sample_document.text) == trained_model.clean(sample_document.text)


def test_tampered_model_is_refused(model_copy: Path) -> None:
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    assert "sha256" in load_error(model_copy)


def test_replaced_model_is_refused(model_copy: Path, trained_model: LineClassifier) -> None:
    joblib.dump(trained_model, model_copy, compress=1)  # a valid model, but not the file the manifest names
    load_error(model_copy)


def test_missing_manifest(model_copy: Path) -> None:
    model_copy.with_suffix(".json").unlink()
    assert "json" in load_error(model_copy)


def test_manifest_that_is_not_json(model_copy: Path) -> None:
    model_copy.with_suffix(".json").write_text("{ not json", encoding="utf-8")
    load_error(model_copy)


@pytest.mark.parametrize("content", ["[]", "null"])
def test_manifest_that_is_not_an_object(model_copy: Path, content: str) -> None:
    """Valid JSON of the wrong shape is as broken as invalid JSON: a ModelError, not a crash."""
    model_copy.with_suffix(".json").write_text(content, encoding="utf-8")
    load_error(model_copy)


def test_scikit_learn_version_mismatch(model_copy: Path) -> None:
    manifest = manifest_of(model_copy)
    manifest["versions"]["scikit-learn"] = "0.0.1"
    model_copy.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    message = load_error(model_copy)
    assert "0.0.1" in message
    assert sklearn.__version__ in message


def test_model_trained_on_other_features(model_copy: Path) -> None:
    """A model saved by a cleaner whose features differ (an artifact older than the code) is refused
    with what changed and what to run, not a shape error from deep inside scikit-learn."""
    manifest = manifest_of(model_copy)
    manifest["features"]["lines"] = manifest["features"]["lines"][:-2]
    model_copy.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    message = load_error(model_copy)
    assert "features" in message and "make train" in message
    del manifest["features"]
    model_copy.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    assert "features" in load_error(model_copy)


def test_model_saved_in_an_older_format(model_copy: Path) -> None:
    """A model saved before the stopword list was kept with it (no format in its manifest) is
    refused by both loaders with what to run, not an AttributeError at the first prediction."""
    manifest = manifest_of(model_copy)
    assert manifest["format"] == MODEL_FORMAT
    del manifest["format"]
    model_copy.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    message = load_error(model_copy)
    assert f"format 1, this cleaner reads format {MODEL_FORMAT}" in message and "make train" in message
    with pytest.raises(ModelError, match="make train"):
        load_predictor(model_copy)


def test_saved_model_keeps_its_stopwords(
    model_path: Path, seed_documents: list[Labelled], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stopwordsiso release with other lists changes nothing for a saved model: it predicts with
    the stopwords it was trained with, whichever loader loaded it."""
    import stopwordsiso

    pages = [doc.lines for doc in seed_documents]
    model, predictor = load_model(model_path), load_predictor(model_path)
    before = model.predict_proba_nonblank(pages)
    monkeypatch.setattr(stopwordsiso, "stopwords", lambda language: {"the", "và", "của"})
    stopword_set.cache_clear()
    try:
        for probabilities in (
            load_model(model_path).predict_proba_nonblank(pages),
            predictor.predict_proba_nonblank(pages),
        ):
            assert all(np.array_equal(a, b) for a, b in zip(before, probabilities))
        assert predictor.stopwords == model.shape_features_.stopwords_ and len(predictor.stopwords) > 100
    finally:
        stopword_set.cache_clear()


def test_missing_model_file(tmp_path: Path) -> None:
    assert "nonexistent.joblib" in load_error(tmp_path / "nonexistent.joblib")


def test_directory_is_not_a_model(tmp_path: Path) -> None:
    load_error(tmp_path)


def test_manifest_beside_another_name(model_copy: Path) -> None:
    renamed = model_copy.with_name("other.joblib")
    shutil.move(model_copy, renamed)
    load_error(renamed)  # other.json does not exist

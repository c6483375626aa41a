"""cleaner.classifier.format: one .npz of arrays and JSON, loaded without running anything in it."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import Labelled

import cleaner
from cleaner.atomic import temporary_beside
from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.format import MANIFEST, MODEL_FORMAT, ModelError, load_model, read_manifest
from cleaner.classifier.predictor import Predictor


def rewrite(path: Path, change_manifest=None, change_arrays=None) -> None:  # type: ignore[no-untyped-def]
    """Write the model at ``path`` again with its manifest or arrays changed (as a damaged,
    tampered or older file would be), keeping the zip container valid."""
    with np.load(path, allow_pickle=False) as archive:
        members = {name: archive[name] for name in archive.files}
    manifest = json.loads(members[MANIFEST].tobytes())
    if change_manifest is not None:
        manifest = change_manifest(manifest)
    members[MANIFEST] = np.frombuffer(json.dumps(manifest).encode(), np.uint8)
    if change_arrays is not None:
        change_arrays(members)
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    path.write_bytes(buffer.getvalue())


def load_error(path: Path | str) -> str:
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert message.strip() and "\n" not in message.strip(), message
    return message


def test_save_writes_one_file(trained_model: LineClassifier, tmp_path: Path) -> None:
    path = tmp_path / "nested" / "m.npz"
    path.parent.mkdir()
    written = trained_model.save(path, {"note": "unit test", "training_data": {"documents": 5}})
    assert sorted(p.name for p in path.parent.iterdir()) == ["m.npz"]  # no sidecar, no temporary file
    manifest = read_manifest(path)
    assert manifest == json.loads(json.dumps(written))
    assert manifest["format"] == MODEL_FORMAT
    assert manifest["threshold"] == trained_model.threshold_
    assert manifest["note"] == "unit test" and manifest["training_data"] == {"documents": 5}
    assert manifest["estimator"]["params"]["C"] == trained_model.C
    assert manifest["vocabulary"] == trained_model.first_stage_.cue_words_.vocabulary
    assert manifest["stopwords"] == trained_model.stopwords_.lists


def test_save_refuses_a_name_that_is_no_npz_file(trained_model: LineClassifier, tmp_path: Path) -> None:
    """Predictor.save('x.txt') wrote the archive under that name (read among the dumps by
    `cleaner predict DIR` as a binary file), and save('/tmp') failed naming a temporary file."""
    from cleaner import load_model

    for name, says in (("x.txt", "does not end in .npz; give a name such as"), ("folder.npz", "is a directory")):
        if name == "folder.npz":
            (tmp_path / name).mkdir()
        with pytest.raises(ValueError, match=f"a model is saved as one .npz file, and this name {says}"):
            trained_model.save(tmp_path / name)
    with pytest.raises(ValueError, match=rf"^{tmp_path}: .* give a name such as {tmp_path}/cleaner.npz$"):
        trained_model.predictor_.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.npz"]
    trained_model.save(tmp_path / "UPPER.NPZ")
    assert load_model(tmp_path / "UPPER.NPZ").threshold == trained_model.threshold_


def test_the_file_holds_no_pickle(model_path: Path) -> None:
    """Every member is a plain .npy array (numeric or bytes): nothing np.load would unpickle."""
    with zipfile.ZipFile(model_path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert data.startswith(b"\x93NUMPY"), name
            assert b"(lp" not in data[:200] and b"cnumpy" not in data
    with np.load(model_path, allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


def test_equal_models_give_equal_files(trained_model: LineClassifier, tmp_path: Path) -> None:
    trained_model.save(tmp_path / "a.npz", {"x": 1})
    trained_model.save(tmp_path / "b.npz", {"x": 1})
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_save_deletes_what_a_killed_training_left(trained_model: LineClassifier, tmp_path: Path) -> None:
    fd, temporary = temporary_beside(tmp_path / "m.npz")  # as a SIGKILL mid-write leaves it
    os.close(fd)
    other = tmp_path / ".other.npz.abcd1234.tmp"
    other.write_bytes(b"another model's")
    trained_model.save(tmp_path / "m.npz")
    assert not Path(temporary).exists()
    assert other.exists()  # not this model's: left alone


def test_load_round_trip(model_path: Path, trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    loaded = load_model(model_path)
    assert isinstance(loaded, Predictor)
    assert loaded.threshold == trained_model.threshold_
    documents = [doc.lines for doc in seed_documents]
    expected = trained_model.predict_proba_nonblank(documents)
    assert all(np.array_equal(a, b) for a, b in zip(loaded.predict_proba_nonblank(documents), expected))
    assert load_model(str(model_path)).threshold == trained_model.threshold_


def test_package_exports_load_model(model_path: Path, sample_document: Labelled) -> None:
    model = cleaner.load_model(model_path)
    assert model.clean(sample_document.text) == load_model(model_path).clean(sample_document.text)
    assert cleaner.LineClassifier is LineClassifier and cleaner.Predictor is Predictor


def test_default_path_comes_from_the_environment(model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANER_MODEL", str(model_path))
    assert load_model().threshold == load_model(model_path).threshold
    monkeypatch.setenv("CLEANER_MODEL", str(model_path.with_name("gone.npz")))
    assert "CLEANER_MODEL" in load_error_default()


def load_error_default() -> str:
    with pytest.raises(ModelError) as info:
        load_model()
    return str(info.value)


def test_the_shipped_model_loads_without_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEANER_MODEL", raising=False)
    model = load_model()
    assert model.manifest["training_data"]["documents"] > 5
    assert model.clean("") == ""


def test_damaged_arrays_are_refused(model_copy: Path) -> None:
    def damage(members: dict[str, np.ndarray]) -> None:
        members["coef"] = members["coef"].copy()
        members["coef"][0] += 1.0

    rewrite(model_copy, change_arrays=damage)
    assert "sha256" in load_error(model_copy)


def test_damaged_bytes_are_refused(model_copy: Path) -> None:
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    assert "retrain with `cleaner train`" in load_error(model_copy)


def test_a_threshold_out_of_range_is_neither_saved_nor_loaded(model_copy: Path, tmp_path: Path) -> None:
    """A model whose threshold was set to 5 was saved, and the file loaded: it then dropped every line."""
    model = load_model(model_copy)
    model.threshold = 5
    with pytest.raises(ValueError, match=r"^threshold: expected a number from 0 to 1 \(the model's own"):
        model.save(tmp_path / "bad.npz")
    assert not (tmp_path / "bad.npz").exists()
    rewrite(model_copy, change_manifest=lambda manifest: {**manifest, "threshold": 5})
    assert "threshold: expected a number from 0 to 1 (the model file's), got 5" in load_error(model_copy)


def test_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    for name, data in (("text.npz", b"just text"), ("empty.npz", b"")):
        (tmp_path / name).write_bytes(data)
        assert name in load_error(tmp_path / name)
    np.save(tmp_path / "array.npy", np.zeros(3))
    assert "single array" in load_error(tmp_path / "array.npy")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    assert "manifest" in load_error(tmp_path / "other.npz")


def test_a_text_file_is_refused_without_advice_to_unpickle(tmp_path: Path) -> None:
    """numpy takes any file that is not a zip or an .npy for a pickle and suggests loading it
    unsafely; loading a model must never run code, so that advice is never relayed."""
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody of the page.\n", encoding="utf-8")
    message = load_error(dump)
    assert "not a cleaner model" in message and "cleaner train" in message and "--model" in message
    assert "allow_pickle" not in message and "unsafe" not in message and "pickle.load" not in message


def test_a_bad_model_from_the_environment_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands resolve $CLEANER_MODEL and pass on the path: the message still names the variable."""
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\n", encoding="utf-8")
    monkeypatch.setenv("CLEANER_MODEL", str(dump))
    for message in (load_error_default(), load_error(dump.resolve())):
        assert "$CLEANER_MODEL" in message and "--model" not in message and "allow_pickle" not in message
    monkeypatch.setenv("CLEANER_MODEL", str(tmp_path / "nope.npz"))
    assert "$CLEANER_MODEL" in load_error(tmp_path / "nope.npz") and "--model" not in load_error(tmp_path / "nope.npz")


def cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:5000])  # a download or copy cut off: the zip's start, no directory


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(3000))


@pytest.mark.parametrize("damage", [cut_short, flip_a_byte, random_bytes], ids=lambda damage: damage.__name__)
def test_a_damaged_model_from_the_environment_says_to_mend_the_variable(
    model_copy: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[Path], None]
) -> None:
    """A damaged file named by $CLEANER_MODEL was blamed on training ("retrain with `make train`"),
    which does not mend the variable; now the message names the file, says it is no model cleaner
    can read, and says to point $CLEANER_MODEL at a model `cleaner train` wrote, or unset it. Given
    by path (--model, load_model(path)), the advice is still to retrain."""
    damage(model_copy)
    monkeypatch.setenv("CLEANER_MODEL", str(model_copy))
    for message in (load_error_default(), load_error(model_copy.resolve())):
        assert message.startswith(f"{model_copy}: "), message
        assert "cannot be read as a cleaner model" in message or "not a cleaner model" in message, message
        assert message.endswith(
            "; check $CLEANER_MODEL: point it at a model file that `cleaner train` wrote, or unset it to use the "
            "model shipped with cleaner"
        ), message
        assert "retrain" not in message and "make train" not in message
    if damage is cut_short:
        assert "cannot be read as a cleaner model: the file is damaged or cut short (" in message, message
    monkeypatch.delenv("CLEANER_MODEL")
    assert "$CLEANER_MODEL" not in load_error(model_copy)


def test_load_model_says_it_wants_a_path() -> None:
    with pytest.raises(TypeError, match=r"load_model expects a path \(str or os.PathLike\), got int"):
        load_model(5)  # type: ignore[arg-type]


def test_a_pickled_array_inside_is_never_unpickled(model_copy: Path) -> None:
    """An .npz member holding a pickle (object dtype) is refused, not loaded: np.load runs with
    allow_pickle=False, so whatever the pickle would run never runs."""

    def poison(members: dict[str, np.ndarray]) -> None:
        members["coef"] = np.array([object()], dtype=object)

    with np.load(model_copy, allow_pickle=False) as archive:
        members = {name: archive[name] for name in archive.files}
    poison(members)
    buffer = io.BytesIO()
    np.savez(buffer, **members)  # allow_pickle is True when saving
    model_copy.write_bytes(buffer.getvalue())
    message = load_error(model_copy)
    assert "retrain with `cleaner train`" in message
    # Refused on purpose, and called so: it was "the file is damaged or cut short".
    assert "refused: it holds pickled Python objects, which cleaner never loads" in message
    assert "damaged" not in message and "cut short" not in message and "allow_pickle" not in message


@pytest.mark.parametrize("content", ["{ not json", "[]", "null"])
def test_manifest_that_is_not_a_json_object(model_copy: Path, content: str) -> None:
    with np.load(model_copy, allow_pickle=False) as archive:
        members = {name: archive[name] for name in archive.files}
    members[MANIFEST] = np.frombuffer(content.encode(), np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    model_copy.write_bytes(buffer.getvalue())
    assert "manifest" in load_error(model_copy)


def test_model_trained_on_other_features(model_copy: Path) -> None:
    """A model saved by a cleaner whose features differ (a file older than the code) is refused
    with what changed and what to run, not a shape error at the first prediction."""

    def drop_two(manifest: dict) -> dict:  # type: ignore[type-arg]
        manifest["features"]["lines"] = manifest["features"]["lines"][:-2]
        return manifest

    rewrite(model_copy, change_manifest=drop_two)
    message = load_error(model_copy)
    assert "features" in message and "make train" in message
    rewrite(model_copy, change_manifest=lambda m: {k: v for k, v in m.items() if k != "features"})
    assert "features" in load_error(model_copy)


def test_model_saved_in_another_format(model_copy: Path) -> None:
    rewrite(model_copy, change_manifest=lambda m: {k: v for k, v in m.items() if k != "format"})
    message = load_error(model_copy)
    assert f"format 1, this cleaner reads format {MODEL_FORMAT}" in message and "make train" in message


def test_joblib_and_pickle_files_are_never_opened(tmp_path: Path) -> None:
    """Loading a joblib or pickle file runs code: such a path is refused by its name, unread."""
    marker = tmp_path / "ran"
    for name in ("cleaner.joblib", "cleaner.pkl"):
        path = tmp_path / name
        path.write_bytes(pickle.dumps(Path(marker)))
        assert "joblib or pickle" in load_error(path)
    assert not marker.exists()


def test_saved_model_keeps_its_stopwords(
    model_path: Path, seed_documents: list[Labelled], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stopwordsiso release with other lists changes nothing for a saved model."""
    import stopwordsiso

    from cleaner.classifier.first_stage import stopword_lists

    pages = [doc.lines for doc in seed_documents]
    before = load_model(model_path).predict_proba_nonblank(pages)
    monkeypatch.setattr(stopwordsiso, "stopwords", lambda language: {"the", "và", "của"})
    stopword_lists.cache_clear()
    try:
        after = load_model(model_path)
        assert all(np.array_equal(a, b) for a, b in zip(before, after.predict_proba_nonblank(pages)))
        assert sum(map(len, after.stopwords.lists.values())) > 100
    finally:
        stopword_lists.cache_clear()


def test_missing_model_file(tmp_path: Path) -> None:
    assert "nonexistent.npz" in load_error(tmp_path / "nonexistent.npz")


def test_directory_is_not_a_model(tmp_path: Path) -> None:
    """A folder given as the model is named, and said to be a folder, not a model file ("no model
    at DIR" sent the user looking for what exists), with what to check."""
    message = load_error(tmp_path)
    assert message.startswith(f"{tmp_path} is a directory, not a model file (.npz): check the model path given")


def test_the_caller_says_what_its_user_named_the_model_with(tmp_path: Path, model_path: Path) -> None:
    """A cluster step's user named the model CleanerFilter(model=...), and was told to check
    "--model, or load_model's argument", until the step rewrote the loader's message with
    str.replace. load_model and shared_model take what names the path (named_by), and the message
    is built with it: a missing file, a folder, a file that is no model; load_model(path) alone
    still names --model and load_model's argument."""
    from cleaner.classifier.loading import shared_model

    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    named = "check the model path given (MyStep(model=...)), or give none to use the model shipped with cleaner"
    for path in (tmp_path / "nope.npz", tmp_path, dump):
        for load in (load_model, shared_model, read_manifest):
            with pytest.raises(ModelError) as raised:
                load(path, named_by="MyStep(model=...)")  # type: ignore[operator]
            assert named in str(raised.value) and "--model" not in str(raised.value), load
        assert "check the model path given (--model, or load_model's argument)" in load_error(path)
    assert shared_model(model_path, named_by="MyStep(model=...)").threshold == load_model(model_path).threshold


def test_a_pickled_model_is_its_model_file(
    trained_model: LineClassifier, seed_documents: list[Labelled], model_path: Path
) -> None:
    """A loaded model pickled to 7.0 MB (its attributes and look-up tables) against 0.77 MB for its
    .npz: what a pool or a cluster sends every worker. Its pickle is now its model file's bytes,
    read back as a file is (arrays and JSON only), and the model is the same: the same bytes, the
    same scores, its threshold as set (even one that its next use will refuse)."""
    from cleaner.classifier.format import SHIPPED_MODEL, model_bytes

    shipped = load_model(SHIPPED_MODEL)
    pickled = pickle.dumps(shipped)
    assert len(pickled) < 1.1 * SHIPPED_MODEL.stat().st_size
    again = pickle.loads(pickled)
    assert model_bytes(again) == model_bytes(shipped) == SHIPPED_MODEL.read_bytes()
    documents = [doc.lines for doc in seed_documents]
    for before, after in zip(shipped.predict_proba_nonblank(documents), again.predict_proba_nonblank(documents)):
        assert np.array_equal(before, after)
    assert again.manifest == shipped.manifest
    shipped.threshold = 5.0
    assert pickle.loads(pickle.dumps(shipped)).threshold == 5.0
    fitted = pickle.loads(pickle.dumps(trained_model))  # a LineClassifier carries its predictor so
    assert model_bytes(fitted.predictor_) == model_bytes(trained_model.predictor_)


def test_a_pickled_model_is_read_without_pickle() -> None:
    """What unpickling a model reads is a model file, with np.load(allow_pickle=False): an .npy of
    objects in its place is refused, not unpickled."""
    from cleaner.classifier.predictor import _unpickled

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        member = io.BytesIO()
        np.save(member, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        archive.writestr(f"{MANIFEST}.npy", member.getvalue())
    with pytest.raises(ModelError):
        _unpickled(data.getvalue(), 0.5)

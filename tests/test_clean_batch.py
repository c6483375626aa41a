"""``cleaner.clean_batch``: the public batch API gives what ``cleaner predict`` writes, loads a model
file once per process, predicts with one BLAS thread, and fetches a model URL once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import Labelled, http_server
from shards_support import label_texts, predicted, write_shards
from typer.testing import CliRunner

import cleaner
from cleaner.classifier.cleaned import Cleaned, clean_batch
from cleaner.classifier.loading import shared_model
from cleaner.classifier.predictor import Predictor
from cleaner.classifier.remote import fetch, is_url
from cleaner.cli import app

COUNTS = ("lines_total", "lines_kept", "chars_kept", "mean_score")


def test_exported_lazily_from_the_package() -> None:
    assert cleaner.clean_batch is clean_batch
    assert cleaner.Cleaned is Cleaned


def test_same_as_cleaner_predict_on_the_same_records(model_path: Path, tmp_path: Path) -> None:
    texts = label_texts()
    (shard,) = write_shards(texts, tmp_path / "in", 1)
    reference = predicted([shard], model_path, tmp_path)
    results = clean_batch(texts, model=model_path)
    assert len(results) == len(texts) == len(reference)
    kept_some = dropped_some = False
    for number, result in enumerate(results):
        record = reference[f"doc-{number:04d}"]
        assert result.text == record["text"]
        assert [getattr(result, name) for name in COUNTS] == [record[name] for name in COUNTS]
        kept_some |= result.lines_kept > 0
        dropped_some |= result.lines_kept < result.lines_total
    assert kept_some and dropped_some  # the comparison saw both decisions


def test_a_threshold_is_the_same_as_cleaner_predict_threshold(model_path: Path, tmp_path: Path) -> None:
    texts = label_texts(8)
    (shard,) = write_shards(texts, tmp_path / "in", 1)
    reference = predicted([shard], model_path, tmp_path, "--threshold", "0.8")
    results = clean_batch(texts, model=model_path, threshold=0.8)
    assert [r.text for r in results] == [reference[f"doc-{i:04d}"]["text"] for i in range(len(texts))]
    assert results != clean_batch(texts, model=model_path)


def test_the_shipped_model_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEANER_MODEL", raising=False)
    texts = label_texts(4)
    assert clean_batch(texts) == clean_batch(texts, model=cleaner.load_model())


def test_cleaner_model_environment_variable(model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = label_texts(6)
    monkeypatch.setenv("CLEANER_MODEL", str(model_path))
    assert clean_batch(texts) == clean_batch(texts, model=model_path)
    monkeypatch.delenv("CLEANER_MODEL")
    assert clean_batch(texts) != clean_batch(texts, model=model_path)  # the seed-only model differs


def test_batch_size_does_not_change_the_result(model_path: Path) -> None:
    texts = label_texts(10)
    assert clean_batch(texts, model_path) == [clean_batch([text], model_path)[0] for text in texts]


def test_keeps_and_deletes_whole_lines_only(model_path: Path) -> None:
    text = "Trang chủ | Đăng nhập\r\n\r\nNội dung chính của bài viết, đủ dài để là văn xuôi.\r\nChia sẻ"
    (result,) = clean_batch([text], model_path, threshold=0.0)
    assert result.text == "Trang chủ | Đăng nhập\n\nNội dung chính của bài viết, đủ dài để là văn xuôi.\nChia sẻ"
    assert (result.lines_total, result.lines_kept, result.chars_kept) == (3, 3, len(result.text))
    (nothing,) = clean_batch([text], model_path, threshold=1.0)
    assert nothing == Cleaned("", 3, 0, 0, result.mean_score)
    assert clean_batch([], model_path) == []
    assert clean_batch([""], model_path) == [Cleaned("", 0, 0, 0, None)]


def test_wrong_inputs_say_what_was_expected(model_path: Path) -> None:
    with pytest.raises(TypeError, match="list of texts"):
        clean_batch("one text", model_path)
    with pytest.raises(TypeError, match="decode bytes first"):
        clean_batch(["ok", b"bytes"], model_path)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="from 0 to 1"):
        clean_batch(["text"], model_path, threshold=1.5)
    with pytest.raises(cleaner.ModelError, match="no model at"):
        clean_batch(["text"], model=Path("/nonexistent/model.npz"))
    with pytest.raises(TypeError, match=r"not a dict, whose keys it would clean; pass its \.values\(\)"):
        clean_batch({"a": "Home\nBody text."}, model_path)  # type: ignore[arg-type]


def test_a_wrong_model_path_names_clean_batchs_argument(tmp_path: Path) -> None:
    """clean_batch(texts, model="nope.npz") said to check "--model, or load_model's argument": its
    user passed neither. The message names clean_batch's own argument."""
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    for model, said in ((tmp_path / "nope.npz", "no model at"), (dump, "not a cleaner model")):
        with pytest.raises(cleaner.ModelError) as raised:
            clean_batch(["Title\nA line of text."], model=model)
        assert said in str(raised.value)
        assert "check the model path given (clean_batch(model=...))" in str(raised.value)
        assert "--model" not in str(raised.value) and "load_model" not in str(raised.value)


def test_a_numpy_threshold_is_a_number(model_path: Path) -> None:
    """threshold=np.float32(0.5) (an array's element) was refused: "expected a number from 0 to 1"."""
    import numpy as np

    text = "Home\nA body paragraph that reads like prose, long enough to be one.\n"
    for threshold in (np.float32(0.3), np.float64(0.3), np.float32(0.0)):
        assert clean_batch([text], model_path, threshold=threshold) == clean_batch(  # type: ignore[arg-type]
            [text], model_path, threshold=float(threshold)
        )
    with pytest.raises(ValueError, match="from 0 to 1"):
        clean_batch([text], model_path, threshold=np.float32(1.5))  # type: ignore[arg-type]


def test_any_iterable_of_texts_is_cleaned_as_a_list_is(model_path: Path) -> None:
    """A generator (or any iterable that is not a Sequence) was refused with TypeError."""
    texts = label_texts(4)
    expected = clean_batch(texts, model_path)
    assert clean_batch((text for text in texts), model_path) == expected
    assert clean_batch(iter(texts), model_path) == expected
    assert clean_batch(dict.fromkeys(texts).keys(), model_path) == expected  # an iterable, not a Sequence
    assert clean_batch(iter([]), model_path) == []
    for one in ("one text", b"one text"):
        with pytest.raises(TypeError, match=f"expected a list of texts .*; got {type(one).__name__}"):
            clean_batch(one, model_path)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"expected a list of texts .*; got int"):
        clean_batch(5, model_path)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"text 2 of 2 \(index 1\) is bytes, not str"):
        clean_batch((text for text in ["ok", b"bytes"]), model_path)  # type: ignore[misc]


def test_a_model_file_is_loaded_once_per_process_and_again_when_it_changes(model_copy: Path) -> None:
    first = shared_model(model_copy)
    assert isinstance(first, Predictor)
    assert shared_model(str(model_copy)) is first
    assert shared_model(first) is first  # a loaded model is used as it is
    data = model_copy.read_bytes()
    model_copy.unlink()
    model_copy.write_bytes(data)  # the same model, rewritten: a new file (size or time differ)
    os.utime(model_copy, ns=(1, 1))
    again = shared_model(model_copy)
    assert again is not first
    assert shared_model(model_copy) is again


class Recording:
    """A model that records the native thread pools it predicts under."""

    threshold = 0.5

    def __init__(self) -> None:
        self.pools: list[dict[str, object]] = []

    def predict_proba_nonblank(self, documents: list[list[str]]) -> list[np.ndarray]:
        from threadpoolctl import threadpool_info

        self.pools = threadpool_info()
        return [np.full(sum(1 for line in doc if line.strip()), 0.7) for doc in documents]


def test_predicts_with_one_blas_thread() -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    model = Recording()
    with threadpool_limits(2):  # whatever the caller's setting
        clean_batch(["A line.\nAnother line."], model=model)  # type: ignore[arg-type]
        after = threadpool_info()
    assert model.pools, "numpy's BLAS is a thread pool that threadpoolctl sees"
    assert all(pool["num_threads"] == 1 for pool in model.pools)
    assert any(pool["num_threads"] == 2 for pool in after)  # restored afterwards


def served_model(model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of a copy of the model (file://, which fsspec reads as it reads s3:// or https://),
    with the cache of fetched models in ``tmp_path``."""
    pytest.importorskip("fsspec")
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    served = tmp_path / "served" / "my-model.npz"
    served.parent.mkdir()
    shutil.copy(model_path, served)
    return f"file://{served}"


def test_a_model_url_is_fetched_once_and_again_when_it_changes(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = served_model(model_path, tmp_path, monkeypatch)
    served = tmp_path / "served" / "my-model.npz"
    assert is_url(url) and is_url("simplecache::s3://bucket/m.npz") and not is_url(str(served))
    copy, fetched = fetch(url)
    assert fetched and copy.read_bytes() == served.read_bytes()
    assert copy.is_relative_to(tmp_path / "cache")
    assert sorted(copy.parent.iterdir()) == [copy]  # no lock file (nor temporary) left beside it
    assert fetch(url) == (copy, False)
    texts = label_texts(3)
    assert clean_batch(texts, model=url) == clean_batch(texts, model=model_path)
    loaded = shared_model(url)
    os.utime(served, ns=(10**18, 10**18))  # replaced at the same URL
    assert shared_model(url) is loaded  # a process looks a URL up once, not at every batch
    newer, fetched = fetch(url)
    assert fetched and newer != copy


@pytest.mark.parametrize("model", [5, 2.5, ["cleaner.npz"], object()])
def test_a_model_that_is_neither_a_path_nor_a_model_is_refused(model: object) -> None:
    """It failed later, with "'int' object has no attribute 'threshold'" from deep inside."""
    with pytest.raises(TypeError, match=f"model: expected a loaded model .* got {type(model).__name__}"):
        clean_batch(["Title\nA line of text."], model=model)  # type: ignore[arg-type]


def test_a_model_url_in_the_environment_or_given_to_load_model_is_fetched(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$CLEANER_MODEL is read as a URL where clean_batch(model=URL) is: it was made a path first,
    and `https://host/m.npz` became "no model at https:/host/m.npz" in clean_batch(texts),
    load_model() and load_model(URL) alike."""
    from cleaner import load_model

    url = served_model(model_path, tmp_path, monkeypatch)
    texts = label_texts(3)
    expected = clean_batch(texts, model=model_path)
    assert load_model(url).manifest == load_model(model_path).manifest
    monkeypatch.setenv("CLEANER_MODEL", url)
    assert clean_batch(texts) == expected
    assert load_model().manifest == load_model(model_path).manifest


def test_a_model_url_that_cannot_be_fetched_is_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fsspec")
    from cleaner import load_model
    from cleaner.classifier.format import ModelError

    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    url = f"file://{tmp_path}/nope.npz"
    with pytest.raises(ModelError, match=f"^cannot fetch the model at {url} "):
        load_model(url)
    monkeypatch.setenv("CLEANER_MODEL", url)
    with pytest.raises(ModelError, match=f"^cannot fetch the model at {url} .*check \\$CLEANER_MODEL"):
        clean_batch(["Title\nA line of text."])


def test_a_damaged_copy_of_a_model_url_is_named_by_its_url_and_fetched_again(
    runner: CliRunner, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """$CLEANER_MODEL=http://...: a local copy damaged on this disk was named by its path in the
    cache alone (a file the user never named), and stayed there, so every later run failed the same
    way; now the URL is named with the copy, the copy is deleted, and the next run fetches it again."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(model_path, served / "m.npz")
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    cache = tmp_path / "cache"
    with http_server(served) as base:
        url = f"{base}/m.npz"
        env = {"CLEANER_MODEL": url, "CLEANER_CACHE": str(cache)}
        first = runner.invoke(app, ["predict", str(dump), "-j", "1"], env=env)
        assert first.exit_code == 0, first.output
        (copy,) = (cache / "models").glob("*.npz")
        copy.write_bytes(copy.read_bytes()[:5000])  # cut short on this disk
        damaged = runner.invoke(app, ["predict", str(dump), "-j", "1"], env=env)
        assert damaged.exit_code == 1
        assert damaged.stdout == ""
        assert damaged.stderr.startswith(
            f"cleaner: {url} (fetched to {copy}): cannot be read as a cleaner model: the file is damaged or cut short ("
        )
        assert damaged.stderr.endswith(
            "; the copy is deleted, so the next run fetches the URL again; check $CLEANER_MODEL: point it at a model "
            "file that `cleaner train` wrote, or unset it to use the model shipped with cleaner\n"
        )
        assert not copy.exists()
        again = runner.invoke(app, ["predict", str(dump), "-j", "1"], env=env)
        assert again.exit_code == 0, again.output
        assert again.stdout == first.stdout


def test_a_damaged_model_at_a_url_is_named_by_its_url_in_clean_batch_too(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """clean_batch fetches the copy and loads it by its path: the message named the copy and said
    to retrain; now it names the URL and $CLEANER_MODEL, the copy is deleted, and once the server
    has the whole file the same process fetches it again. A copy that cannot be deleted is named
    for the user to delete."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    from cleaner.classifier.format import ModelError

    served = tmp_path / "served"
    served.mkdir()
    (served / "m.npz").write_bytes(model_path.read_bytes()[:5000])  # the server's file is cut short
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    with http_server(served) as base:
        url = f"{base}/m.npz"
        monkeypatch.setenv("CLEANER_MODEL", url)
        with pytest.raises(ModelError) as damaged:
            clean_batch(["Title\nA line of text."])
        copies = tmp_path / "cache" / "models"
        assert str(damaged.value).startswith(f"{url} (fetched to {copies}/")
        assert "the copy is deleted, so the next run fetches the URL again; check $CLEANER_MODEL" in str(damaged.value)
        assert "retrain" not in str(damaged.value)
        assert list(copies.glob("*.npz")) == []

        def refused(self: Path, missing_ok: bool = False) -> None:
            raise PermissionError(13, "Permission denied")

        with monkeypatch.context() as patched:
            patched.setattr(Path, "unlink", refused)
            with pytest.raises(
                ModelError, match=r"; delete the copy \(Permission denied\) so that the next run fetches"
            ):
                clean_batch(["Title\nA line of text."])
        (copy,) = copies.glob("*.npz")
        copy.unlink()
        shutil.copy(model_path, served / "m.npz")
        assert clean_batch(["Title\nA line of text."]) == clean_batch(["Title\nA line of text."], model=model_path)


def test_a_null_text_is_named_as_a_null_and_by_its_id(model_path: Path) -> None:
    """A null text (None, or NaN as a pandas column holds one) was "text 7499 of 9999 (index 7498)
    is float, not str": neither the null nor the record was named."""
    for null, said in ((None, r"None \(a null\)"), (float("nan"), r"NaN \(a null")):
        with pytest.raises(TypeError, match=rf"text 2 of 2 \(index 1, id 'null-1'\) is {said}"):
            clean_batch(["Một câu.", null], model_path, ids=["a", "null-1"])  # type: ignore[list-item]
        with pytest.raises(TypeError, match=rf"text 2 of 2 \(index 1\) is {said}.*leave out the records"):
            clean_batch(["Một câu.", null], model_path)  # type: ignore[list-item]


def test_a_record_without_an_id_is_named_by_its_position_not_id_nan(model_path: Path) -> None:
    """The ids of records read into pandas, one lacking its id (NaN there, as Ray reads such a record;
    pandas' NA in a column of strings): the null text was named "text 2 of 2 (index 1, id nan)"."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([{"id": "a", "text": "Một câu."}, {"site": "x"}])  # the second lacks both fields
    for ids in (frame["id"], frame.convert_dtypes()["id"], [None, None]):
        with pytest.raises(TypeError) as raised:
            clean_batch(frame["text"], model_path, ids=ids)
        assert str(raised.value).startswith("clean_batch: text 2 of 2 (index 1) is NaN (a null"), raised.value

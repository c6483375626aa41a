"""What the cluster integrations accept, called directly as a user's own code may call them (no
cluster started): any iterable of documents or texts, as ``clean_batch`` accepts, and a clear
refusal of a model that is neither a path nor a loaded model."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from shards_support import label_texts

from cleaner.classifier.cleaned import COUNTS, clean_batch
from cleaner.integrations.batches import CleanBatch


def test_ray_stage_cleans_a_batch_of_plain_lists_and_tuples(model_path: Path) -> None:
    """A dict of lists (not numpy arrays) failed with "'list' object has no attribute 'tolist'"."""
    texts = label_texts(3)
    expected = clean_batch(texts, model_path)
    stage = CleanBatch(model=model_path)
    for column in (list(texts), tuple(texts), np.array(texts, dtype=object)):
        out = stage({"text": column, "n": [0, 1, 2]})
        assert list(out["text"]) == [result.text for result in expected]
        assert list(out["lines_kept"]) == [result.lines_kept for result in expected]
        assert list(out["n"]) == [0, 1, 2]


def test_ray_stage_gives_back_the_kind_of_batch_it_was_given(model_path: Path) -> None:
    """A pyarrow Table (Ray's batch_format="pyarrow") failed: its column holds pyarrow scalars, not
    str, and a Table has no copy(). Each kind comes back as itself, other columns kept."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    texts = label_texts(3)
    expected = clean_batch(texts, model_path)
    stage = CleanBatch(model=model_path)
    columns = {"text": texts, "n": list(range(len(texts)))}
    for batch in (
        {name: np.array(values, dtype=object) for name, values in columns.items()},
        pd.DataFrame(columns),
        pa.table(columns),
        pa.table({"text": pa.chunked_array([texts[:2], texts[2:]], pa.large_string()), "n": columns["n"]}),
    ):
        out = stage(batch)
        assert type(out) is type(batch)
        got = out.to_pydict() if isinstance(out, pa.Table) else {name: list(out[name]) for name in out}
        assert got["text"] == [result.text for result in expected]
        assert got["n"] == columns["n"]
        got["mean_score"] = [None if score != score else score for score in got["mean_score"]]  # pandas: NaN
        for name in COUNTS:
            assert got[name] == [getattr(result, name) for result in expected], name
    assert stage(pa.table(columns)).schema.field("lines_kept").type == pa.int64()


def test_datatrove_step_cleans_any_iterable_of_documents(model_path: Path) -> None:
    """A generator of documents gave no verdicts at all: its documents were read once for their
    texts, and nothing was left to pair with the results."""
    pytest.importorskip("datatrove", reason="pip install -e '.[dev]' installs cleaner[datatrove]")
    from datatrove.data import Document

    from cleaner.integrations.datatrove import CleanerFilter

    texts = label_texts(3)
    step = CleanerFilter(model=model_path)
    listed = step.filter_batch([Document(text, str(number)) for number, text in enumerate(texts)])
    documents = [Document(text, str(number)) for number, text in enumerate(texts)]
    assert step.filter_batch(document for document in documents) == listed  # type: ignore[arg-type]
    assert [document.text for document in documents] == [result.text for result in clean_batch(texts, model_path)]


def datatrove_step() -> type:
    pytest.importorskip("datatrove", reason="pip install -e '.[dev]' installs cleaner[datatrove]")
    from cleaner.integrations.datatrove import CleanerFilter

    return CleanerFilter


@pytest.mark.parametrize("model", [5, 2.5, ["cleaner.npz"], object()])
@pytest.mark.parametrize("integration", ["datatrove", "ray"])
def test_a_model_that_is_neither_a_path_nor_none_is_refused_as_clean_batch_refuses_it(
    integration: str, model: object
) -> None:
    """It failed with os.fspath's own "expected str, bytes or os.PathLike object, not int"."""
    step = datatrove_step() if integration == "datatrove" else CleanBatch
    with pytest.raises(TypeError, match=f"^model: expected a model file's path or URL.* got {type(model).__name__}$"):
        step(model=model)


@pytest.mark.parametrize("integration", ["datatrove", "ray"])
def test_a_loaded_model_is_refused_with_what_to_pass_instead(integration: str, model_path: Path) -> None:
    """The steps send their workers the model's name, never its arrays: a loaded model is not one."""
    from cleaner import load_model

    step = datatrove_step() if integration == "datatrove" else CleanBatch
    with pytest.raises(TypeError, match=r"^model: expected a model file's path or URL, .* got Predictor$"):
        step(model=load_model(model_path))


@pytest.mark.parametrize("threshold", [2, -0.1, float("nan"), "x", "0.5", True])
@pytest.mark.parametrize("integration", ["datatrove", "ray"])
def test_a_bad_threshold_is_refused_when_the_step_is_made(
    integration: str, threshold: object, model_path: Path
) -> None:
    """It was taken, and refused only at the first batch, inside a worker of the cluster."""
    step = datatrove_step() if integration == "datatrove" else CleanBatch
    with pytest.raises(ValueError, match=r"^threshold: expected a number from 0 to 1, got "):
        step(model=model_path, threshold=threshold)
    assert step(model=model_path, threshold=1).threshold == 1.0
    assert step(model=model_path).threshold is None  # the model's own


@pytest.mark.parametrize("cache_dir", [5, b"/tmp/cache", ["/tmp/cache"]])
def test_a_cache_dir_that_is_not_a_path_is_refused(cache_dir: object) -> None:
    """CleanerFilter(cache_dir=5) failed with os.fspath's "expected str, bytes or os.PathLike object, not int"
    (and bytes were taken, to fail at the first batch)."""
    step = datatrove_step()
    with pytest.raises(TypeError, match=rf"^cache_dir: expected a folder's path, .* got {type(cache_dir).__name__}$"):
        step(cache_dir=cache_dir)
    assert step(cache_dir=Path("/tmp/cache")).cache_dir == "/tmp/cache"


def test_the_datatrove_step_without_datatrove_says_what_to_install() -> None:
    """Without the extra, the import failed with a bare "No module named 'datatrove'"."""
    hide = "import sys; sys.modules['datatrove'] = None; import cleaner.integrations.datatrove"
    result = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True)
    assert result.returncode == 1
    assert "ModuleNotFoundError" in result.stderr
    assert "pip install 'cleaner[datatrove]'" in result.stderr.splitlines()[-1]


def batches_with_a_null_text(texts: list[str]) -> list[object]:
    """One batch per kind Ray gives, its second record's text null: None in a dict and a Table,
    NaN in a DataFrame (what pandas makes of a null, and what failed the job: "text 5 is float")."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    ids, column = ["a", "nulltext", "c"], [texts[0], None, texts[1]]
    return [
        {"id": np.array(ids, dtype=object), "text": np.array(column, dtype=object)},
        {"id": ids, "text": column},
        pd.DataFrame({"id": ids, "text": [texts[0], float("nan"), texts[1]]}),
        pa.table({"id": ids, "text": column}),
    ]


def rows_of(batch: object) -> dict[str, list[object]]:
    pa = pytest.importorskip("pyarrow")
    if isinstance(batch, pa.Table):
        return batch.to_pydict()
    return {name: list(batch[name]) for name in batch}  # type: ignore[attr-defined]


def test_ray_stage_leaves_out_a_record_whose_text_is_null_and_names_it(
    model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One record with "text": null failed the whole Ray job ("clean_batch: text 5 is float, not
    str"), and nothing was written. It is left out, as cleaner predict reports and skips it, and a
    warning names it by its id; the rest of the batch is cleaned."""
    texts = label_texts(2)[:2]
    expected = clean_batch(texts, model_path)
    for batch in batches_with_a_null_text(texts):
        stage = CleanBatch(model=model_path)  # an actor's first such batch: warned of
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="cleaner.integrations.batches"):
            out = rows_of(stage(batch))
        assert out["id"] == ["a", "c"]
        assert out["text"] == [result.text for result in expected]
        assert out["chars_kept"] == [result.chars_kept for result in expected]
        (message,) = caplog.messages
        assert message.startswith("cleaner: 1 record of 3 in a batch left out, with no text in column 'text'")
        assert "id 'nulltext' (null);" in message or "id 'nulltext' (NaN, a null in a column of numbers);" in message


def test_ray_stage_warns_of_records_left_out_at_a_few_batches_and_names_each_at_debug_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One warning per batch with a null text (or a page on one line) was thousands of warnings on
    a large dataset. An actor warns at its 1st, 2nd, 4th, 8th... such batch with the count so far,
    and names every record at DEBUG level: none is lost."""
    from shards_support import ONE_LINE_PAGE

    from cleaner.classifier.format import SHIPPED_MODEL

    stage = CleanBatch(model=SHIPPED_MODEL)
    batches = 20
    page = label_texts(1)[0]
    with caplog.at_level(logging.DEBUG, logger="cleaner.integrations.batches"):
        for number in range(batches):
            nulls = 12 if number == 5 else 1  # more than a warning names
            ids = [f"page{number}", *(f"null{number}-{k}" for k in range(nulls)), f"line{number}"]
            stage({"id": ids, "text": [page, *[None] * nulls, ONE_LINE_PAGE]})
    warned = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    powers = [1 << k for k in range(batches.bit_length()) if 1 << k <= batches]  # 1, 2, 4, 8, 16
    assert len(warned) == 2 * len(powers)  # each kind: records left out, pages on one line
    left_out = [message for message in warned if "left out" in message]
    assert len(left_out) == len(powers)
    assert left_out[-1].endswith(
        f"{powers[-1] + 11} such records in {powers[-1]} batches of this CleanBatch so far (each named at DEBUG level)"
    )
    every = " ".join(record.getMessage() for record in caplog.records)
    for number in range(batches):
        assert f"id 'line{number}'" in every
        for k in range(12 if number == 5 else 1):
            assert f"id 'null{number}-{k}' (null)" in every


def test_ray_stage_names_a_record_by_its_row_without_an_id_column(
    model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stage = CleanBatch(model=model_path, text_column="body", id_column="url")
    with caplog.at_level(logging.WARNING, logger="cleaner.integrations.batches"):
        out = stage({"body": ["ok\n", 5, b"bytes"], "n": [0, 1, 2]})
    assert list(out["n"]) == [0]
    (message,) = caplog.messages
    assert (
        ": row 2 of 3 (index 1) of its batch (int, not str), "
        "row 3 of 3 (index 2) of its batch (bytes, not str, decode it first);"
    ) in message
    with caplog.at_level(logging.WARNING, logger="cleaner.integrations.batches"):
        empty = stage({"body": [None], "n": [0]})
    assert list(empty["body"]) == [] and list(empty["lines_total"]) == []


def test_ray_stage_names_a_record_without_an_id_by_its_row_never_id_nan(
    model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Records read into a batch, two lacking the id field: Ray gives the missing field as NaN in a
    numpy or pandas batch (pandas' NA in a pandas batch of from_items, None in a Table), which was
    named "id nan" ("id <NA>", "id None"). Such a record is named by its row in the batch as given
    (the page on one line was named by its row in the batch less the record left out: another's)."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    from shards_support import ONE_LINE_PAGE

    page = label_texts(1)[0]
    records = [{"id": "a", "text": page}, {"site": "x"}, {"text": ONE_LINE_PAGE}, {"id": "d", "text": page}]
    frame = pd.DataFrame(records)  # id: NaN in rows 1 and 2, text: NaN in row 1, as Ray reads them
    assert frame["id"].isna().tolist() == [False, True, True, False]
    for batch in (
        frame,
        {name: frame[name].to_numpy() for name in frame.columns},  # Ray's default format
        frame.convert_dtypes(),  # pandas' NA
        pa.Table.from_pylist(records),  # None
    ):
        stage = CleanBatch(model=model_path)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="cleaner.integrations.batches"):
            out = rows_of(stage(batch))
        assert len(out["text"]) == 3
        left_out, short = sorted(caplog.messages, key=lambda message: "left out" not in message)
        assert "left out" in left_out and ": row 2 of 4 (index 1) of its batch (" in left_out, left_out
        assert ": row 3 of 4 (index 2) of its batch;" in short, short
        for message in (left_out, short):
            assert all(named not in message for named in ("id nan", "id None", "id <NA>")), message


def test_ray_stage_without_its_text_column_names_the_columns_there_are(model_path: Path) -> None:
    """CleanBatch(text_column="body") on a batch without it raised a bare KeyError: 'body'."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    stage = CleanBatch(model=model_path, text_column="body")
    columns = {"id": ["a"], "text": ["Home\n"]}
    for batch in ({"id": np.array(["a"]), "text": np.array(["Home\n"])}, pd.DataFrame(columns), pa.table(columns)):
        with pytest.raises(KeyError) as raised:
            stage(batch)
        assert str(raised.value) == (
            "CleanBatch: the batch has no column 'body' (text_column) to clean; its columns: 'id', 'text'"
        )


def test_datatrove_step_drops_a_document_without_text_with_its_reason(model_path: Path, tmp_path: Path) -> None:
    """A document whose text is None (from a reader's adapter or an earlier step) failed the whole
    task in clean_batch; datatrove's own readers skip such records. It is dropped as cleaner_no_text,
    into the exclusion writer, named in a warning; the others are cleaned."""
    pytest.importorskip("datatrove", reason="pip install -e '.[dev]' installs cleaner[datatrove]")
    from datatrove.data import Document
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.logging import logger

    from cleaner.integrations.datatrove import NO_TEXT, CleanerFilter

    texts = label_texts(2)[:2]
    documents = [Document(texts[0], "a"), Document(None, "nulltext"), Document(5, "five"), Document(texts[1], "c")]  # type: ignore[arg-type]
    step = CleanerFilter(model=model_path, exclusion_writer=JsonlWriter(str(tmp_path / "dropped"), compression=None))
    logged: list[str] = []
    sink = logger.add(logged.append, level="WARNING", format="{message}")
    try:
        kept = list(step.run(iter(documents)))
    finally:
        logger.remove(sink)
    assert [document.id for document in kept] == ["a", "c"]
    assert [document.text for document in kept] == [result.text for result in clean_batch(texts, model_path)]
    assert step.stats[f"dropped_{NO_TEXT}"].total == 2
    dropped = [json.loads(line) for path in (tmp_path / "dropped").glob("*.jsonl") for line in path.open()]
    assert {record["id"]: record["metadata"]["filter_reason"] for record in dropped} == {
        "nulltext": NO_TEXT,
        "five": NO_TEXT,
    }
    assert [message.strip() for message in logged] == [
        "cleaner: document 'nulltext' has no text to clean (null): dropped as cleaner_no_text",
        "cleaner: document 'five' has no text to clean (int, not str): dropped as cleaner_no_text",
    ]

"""cleaner as a datatrove step, on datatrove's own executors: the local one with two tasks (a fork
server, as in production), and a Slurm task's launcher run on this machine; the output is what
``cleaner predict`` writes for the same records. The Ray executor is in test_integrations_ray.py."""

from __future__ import annotations

import ast
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from shards_support import label_texts, one_line_pages, predicted, write_shards

pytest.importorskip("datatrove", reason="pip install -e '.[dev]' installs cleaner[datatrove]")

import dill  # datatrove's own pickler, which its Slurm executor uses
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor, SlurmPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from cleaner.classifier.cleaned import COUNTS, clean_batch
from cleaner.classifier.format import SHIPPED_MODEL
from cleaner.integrations.datatrove import SHORT_DUMP_KEPT, TOO_LITTLE_KEPT, TOO_SHORT, CleanerFilter


def written(folder: Path) -> dict[str, dict[str, Any]]:
    """The documents a JsonlWriter wrote into ``folder``, by id."""
    documents = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            documents[record["id"]] = record
    return documents


def assert_same_as_cleaner_predict(documents: dict[str, dict[str, Any]], reference: dict[str, dict[str, Any]]) -> None:
    """Every record datatrove reads (it skips empty texts) comes out as cleaner predict wrote it."""
    assert documents.keys() == {ident for ident, record in reference.items() if record["lines_total"]}
    for ident, document in documents.items():
        record = reference[ident]
        assert document.get("text", "") == record["text"], ident  # the writer leaves out empty fields
        assert {name: document["metadata"][name] for name in COUNTS} == {name: record[name] for name in COUNTS}
        assert document["metadata"]["site"] == record["site"]  # the reader's other fields are kept


def pipeline_run(tmp: Path, step: CleanerFilter, tasks: int = 2, **executor: Any) -> dict[str, Any]:
    """JsonlReader(shards) -> step -> JsonlWriter on the local executor; its merged stats by step name."""
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp / "in")), step, JsonlWriter(str(tmp / "out"), compression=None)],
        tasks=tasks,
        workers=tasks,
        logging_dir=str(tmp / "logs"),
        **executor,
    ).run()
    stats = json.loads((tmp / "logs" / "stats.json").read_text(encoding="utf-8"))
    return {entry["name"]: entry["stats"] for entry in stats}


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    return write_shards(label_texts(), tmp_path / "in", 4)


@pytest.mark.slow
def test_local_executor_two_tasks_gives_what_cleaner_predict_gives(
    shards: list[Path], model_path: Path, tmp_path: Path
) -> None:
    reference = predicted(shards, model_path, tmp_path)
    stats = pipeline_run(tmp_path, CleanerFilter(model=model_path, batch_size=16))
    documents = written(tmp_path / "out")
    assert len(list((tmp_path / "out").glob("*.jsonl"))) == 2  # one output file per task
    assert_same_as_cleaner_predict(documents, reference)
    step = stats[f"🔻 - FILTER: {CleanerFilter.name}"]
    assert step["forwarded"] == len(documents) > 60
    assert step["batches"] >= 6  # batched: 71 documents in batches of at most 16


@pytest.mark.slow
def test_local_executor_keeps_a_page_on_one_line_as_cleaner_predict_does(tmp_path: Path) -> None:
    """The README's recipe dropped such a page as cleaner_too_short: emptied by the model's verdict
    on its one line, where cleaner predict keeps it whole (--short-dumps keep)."""
    shards = write_shards([*one_line_pages(), *label_texts(6)], tmp_path / "in", 2)
    reference = predicted(shards, SHIPPED_MODEL, tmp_path)
    step = CleanerFilter(model=SHIPPED_MODEL, batch_size=4)
    stats = pipeline_run(tmp_path, step)
    documents = written(tmp_path / "out")
    assert_same_as_cleaner_predict(documents, reference)
    assert {"doc-0000", "doc-0001", "doc-0002"} <= documents.keys()
    assert stats[f"🔻 - FILTER: {CleanerFilter.name}"][SHORT_DUMP_KEPT] == len(one_line_pages())


@pytest.mark.slow
def test_a_model_url_is_fetched_once_for_both_tasks(shards: list[Path], model_path: Path, tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    served = tmp_path / "served" / "cleaner.npz"
    served.parent.mkdir()
    served.write_bytes(model_path.read_bytes())
    cache = tmp_path / "cache"
    step = CleanerFilter(model=f"file://{served}", batch_size=64, cache_dir=cache)
    stats = pipeline_run(tmp_path, step)
    assert stats[f"🔻 - FILTER: {CleanerFilter.name}"]["model_fetched"] == 1
    (copy,) = (cache / "models").glob("*.npz")
    assert copy.read_bytes() == served.read_bytes()
    assert_same_as_cleaner_predict(written(tmp_path / "out"), predicted(shards, model_path, tmp_path))


def test_dropped_documents_go_to_the_exclusion_writer_with_their_reason(model_path: Path, tmp_path: Path) -> None:
    texts = label_texts(12)
    results = clean_batch(texts, model_path)
    shortest = min(r.chars_kept for r in results if r.chars_kept)
    ratios = sorted(r.chars_kept / len(t) for r, t in zip(results, texts) if r.chars_kept > shortest)
    middle = (ratios[1] + ratios[2]) / 2  # two of the documents long enough keep a smaller share
    documents = [Document(text, f"d{i}") for i, text in enumerate(texts)]
    step = CleanerFilter(
        model=model_path,
        min_chars=shortest + 1,
        min_kept_ratio=middle,
        exclusion_writer=JsonlWriter(str(tmp_path / "dropped"), compression=None),
    )
    kept = list(step.run(iter(documents)))
    dropped = written(tmp_path / "dropped")
    assert len(kept) + len(dropped) == len(texts)
    reasons = {ident: record["metadata"]["filter_reason"] for ident, record in dropped.items()}
    assert set(reasons.values()) == {TOO_SHORT, TOO_LITTLE_KEPT}
    for number, (text, result) in enumerate(zip(texts, results)):
        ident = f"d{number}"
        if result.chars_kept < shortest + 1:
            assert reasons[ident] == TOO_SHORT
        elif text and result.chars_kept < middle * len(text):
            assert reasons[ident] == TOO_LITTLE_KEPT
        else:
            assert ident not in reasons
    for document in kept:
        result = results[int(document.id[1:])]
        assert document.text == result.text
        assert document.metadata == {name: getattr(result, name) for name in COUNTS}
    for ident, record in dropped.items():  # the original text, and what cleaning would have left
        assert record.get("text", "") == texts[int(ident[1:])]
        assert record["metadata"]["chars_kept"] == results[int(ident[1:])].chars_kept


def test_pickled_step_holds_the_model_name_not_the_model(model_path: Path) -> None:
    """Executors pickle the pipeline into every task (Slurm's with dill): a step that has already
    cleaned in the launcher pickles as small as a fresh one, and loads its model again where it runs."""
    step = CleanerFilter(model=model_path, threshold=0.6, min_chars=10)
    fresh = len(pickle.dumps(step))
    text = label_texts(1)[0]
    before = step.filter_batch([Document(text, "a")])
    assert step._model is not None
    for dumps, loads in ((pickle.dumps, pickle.loads), (dill.dumps, dill.loads)):
        data = dumps(step)
        assert len(data) < fresh + 200 < 4000  # the model's arrays are over 100 KB
        again = loads(data)
        assert again._model is None and again.model == str(model_path) and again.threshold == 0.6
        document = Document(text, "a")
        assert again.filter_batch([document]) == before
        assert document.text == clean_batch([text], model_path, 0.6)[0].text


def test_the_model_is_named_where_the_step_is_made(model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(model_path.parent)
    assert CleanerFilter(model=model_path.name).model == str(model_path)  # absolute: workers start elsewhere
    monkeypatch.setenv("CLEANER_MODEL", str(model_path))
    assert CleanerFilter().model == str(model_path)
    monkeypatch.delenv("CLEANER_MODEL")
    assert CleanerFilter().model is None  # each worker's shipped model
    assert CleanerFilter(model="s3://bucket/cleaner.npz").model == "s3://bucket/cleaner.npz"


def test_a_wrong_model_path_is_refused_where_the_step_is_made(tmp_path: Path) -> None:
    """CleanerFilter(model="nope.npz") was taken, and every task failed once it had read its shard,
    with a message that said to check --model or load_model's argument. It is refused at once, as
    CleanBatch refuses it, and the message names the step's argument (a file that is no model too)."""
    from cleaner.classifier.format import ModelError
    from cleaner.integrations.batches import CleanBatch

    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    for step in (CleanerFilter, CleanBatch):
        with pytest.raises(
            ModelError,
            match=rf"no model at .*nope\.npz: check the model path given \({step.__name__}\(model=\.\.\.\)\)",
        ):
            step(model=tmp_path / "nope.npz")
        with pytest.raises(ModelError, match=rf"not a cleaner model: .*given \({step.__name__}\(model=\.\.\.\)\)"):
            step(model=dump)


WORKER_IMPORTS = """
import sys
import multiprocess
from datatrove.pipeline.readers import JsonlReader
from cleaner.integrations.datatrove import CleanerFilter, preload_in_fork_server
if sys.argv[1] == "preload":
    preload_in_fork_server([JsonlReader("shards/"), CleanerFilter()])
watched = ("datatrove.executor.local", "datatrove.pipeline.readers.jsonl", "cleaner.integrations.datatrove", "numpy")
with multiprocess.get_context("forkserver").Pool(1) as pool:  # as the local executor starts its workers
    print(pool.apply(eval, (f"sorted(set({watched!r}) & set(__import__('sys').modules))",)))
"""


@pytest.mark.parametrize("preload", [True, False])
def test_a_preloaded_fork_server_starts_workers_with_the_pipelines_modules(preload: bool) -> None:
    """A worker of the local executor has datatrove, the pipeline's steps and cleaner when it starts
    only if the fork server preloaded them; otherwise it imports them all again, though the launcher's
    script imports them at its top."""
    done = subprocess.run(
        [sys.executable, "-c", WORKER_IMPORTS, "preload" if preload else "no"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    imported = ast.literal_eval(done.stdout)  # the list of module names the worker printed
    watched = ["cleaner.integrations.datatrove", "datatrove.executor.local", "datatrove.pipeline.readers.jsonl"]
    assert imported == (sorted([*watched, "numpy"]) if preload else [])


RUN_PICKLED = """
import sys, dill
from collections import deque
with open(sys.argv[1], "rb") as handle:
    executor = dill.load(handle)
for rank in range(executor.world_size):  # what each Slurm task runs, without the scheduler's environment
    data = None
    for step in executor.pipeline:
        data = step(data, rank, executor.world_size)
    deque(data or [], maxlen=0)
"""


@pytest.mark.slow
def test_the_slurm_executors_pickle_runs_in_a_new_process(shards: list[Path], model_path: Path, tmp_path: Path) -> None:
    """SlurmPipelineExecutor dills itself, its pipeline included, into a file that every task loads
    in a new process: the file stays small, and the steps loaded from it clean as cleaner predict."""
    from dill import CONTENTS_FMODE

    executor = SlurmPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "in")),
            CleanerFilter(model=model_path),
            JsonlWriter(str(tmp_path / "out"), compression=None),
        ],
        tasks=2,
        time="00:10:00",
        partition="any",
        logging_dir=str(tmp_path / "logs"),
    )
    pickled = tmp_path / "executor.pik"
    with pickled.open("wb") as handle:
        dill.dump(executor, handle, fmode=CONTENTS_FMODE)  # as SlurmPipelineExecutor.launch_job does
    assert pickled.stat().st_size < 20_000
    subprocess.run([sys.executable, "-c", RUN_PICKLED, str(pickled)], check=True, capture_output=True, timeout=300)
    assert len(list((tmp_path / "out").glob("*.jsonl"))) == 2
    assert_same_as_cleaner_predict(written(tmp_path / "out"), predicted(shards, model_path, tmp_path))

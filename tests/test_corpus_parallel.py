"""The worker pool keeps input order and reports a broken model; cleaning is deletion-only for any input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from corpus_support import PAGE, PAGE_EN, jsonl, lines_of
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import assert_clean_shape, output_lines
from typer.testing import CliRunner

from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.format import ModelError
from cleaner.classifier.predictor import Predictor
from cleaner.cli import app
from cleaner.corpus.items import CleanedDocument, InputDone, InputError, Raw
from cleaner.corpus.parallel import NATIVE_THREAD_VARIABLES, chunked, clean_in_order
from cleaner.corpus.readers import ParseOptions
from cleaner.corpus.readers.jsonl import KIND as JSONL
from cleaner.corpus.readers.text import KIND as TEXT
from cleaner.corpus.readers.warc import KIND as WARC
from cleaner.corpus.renderers import Render
from cleaner.corpus.worker import Cleaner, Settings
from cleaner.text import split_lines

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE = st.one_of(
    st.sampled_from(["", " ", "Tin liên quan", "Menu | Home", "A sentence of body text that ends here."]),
    st.text(st.characters(exclude_characters="\r\n", codec="utf-8"), max_size=30),
)
TEXT_ST = st.builds(
    lambda lines, end: "\n".join(lines) + end, st.lists(LINE, max_size=8), st.sampled_from(["", "\n", "\r\n"])
)


@pytest.fixture(scope="module")
def predictor(trained_model: LineClassifier) -> Predictor:
    """What the CLI's workers use: the model's numpy predictor."""
    return trained_model.predictor_


def raws(count: int) -> list[Raw]:
    pages = [PAGE, PAGE_EN, "", "Only one line."]
    return [
        Raw(JSONL, f"in.jsonl:{n}", json.dumps({"id": n, "text": pages[n % 4]}).encode(), consumed=1)
        for n in range(1, count + 1)
    ]


def test_chunks_are_bounded_by_documents_and_bytes() -> None:
    items = [*raws(7), InputDone(Path("x")), InputError("y", "bad")]
    assert [len(c) for c in chunked(items, documents=3)] == [3, 3, 3]
    assert [len(c) for c in chunked(raws(4), documents=100, size=1)] == [1, 1, 1, 1]


@pytest.fixture(params=["fork", "forkserver"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways the pool starts its workers: forked from this process, or from a fork server."""
    monkeypatch.setattr("cleaner.corpus.parallel.can_fork", lambda: request.param == "fork")
    return request.param


def test_pool_keeps_input_order(model_path: Path, predictor: Predictor, start_method: str) -> None:
    items = [*raws(9), InputError("bad.jsonl:3", "not valid JSON"), *raws(5)]
    config = Settings(str(model_path), None, Render.RECORD, Render.RECORD, ParseOptions(id_field="id"))
    alone = [item for chunk in clean_in_order(items, config, 1, predictor, documents=2) for item in chunk]
    pooled = [item for chunk in clean_in_order(items, config, 2, None, documents=2) for item in chunk]
    assert [type(i).__name__ for i in pooled] == [type(i).__name__ for i in alone]
    assert [i.output for i in pooled if isinstance(i, CleanedDocument)] == [
        i.output for i in alone if isinstance(i, CleanedDocument)
    ]
    assert [json.loads(i.output)["id"] for i in pooled if isinstance(i, CleanedDocument)] == [
        *range(1, 10),
        *range(1, 6),
    ]


def test_forked_workers_use_the_model_they_are_given(predictor: Predictor, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library caller's model object reaches forked workers as it is: no path to load it from."""
    monkeypatch.setattr("cleaner.corpus.parallel.can_fork", lambda: True)
    config = Settings("no-such-model.npz", None, Render.RECORD, Render.RECORD)
    pooled = [item for chunk in clean_in_order(raws(6), config, 2, predictor, documents=2) for item in chunk]
    assert len(pooled) == 6 and all(isinstance(item, CleanedDocument) for item in pooled)


def test_pool_reports_a_model_that_cannot_load(tmp_path: Path, start_method: str) -> None:
    config = Settings(str(tmp_path / "missing.npz"), None)
    with pytest.raises(ModelError, match=r"missing\.npz"):
        list(clean_in_order(raws(6), config, 2, None, documents=2))


def test_cli_jobs_2_matches_jobs_1(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl({"id": n, "text": PAGE if n % 3 else PAGE_EN} for n in range(300)))
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"out{jobs}.jsonl"
        result = runner.invoke(app, ["predict", str(source), "-o", str(target), "-j", jobs, "--model", str(model_path)])
        assert result.exit_code == 0, result.output
        assert "300 documents" in result.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


@PROPERTY
@given(st.lists(TEXT_ST, min_size=1, max_size=4), st.sampled_from([None, 0.0, 1.0]))
@example(["\ufeffHead\r\n\r\nBody.\rFoot\n"], None)
def test_records_only_delete_lines(predictor: Predictor, texts: list[str], threshold: float | None) -> None:
    cleaner = Cleaner(Settings("unused", threshold), predictor)
    items = [Raw(JSONL, f"in.jsonl:{n}", json.dumps({"text": t}).encode()) for n, t in enumerate(texts, 1)]
    items += [Raw(WARC, f"x.wet:{n}", t.encode(), ident=str(n)) for n, t in enumerate(texts, 1)]
    for text, result in zip(texts + texts, cleaner.run(items)):
        assert isinstance(result, CleanedDocument), result
        cleaned = json.loads(result.output)["text"]
        lines = split_lines(text)
        assert_clean_shape(output_lines(cleaned if cleaned.endswith("\n") or not cleaned else cleaned + "\n"), lines)
        if threshold == 0.0:
            assert [line for line in split_lines(cleaned) if line.strip()] == [line for line in lines if line.strip()]


@PROPERTY
@given(st.binary(max_size=400), st.sampled_from(["strict", "replace"]))
def test_arbitrary_bytes_never_crash_the_worker(predictor: Predictor, data: bytes, errors: str) -> None:
    cleaner = Cleaner(Settings("unused", None, parse=ParseOptions(errors=errors)), predictor)
    results = cleaner.run([Raw(JSONL, "in.jsonl:1", data), Raw(TEXT, "in.txt", data, ident="in.txt")])
    assert all(isinstance(r, (CleanedDocument, InputError)) for r in results)
    if isinstance(results[1], CleanedDocument):
        text = data.decode("utf-8", errors).removeprefix("\ufeff")
        assert_clean_shape(output_lines(results[1].output.decode()), split_lines(text))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT_ST, min_size=1, max_size=3))
@example(["0\x85 NEL and \u2028 LINE SEPARATOR are not line breaks in JSONL"])
def test_cli_jsonl_only_deletes_lines(model_path: Path, texts: list[str]) -> None:
    data = jsonl({"n": n, "text": t} for n, t in enumerate(texts))
    result = CliRunner().invoke(
        app, ["predict", "-", "--input-format", "jsonl", "--model", str(model_path)], input=data
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in lines_of(result.stdout)]
    assert [r["n"] for r in records] == list(range(len(texts)))
    for record, text in zip(records, texts):
        cleaned = record["text"]
        kept = output_lines(cleaned if cleaned.endswith("\n") or not cleaned else cleaned + "\n")
        assert_clean_shape(kept, split_lines(text))


def test_in_process_cleaning_runs_blas_on_one_thread(model_path: Path, predictor: Predictor) -> None:
    """--jobs 1 is one core, like a pool's worker: BLAS threads would only spin on small products."""
    from threadpoolctl import threadpool_info

    seen: list[int] = []
    predict = predictor.predict_proba_nonblank

    class Spy:
        threshold = predictor.threshold

        def predict_proba_nonblank(self, documents: list[list[str]]) -> list:
            seen.extend(pool["num_threads"] for pool in threadpool_info())
            return predict(documents)

    config = Settings(str(model_path), None, Render.RECORD, Render.RECORD)
    cleaned = [item for chunk in clean_in_order(raws(4), config, 1, Spy(), documents=2) for item in chunk]
    assert all(isinstance(item, CleanedDocument) for item in cleaned)
    assert seen and set(seen) == {1}


def test_fork_server_preloads_modules_that_exist() -> None:
    """The fork server ignores a module it cannot import: a renamed one would silently cost start-up."""
    import importlib

    from cleaner.corpus.parallel import PRELOAD

    for name in PRELOAD:
        importlib.import_module(name)


def run_imports(
    cleaner_exe: Path, model_path: Path, tmp_path: Path, blas_threads: str | None, jobs: int = 2
) -> list[str]:
    """The modules a `cleaner predict -j JOBS` run imported, in all its processes (one per import:
    PYTHONPROFILEIMPORTTIME makes every process list its imports on stderr)."""
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text((json.dumps({"id": 1, "text": PAGE}) + "\n") * 300, encoding="utf-8")  # three chunks
    command = [str(cleaner_exe), "predict", str(corpus), "-o", str(tmp_path / "out.jsonl"), "-j", str(jobs), "-q"]
    env = {key: value for key, value in os.environ.items() if key not in NATIVE_THREAD_VARIABLES}
    env.update(CLEANER_MODEL=str(model_path), PYTHONPROFILEIMPORTTIME="1")
    if blas_threads is not None:
        env["OPENBLAS_NUM_THREADS"] = blas_threads
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 300
    return [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_cli_forks_workers_that_import_nothing_again(cleaner_exe: Path, model_path: Path, tmp_path: Path) -> None:
    """`cleaner predict -j 2` forks its workers (no fork server) after one prediction of its own, so
    that what the first prediction imports is imported once, not once more per worker: its whole
    process tree imports nothing that a `-j 1` run does not, but the pool's own modules, once."""
    pooled = run_imports(cleaner_exe, model_path, tmp_path, None)
    assert "multiprocessing.popen_fork" in pooled and "multiprocessing.forkserver" not in pooled
    assert "cleaner.classifier.predictor" in pooled
    extra = Counter(pooled) - Counter(run_imports(cleaner_exe, model_path, tmp_path, None, jobs=1))
    assert [name for name, count in extra.items() if count > 1 or not name.startswith("multiprocessing.")] == []


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_cli_does_not_fork_beside_a_blas_thread_pool(cleaner_exe: Path, model_path: Path, tmp_path: Path) -> None:
    """A user's OPENBLAS_NUM_THREADS=2 makes numpy start a thread as the model loads: the workers
    then come from a fork server, as with any other thread."""
    probe = "import os, numpy; print(len(os.listdir('/proc/self/task')))"
    threads = subprocess.run(
        [sys.executable, "-c", probe], env={**os.environ, "OPENBLAS_NUM_THREADS": "2"}, capture_output=True, text=True
    )
    if threads.stdout.strip() == "1":
        pytest.skip("this numpy's BLAS starts no thread of its own")
    imports = run_imports(cleaner_exe, model_path, tmp_path, "2")
    assert "multiprocessing.forkserver" in imports


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_a_worker_ignores_ctrl_c_from_its_first_moment(model_path: Path, tmp_path: Path) -> None:
    """Ctrl-C goes to the whole process group, workers included, and a worker is forked with the
    main process's handlers. One that got it before setting its own raised the main process's stop
    inside it, and printed a traceback beside the stop message (once in about 60 kills of ``make
    faults``). Here each worker gets SIGINT at the worst moment, as it is forked, and from no one
    else: the run goes on as if nothing happened."""
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(jsonl({"id": n, "text": PAGE} for n in range(300)))  # three chunks: a pool
    code = (
        "import os, signal\n"
        "os.register_at_fork(after_in_child=lambda: os.kill(os.getpid(), signal.SIGINT))\n"
        "from cleaner.__main__ import main\n"
        "main()\n"
    )
    target = tmp_path / "out.jsonl"
    command = [sys.executable, "-c", code, "predict", str(corpus), "-o", str(target), "-j", "2"]
    result = subprocess.run([*command, "--model", str(model_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "300 documents" in result.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) == 300


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_workers_are_forked_only_from_a_single_threaded_process() -> None:
    """A fresh CLI process may fork its workers (it has no other thread, the BLAS pool included);
    with a thread running, a child could inherit that thread's locks held, so it must not."""
    code = (
        "import os; os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')\n"
        "import threading\n"
        "import cleaner.cli, cleaner.classifier.predictor\n"
        "from cleaner.corpus.parallel import can_fork\n"
        "print(can_fork())\n"
        "stop = threading.Event(); threading.Thread(target=stop.wait).start()\n"
        "print(can_fork()); stop.set()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["True", "False"], result.stderr

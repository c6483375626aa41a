"""Ctrl-C or SIGTERM while ``cleaner predict -j 2`` sends a chunk to a worker: the run stops, says so
and how to resume, and ``--resume`` completes it to the bytes of an uninterrupted run.

On Python 3.10 and 3.11 before 3.11.5 (Debian 12's ``/usr/bin/python3`` is 3.11.2) the first stop
hung for ever: the pool's feeder thread was blocked writing a chunk of about 1 MB into the pipe to
its workers, which were killed, and the pool's shutdown waited for it (CPython gh-94777; see
cleaner.corpus.abort). The signal is sent once such a write is seen blocked (the thread's wait
channel in /proc is the kernel's pipe write), so each run tests that very moment.

A worker that dies of itself at that moment (the out-of-memory killer) hung the run the same way;
now the run ends with one line, and ``--resume`` completes it.

Run with the tests' Python, and with ``/usr/bin/python3`` when it is another release of the same
minor version (3.11.2 beside a 3.11.7 venv): the tests' packages, which are built for that minor
version, are lent to it through a ``.pth`` file in a venv of its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import Labelled

from cleaner.training.fault_runs import orphans_after

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="forked workers, and /proc to see the blocked write: Linux"),
]

SYSTEM_PYTHON = Path("/usr/bin/python3")
RECORDS = 1024  # 8 chunks of 128 pages (about 1 MB each: far more than a pipe holds)
BLOCKED_SECONDS = 60.0  # how long to wait for a chunk's write to block
STOP_SECONDS = 30.0  # how long a stopped run may take to end (it takes well under one)


def _big_input(folder: Path, documents: list[Labelled]) -> Path:
    path = folder / "pages.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(RECORDS):
            out.write(json.dumps({"id": f"page-{number}", "text": documents[number % len(documents)].text}) + "\n")
    return path


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory, seed_documents: list[Labelled]) -> Path:
    return _big_input(tmp_path_factory.mktemp("pool-stop"), seed_documents)


@pytest.fixture(scope="module")
def uninterrupted(big_input: Path, model_path: Path) -> bytes:
    output = big_input.with_name("uninterrupted.jsonl")
    done = _run([sys.executable], big_input, output, model_path)
    assert done.returncode == 0, done.stderr.decode()
    return output.read_bytes()


def _system_python(folder: Path) -> list[str]:
    """``/usr/bin/python3`` in a venv that reads the tests' packages, or a skip saying why not."""
    if not SYSTEM_PYTHON.is_file():
        pytest.skip(f"{SYSTEM_PYTHON} is not there")
    asked = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True, text=True
    )
    version = tuple(int(part) for part in asked.stdout.split())
    if version[:2] != sys.version_info[:2]:
        pytest.skip(
            f"{SYSTEM_PYTHON} is {'.'.join(map(str, version))}: the tests' packages are built for "
            f"{sys.version_info.major}.{sys.version_info.minor}, so it cannot borrow them"
        )
    if version == sys.version_info[:3]:
        pytest.skip(f"{SYSTEM_PYTHON} is {sys.version.split()[0]}, the tests' own Python: tested as that")
    venv = folder / "system-venv"
    made = subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"{SYSTEM_PYTHON} -m venv failed: {made.stderr.decode().strip()[-200:]}")
    python = venv / "bin" / "python"
    inside = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True
    )
    # addsitedir, not a bare path: the tests' site-packages has .pth files of its own (the editable
    # install of cleaner), which only a site directory's are read.
    lent = sysconfig.get_path("purelib")
    (Path(inside.stdout.strip()) / "borrowed.pth").write_text(f"import site; site.addsitedir({lent!r})\n")
    return [str(python)]


@pytest.fixture(scope="module")
def pythons(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str] | str]:
    """Each interpreter's command, or why it is skipped (made once, asked for by name)."""
    found: dict[str, list[str] | str] = {"tests-python": [sys.executable]}
    try:
        found["usr-bin-python3"] = _system_python(tmp_path_factory.mktemp("system-python"))
    except pytest.skip.Exception as exc:
        found["usr-bin-python3"] = str(exc)
    return found


def _command(python: Sequence[str], source: Path, output: Path, model: Path, *extra: str) -> list[str]:
    return [
        *python,
        "-m",
        "cleaner",
        "predict",
        str(source),
        "-o",
        str(output),
        "-j",
        "2",
        "-q",
        "--model",
        str(model),
        *extra,
    ]


def _run(
    python: Sequence[str], source: Path, output: Path, model: Path, *extra: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(_command(python, source, output, model, *extra), capture_output=True, timeout=600)


def _writing_into_a_pipe(pid: int) -> bool | None:
    """Whether a thread of ``pid`` is blocked writing into a full pipe (None: the process is gone)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for task in tasks:
        try:
            channel = Path(f"/proc/{pid}/task/{task}/wchan").read_text()
        except OSError:
            continue
        if "pipe_write" in channel or "pipe_wait_writable" in channel:
            return True
    return False


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("interpreter", ["tests-python", "usr-bin-python3"])
def test_a_stop_while_a_chunk_is_sent_to_a_worker_ends_the_run_and_resume_completes_it(
    pythons: dict[str, list[str] | str],
    interpreter: str,
    how: str,
    big_input: Path,
    model_path: Path,
    uninterrupted: bytes,
    tmp_path: Path,
) -> None:
    python = _python(pythons, interpreter)
    output = tmp_path / "out.jsonl"
    process = _started_and_blocked(python, big_input, output, model_path)
    if how == "SIGINT":
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C sends it, to the whole group
    else:
        os.kill(process.pid, signal.SIGTERM)  # as timeout and Slurm send it
    said = _ended(process, python, f"after {how}")
    assert process.returncode == 128 + getattr(signal, how), said
    assert said.startswith(f"cleaner: interrupted ({how})") and "--resume" in said and "Traceback" not in said, said
    _resumed(python, big_input, output, model_path, uninterrupted)


@pytest.mark.parametrize("interpreter", ["tests-python", "usr-bin-python3"])
def test_a_worker_that_dies_while_a_chunk_is_sent_ends_the_run_and_resume_completes_it(
    pythons: dict[str, list[str] | str],
    interpreter: str,
    big_input: Path,
    model_path: Path,
    uninterrupted: bytes,
    tmp_path: Path,
) -> None:
    python = _python(pythons, interpreter)
    output = tmp_path / "out.jsonl"
    process = _started_and_blocked(python, big_input, output, model_path)
    workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    os.kill(int(workers[0]), signal.SIGKILL)  # as the out-of-memory killer ends it
    said = _ended(process, python, "after a worker died")
    assert process.returncode == 1, said
    assert said.startswith("cleaner: a worker process died") and "--resume" in said and "Traceback" not in said, said
    _resumed(python, big_input, output, model_path, uninterrupted)


def _python(pythons: dict[str, list[str] | str], interpreter: str) -> list[str]:
    python = pythons[interpreter]
    if isinstance(python, str):
        pytest.skip(python)
    return python


def _started_and_blocked(python: list[str], source: Path, output: Path, model: Path) -> subprocess.Popen[bytes]:
    """The run, started in a session of its own, once a chunk's write to its workers is blocked."""
    process = subprocess.Popen(
        _command(python, source, output, model),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + BLOCKED_SECONDS
    while (blocked := _writing_into_a_pipe(process.pid)) is False and time.monotonic() < deadline:
        time.sleep(0.02)
    if not blocked or process.poll() is not None:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.skip("no chunk's write to a worker was seen blocked before the run ended: the moment was not tested")
    return process


def _ended(process: subprocess.Popen[bytes], python: list[str], when: str) -> str:
    """What the run said, once it ended (failing if it does not) with no process of it left."""
    try:
        _, stderr = process.communicate(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(
            f"{' '.join(python)}: still running {STOP_SECONDS:.0f} s {when}: the pool's shutdown waited for a "
            "chunk's write to workers that were dead (CPython gh-94777)"
        )
    assert orphans_after(process.pid) == 0
    return stderr.decode()


def _resumed(python: list[str], source: Path, output: Path, model: Path, uninterrupted: bytes) -> None:
    resumed = _run(python, source, output, model, "--resume")
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert output.read_bytes() == uninterrupted
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]

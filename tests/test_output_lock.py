"""Two runs writing one ``-o FILE`` (``.jsonl``, ``.jsonl.gz``, ``-f jsonl``): the second is refused.

Both runs grew the same ``FILE.partial``: the second truncated the first's records, both wrote into
it and both renamed it; the second reported success (exit 0) over ~3,700 lines of both runs mixed,
with a line of NUL bytes, and the first failed ("cannot write: No such file or directory") naming
an output that was there. Now the run that holds the ``.partial`` (an advisory lock, taken before
anything is inspected, renamed or truncated) finishes as if alone, and the other is refused at its
start (exit 2) having changed nothing. The kernel lets go of the lock of a killed run, so
``--resume`` after ``kill -9`` works as before.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_support import PAGE, PAGE_EN, jsonl
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus import locks, sinks
from cleaner.corpus.items import CleanedDocument

BUSY = "another cleaner run is writing this output now"


def records(first: int, count: int) -> bytes:
    return jsonl({"id": f"doc-{n}", "text": f"{PAGE if n % 2 else PAGE_EN}\nĐoạn {n}.\n"} for n in range(first, count))


def invoke(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)], input=stdin)


def run(cleaner_exe: Path, model_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(cleaner_exe), "predict", *args, "--model", str(model_path), "-j", "1"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    """Until ``path`` is there (the run has taken its lock), or fail if the run ended first."""
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.fixture
def writing(cleaner_exe: Path, model_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Real cleaner runs, killed at the end of the test if still running."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def start_run(
    started: list[subprocess.Popen[bytes]], cleaner_exe: Path, model_path: Path, target: Path, *args: str
) -> subprocess.Popen[bytes]:
    """A real run into ``target`` that stays in the middle of its work: it reads JSONL records from a
    pipe that the test keeps open, and it has taken its lock once its ``.partial`` is there."""
    command = [str(cleaner_exe), "predict", "-", "--input-format", "jsonl", "-o", str(target), "-j", "1", "-q"]
    process = subprocess.Popen(
        [*command, *args, "--model", str(model_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    started.append(process)
    assert process.stdin is not None
    process.stdin.write(records(0, 20))
    process.stdin.flush()
    wait_for(target.with_name(target.name + ".partial"), process)
    return process


def content(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()


@pytest.mark.parametrize(("name", "fmt"), [("out.jsonl", "text"), ("out.jsonl.gz", "text"), ("lines.jsonl", "jsonl")])
def test_a_second_run_into_the_same_output_is_refused_and_the_first_completes(
    runner: CliRunner,
    cleaner_exe: Path,
    model_path: Path,
    tmp_path: Path,
    writing: list[subprocess.Popen[bytes]],
    name: str,
    fmt: str,
) -> None:
    target = tmp_path / "out" / name
    target.parent.mkdir()
    other = tmp_path / "other.jsonl"
    other.write_bytes(records(100, 103))
    first = start_run(writing, cleaner_exe, model_path, target, "-f", fmt)

    second = run(cleaner_exe, model_path, str(other), "-o", str(target), "-f", fmt)
    assert second.returncode == 2, second.stderr
    assert second.stderr == (
        f"cleaner: -o {target}: {BUSY} (it holds {target}.partial locked); "
        "this run wrote nothing: wait for that run to end, or choose another -o\n"
    )
    assert not target.exists()

    assert first.stdin is not None
    first.stdin.write(records(20, 40))
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    expected = tmp_path / "expected" / name
    alone = invoke(
        runner, model_path, "-", "--input-format", "jsonl", "-o", str(expected), "-f", fmt, stdin=records(0, 40)
    )
    assert alone.exit_code == 0, alone.output
    assert content(target) == content(expected)  # the first run's records, whole, and nothing of the second's
    assert sorted(p.name for p in target.parent.iterdir()) == [name]  # no .partial, no lock file


def test_a_held_partial_is_not_truncated_and_a_killed_holder_lets_resume_continue(
    runner: CliRunner, cleaner_exe: Path, model_path: Path, tmp_path: Path
) -> None:
    """The .partial of a stopped run, locked by another process (as a run continuing it holds it):
    a new run is refused before it truncates it, --resume before it reads or cuts it. Once that
    process is killed outright (kill -9), --resume continues the .partial to an uninterrupted run's
    bytes: the kernel let go of the lock."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(records(0, 12))
    target = tmp_path / "out.jsonl"
    assert invoke(runner, model_path, str(source), "-o", str(target), "-q").exit_code == 0
    whole = target.read_bytes()
    target.unlink()
    partial = tmp_path / "out.jsonl.partial"
    partial.write_bytes(b"".join(whole.splitlines(keepends=True)[:5]) + b'{"id": "doc-5", "te')  # cut by a kill
    before = partial.read_bytes()
    hold = f"import fcntl, os, time; fd = os.open({str(partial)!r}, os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); "
    holder = subprocess.Popen(
        [sys.executable, "-c", hold + "print('held', flush=True); time.sleep(300)"], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        for extra in ([], ["--resume"]):
            refused = run(cleaner_exe, model_path, str(source), "-o", str(target), *extra)
            assert refused.returncode == 2, refused.stderr
            assert BUSY in refused.stderr
            assert partial.read_bytes() == before and not target.exists()
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.communicate()
    resumed = run(cleaner_exe, model_path, str(source), "-o", str(target), "--resume", "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert target.read_bytes() == whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def cleaned(text: str) -> CleanedDocument:
    return CleanedDocument("x", "jsonl", None, text.encode(), len(text), 1, 1, len(text))


def test_resume_of_a_finished_output_holds_it_before_renaming_it(tmp_path: Path) -> None:
    """--resume renames a finished output back to .partial to continue it: a second run, resumed
    or not, is refused whether it comes before or after that rename; the first run's discard gives
    the output its name back."""
    target = tmp_path / "out.jsonl"
    target.write_bytes(b'{"id": 1}\n')
    first = sinks.StreamSink(target, resume=True)
    assert not target.exists() and first.partial.read_bytes() == b'{"id": 1}\n'
    for resume in (False, True):
        with pytest.raises(locks.OutputBusy):
            sinks.StreamSink(target, resume=resume)
    assert first.partial.read_bytes() == b'{"id": 1}\n'
    first.discard()
    assert target.read_bytes() == b'{"id": 1}\n' and not first.partial.exists()
    again = sinks.StreamSink(target, resume=True)  # let go: the next run may continue it
    again.write(cleaned('{"id": 2}\n'))
    assert again.close() and target.read_bytes() == b'{"id": 1}\n{"id": 2}\n'


def test_runs_into_a_new_folder_are_locked_at_the_first_output(tmp_path: Path) -> None:
    """With the folder not there yet, no run can be writing into it: the lock is taken when the
    first output makes the folder, and a run that comes second there is refused, writing nothing."""
    target = tmp_path / "new" / "out.jsonl"
    first, second = sinks.StreamSink(target), sinks.StreamSink(target)
    first.write(cleaned("one\n"))
    with pytest.raises(locks.OutputBusy):
        second.write(cleaned("two\n"))
    second.abort()
    assert first.close() and target.read_bytes() == b"one\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.jsonl"]


def test_a_run_refused_at_its_first_output_says_so(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal at the first output (the folder made by another run since this one started):
    the same one line and exit 2 as at the start, no traceback, nothing written."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(records(0, 3))
    target = tmp_path / "new" / "out.jsonl"

    def busy(partial: Path) -> locks.Held | None:
        raise locks.OutputBusy(partial)

    monkeypatch.setattr(sinks, "hold", busy)
    result = invoke(runner, model_path, str(source), "-o", str(target), "-q")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"cleaner: -o {target}: {BUSY} (it holds {target}.partial locked); "
        "this run wrote nothing: wait for that run to end, or choose another -o\n"
    )
    assert not any(target.parent.iterdir())


def test_without_fcntl_runs_write_unguarded_as_before(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where fcntl is missing (Windows), there is no lock, and no crash: a run, a stopped run's
    .partial continued with --resume, and a finished output continued, as without locks."""
    monkeypatch.setattr(locks, "fcntl", None)
    source = tmp_path / "in.jsonl"
    source.write_bytes(records(0, 4))
    target = tmp_path / "out.jsonl"
    assert invoke(runner, model_path, str(source), "-o", str(target), "-q").exit_code == 0
    whole = target.read_bytes()
    target.unlink()
    (tmp_path / "out.jsonl.partial").write_bytes(whole.splitlines(keepends=True)[0])
    for _ in range(2):  # the .partial, then the finished output
        result = invoke(runner, model_path, str(source), "-o", str(target), "-q", "--resume")
        assert result.exit_code == 0, result.output
        assert target.read_bytes() == whole and not (tmp_path / "out.jsonl.partial").exists()


def test_forked_workers_do_not_hold_the_lock(tmp_path: Path) -> None:
    """A flock lasts while any copy of its descriptor is open, and forked workers inherit them: a
    worker must not keep an output locked after its run let go of it."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    target = tmp_path / "out.jsonl"
    sink = sinks.StreamSink(target)
    assert sink.held is not None
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: is the lock's descriptor still open here?
        try:
            os.fstat(sink.held.fd)
            os.write(write, b"open")
        except OSError:
            os.write(write, b"closed")
        os._exit(0)
    os.close(write)
    said = os.read(read, 16)
    os.close(read)
    os.waitpid(child, 0)
    assert said == b"closed"
    sink.write(cleaned("one\n"))
    assert sink.close() and target.read_bytes() == b"one\n"


def test_a_first_run_with_resume_from_standard_input_still_runs(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """The lock makes an empty .partial before the run: that is no earlier run's output to check
    standard input's ids against (which would refuse a first run, as README says it does not)."""
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, "-", "-o", str(target), "--resume", "-q", stdin=records(0, 3))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().count(b"\n") == 3


def test_a_partial_that_cannot_be_made_is_named_by_the_output(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder refuses the .partial the lock makes at the start: the output is named
    (never its .partial), as a write that fails later names it."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(records(0, 3))
    target = tmp_path / "out.jsonl"

    def read_only(partial: Path) -> locks.Held | None:
        raise OSError(30, "Read-only file system", str(partial))

    monkeypatch.setattr(sinks, "hold", read_only)
    result = invoke(runner, model_path, str(source), "-o", str(target), "-q")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"cleaner: {target}: cannot write: Read-only file system; {target} is not written\n"


def test_no_flock_or_a_signal_while_locking_leaves_no_partial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without flock (some network file systems): the output is written unguarded, as
    before; a signal (Ctrl-C raises anywhere) between making the .partial and locking it: the empty
    .partial is not left behind."""
    import errno

    target = tmp_path / "out.jsonl"

    def no_flock(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(locks.fcntl, "flock", no_flock)
    sink = sinks.StreamSink(target)
    assert sink.held is None and not sink.partial.exists()
    sink.write(cleaned("one\n"))
    assert sink.close() and target.read_bytes() == b"one\n"

    def interrupted(fd: int, operation: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(locks.fcntl, "flock", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sinks.StreamSink(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]

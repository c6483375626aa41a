"""`cleaner train` and `cleaner evaluate` stopped by SIGTERM or SIGHUP, as real processes: they stop
as Ctrl-C stops them, with their joblib workers."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_label_command import _alive, _children
from test_labels_score import labelled_dir

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to find the workers")


def _loky(pids: set[int]) -> set[int]:
    """Those of ``pids`` that are loky's worker processes (not its resource tracker)."""
    found = set()
    for pid in pids:
        try:
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"LokyProcess" in command:
            found.add(pid)
    return found


def _workers_at_work(process: subprocess.Popen[str]) -> set[int]:
    """The joblib (loky) worker processes of ``process`` once two are running (two minutes at most)."""
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        workers = _loky(_children(process.pid))
        time.sleep(0.1)
    assert len(workers) >= 2, "the fit started no worker processes"
    return workers


def _stopped_while_fitting(
    command: list[str], signum: signal.Signals, cwd: Path
) -> tuple[subprocess.CompletedProcess[str], set[int]]:
    """``command`` run until its joblib workers are at work, then sent ``signum`` (this process
    alone, as `kill PID` sends it): how it ended, and the workers it had."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = _workers_at_work(process)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), workers


def _without_progress(stderr: str) -> str:
    """``stderr`` without the lines train says as each stage of its fit starts."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("cleaner: fitting "))


def _ended(workers: set[int]) -> bool:
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(pid) for pid in workers)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_train_stopped_by_a_signal_says_so_and_ends_its_workers(
    cleaner_exe: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    """SIGTERM ended `cleaner train` without a word (exit 143), and its loky workers ran on,
    orphaned; only Ctrl-C, which reaches the workers too, stopped it cleanly."""
    directory = labelled_dir(tmp_path)
    target = tmp_path / "m.npz"
    command = [str(cleaner_exe), "train", "--labels", str(directory), "-o", str(target), "--no-cross-validate"]
    result, workers = _stopped_while_fitting([*command, "-j", "2"], signum, tmp_path)
    assert result.returncode == 128 + signum, result.stderr
    said = (
        f"cleaner: interrupted ({signum.name}); no model written ({target} was not made); run the command again "
        "to train it\n"
    )
    assert _without_progress(result.stderr) == said, result.stderr
    assert not target.exists()
    assert _ended(workers)


def test_evaluate_stopped_by_sigterm_says_so_and_ends_its_workers(cleaner_exe: Path, tmp_path: Path) -> None:
    directory = labelled_dir(tmp_path)
    scores = tmp_path / "scores.json"
    command = [str(cleaner_exe), "evaluate", "--labels", str(directory), "--folds", "2", "--json", str(scores)]
    result, workers = _stopped_while_fitting([*command, "-j", "2"], signal.SIGTERM, tmp_path)
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.stderr.endswith(
        f"cleaner: interrupted (SIGTERM); the evaluation did not finish; --json {scores} not written\n"
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert not scores.exists()
    assert _ended(workers)


REPEATED = """
import os, signal, sys, time
from cleaner.signals import Interrupted, stopped_by_signals

with stopped_by_signals():
    try:
        print("ready", flush=True)
        time.sleep(60)
    except Interrupted as exc:
        os.kill(os.getpid(), exc.signum)  # the same signal again, as `timeout` sends it to the group
        time.sleep(0.3)
        print("stopped once", flush=True)
        time.sleep(1.2)
        os.kill(os.getpid(), exc.signum)  # again, later: a second stop, which ends the process
        time.sleep(5)
        print("not ended", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_sent_twice_at_once_stops_the_run_once(signum: signal.Signals) -> None:
    """`timeout` sends SIGTERM to the command, then to its process group, the command included. The
    second one found the default handler back and ended the process without a word, about every
    other time (`timeout 4 cleaner train`: no message, its workers' semaphores reported leaked).
    A repeat within a second is now the same stop; a later one still ends the process at once."""
    import sys

    process = subprocess.Popen([sys.executable, "-c", REPEATED], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signum)
    stdout, _ = process.communicate(timeout=30)
    assert stdout == "stopped once\n"
    assert process.returncode == -signum


def test_train_stopped_by_sigterm_to_its_process_group_says_so(cleaner_exe: Path, tmp_path: Path) -> None:
    """As `timeout` and a process manager stop it: SIGTERM to the command, then to its group."""
    directory = labelled_dir(tmp_path)
    target = tmp_path / "m.npz"
    command = [str(cleaner_exe), "train", "--labels", str(directory), "-o", str(target), "--no-cross-validate"]
    process = subprocess.Popen(
        [*command, "-j", "2"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    workers = _workers_at_work(process)
    process.send_signal(signal.SIGTERM)
    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    said = (
        f"cleaner: interrupted (SIGTERM); no model written ({target} was not made); run the command again to train it\n"
    )
    assert _without_progress(stderr).startswith(said), stderr
    assert _ended(workers)


# `cleaner train` as its console script runs it (cleaner.__main__.main), held at a chosen moment
# until the test signals it: ``hold()`` writes the marker file the test waits for, then sleeps (the
# signal lands in the sleep). Deterministic, where a sleep of the test's own would race the run.
HELD = """
import atexit, sys, time
from pathlib import Path

marker, moment, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]


def hold(*_: object, **__: object) -> None:
    marker.write_text("ready")
    time.sleep(60)


if moment == "importing":  # the command's module is being imported, before any option is read
    class Slow:
        def find_spec(self, name, path=None, target=None):
            if name == "cleaner.training.commands":
                sys.meta_path.remove(self)
                hold()

    sys.meta_path.insert(0, Slow())
elif moment == "exporting":  # the model is saved, the --joblib export is being written
    import joblib

    joblib.dump = hold
elif moment == "reporting":  # the model is saved, its lines are being printed
    import cleaner.training.train

    cleaner.training.train.threshold_note = hold
elif moment == "exiting":  # the command is done; the interpreter runs its exit handlers
    atexit.register(hold)

from cleaner.__main__ import main

sys.argv = ["cleaner", *args]
main()
"""


# A fit of a few seconds: one context round, two inner folds, a threshold given (none to choose).
FAST_FIT = ["--set", "context_rounds=1", "--set", "n_splits=2", "--set", "threshold=0.5"]


def _held_then_stopped(
    moment: str, args: list[str], tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], set[int]]:
    """``cleaner ARGS`` held at ``moment`` (see :data:`HELD`), then sent SIGTERM: how it ended, and
    the loky worker processes it had then."""
    import sys

    marker = tmp_path / "held"
    command = [sys.executable, "-c", HELD, str(marker), moment, *args]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), process.communicate(timeout=60)
    workers = _loky(_children(process.pid))
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), workers


@pytest.mark.parametrize(
    ("moment", "says"),
    [
        ("importing", "interrupted (SIGTERM) before training began; nothing was written"),
        ("exporting", "interrupted (SIGTERM); the model was saved to {m}; --joblib {j} was not written"),
        ("reporting", "interrupted (SIGTERM); the model was saved to {m} and exported to {j}"),
        ("exiting", "interrupted (SIGTERM) after training ended; the model was saved"),
    ],
)
def test_train_stopped_outside_its_fit_says_what_it_left(tmp_path: Path, moment: str, says: str) -> None:
    """SIGTERM while `cleaner train` imported its modules, or once it had saved the model, ended it
    without a word (exit -15; a traceback as it exited), or said "no model written" beside the
    model it had saved. Each ends with one line that says what is on disk, exit 143, and no worker
    process left."""
    directory = labelled_dir(tmp_path)
    target, exported = tmp_path / "m.npz", tmp_path / "m.joblib"
    args = ["train", "--labels", str(directory), "-o", str(target), "--joblib", str(exported), "--no-cross-validate"]
    args += [*FAST_FIT, "-j", "2" if moment in ("reporting", "exiting") else "1"]  # workers where they matter
    result, workers = _held_then_stopped(moment, args, tmp_path)
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.stderr.endswith(f"cleaner: {says.format(m=target, j=exported)}\n"), result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert target.exists() == (moment != "importing")
    assert exported.exists() == (moment in ("reporting", "exiting"))
    if moment == "reporting":  # loky's, idle once the fit is done: they ran on after a stop
        assert workers
    assert _ended(workers)
    if moment == "exiting":  # ended with the work, not left to the exit; what it printed is flushed
        assert not workers
        assert result.stdout.startswith("trained on 4 documents") and "exported the scikit" in result.stdout


@pytest.mark.parametrize(
    ("moment", "says"),
    [
        ("importing", "interrupted (SIGTERM) before evaluating began; nothing was written"),
        ("exiting", "interrupted (SIGTERM) after evaluating ended; its outputs are written"),
    ],
)
def test_evaluate_stopped_outside_its_fits_says_what_it_left(tmp_path: Path, moment: str, says: str) -> None:
    """As train: `cleaner evaluate` stopped while it imported its modules died without a word (exit
    -15), and once its report was written, with a traceback as it exited. One line now says what is
    on disk, exit 143."""
    directory = labelled_dir(tmp_path)
    report = tmp_path / "report.json"
    args = ["evaluate", "--labels", str(directory), "--folds", "2", "--json", str(report), *FAST_FIT, "-j", "2"]
    result, workers = _held_then_stopped(moment, args, tmp_path)
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.stderr.endswith(f"cleaner: {says}\n"), result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert report.exists() == (moment == "exiting")
    assert _ended(workers)


def _handles(pid: int, signum: signal.Signals) -> bool:
    """Whether process ``pid`` has a handler of its own for ``signum`` (SigCgt in /proc/PID/status)."""
    try:
        fields = dict(line.split(":\t", 1) for line in (Path("/proc") / str(pid) / "status").read_text().splitlines())
    except (OSError, ValueError):
        return False
    return bool(int(fields.get("SigCgt", "0"), 16) >> (signum - 1) & 1)


def test_train_stopped_as_soon_as_it_handles_sigterm_says_nothing_was_written(
    cleaner_exe: Path, tmp_path: Path
) -> None:
    """The installed command itself (no hook holding it), signalled as soon as it handles SIGTERM:
    now its first statement, while it imports its modules (once its fit began, before). Wherever
    the signal lands, one line says nothing was written."""
    directory = labelled_dir(tmp_path)
    target = tmp_path / "m.npz"
    command = [str(cleaner_exe), "train", "--labels", str(directory), "-o", str(target), "--no-cross-validate"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _handles(process.pid, signal.SIGTERM) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    # Where the signal lands depends on the machine's speed: before the options are read, or after.
    assert stderr in (
        "cleaner: interrupted (SIGTERM) before training began; nothing was written\n",
        f"cleaner: interrupted (SIGTERM); no model written ({target} was not made); run the command again to "
        "train it\n",
    ), stderr
    assert not target.exists()

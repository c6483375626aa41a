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
    assert result.stderr == f"cleaner: interrupted ({signum.name}); no model written ({target} is as it was)\n"
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
    assert stderr.startswith(f"cleaner: interrupted (SIGTERM); no model written ({target} is as it was)\n")
    assert _ended(workers)

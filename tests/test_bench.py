"""The benchmark's helpers: the C4 peer is the line rule BASELINES.md runs, CPU seconds and peak RSS see
pool workers, and the corpus splits into shares for the independent runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from cleaner.training import bench, bench_common
from cleaner.training.bench_common import _sample_tree, split_corpus, time_commands
from cleaner.training.labels import LabelledDocument


def test_c4_peer_judges_whole_lines() -> None:
    """C4's unit is the line: a line whose last sentence has no terminal punctuation goes, even if
    an earlier sentence has one (applying the rules per spaCy sentence would keep it)."""
    pytest.importorskip("datatrove")
    pytest.importorskip("spacy")
    from cleaner.training.baselines import c4_line_rule

    lines = ["A sentence of several words that ends here.", "Read the whole story here. Click", "Menu", ""]
    labels = c4_line_rule()([LabelledDocument("page", lines, [], language="en")])
    assert labels == [["content", "boilerplate", "boilerplate", None]]


def test_peak_rss_covers_grandchildren() -> None:
    """A grandchild holding 200 MB is seen, as pool workers under a fork server must be."""
    grandchild = "x = bytearray(200 * 2**20); import time; time.sleep(0.8)"
    child = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {grandchild!r}]).wait()"
    usage = time_commands([sys.executable, "-c", child])
    assert usage.seconds >= 0.8
    assert usage.peak_kib >= 200 * 1024


def test_cpu_seconds_cover_grandchildren() -> None:
    busy = "import time; end = time.process_time() + 0.6\nwhile time.process_time() < end: pass"
    child = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {busy!r}]).wait()"
    assert time_commands([sys.executable, "-c", child]).cpu_seconds >= 0.4


def test_sample_of_this_process() -> None:
    seconds, kib = _sample_tree(os.getpid())[os.getpid()]
    assert seconds > 0 and kib > 0


def test_timed_fails_loudly() -> None:
    with pytest.raises(SystemExit, match="boom"):
        time_commands([sys.executable, "-c", "import sys; sys.exit('boom')"])


BUSY = "import time; end = time.process_time() + 0.6\nwhile time.process_time() < end: pass"


def test_cpu_seconds_cover_processes_nobody_waits_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers under a fork server are not the command's to wait for: the kernel's account of the
    command misses them, and the samples from /proc must not."""
    monkeypatch.setattr(bench_common, "POLL_SECONDS", 0.05)
    server = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {BUSY!r}]).wait()"
    # Wait until the "fork server" has ended without reaping it (WNOWAIT), then exit.
    command = (
        "import os, subprocess, sys\n"
        f"server = subprocess.Popen([sys.executable, '-c', {server!r}])\n"
        "os.waitid(os.P_PID, server.pid, os.WEXITED | os.WNOWAIT)\n"
        "os._exit(0)"
    )
    assert time_commands([sys.executable, "-c", command]).cpu_seconds >= 0.4


def test_commands_run_at_once(tmp_path: Path) -> None:
    """Each command waits for the other to have started (run one after the other, the first would
    give up) and then keeps a core busy: the CPU seconds are both commands'."""

    def meeting(mine: Path, other: Path) -> list[str]:
        script = (
            "import pathlib, sys, time\n"
            f"pathlib.Path({str(mine)!r}).touch()\n"
            "end = time.monotonic() + 10\n"
            f"while not pathlib.Path({str(other)!r}).exists():\n"
            "    if time.monotonic() > end: sys.exit('the other command never started')\n"
            "    time.sleep(0.01)\n"
        )
        return [sys.executable, "-c", script + BUSY]

    first, second = tmp_path / "first", tmp_path / "second"
    assert time_commands(meeting(first, second), meeting(second, first)).cpu_seconds >= 1.1


def test_split_corpus_keeps_every_record_once(tmp_path: Path) -> None:
    records = [f'{{"id": {i}, "text": "{"x" * (i % 97)}"}}\n' for i in range(1000)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(records), encoding="utf-8")
    parts = split_corpus(corpus, 3)
    assert [p.name for p in parts] == [f"corpus-part{i}of3.jsonl" for i in (1, 2, 3)]
    assert "".join(p.read_text(encoding="utf-8") for p in parts) == corpus.read_text(encoding="utf-8")
    sizes = [p.stat().st_size for p in parts]
    assert max(sizes) - min(sizes) < 200  # at most about one record apart


def test_speedup_reads_the_pool_against_independent_processes() -> None:
    def run(median: float, fastest: float) -> dict[str, float]:
        return {"seconds": median, "best_seconds": fastest, "cpu_seconds": median}

    runs = {"1": run(4.0, 3.6), "2": run(2.5, 2.0), bench.INDEPENDENT: run(2.0, 1.8)}
    figures = bench._speedup(runs, 0.0, 0.0)
    assert figures["speedup"] == 1.6 and figures["speedup_fastest_runs"] == 1.8
    assert figures["host_speedup"] == 2.0 and figures["host_speedup_fastest_runs"] == 2.0
    assert figures["pool_share_of_host_speedup"] == 0.8

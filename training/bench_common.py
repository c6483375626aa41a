"""What ``make bench``'s parts share: the corpus they clean, the options that say where it is (as
``Annotated`` types their Typer commands declare, so that each part reads and explains them alike),
and the timing of commands (wall and CPU seconds, peak memory of a process tree).

:mod:`cleaner.training.bench` (the whole bench), :mod:`cleaner.training.bench_engines`,
:mod:`cleaner.training.bench_files`, and the engines' own runs (:mod:`cleaner.training.engines`,
:mod:`cleaner.training.clean_shards`) import it; it imports none of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from .labels import load_labelled_dir

REPOSITORY = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.5
BATCH = 256  # documents per model call, for every engine that takes a batch size

# The corpus options' defaults (:func:`build_corpus`'s inputs and where it is written), and the options.
CORPUS_MB = 50.0
WORKDIR = REPOSITORY / "bench-corpus"
LABELS = REPOSITORY / "labels"
SEEDS = REPOSITORY.parent / "shared" / "seeds"
SizeMbOption = Annotated[
    float, typer.Option(help="MB of text in the corpus: the labelled and seed dumps repeated to this size (0: once).")
]
WorkdirOption = Annotated[
    Path, typer.Option(help="Folder the bench's inputs and outputs are written in (made if need be).")
]
LabelsOption = Annotated[Path, typer.Option(help="Labelled dumps (with their manifest.csv) the pages are made of.")]
SeedsOption = Annotated[Path, typer.Option(help="Seed dumps (*.txt) added to the corpus, if the folder is there.")]


def build_corpus(labels_dir: Path, seeds_dir: Path, target_mb: float, path: Path) -> tuple[int, int]:
    """A JSONL corpus (``{"id", "text"}`` per page) of the labelled and seed dumps, repeated until
    it holds ``target_mb`` MB of text; returns (documents, bytes of text)."""
    texts = ["\n".join(doc.lines) + "\n" for doc in load_labelled_dir(labels_dir)]
    if seeds_dir.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    size = sum(len(t.encode()) for t in texts)
    copies = max(1, int(target_mb * 1e6 / size) + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for number, text in enumerate(texts):
                out.write(json.dumps({"id": f"{copy}-{number}", "text": text}, ensure_ascii=False) + "\n")
    return copies * len(texts), copies * size


def split_corpus(corpus: Path, parts: int) -> list[Path]:
    """The corpus cut at record boundaries into ``parts`` files of about equal size, beside it."""
    total = corpus.stat().st_size
    paths = [corpus.with_name(f"{corpus.stem}-part{i + 1}of{parts}{corpus.suffix}") for i in range(parts)]
    written = 0
    with corpus.open("rb") as records:
        for index, path in enumerate(paths):
            end = total * (index + 1) // parts
            with path.open("wb") as out:
                for record in records:
                    written += out.write(record)
                    if written >= end and index < parts - 1:
                        break
    return paths


@dataclass(frozen=True)
class Usage:
    """What running a command cost: wall seconds, CPU seconds, the peak RSS (KiB) of its largest
    process, and the sum of every process's peak (an upper bound of the whole tree's at any moment,
    for engines of many processes: a Ray cluster, a JVM and its Python workers)."""

    seconds: float
    cpu_seconds: float
    peak_kib: int
    peak_sum_kib: int = 0


def time_commands(*commands: list[str]) -> Usage:
    """Run the commands at the same time, to their ends; fails loudly if one fails.

    The wall time runs until the last one ends. CPU seconds are the kernel's account of each
    command and of every descendant it waited for (``wait4``), exact and free while they run. A
    pool's workers may be children of a fork server, which the command does not wait for: so every
    process of each tree is also sampled from /proc now and then (a sample costs about a
    millisecond, taken from the cores being measured, and may miss up to one interval of CPU time
    per process), and each command's CPU seconds are the larger of the two accounts. The peak RSS
    is the largest high-water mark (VmHWM) sampled: the kernel's own peak would also count the
    image of this process that the command was forked from.
    """
    cpu: dict[int, dict[int, float]] = {}
    peak: dict[int, int] = {}
    ended: dict[int, tuple[float, int, Any]] = {}
    waited: list[int] = []
    all_ended = threading.Event()

    def wait(pid: int) -> None:
        try:
            _, status, usage = os.wait4(pid, 0)
            ended[pid] = (time.perf_counter(), status, usage)
        finally:  # if wait4 failed, the missing entry fails the run below rather than hanging it
            waited.append(pid)
            if len(waited) == len(commands):
                all_ended.set()

    with contextlib.ExitStack() as stack:
        errors = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
        started = time.perf_counter()
        processes = [
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=error)
            for command, error in zip(commands, errors)
        ]
        for process in processes:
            threading.Thread(target=wait, args=(process.pid,), daemon=True).start()
        while not all_ended.is_set():
            for process in processes:
                tree = cpu.setdefault(process.pid, {})
                for pid, (seconds, kib) in _sample_tree(process.pid).items():
                    tree[pid] = max(tree.get(pid, 0.0), seconds)
                    peak[pid] = max(peak.get(pid, 0), kib)
            all_ended.wait(POLL_SECONDS)
        wall = max(end for end, _, _ in ended.values()) - started
        cpu_seconds = 0.0
        for process, command, error in zip(processes, commands, errors):
            _, status, usage = ended[process.pid]
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                error.seek(0)
                raise SystemExit(f"bench: {' '.join(command)} failed:\n{error.read().decode()[-2000:]}")
            cpu_seconds += max(usage.ru_utime + usage.ru_stime, sum(cpu.get(process.pid, {}).values()))
    return Usage(wall, cpu_seconds, max(peak.values(), default=0), sum(peak.values()))


def _sample_tree(root: int) -> dict[int, tuple[float, int]]:
    """CPU seconds so far and peak RSS (VmHWM, KiB) of ``root`` and each of its descendants, from /proc."""
    stats: dict[int, list[bytes]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stats[int(entry.name)] = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, fields in stats.items() if int(fields[1]) in frontier and pid not in tree}
        tree |= frontier
    ticks = os.sysconf("SC_CLK_TCK")
    sample = {}
    for pid in tree & stats.keys():
        kib = 0
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    kib = int(line.split()[1])
        fields = stats[pid]  # after the name: state, ppid, ..., utime (12th), stime (13th)
        sample[pid] = ((int(fields[11]) + int(fields[12])) / ticks, kib)
    return sample

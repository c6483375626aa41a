"""Fault injection, runs: ``cleaner predict`` killed at random moments, on a full disk, on inputs
cut short, and the memory a large document takes; what each left behind.

Every run is a real process tree (``cleaner predict -j N`` forks its workers), started in a
session of its own, so that what it leaves running can be found (its process group) and what it
leaves on disk too (``.tmp`` and ``.partial`` files). Outputs are compared byte for byte with an
uninterrupted run's.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .fault_inputs import Outcome, jsonl

ORPHAN_SECONDS = 30.0  # how long workers may take to notice their parent is gone, at most


@dataclass(frozen=True)
class Cleaner:
    """The ``cleaner`` command, run as a process: its path and the environment (the model)."""

    exe: str
    env: dict[str, str]

    @classmethod
    def installed(cls, model: Path | None = None) -> Cleaner:
        beside = Path(sys.executable).with_name("cleaner")
        exe = str(beside) if beside.is_file() else shutil.which("cleaner") or "cleaner"
        env = dict(os.environ)
        if model is not None:
            env["CLEANER_MODEL"] = str(model)
        return cls(exe, env)

    def __call__(
        self, *args: str, stdin: bytes | None = None, prefix: Sequence[str] = ()
    ) -> subprocess.CompletedProcess[bytes]:
        command = [*prefix, self.exe, *args]
        return subprocess.run(command, input=stdin, capture_output=True, env=self.env, timeout=600, check=False)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [self.exe, *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )


def group_members(group: int) -> list[int]:
    """The live processes of a process group (from /proc: after the name, stat holds the state and,
    third, the group). Zombies are not counted: they are dead, and wait only for whoever reaps
    orphans (a container's first process may take seconds)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
                if int(fields[2]) == group and fields[0] != b"Z":
                    found.append(int(entry.name))
    return found


def orphans_after(group: int) -> int:
    """How many processes of the group are still alive :data:`ORPHAN_SECONDS` after its leader
    ended (they are then killed, so that one leak does not spoil the next runs)."""
    deadline = time.monotonic() + ORPHAN_SECONDS
    while group_members(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = group_members(group)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(left)


def leftovers(root: Path) -> list[Path]:
    """Temporary and partial files under ``root`` (or beside it, for a file output)."""
    folder = root if root.is_dir() else root.parent
    return [p for p in folder.rglob("*") if p.name.endswith((".tmp", ".partial"))]


def snapshot(output: Path) -> dict[str, bytes]:
    """An output's bytes: a file's, or every file's under a folder, by relative name."""
    if output.is_dir():
        return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    return {output.name: output.read_bytes()} if output.exists() else {}


def record_count(outputs: dict[str, bytes]) -> int:
    return sum(data.count(b"\n") for data in outputs.values())


def corpus(folder: Path, pages: list[str], shards: int, per_shard: int) -> Path:
    """A folder of dumps (one per page) and, in a folder of their own, JSONL shards of records."""
    from .fault_inputs import records

    root = folder / "corpus"
    (root / "shards").mkdir(parents=True)
    for n, page in enumerate(pages):
        (root / f"page-{n:03d}.txt").write_text(page, encoding="utf-8")
    items = records(pages, shards * per_shard)
    for n in range(shards):
        (root / "shards" / f"{n:03d}.jsonl").write_bytes(jsonl(items[n * per_shard : (n + 1) * per_shard]))
    return root


SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
EXIT = {"SIGKILL": -signal.SIGKILL, "SIGTERM": 128 + signal.SIGTERM, "SIGINT": 128 + signal.SIGINT}


def kills(
    cleaner: Cleaner, source: Path, work: Path, output: str, how: str, jobs: int, times: int, seed: int = 0
) -> Outcome:
    """``cleaner predict SOURCE -o OUTPUT -j JOBS`` killed ``times`` times with ``how`` (SIGKILL or
    SIGTERM to the main process; SIGINT to the whole group, as Ctrl-C sends it) at a random moment
    of its run, each time continued with --resume until it finishes: the output must equal an
    uninterrupted run's, byte for byte, and nothing may be left running or behind."""
    outcome = Outcome(f"{how} {'to the group' if how == 'SIGINT' else 'to the main process'}, -o {output}, -j {jobs}")
    rng = random.Random(seed)
    target = work / output
    args = ["predict", str(source), "-o", str(target), "-j", str(jobs), "-q"]
    started = time.monotonic()
    done = cleaner(*args)
    duration = time.monotonic() - started
    if done.returncode != 0:
        outcome.failed(f"the uninterrupted run failed: {done.stderr.decode()[-300:]}")
        return outcome
    reference = snapshot(target)
    landed = 0
    for _ in range(times):
        _remove(target)
        started = time.monotonic()
        process = cleaner.start(*args)
        ready = catching(process.pid) - started
        time.sleep(rng.uniform(0.0, 0.9 * max(duration - ready, 0.1)))
        stopped = process.poll() is None
        if stopped:
            with contextlib.suppress(ProcessLookupError):
                if how == "SIGINT":
                    os.killpg(process.pid, signal.SIGINT)
                else:
                    os.kill(process.pid, SIGNALS[how])
        try:
            _, stderr = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate()
            outcome.failed(f"after {how}, the run did not end within 10 minutes")
        outcome.tried += 1
        outcome.orphans += orphans_after(process.pid)
        message = stderr.decode()
        if stopped and (process.returncode == 0 or (how != "SIGKILL" and snapshot(target) == reference)):
            # The signal came as the run was ending: it finished (Python resets the handlers to the
            # defaults as it exits, so a signal in its last milliseconds ends it with that signal).
            stopped = False
        landed += stopped
        if stopped:
            if process.returncode != EXIT[how]:
                outcome.failed(f"exit {process.returncode} after {how}: {message[-300:]}")
            said = any(words in message for words in ("--resume", "nothing was written", "outputs are complete"))
            if how != "SIGKILL" and (not said or "Traceback" in message):
                outcome.failed(f"after {how}: {told(message)}")
            if how != "SIGKILL":
                outcome.temporaries += sum(p.name.endswith(".tmp") for p in leftovers(target))
        resumed = cleaner(*args, "--resume")
        if resumed.returncode != 0:
            outcome.failed(f"--resume failed: {resumed.stderr.decode()[-300:]}")
        final = snapshot(target)
        outcome.lost += max(record_count(reference) - record_count(final), 0)
        if final != reference:
            outcome.failed("the resumed output differs from an uninterrupted run's")
        outcome.temporaries += len(leftovers(target))
    outcome.notes.append(f"{landed} of {times} kills during the run (the others came after it had ended)")
    return outcome


def told(message: str, limit: int = 2000) -> str:
    """What a run said, for a failure: from its first traceback on if it printed one (its last
    lines alone are the stop message, not where it went wrong), else its end."""
    start = message.find("Traceback")
    return message[start : start + limit] if start >= 0 else message[-300:]


def catching(pid: int) -> float:
    """Wait until the process catches SIGINT and SIGTERM (cleaner sets its handlers first thing;
    before that, in the interpreter's own start, a signal has its default effect, and there is
    nothing yet to clean up); returns when (time.monotonic)."""
    wanted = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            caught = next(line for line in status.read_text().splitlines() if line.startswith("SigCgt:"))
        except (OSError, StopIteration):
            return time.monotonic()  # it has ended already
        if int(caught.split()[1], 16) & wanted == wanted:
            return time.monotonic()
        time.sleep(0.01)


def _remove(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    for path in (target, target.with_name(target.name + ".partial")):
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def small_disk(folder: Path, kib: int) -> Iterator[Path | None]:
    """A tmpfs of ``kib`` KiB mounted at ``folder``, or None where this process may not mount one."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)


def full_disk(cleaner: Cleaner, source: Path, work: Path, outputs: Sequence[str], sizes: Sequence[int]) -> Outcome:
    """Each output written to a disk too small for it: one line naming the output (never a
    traceback, never the hidden temporary file), exit 1, no temporary or partial file left, and
    every output file there complete (equal to an uninterrupted run's)."""
    outcome = Outcome("disk full (ENOSPC on a small tmpfs)")
    references = {}
    for output in outputs:
        reference = work / "reference" / output
        reference.parent.mkdir(parents=True, exist_ok=True)
        cleaner("predict", str(source), "-o", str(reference), "-q")
        references[output] = snapshot(reference)
    for kib in sizes:
        with small_disk(work / f"disk-{kib}", kib) as disk:
            if disk is None:
                outcome.notes.append("no tmpfs here (not root): see tests/test_faults.py for the injected write error")
                return outcome
            for output in outputs:
                target = disk / output
                result = cleaner("predict", str(source), "-o", str(target), "-q")
                outcome.tried += 1
                message = result.stderr.decode()
                expected = references[output]
                bad_exit = result.returncode not in (0, 1) or "Traceback" in message or ".tmp" in message
                if bad_exit or (result.returncode == 1 and "No space left" not in message):
                    outcome.failed(f"{kib} KiB, -o {output}: exit {result.returncode}: {message[-300:]}")
                for name, data in snapshot(target).items():  # what is there under final names is whole
                    if expected.get(name) != data:
                        outcome.lost += max(expected.get(name, b"").count(b"\n") - data.count(b"\n"), 0)
                        outcome.failed(f"{kib} KiB, -o {output}: {name} is under its final name but not whole")
                outcome.temporaries += len(leftovers(target))
                _remove(target)
    return outcome


def truncated_then_resumed(
    cleaner: Cleaner, built_data: bytes, suffix: str, work: Path, cuts: Sequence[int]
) -> Outcome:
    """A corpus shard cut short: exit 1, the shard gets no output under -o DIR (its records before
    the cut are not presented as the whole), and once the whole shard is back, --resume cleans it."""
    outcome = Outcome(f"input cut short, -o DIR, then --resume ({suffix})")
    source = work / "cut-corpus"
    source.mkdir(parents=True, exist_ok=True)
    shard = source / f"shard{suffix}"
    shard.write_bytes(built_data)
    reference = work / "cut-reference"
    cleaner("predict", str(source), "-o", str(reference), "-q")
    expected = snapshot(reference)
    for cut in cuts:
        out = work / "cut-out"
        _remove(out)
        shard.write_bytes(built_data[:cut])
        result = cleaner("predict", str(source), "-o", str(out), "-q")
        outcome.tried += 1
        if result.returncode != 1 or b"truncated" not in result.stderr:
            outcome.failed(f"cut at {cut}: exit {result.returncode}: {result.stderr.decode()[-300:]}")
        if snapshot(out):
            outcome.lost += record_count(expected) - record_count(snapshot(out))
            outcome.failed(f"cut at {cut}: an output was written for the cut shard")
        shard.write_bytes(built_data)
        resumed = cleaner("predict", str(source), "-o", str(out), "-q", "--resume")
        if resumed.returncode != 0 or snapshot(out) != expected:
            outcome.failed(f"cut at {cut}: --resume did not clean the whole shard")
        outcome.temporaries += len(leftovers(out))
    return outcome


# Started from a small process: the kernel's peak RSS of a child counts the image it was forked
# from, before exec (a large parent, such as this one or pytest, would add its own size).
_PEAK = (
    "import os, subprocess, sys\n"
    "process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(process.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def peak_mb(cleaner: Cleaner, *args: str) -> float:
    """The peak resident memory of ``cleaner ARGS`` (one process: -j 1), in MB."""
    command = [sys.executable, "-I", "-S", "-c", _PEAK, cleaner.exe, *args]
    result = subprocess.run(command, env=cleaner.env, capture_output=True, text=True, check=True)
    code, kib = map(int, result.stdout.split())
    if code != 0:
        raise RuntimeError(f"cleaner {' '.join(args)} failed")
    return kib / 1024


def short_lines(words: list[str], size: int, seed: int = 0) -> str:
    """A dump of about ``size`` bytes of short lines (one to four words): the most lines a byte, the
    worst case for memory."""
    rng = random.Random(seed)
    lines, total = [], 0
    while total < size:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
        lines.append(line)
        total += len(line.encode()) + 1
    return "\n".join(lines) + "\n"


def memory(cleaner: Cleaner, pages: list[str], sizes_mb: Sequence[float]) -> list[tuple[str, float, float, float]]:
    """Peak memory of one process on one large document: (what, MB of input, MB of memory beyond a
    one-page run's, that as a multiple of the input)."""
    words = [word for page in pages for word in page.split()]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.txt"
        page.write_text(pages[0], encoding="utf-8")
        base = peak_mb(cleaner, "predict", str(page), "-j", "1", "-q")
        dumps = [(f"{mb:g} MB of short lines", short_lines(words, int(mb * 1e6))) for mb in sizes_mb]
        joined: list[str] = []
        total = 0
        while total < max(sizes_mb) * 1e6:
            joined.append(pages[len(joined) % len(pages)])
            total += len(joined[-1].encode())
        dumps.append((f"{max(sizes_mb):g} MB of whole pages", "".join(joined)))
        for what, text in dumps:
            path = Path(folder) / "dump.txt"
            path.write_text(text, encoding="utf-8")
            size = path.stat().st_size / 1e6
            extra = peak_mb(cleaner, "predict", str(path), "-j", "1", "-q", "-o", str(Path(folder) / "out.txt")) - base
            rows.append((what, size, extra, extra / size))
    return rows

"""``make bench``: throughput, start-up and memory of the whole ``cleaner`` process, and of peers.

Everything is measured in one run on one corpus (the labelled dumps replicated to a target size), so
the figures are comparable with each other; the machine is shared and noisy, so read ratios (2 jobs
against 1, cleaner against jusText) rather than absolute numbers. Each cleaner run is repeated
(``--repeat``; medians and the fastest runs reported, the settings interleaved) and its CPU seconds,
all processes included, are reported beside its wall time: other users' load stretches wall time,
and a host whose cores are contended inflates the CPU seconds of the all-core runs. With more than
one core, one process per core on its share of the corpus, at once, shows what speed-up the host
itself gives this work; the pool's speed-up reads against it. The settings are then timed again on
the same pages replicated ``--scale`` times, where a run's fixed start-up and exit weigh less.
Then the engines (:mod:`cleaner.training.bench_engines`): ``cleaner predict``, datatrove's local and
Ray executors, Ray Data and Spark on the same shards of the corpus, with their fixed cost per run and
cost per MB, and each one's output checked against ``cleaner predict``'s; and 1,800 small dump files
against the same text as one JSONL file (:mod:`cleaner.training.bench_files`).
Nothing here asserts a time: the benchmark reports, the tests check behaviour.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..text import split_lines
from .labels import LabelledDocument, load_labelled_dir

REPOSITORY = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.5
INDEPENDENT = "independent"  # the runs of one --jobs 1 process per core, each on its share


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


def _timed(*commands: list[str]) -> Usage:
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


def _throughput(
    cleaner: str,
    corpus: Path,
    megabytes: float,
    documents: int,
    settings: list[int],
    repeat: int,
    workdir: Path,
) -> dict[str, dict[str, object]]:
    """``cleaner predict corpus -o out.jsonl`` with each ``--jobs`` setting, ``repeat`` times, printed.

    With more than one core, one more setting: as many ``--jobs 1`` processes as cores, at once,
    each on its share of the corpus. A pool can at best come close to them (nothing passes between
    them, and each pays the same start-up), so their speed-up over one job is what this host gives
    this work at that moment, shared caches and other users' load included: the pool's speed-up
    reads against it.

    Interleaved (1 job, all cores, 1 job, ...): on a shared machine whose speed drifts over a
    minute, runs of one setting after all of the other would bias the speed-up; interleaved, all
    settings sample the same moments.
    """
    predict = [cleaner, "predict", "--quiet"]
    commands = {
        str(jobs): [[*predict, str(corpus), "-o", str(workdir / f"out-{jobs}.jsonl"), "--jobs", str(jobs)]]
        for jobs in settings
    }
    most = max(settings)
    if most > 1:
        parts = split_corpus(corpus, most)
        commands[INDEPENDENT] = [
            [*predict, str(part), "-o", str(part.with_name(f"out-{part.name}")), "--jobs", "1"] for part in parts
        ]
    timed: dict[str, list[Usage]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, together in commands.items():
            timed[name].append(_timed(*together))
    runs: dict[str, dict[str, object]] = {}
    for name, usages in timed.items():
        seconds = statistics.median(u.seconds for u in usages)
        cpu = statistics.median(u.cpu_seconds for u in usages)
        rss = max(u.peak_kib for u in usages)
        runs[name] = {
            "seconds": round(seconds, 2),
            "mb_per_s": round(megabytes / seconds, 2),
            "docs_per_s": round(documents / seconds, 1),
            "cpu_seconds": round(cpu, 2),
            "mb_per_cpu_second": round(megabytes / cpu, 2),
            "peak_rss_mb": round(rss / 1024, 1),
            "best_seconds": round(min(u.seconds for u in usages), 2),
            "all_seconds": [round(u.seconds, 2) for u in usages],
        }
        what = f"cleaner predict --jobs {name}"
        if name == INDEPENDENT:
            what = f"{most} x cleaner predict --jobs 1 at once, each on 1/{most} of the corpus"
        print(
            f"{what}: {seconds:.1f} s, {megabytes / seconds:.2f} MB/s, "
            f"{documents / seconds:.0f} pages/s; {cpu:.1f} CPU s ({megabytes / cpu:.2f} MB per CPU second); "
            f"peak RSS {rss / 1024:.0f} MB (largest process); median of {repeat}"
        )
    if most > 1:
        for part in parts:
            part.with_name(f"out-{part.name}").unlink(missing_ok=True)
            part.unlink()
    return runs


def _speedup(runs: dict[str, dict[str, Any]], load_before: float, load_after: float) -> dict[str, float]:
    """The all-core run's speed-up over the 1-job run, the ratio of their CPU seconds, and the
    host's own speed-up (independent processes) with the share of it the pool reaches, printed."""
    one, most = runs["1"], runs[str(max(int(name) for name in runs if name != INDEPENDENT))]
    speedup = one["seconds"] / most["seconds"]
    # Other users' load only ever adds time: the fastest of the repeated runs is the least disturbed.
    best = one["best_seconds"] / most["best_seconds"]
    overhead = most["cpu_seconds"] / one["cpu_seconds"]
    host = one["seconds"] / runs[INDEPENDENT]["seconds"]
    host_best = one["best_seconds"] / runs[INDEPENDENT]["best_seconds"]
    print(
        f"speed-up all cores / 1 job: {speedup:.2f}x of the medians, {best:.2f}x of the fastest runs "
        f"(CPU seconds {overhead:.2f}x those of 1 job; load average before/after: {load_before}/{load_after} "
        f"on {os.cpu_count()} cores, other users' load included)\n"
        f"host speed-up (independent processes, no pool): {host:.2f}x of the medians, {host_best:.2f}x of the "
        f"fastest runs; the pool reaches {speedup / host:.0%} and {best / host_best:.0%} of it"
    )
    return {
        "speedup": round(speedup, 2),
        "speedup_fastest_runs": round(best, 2),
        "cpu_seconds_ratio": round(overhead, 2),
        "host_speedup": round(host, 2),
        "host_speedup_fastest_runs": round(host_best, 2),
        "pool_share_of_host_speedup": round(speedup / host, 3),
    }


def _median_seconds(command: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _peers_how() -> dict[str, str]:
    """How each peer is run: as in `make eval-dev` and ../shared/devset/BASELINES.md."""
    from .baselines import C4_OPTIONS

    options = ", ".join(f"{name}={value}" for name, value in C4_OPTIONS.items())
    return {
        "jusText": "justext.justext() once per page, each line a <p>, the page language's stoplist",
        "C4 line rule (datatrove)": f"C4QualityFilter({options}) built once, each line a Document",
    }


def _peer_throughput(texts: list[str]) -> dict[str, float | str]:
    """MB/s of jusText and the C4 line rule on the same pages, in this process."""
    from .baselines import c4_line_rule, justext_rule

    documents = [LabelledDocument(str(i), split_lines(t), [], language="vi") for i, t in enumerate(texts)]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    results: dict[str, float | str] = {}
    for name, factory in (("jusText", justext_rule), ("C4 line rule (datatrove)", c4_line_rule)):
        try:
            predict = factory()
        except ImportError as exc:
            results[name] = f"not installed ({exc.name}); pip install -e '.[bench]'"
            continue
        started = time.perf_counter()
        predict(documents)
        results[name] = megabytes / (time.perf_counter() - started)
    return results


def corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that say which bench corpus to build and where (:func:`build_corpus`'s), shared by
    ``make bench``'s parts."""
    parser.add_argument("--size-mb", type=float, default=50.0, help="corpus size (default 50 MB)")
    parser.add_argument("--workdir", type=Path, default=REPOSITORY / "bench-corpus")
    parser.add_argument("--labels", type=Path, default=REPOSITORY / "labels")
    parser.add_argument("--seeds", type=Path, default=REPOSITORY.parent / "shared" / "seeds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_arguments(parser)
    parser.add_argument("--peer-mb", type=float, default=3.0, help="text the peers clean (default 3 MB)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per --jobs setting; medians are reported")
    parser.add_argument(
        "--scale", type=float, default=4.0, help="also time a corpus this many times larger (default 4; 1: skip)"
    )
    parser.add_argument("--no-engines", action="store_true", help="skip datatrove, Ray Data and Spark")
    args = parser.parse_args(argv)

    cleaner = str(Path(sys.executable).with_name("cleaner"))
    corpus = args.workdir / "corpus.jsonl"
    documents, size = build_corpus(args.labels, args.seeds, args.size_mb, corpus)
    megabytes = size / 1e6
    print(f"corpus: {corpus} ({documents} pages, {megabytes:.1f} MB of text)")
    report: dict[str, object] = {"corpus_mb": round(megabytes, 2), "documents": documents, "cores": os.cpu_count()}

    report["help_seconds"] = round(_median_seconds([cleaner, "--help"]), 3)
    # Start-up of `cleaner predict` splits into importing the prediction code (numpy, scipy.sparse;
    # paid once per process) and loading the model's predictor.
    load = (
        "import time; t0 = time.perf_counter(); "
        "import cleaner.classifier.predictor; from cleaner import load_model; t1 = time.perf_counter(); "
        "load_model(); print(t1 - t0, time.perf_counter() - t1)"
    )
    timings = [
        [
            float(v)
            for v in subprocess.run(
                [sys.executable, "-c", load], capture_output=True, text=True, check=True
            ).stdout.split()
        ]
        for _ in range(3)
    ]
    report["import_seconds"] = round(statistics.median(t[0] for t in timings), 3)
    report["load_model_seconds"] = round(statistics.median(t[1] for t in timings), 3)
    print(
        f"cleaner --help: {report['help_seconds']:.2f} s; importing the prediction code: "
        f"{report['import_seconds']:.2f} s; load_model(): {report['load_model_seconds']:.3f} s"
    )

    settings = sorted({1, os.cpu_count() or 1})
    load_before = [round(x, 2) for x in os.getloadavg()]
    runs = _throughput(cleaner, corpus, megabytes, documents, settings, args.repeat, args.workdir)
    load_after = [round(x, 2) for x in os.getloadavg()]
    report.update(load_average_before=load_before, load_average_after=load_after, cleaner=runs)
    if len(runs) > 1:
        report.update(_speedup(runs, load_before[0], load_after[0]))

    if args.scale > 1 and len(settings) > 1:
        # The same pages again, `--scale` times as many: a run's fixed cost (start-up, the pool's
        # start, exit: a few tenths of a second) weighs less, as it does on a real corpus.
        large = args.workdir / "corpus-large.jsonl"
        large_documents, large_size = build_corpus(args.labels, args.seeds, args.size_mb * args.scale, large)
        large_mb = large_size / 1e6
        print(f"larger corpus: {large} ({large_documents} pages, {large_mb:.1f} MB of text)")
        before = round(os.getloadavg()[0], 2)
        large_runs = _throughput(cleaner, large, large_mb, large_documents, settings, args.repeat, args.workdir)
        report["larger_corpus"] = {
            "corpus_mb": round(large_mb, 2),
            "cleaner": large_runs,
            **_speedup(large_runs, before, round(os.getloadavg()[0], 2)),
        }
        large.unlink()
        for jobs in settings:
            (args.workdir / f"out-{jobs}.jsonl").unlink(missing_ok=True)

    if not args.no_engines:
        from .bench_engines import run as run_engines

        report["engines"] = run_engines(corpus, args.workdir, os.cpu_count() or 1, args.repeat)
    from .bench_files import run as run_files

    report["small_files"] = run_files(args.labels, args.workdir, max(args.repeat, 3))

    sample, total = [], 0
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            sample.append(text)
            total += len(text.encode())
            if total >= args.peer_mb * 1e6:
                break
    peers = _peer_throughput(sample)
    report["peers_mb_per_s"] = peers
    report["peers_how"] = how = _peers_how()
    for name, value in peers.items():
        shown = f"{value:.2f} MB/s (one process, {total / 1e6:.1f} MB)" if isinstance(value, float) else value
        print(f"{name}: {shown}; {how[name]}")
    (args.workdir / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.workdir / 'bench.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ..cli.help_format import WidthAwareCommand
from ..text import split_lines
from .bench_common import (
    CORPUS_MB,
    LABELS,
    SEEDS,
    WORKDIR,
    LabelsOption,
    SeedsOption,
    SizeMbOption,
    Usage,
    WorkdirOption,
    build_corpus,
    split_corpus,
    time_commands,
)
from .bench_engines import run as run_engines
from .bench_files import run as run_files
from .labels import LabelledDocument
from .script_app import script_app

INDEPENDENT = "independent"  # the runs of one --jobs 1 process per core, each on its share


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
            timed[name].append(time_commands(*together))
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


app = script_app()


@app.command(cls=WidthAwareCommand, help=__doc__.split("\n\n")[0])
def main(
    size_mb: SizeMbOption = CORPUS_MB,
    workdir: WorkdirOption = WORKDIR,
    labels: LabelsOption = LABELS,
    seeds: SeedsOption = SEEDS,
    peer_mb: Annotated[float, typer.Option(help="MB of the corpus's text jusText and the C4 line rule clean.")] = 3.0,
    repeat: Annotated[
        int,
        typer.Option(help="Runs of each --jobs setting and of each engine (small files: 3 at least); medians shown."),
    ] = 3,
    scale: Annotated[
        float,
        typer.Option(help="Also time a corpus this many times larger, where start-up weighs less (1: skip it)."),
    ] = 4.0,
    no_engines: Annotated[
        bool, typer.Option("--no-engines", help="Skip the engines: datatrove, Ray Data and Spark.")
    ] = False,
) -> None:
    cleaner = str(Path(sys.executable).with_name("cleaner"))
    corpus = workdir / "corpus.jsonl"
    documents, size = build_corpus(labels, seeds, size_mb, corpus)
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
    runs = _throughput(cleaner, corpus, megabytes, documents, settings, repeat, workdir)
    load_after = [round(x, 2) for x in os.getloadavg()]
    report.update(load_average_before=load_before, load_average_after=load_after, cleaner=runs)
    if len(runs) > 1:
        report.update(_speedup(runs, load_before[0], load_after[0]))

    if scale > 1 and len(settings) > 1:
        # The same pages again, `--scale` times as many: a run's fixed cost (start-up, the pool's
        # start, exit: a few tenths of a second) weighs less, as it does on a real corpus.
        large = workdir / "corpus-large.jsonl"
        large_documents, large_size = build_corpus(labels, seeds, size_mb * scale, large)
        large_mb = large_size / 1e6
        print(f"larger corpus: {large} ({large_documents} pages, {large_mb:.1f} MB of text)")
        before = round(os.getloadavg()[0], 2)
        large_runs = _throughput(cleaner, large, large_mb, large_documents, settings, repeat, workdir)
        report["larger_corpus"] = {
            "corpus_mb": round(large_mb, 2),
            "cleaner": large_runs,
            **_speedup(large_runs, before, round(os.getloadavg()[0], 2)),
        }
        large.unlink()
        for jobs in settings:
            (workdir / f"out-{jobs}.jsonl").unlink(missing_ok=True)

    if not no_engines:
        report["engines"] = run_engines(corpus, workdir, os.cpu_count() or 1, repeat)
    report["small_files"] = run_files(labels, workdir, max(repeat, 3))

    sample, total = [], 0
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            sample.append(text)
            total += len(text.encode())
            if total >= peer_mb * 1e6:
                break
    peers = _peer_throughput(sample)
    report["peers_mb_per_s"] = peers
    report["peers_how"] = how = _peers_how()
    for name, value in peers.items():
        shown = f"{value:.2f} MB/s (one process, {total / 1e6:.1f} MB)" if isinstance(value, float) else value
        print(f"{name}: {shown}; {how[name]}")
    (workdir / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {workdir / 'bench.json'}")


if __name__ == "__main__":
    app()

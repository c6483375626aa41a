"""``make bench``, engines side by side: ``cleaner predict``, datatrove (local and Ray executors), Ray
Data and Spark clean the same JSONL shards; for each, wall seconds, CPU seconds of the whole process
tree, the peak RSS of its largest process and the sum of its processes' peaks, and whether its
output equals ``cleaner predict``'s, record by record.

A run costs a fixed part (starting Python, a fork server, a Ray cluster or a JVM; loading the model
in every worker) and a part per MB. Each engine is timed on all the shards and on a quarter of them,
and the two medians give both: per MB = the difference over the difference in size, fixed = the
small run less its MBs at that rate. The machine may be shared: read the ratios (every engine against
``cleaner predict -j CORES``, interleaved so that they sample the same moments, and taken run by run:
:func:`paired_ratio`), not the seconds.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..classifier.cleaned import COUNTS
from ..cli.help_format import WidthAwareCommand
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
from .script_app import script_app

SHARDS = 8
CLEANER = "cleaner predict"


class Engine(str, Enum):
    """``--engines``' values: the engines that may be timed besides the reference, ``cleaner predict -j CORES``."""

    cleaner_one_job = f"{CLEANER} -j 1"
    datatrove_local = "datatrove-local"
    datatrove_ray = "datatrove-ray"
    ray_data = "ray-data"
    spark = "spark"


# The engines beside cleaner predict, with the module each needs.
NEEDS = {
    Engine.datatrove_local.value: "datatrove",
    Engine.datatrove_ray.value: "ray",
    Engine.ray_data.value: "ray",
    Engine.spark.value: "pyspark",
}


def make_shards(corpus: Path, folder: Path, shards: int = SHARDS) -> tuple[Path, Path]:
    """``folder/all`` with the corpus cut into ``shards`` files, and ``folder/quarter`` with a quarter of them."""
    shutil.rmtree(folder, ignore_errors=True)
    whole, quarter = folder / "all", folder / "quarter"
    whole.mkdir(parents=True)
    quarter.mkdir()
    for number, part in enumerate(split_corpus(corpus, shards)):
        target = whole / f"shard-{number:02d}.jsonl"
        part.rename(target)
        if number < max(1, shards // 4):
            os.link(target, quarter / target.name)
    return whole, quarter


def available(engine: str) -> str | None:
    """None if the engine can run here, else why not."""
    module = NEEDS.get(engine)
    if module and importlib.util.find_spec(module) is None:
        return f"not installed ({module}); pip install -e '.[dev]'"
    if engine == "spark" and shutil.which("java") is None:
        return "no Java (Spark needs it)"
    return None


def command(engine: str, shards: Path, out: Path, cores: int, jobs: int) -> list[str]:
    if engine.startswith(CLEANER):
        cleaner = str(Path(sys.executable).with_name("cleaner"))
        return [cleaner, "predict", "--quiet", str(shards), "-o", str(out / "out.jsonl"), "-j", str(jobs)]
    if engine == "datatrove-local":
        return [sys.executable, "-m", "cleaner.training.clean_shards", str(shards), str(out), str(cores)]
    return [sys.executable, "-m", "cleaner.training.engines", engine, str(shards), str(out), str(cores)]


def outputs(folder: Path) -> dict[str, dict[str, Any]]:
    """Every JSON line an engine wrote under ``folder`` (its log folder aside), by id, with text and counts."""
    found = {}
    for path in sorted(folder.rglob("*.json*")):
        if path.suffix not in (".json", ".jsonl") or "logs" in path.relative_to(folder).parts:
            continue  # Spark's checksums, datatrove's logs and stats
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                values = {**record, **record.get("metadata", {})}  # datatrove keeps the counts in metadata
                found[record["id"]] = {name: values.get(name) for name in ("text", *COUNTS)}
    return found


def same_records(found: dict[str, dict[str, Any]], reference: dict[str, dict[str, Any]]) -> tuple[int, int]:
    """(records equal to cleaner predict's, records cleaner predict wrote). A missing text is an
    empty one (datatrove and Spark leave out empty fields); datatrove skips empty documents."""
    same = 0
    for ident, expected in reference.items():
        got = found.get(ident)
        if got is None:
            same += not expected["text"] and not expected["lines_total"]
            continue
        got = {**got, "text": got["text"] or ""}
        same += got == expected
    return same, len(reference)


def chosen(cores: int, only: list[str] | None = None) -> list[str]:
    """The engines to time, the reference ``cleaner predict -j CORES`` first: all, or those of ``only``."""
    engines = [f"{CLEANER} -j {cores}", *([f"{CLEANER} -j 1"] if cores > 1 else []), *NEEDS]
    return [engine for engine in engines if only is None or engine in (engines[0], *only)]


def run(corpus: Path, workdir: Path, cores: int, repeat: int, only: list[str] | None = None) -> dict[str, Any]:
    """Time every available engine (or those of ``only``, and always ``cleaner predict -j CORES``,
    the reference) on all the shards and on a quarter; print and return the table."""
    whole, quarter = make_shards(corpus, workdir / "shards")
    sizes = {"all": whole, "quarter": quarter}
    megabytes = {name: sum(p.stat().st_size for p in folder.iterdir()) / 1e6 for name, folder in sizes.items()}
    engines = chosen(cores, only)
    skipped = {engine: why for engine in engines if (why := available(engine))}
    engines = [engine for engine in engines if engine not in skipped]
    timed: dict[tuple[str, str], list[Usage]] = {(e, s): [] for e in engines for s in sizes}
    loads = []  # the host's 1-minute load average at each run's start: how shared the cores were
    for _ in range(repeat):  # interleaved: every engine samples the same moments of a shared machine
        for size, shards in sizes.items():
            for engine in engines:
                out = workdir / "engines" / engine.replace(" ", "_") / size
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                os.sync()  # the previous run's writes are flushed before, not during, this one
                jobs = 1 if engine.endswith("-j 1") else cores
                loads.append(os.getloadavg()[0])
                timed[engine, size].append(time_commands(command(engine, shards, out, cores, jobs)))
    reference = outputs(workdir / "engines" / f"{CLEANER} -j {cores}".replace(" ", "_") / "all")
    report: dict[str, Any] = {
        "shards_mb": megabytes,
        "cores": cores,
        "repeat": repeat,
        "load_average": [round(min(loads), 1), round(max(loads), 1)],
        "skipped": skipped,
    }
    rows = {}
    for engine in engines:
        row = _row(engine, timed, megabytes)
        row["same_as_cleaner_predict"] = same_records(
            outputs(workdir / "engines" / engine.replace(" ", "_") / "all"), reference
        )
        rows[engine] = row
    base = timed[f"{CLEANER} -j {cores}", "all"]
    for engine, row in rows.items():
        row["cpu_ratio"] = paired_ratio(timed[engine, "all"], base, "cpu_seconds")
        row["wall_ratio"] = paired_ratio(timed[engine, "all"], base, "seconds")
    report["engines"] = rows
    _print(report, cores)
    shutil.rmtree(workdir / "engines", ignore_errors=True)
    shutil.rmtree(workdir / "shards", ignore_errors=True)
    return report


def paired_ratio(usages: list[Usage], reference: list[Usage], what: str) -> float:
    """The median, over the repeats, of the engine's figure over the reference's in the same repeat.

    Runs timed one after the other share the host's load at that moment; on a shared host a ratio
    of medians pairs runs from different moments (three repeats of the same engines at load 3 to 8
    gave 1.43 that way, and runs side by side 1.50, 1.22 and 1.02: median 1.22)."""
    return round(statistics.median(getattr(u, what) / getattr(r, what) for u, r in zip(usages, reference)), 2)


def _row(engine: str, timed: dict[tuple[str, str], list[Usage]], megabytes: dict[str, float]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for size in megabytes:
        usages = timed[engine, size]
        row[size] = {
            "seconds": round(statistics.median(u.seconds for u in usages), 2),
            "cpu_seconds": round(statistics.median(u.cpu_seconds for u in usages), 2),
            "peak_rss_mb": round(max(u.peak_kib for u in usages) / 1024, 1),
            "sum_of_peaks_mb": round(max(u.peak_sum_kib for u in usages) / 1024, 1),
            "all_seconds": [round(u.seconds, 2) for u in usages],
            "all_cpu_seconds": [round(u.cpu_seconds, 2) for u in usages],
        }
    spread = megabytes["all"] - megabytes["quarter"]
    for what in ("seconds", "cpu_seconds"):
        per_mb = (row["all"][what] - row["quarter"][what]) / spread
        row[f"{what}_per_mb"] = round(per_mb, 4)
        row[f"fixed_{what}"] = round(row["quarter"][what] - per_mb * megabytes["quarter"], 2)
    return row


def _print(report: dict[str, Any], cores: int) -> None:
    mb = report["shards_mb"]
    print(
        f"engines on the same {SHARDS} JSONL shards ({mb['all']:.1f} MB; and {mb['quarter']:.1f} MB for the "
        f"fixed cost), {cores} cores, median of {report['repeat']}; ratios against {CLEANER} -j {cores} run by run; "
        f"load average {report['load_average'][0]}-{report['load_average'][1]}:"
    )
    header = (
        f"{'engine':<22}{'wall s':>8}{'CPU s':>8}{'CPU x':>7}{'wall x':>7}{'fixed CPU s':>12}"
        f"{'CPU s/MB':>9}{'fixed wall s':>13}{'wall s/MB':>10}{'peak MB':>9}{'sum MB':>8}  same output"
    )
    print(header)
    for engine, row in report["engines"].items():
        same, total = row["same_as_cleaner_predict"]
        whole = row["all"]
        print(
            f"{engine:<22}{whole['seconds']:>8.1f}{whole['cpu_seconds']:>8.1f}{row['cpu_ratio']:>7.2f}"
            f"{row['wall_ratio']:>7.2f}{row['fixed_cpu_seconds']:>12.2f}{row['cpu_seconds_per_mb']:>9.3f}"
            f"{row['fixed_seconds']:>13.2f}{row['seconds_per_mb']:>10.3f}{whole['peak_rss_mb']:>9.0f}"
            f"{whole['sum_of_peaks_mb']:>8.0f}  {same}/{total}"
        )
    for engine, why in report["skipped"].items():
        print(f"{engine}: skipped, {why}")


app = script_app()


@app.command(cls=WidthAwareCommand, help=__doc__.split("\n\n")[0])
def main(
    size_mb: SizeMbOption = CORPUS_MB,
    workdir: WorkdirOption = WORKDIR,
    labels: LabelsOption = LABELS,
    seeds: SeedsOption = SEEDS,
    repeat: Annotated[int, typer.Option(help="Runs of each engine on each size; medians are reported.")] = 3,
    engines: Annotated[
        list[Engine] | None,
        typer.Option(
            metavar="ENGINE",
            help=f"Time only this engine besides {CLEANER} -j CORES, the reference; repeat the option for more. "
            f"One of: {', '.join(repr(engine.value) for engine in Engine)}. Default: every engine.",
            show_default=False,
        ),
    ] = None,
) -> None:
    corpus = workdir / "corpus.jsonl"
    build_corpus(labels, seeds, size_mb, corpus)
    only = [engine.value for engine in engines] if engines else None
    report = run(corpus, workdir, os.cpu_count() or 1, repeat, only)
    (workdir / "engines.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {workdir / 'engines.json'}")


if __name__ == "__main__":
    app()

"""``make bench``, many small files: the same text as 1,800 dump files of 12 KB and as one JSONL
file, each cleaned by ``cleaner predict --jobs 1``, so that what a run does per file (find, open,
read, decode, a temporary file and a rename per output) shows as the difference. Target: the
directory within 10% of the JSONL file, in wall and in CPU seconds.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import statistics
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .bench_common import LABELS, WORKDIR, LabelsOption, WorkdirOption, time_commands
from .labels import load_labelled_dir
from .script_app import script_app

FILES = 1800
FILE_BYTES = 12_000


def pages(labels: Path, size: int = FILE_BYTES) -> list[str]:
    """The labelled dumps, each repeated and cut at a line end to at most ``size`` bytes."""
    result = []
    for document in load_labelled_dir(labels):
        taken, total = [], 0
        for line in itertools.cycle(document.lines or ["-"]):
            cost = len(line.encode()) + 1
            if total + cost > size:
                break
            taken.append(line)
            total += cost
        result.append("".join(line + "\n" for line in taken))
    return result


def make_inputs(labels: Path, folder: Path, files: int = FILES) -> tuple[Path, Path, float]:
    """``folder/dumps`` (``files`` dumps, 100 per subfolder) and ``folder/one.jsonl`` of the same texts."""
    shutil.rmtree(folder, ignore_errors=True)
    texts = pages(labels)
    dumps, jsonl = folder / "dumps", folder / "one.jsonl"
    folder.mkdir(parents=True)
    size = 0
    with jsonl.open("w", encoding="utf-8") as records:
        for number in range(files):
            text = texts[number % len(texts)]
            path = dumps / f"{number // 100:02d}" / f"page-{number:04d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            records.write(json.dumps({"id": str(number), "text": text}, ensure_ascii=False) + "\n")
            size += len(text.encode())
    return dumps, jsonl, size / 1e6


def run(labels: Path, workdir: Path, repeat: int) -> dict[str, Any]:
    folder = workdir / "small-files"
    dumps, jsonl, megabytes = make_inputs(labels, folder)
    cleaner = str(Path(sys.executable).with_name("cleaner"))
    commands = {
        "directory -> -o DIR": [cleaner, "predict", "-q", "-j", "1", str(dumps), "-o", str(folder / "out")],
        "one JSONL -> -o FILE.jsonl": [cleaner, "predict", "-q", "-j", "1", str(jsonl), "-o", str(folder / "o.jsonl")],
    }
    runs: dict[str, list[Any]] = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved, fresh outputs each time
        for name, command in commands.items():
            shutil.rmtree(folder / "out", ignore_errors=True)
            (folder / "o.jsonl").unlink(missing_ok=True)
            os.sync()  # the previous run's writes and deletes are flushed before, not during, this one
            runs[name].append(time_commands(command))
    report: dict[str, Any] = {"files": FILES, "megabytes": round(megabytes, 1), "repeat": repeat}
    for name, usages in runs.items():
        report[name] = {
            "seconds": round(statistics.median(u.seconds for u in usages), 2),
            "cpu_seconds": round(statistics.median(u.cpu_seconds for u in usages), 2),
            "best_seconds": round(min(u.seconds for u in usages), 2),
            "all_seconds": [round(u.seconds, 2) for u in usages],
        }
    directory, one = (report[name] for name in commands)
    for what in ("seconds", "cpu_seconds", "best_seconds"):
        report[f"ratio_{what}"] = round(directory[what] / one[what], 3)
    print(
        f"{FILES} dumps of {FILE_BYTES // 1000} KB ({megabytes:.1f} MB) against the same text as one JSONL, "
        f"--jobs 1, median of {repeat}: {directory['seconds']:.2f} s / {one['seconds']:.2f} s wall "
        f"({report['ratio_seconds']:.2f}x; fastest runs {report['ratio_best_seconds']:.2f}x), "
        f"{directory['cpu_seconds']:.2f} / {one['cpu_seconds']:.2f} CPU s ({report['ratio_cpu_seconds']:.2f}x)"
    )
    shutil.rmtree(folder, ignore_errors=True)
    return report


app = script_app()


@app.command(help=__doc__.split("\n\n")[0])
def main(
    repeat: Annotated[int, typer.Option(help="Runs of each input; medians are reported.")] = 5,
    workdir: WorkdirOption = WORKDIR,
    labels: LabelsOption = LABELS,
) -> None:
    run(labels, workdir, repeat)


if __name__ == "__main__":
    app()

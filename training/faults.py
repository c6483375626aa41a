"""``make faults``: the faults a long corpus run meets, injected, and what each cost, as a table.

Inputs cut at hundreds of places in every codec, ``cleaner predict`` killed at random moments
(SIGKILL, SIGTERM, Ctrl-C) and resumed, a disk that fills up, every format piped on stdin, folders
and links that cannot be read. For each: how many faults were tried, how many records were lost
without a word (must be 0), processes left running (0), temporary files left behind (0), and
other promises broken (0: exit code, message, traceback, output not byte-identical). Then the
peak memory of one process on large documents, as a multiple of their size (target: <= 20x).

The scenarios live in :mod:`cleaner.training.fault_inputs` and :mod:`cleaner.training.fault_runs`;
tests/test_faults.py runs each of them, smaller, in the test suite. Nothing here asserts a time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ..cli.help_format import WidthAwareCommand
from .fault_inputs import FORMATS, Outcome, build, piped, records, truncations, unreachable
from .fault_runs import Cleaner, corpus, full_disk, kills, memory, truncated_then_resumed
from .script_app import script_app

REPOSITORY = Path(__file__).resolve().parent.parent
MEMORY_MB = (1.0, 3.0, 9.7)  # --memory-mb's default: MB of each dump of short lines


def load_pages(labels: Path) -> list[str]:
    from .labels import load_labelled_dir

    return ["\n".join(doc.lines) + "\n" for doc in load_labelled_dir(labels)]


def as_another_user() -> list[str]:
    """A command prefix that drops root (which reads every folder), or [] when not root."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run(pages: list[str], work: Path, cuts: int, kill_times: int, memory_mb: list[float]) -> list[Outcome]:
    cleaner = Cleaner.installed()
    items = records(pages, 40)
    outcomes = [truncations(name, items, cuts, seed=n) for n, name in enumerate(FORMATS)]
    gz = build("jsonl.gz", items)
    outcomes.append(
        truncated_then_resumed(cleaner, gz.data, gz.suffix, work / "cut", [len(gz.data) // 3, len(gz.data) - 9])
    )
    source = corpus(work, pages, shards=24, per_shard=40)
    for output in ("out", "out.jsonl"):
        for how in ("SIGKILL", "SIGTERM", "SIGINT"):
            outcomes.append(
                kills(cleaner, source, work / "kills", output, how, jobs=2, times=kill_times, seed=len(outcomes))
            )
    outcomes.append(kills(cleaner, source, work / "kills", "out.jsonl", "SIGKILL", jobs=1, times=kill_times, seed=99))
    outcomes.append(full_disk(cleaner, source, work / "disk", ["out.jsonl", "out.jsonl.gz", "out"], [64, 512, 2048]))
    outcomes.append(piped(cleaner, pages, items))
    outcomes.append(unreachable(cleaner, pages[0], as_another_user()))
    report(outcomes)
    if memory_mb:
        rows = memory(cleaner, pages, memory_mb)
        print(f"\n{'peak memory of one process (-j 1)':<40} {'input MB':>9} {'MB beyond one page':>19} {'multiple':>9}")
        for what, size, extra, multiple in rows:
            print(f"{what:<40} {size:>9.1f} {extra:>19.0f} {multiple:>8.1f}x")
    return outcomes


COLUMNS = f"{'fault':<58} {'tried':>6} {'records lost':>13} {'orphans':>8} {'temp files left':>16} {'wrong':>6}"


def row(o: Outcome) -> str:
    return f"{o.fault:<58} {o.tried:>6} {o.lost:>13} {o.orphans:>8} {o.temporaries:>16} {o.wrong:>6}"


def report(outcomes: list[Outcome]) -> None:
    print(COLUMNS)
    for outcome in outcomes:
        print(row(outcome))
    fields = ("tried", "lost", "orphans", "temporaries", "wrong")
    print(row(Outcome("total", *(sum(getattr(o, name) for o in outcomes) for name in fields))))
    for outcome in outcomes:
        for note in outcome.notes:
            print(f"  {outcome.fault}: {note}")


app = script_app()


@app.command(cls=WidthAwareCommand, help=__doc__.split("\n\n")[0])
def main(
    labels: Annotated[Path, typer.Option(help="Labelled dumps (with their manifest.csv) the inputs are made of.")] = (
        REPOSITORY / "labels"
    ),
    cuts: Annotated[
        int, typer.Option(help="Places each codec's input is cut at, and as many again near record ends.")
    ] = 150,
    kill_times: Annotated[
        int,
        typer.Option("--kills", help="Kills of cleaner predict per signal and output kind, each run then resumed."),
    ] = 4,
    memory_mb: Annotated[
        list[float] | None,
        typer.Option(
            help="MB of a dump of short lines whose peak memory is measured (repeat the option for more; the largest "
            f"is also measured as whole pages). Default: {', '.join(f'{mb:g}' for mb in MEMORY_MB)}.",
            show_default=False,
        ),
    ] = None,
    no_memory: Annotated[bool, typer.Option("--no-memory", help="Skip the peak-memory measurements.")] = False,
) -> None:
    sizes = [] if no_memory else memory_mb or list(MEMORY_MB)
    with tempfile.TemporaryDirectory(prefix="cleaner-faults-") as folder:
        outcomes = run(load_pages(labels), Path(folder), cuts, kill_times, sizes)
    if not all(o.clean for o in outcomes):
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

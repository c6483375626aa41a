"""Prediction speed against another version of the package, robust to a noisy host.

The speed budget of a change is a ratio of throughputs, but on a shared machine two runs of the
same ``cleaner predict`` can differ by 20% or more, as much as the change measured. Here both
versions run in one process on the same batches: the installed package and the ``model/`` folder
of another checkout (``git worktree add /tmp/before REV``), loaded under another name, each with its
own shipped model. Every ``every``-th batch of 128 pages is predicted by both, in alternating
order, ``repeat`` times, each time by a freshly loaded model that has first predicted the batch
before it (its indexes built and its word caches holding other pages, as in a worker that has run a
while, and nothing kept from the timed batch's earlier runs), and the fastest time of each is kept:
the noise that slows one run slows the other's neighbours too, and the minimum drops most of it.
The ratio of the two sums is the relative cost per core (CPU time, one BLAS thread). Reading,
writing and the process's start-up are not included: see ``make bench`` for those.

Usage: ``python -m cleaner.training.speed_ab /tmp/before/model [--corpus bench-corpus/corpus.jsonl]``
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
from threadpoolctl import threadpool_limits

from .. import load_model
from ..cli import fail
from ..cli.help_format import WidthAwareCommand
from ..corpus.parallel import CHUNK_DOCUMENTS, ONE_THREAD
from ..text import split_lines
from .script_app import script_app


def load_package(folder: Path, name: str = "cleaner_other") -> ModuleType:
    """The package in ``folder`` (a checkout's ``model/``), imported as ``name``: its modules import
    each other relatively, so they resolve inside it, never to the installed ``cleaner``."""
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"{folder}: no package here (expected a checkout's model/ folder)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


Batch = list[list[str]]


def best_times(loaders: dict[str, Any], pairs: list[tuple[Batch, Batch]], repeat: int) -> dict[str, float]:
    """Per version, the sum over the pairs (a batch to warm up on, a batch to time) of its fastest
    CPU time on the second."""
    totals = dict.fromkeys(loaders, 0.0)
    for before, batch in pairs:
        times: dict[str, list[float]] = {name: [] for name in loaders}
        for round_ in range(repeat):
            order = list(loaders) if round_ % 2 == 0 else list(reversed(loaders))
            for name in order:
                model = loaders[name]()
                # Its indexes built and its caches (the words whose character n-grams it knows)
                # holding another batch's pages, as in a worker that has been running a while.
                model.predict_proba_nonblank(before)
                start = time.process_time()
                model.predict_proba_nonblank(batch)
                times[name].append(time.process_time() - start)
        for name in loaders:
            totals[name] += min(times[name])
    return totals


app = script_app()


@app.command(cls=WidthAwareCommand, help=__doc__.split("\n\n")[0])
def main(
    other: Annotated[
        Path, typer.Argument(help="The model/ folder of the other checkout (git worktree add /tmp/before REV).")
    ],
    corpus: Annotated[
        Path,
        typer.Option(help="JSONL, one page per record (make one with python -m cleaner.training.bench --size-mb 20)."),
    ] = Path("bench-corpus/corpus.jsonl"),
    repeat: Annotated[int, typer.Option(help="Runs per batch and version; the fastest is kept.")] = 5,
    every: Annotated[int, typer.Option(help=f"Time every n-th batch of {CHUNK_DOCUMENTS} pages.")] = 4,
) -> None:
    if not corpus.is_file():
        fail(f"{corpus}: not found (make one with python -m cleaner.training.bench --size-mb 20)", 2)
    with corpus.open(encoding="utf-8") as records:
        documents = [split_lines(json.loads(record)["text"]) for record in records]
    batches = [documents[i : i + CHUNK_DOCUMENTS] for i in range(0, len(documents), CHUNK_DOCUMENTS)]
    pairs = [(batches[k], batches[k + 1]) for k in range(0, len(batches) - 1, every)]
    loaded = load_package(other.resolve())
    with threadpool_limits(ONE_THREAD):  # as cleaner predict's workers
        totals = best_times({"this": load_model, "other": loaded.load_model}, pairs, repeat)
    pages = sum(len(batch) for _, batch in pairs)
    print(f"{len(pairs)} batches ({pages} pages), fastest of {repeat} runs each, CPU seconds")
    print(f"  this package: {totals['this']:.3f} s; {other}: {totals['other']:.3f} s")
    ratio = totals["other"] / totals["this"]
    print(f"  time this/other: {totals['this'] / totals['other']:.3f}; throughput per core this/other: {ratio:.3f}")


if __name__ == "__main__":
    app()

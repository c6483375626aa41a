"""The README's datatrove pipeline as ``make bench`` runs it: ``python -m
cleaner.training.clean_shards SHARDS OUT WORKERS``, the local executor with ``WORKERS`` at once and
its fork server preloaded (:func:`~cleaner.integrations.datatrove.preload_in_fork_server`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from ..integrations.datatrove import CleanerFilter, preload_in_fork_server
from .bench_common import BATCH


def pipeline(shards: Path, out: Path) -> list[Any]:
    """Reader -> cleaner -> writer, uncompressed as ``cleaner predict -o out.jsonl`` writes."""
    return [
        JsonlReader(str(shards)),
        CleanerFilter(batch_size=BATCH),
        JsonlWriter(str(out / "cleaned"), compression=None),
    ]


def tasks(shards: Path) -> int:
    """One task per shard."""
    return len([path for path in shards.iterdir() if path.name.endswith(".jsonl")])


def main(
    shards: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="the folder of JSONL shards")],
    out: Annotated[Path, typer.Argument(help="the folder the cleaned shards and datatrove's logs go to")],
    workers: Annotated[int, typer.Argument(min=1, help="tasks at once")],
) -> None:
    """Clean the JSONL shards of SHARDS into OUT/cleaned with datatrove's local executor, WORKERS at once."""
    steps = pipeline(shards, out)
    preload_in_fork_server(steps)
    LocalPipelineExecutor(steps, tasks=tasks(shards), workers=workers, logging_dir=str(out / "logs")).run()


if __name__ == "__main__":
    typer.run(main)

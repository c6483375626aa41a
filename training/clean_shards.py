"""The README's datatrove pipeline as ``make bench`` runs it: ``python -m
cleaner.training.clean_shards SHARDS OUT WORKERS``, the local executor with ``WORKERS`` at once and
its fork server preloaded (:func:`~cleaner.integrations.datatrove.preload_in_fork_server`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from ..integrations.datatrove import CleanerFilter, preload_in_fork_server
from .engines import BATCH


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


if __name__ == "__main__":
    folder, out, workers = sys.argv[1:]
    shards = Path(folder)
    steps = pipeline(shards, Path(out))
    preload_in_fork_server(steps)
    LocalPipelineExecutor(steps, tasks=tasks(shards), workers=int(workers), logging_dir=str(Path(out) / "logs")).run()

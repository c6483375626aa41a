"""The engines ``make bench`` compares, each run as its own process on a folder of JSONL shards:
``python -m cleaner.training.engines ENGINE SHARDS OUT CORES``; datatrove's local executor is
:mod:`cleaner.training.clean_shards`, the README's recipe.

Each engine runs as a user would run it (the README's recipes), with ``CORES`` processes or actors,
and writes JSON lines holding at least ``id``, the cleaned text and the counts (``text`` and the
counts at the top level, or under ``metadata`` for datatrove), so that the bench can check every
engine's output against ``cleaner predict``'s. Ray runs on loopback and reports nothing (the
environment of :data:`LOOPBACK_RAY`, set before Ray is imported).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from .bench_common import BATCH

# Ray's node address is 127.0.0.1 (its servers listen there) and no usage statistics are sent.
LOOPBACK_RAY = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def datatrove_ray(shards: Path, out: Path, cores: int) -> None:
    """datatrove's Ray executor on a local Ray of ``cores`` CPUs: one task per shard."""
    from datatrove.executor import RayPipelineExecutor

    from .clean_shards import pipeline, tasks

    with _local_ray(cores):
        steps = pipeline(shards, out)
        RayPipelineExecutor(steps, tasks=tasks(shards), workers=cores, logging_dir=str(out / "logs")).run()


def ray_data(shards: Path, out: Path, cores: int) -> None:
    """Ray Data: read_json, map_batches(CleanBatch) on ``cores`` actors of half a CPU, write_json."""
    from ..integrations.batches import CleanBatch

    with _local_ray(cores) as ray:
        from ray.data import ActorPoolStrategy

        pages = ray.data.read_json(str(shards), lines=True)
        pages.map_batches(CleanBatch, compute=ActorPoolStrategy(size=cores), num_cpus=0.5, batch_size=BATCH).write_json(
            str(out / "cleaned")
        )


def spark(shards: Path, out: Path, cores: int) -> None:
    """Spark's mapInPandas over clean_batch, a local session of ``cores`` threads (the README's recipe)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql.types import DoubleType, LongType, StructField, StructType

    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    pages = session.read.json(str(shards))
    counts = [StructField(name, LongType()) for name in ("lines_total", "lines_kept", "chars_kept")]
    schema = StructType([*pages.schema.fields, *counts, StructField("mean_score", DoubleType())])
    pages.mapInPandas(_clean_frames, schema).write.mode("overwrite").json(str(out / "cleaned"))
    session.stop()


def _clean_frames(frames: Iterator[Any]) -> Iterator[Any]:
    from .. import clean_batch

    for frame in frames:
        results = clean_batch(frame["text"].tolist())
        yield frame.assign(
            text=[r.text for r in results],
            lines_total=[r.lines_total for r in results],
            lines_kept=[r.lines_kept for r in results],
            chars_kept=[r.chars_kept for r in results],
            mean_score=[r.mean_score for r in results],
        )


@contextlib.contextmanager
def _local_ray(cores: int) -> Iterator[Any]:
    """A local Ray of ``cores`` CPUs on loopback, shut down at the end."""
    import ray

    ray.init(
        address="local",
        num_cpus=cores,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        yield ray
    finally:
        ray.shutdown()


ENGINES: dict[str, Callable[[Path, Path, int], None]] = {
    "datatrove-ray": datatrove_ray,
    "ray-data": ray_data,
    "spark": spark,
}


class Engine(str, Enum):
    """The engines run here, as :data:`ENGINES` names them (a test holds the two alike)."""

    datatrove_ray = "datatrove-ray"
    ray_data = "ray-data"
    spark = "spark"


def main(
    engine: Annotated[Engine, typer.Argument(help="the engine to run")],
    shards: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="the folder of JSONL shards")],
    out: Annotated[Path, typer.Argument(help="the folder its outputs go to")],
    cores: Annotated[int, typer.Argument(min=1, help="processes or actors, and the CPUs of a local Ray")],
) -> None:
    """Clean the JSONL shards of SHARDS into OUT with ENGINE on CORES cores, as make bench times it."""
    os.environ.update(LOOPBACK_RAY)
    ENGINES[engine.value](shards, out, cores)


if __name__ == "__main__":
    typer.run(main)

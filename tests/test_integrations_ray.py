"""cleaner on a real local Ray: the Ray Data stage and the datatrove step under datatrove's Ray
executor, each compared with ``cleaner predict`` on the same records.

Ray listens on loopback only (the node's address is 127.0.0.1: checked below), sends no usage
statistics, starts no dashboard, and is given 2 CPUs that the stages take in halves, so that two
actors and the driver's own work fit on a 2-core machine without waiting on each other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shards_support import label_texts, one_line_pages, predicted, write_shards

# Read by Ray when it is imported and started: its node address is loopback (its servers bind
# there, not to every interface), and nothing is reported to Ray's usage-statistics service.
LOOPBACK_RAY = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
os.environ.update(LOOPBACK_RAY)

pytestmark = pytest.mark.slow
ray = pytest.importorskip("ray", reason="pip install -e '.[dev]' installs cleaner[ray]")

from cleaner.classifier.cleaned import COUNTS  # noqa: E402
from cleaner.classifier.format import SHIPPED_MODEL  # noqa: E402
from cleaner.integrations.batches import CleanBatch  # noqa: E402


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    context = ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        yield context
    finally:
        ray.shutdown()


def listening_addresses(pids: set[int]) -> set[str]:
    """The local addresses on which these processes listen for TCP connections (from /proc)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            next(handle)
            for row in handle:
                fields = row.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    found.add(fields[1].rsplit(":", 1)[0])
    return found


def descendants(root: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
        tree |= frontier
    return tree


IPV4_LOOPBACK = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
IPV6_LOOPBACKS = {"00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}  # ::1, ::ffff:127.0.0.1


def test_ray_listens_on_loopback_only(local_ray: Any) -> None:
    assert ray.util.get_node_ip_address() == "127.0.0.1"
    addresses = listening_addresses(descendants(os.getpid()))
    assert addresses, "Ray's servers were found"
    assert addresses <= {IPV4_LOOPBACK, *IPV6_LOOPBACKS}, addresses


def test_ray_data_stage_gives_what_cleaner_predict_gives(local_ray: Any, model_path: Path, tmp_path: Path) -> None:
    from ray.data import ActorPoolStrategy

    texts = label_texts()
    shards = write_shards(texts, tmp_path / "in", 4)
    reference = predicted(shards, model_path, tmp_path)
    dataset = ray.data.read_json([str(path) for path in shards], lines=True)
    cleaned = dataset.map_batches(
        CleanBatch,
        fn_constructor_kwargs={"model": str(model_path)},
        compute=ActorPoolStrategy(size=2),
        num_cpus=0.5,
        batch_size=16,
    )
    rows = {row["id"]: row for row in cleaned.take_all()}
    assert rows.keys() == reference.keys()
    for ident, row in rows.items():
        record = reference[ident]
        assert row["text"] == record["text"], ident
        assert {name: row[name] for name in COUNTS} == {name: record[name] for name in COUNTS}
        assert row["site"] == record["site"]


def test_ray_data_keeps_a_page_on_one_line_as_cleaner_predict_does(local_ray: Any, tmp_path: Path) -> None:
    """The README's recipe left such a page out: emptied by the model's verdict on its one line,
    where cleaner predict keeps it whole (--short-dumps keep)."""
    from ray.data import ActorPoolStrategy

    shards = write_shards([*one_line_pages(), *label_texts(6)], tmp_path / "in", 2)
    reference = predicted(shards, SHIPPED_MODEL, tmp_path)
    cleaned = ray.data.read_json([str(path) for path in shards], lines=True).map_batches(
        CleanBatch,
        fn_constructor_kwargs={"model": str(SHIPPED_MODEL)},
        compute=ActorPoolStrategy(size=1),
        num_cpus=0.5,
        batch_size=4,
    )
    rows = {row["id"]: row for row in cleaned.filter(lambda page: page["chars_kept"] >= 200).take_all()}
    assert rows.keys() == {ident for ident, record in reference.items() if record["chars_kept"] >= 200}
    assert {"doc-0000", "doc-0001", "doc-0002"} <= rows.keys()
    for ident, row in rows.items():
        assert row["text"] == reference[ident]["text"], ident
        assert {name: row[name] for name in COUNTS} == {name: reference[ident][name] for name in COUNTS}


def test_ray_data_leaves_out_a_record_whose_text_is_null_and_writes_the_rest(
    local_ray: Any, model_path: Path, tmp_path: Path
) -> None:
    """One record with "text": null failed the whole job (pandas' NaN: "clean_batch: text 5 is
    float, not str") and nothing was written; cleaner predict reports it and cleans the rest."""
    from ray.data import ActorPoolStrategy

    shards = write_shards(label_texts(6), tmp_path / "in", 2)
    reference = predicted(shards, model_path, tmp_path)  # before the null record: cleaner predict exits 1 on it
    with shards[0].open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "nulltext", "text": None, "site": "x"}) + "\n")
    cleaned = ray.data.read_json([str(path) for path in shards], lines=True).map_batches(
        CleanBatch,
        fn_constructor_kwargs={"model": str(model_path)},
        compute=ActorPoolStrategy(size=1),
        num_cpus=0.5,
        batch_size=256,
    )
    cleaned.write_json(str(tmp_path / "out"))
    rows = {}
    for path in sorted((tmp_path / "out").glob("*.json")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["id"]] = row
    assert rows.keys() == reference.keys()
    for ident, row in rows.items():
        assert row["text"] == reference[ident]["text"], ident
        assert {name: row[name] for name in COUNTS} == {name: reference[ident][name] for name in COUNTS}


@pytest.mark.parametrize("batch_format", ["numpy", "pandas", "pyarrow"])
@pytest.mark.parametrize("source", ["from_items", "read_json"])
def test_ray_data_names_a_record_without_an_id_by_its_row(
    local_ray: Any, model_path: Path, tmp_path: Path, source: str, batch_format: str
) -> None:
    """Ray gives a record that lacks the id field as NaN (read_json's numpy and pandas batches),
    pandas' NA (from_items' pandas batches) or None: CleanBatch named it "id nan" ("id <NA>", "id
    None") in its warnings. It is named by its row in its batch. What the actor logs is read back
    as the stage's output: a function that runs CleanBatch on the batch Ray made, in Ray's worker."""
    from shards_support import ONE_LINE_PAGE

    page = label_texts(1)[0]
    records = [{"id": "a", "text": page}, {"site": "x"}, {"text": ONE_LINE_PAGE}, {"id": "d", "text": page}]
    if source == "from_items":
        dataset = ray.data.from_items(records, override_num_blocks=1)
    else:
        shard = tmp_path / "records.jsonl"
        shard.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
        dataset = ray.data.read_json(str(shard), lines=True, override_num_blocks=1)
    model = str(model_path)

    def cleaned_and_said(batch: Any) -> dict[str, Any]:
        import logging

        import numpy as np

        said: list[str] = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
        logger = logging.getLogger("cleaner.integrations.batches")
        logger.addHandler(handler)
        try:
            out = CleanBatch(model=model)(batch)
        finally:
            logger.removeHandler(handler)
        kept = out.num_rows if hasattr(out, "num_rows") else len(out["text"])
        return {"said": np.array(said, dtype=object), "kept": np.array([kept] * len(said))}

    rows = dataset.map_batches(cleaned_and_said, batch_size=None, batch_format=batch_format).take_all()
    assert [row["kept"] for row in rows] == [3, 3]
    left_out, short = sorted((row["said"] for row in rows), key=lambda message: "left out" not in message)
    assert "left out" in left_out and ": row 2 of 4 (index 1) of its batch (" in left_out, left_out
    assert ": row 3 of 4 (index 2) of its batch;" in short, short
    for message in (left_out, short):
        assert all(named not in message for named in ("id nan", "id None", "id <NA>")), message


@pytest.mark.parametrize("batch_format", ["numpy", "pandas", "pyarrow"])
def test_ray_stage_takes_every_batch_format_ray_offers(local_ray: Any, model_path: Path, batch_format: str) -> None:
    """Ray's default dicts of numpy arrays, pandas DataFrames and pyarrow Tables, with another text
    column and a threshold. batch_format="pyarrow" failed: a Table's column holds pyarrow scalars,
    not str, and a Table has no copy()."""
    texts = label_texts(6)
    rows = [{"page": text, "n": number} for number, text in enumerate(texts)]
    out = (
        ray.data.from_items(rows)
        .map_batches(
            CleanBatch,
            fn_constructor_kwargs={"model": str(model_path), "text_column": "page", "threshold": 0.3},
            compute=ray.data.ActorPoolStrategy(size=1),
            num_cpus=0.5,
            batch_size=4,
            batch_format=batch_format,
        )
        .take_all()
    )
    from cleaner import clean_batch

    expected = clean_batch(texts, model_path, threshold=0.3)
    assert sorted(row["n"] for row in out) == list(range(len(texts)))
    for row in out:
        result = expected[row["n"]]
        assert row["page"] == result.text
        assert {name: row[name] for name in COUNTS} == {name: getattr(result, name) for name in COUNTS}


def test_datatrove_ray_executor_gives_what_cleaner_predict_gives(
    local_ray: Any, model_path: Path, tmp_path: Path
) -> None:
    from datatrove.executor import RayPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from cleaner.integrations.datatrove import CleanerFilter

    shards = write_shards(label_texts(), tmp_path / "in", 4)
    reference = predicted(shards, model_path, tmp_path)
    RayPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "in")),
            CleanerFilter(model=model_path, batch_size=32),
            JsonlWriter(str(tmp_path / "out"), compression=None),
        ],
        tasks=2,
        cpus_per_task=0.5,  # type: ignore[arg-type]  # fractional: Ray takes any number
        mem_per_cpu_gb=0.5,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    documents = {}
    for path in sorted((tmp_path / "out").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            documents[record["id"]] = record
    assert documents.keys() == {ident for ident, record in reference.items() if record["lines_total"]}
    for ident, document in documents.items():
        assert document.get("text", "") == reference[ident]["text"]
        assert {name: document["metadata"][name] for name in COUNTS} == {
            name: reference[ident][name] for name in COUNTS
        }

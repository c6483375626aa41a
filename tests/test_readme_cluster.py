"""The README's "On a cluster" recipes, run as they are printed (as scripts, in a folder holding
``shards/``), with the model shipped with cleaner: each gives what ``cleaner predict`` gives."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from shards_support import ONE_LINE_PAGE, label_texts, one_line_pages, predicted, write_shards

from cleaner.classifier.cleaned import COUNTS
from cleaner.classifier.format import SHIPPED_MODEL

pytestmark = pytest.mark.slow
README = Path(__file__).resolve().parent.parent / "README.md"
# Ray's node address is loopback and it reports nothing: as the README says to try it on one machine.
ENVIRONMENT = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
# Pages with nothing worth keeping, which the datatrove recipe's min_chars drops.
MENUS = [
    "Trang chủ | Thời sự | Thế giới | Kinh tế\nĐăng nhập | Đăng ký\nChia sẻ\n© 2024 Báo Mẫu",
    "Home | News | Sport | Weather\nSign in\nShare on Facebook\nMost read\nCookie settings",
]


def recipe(marker: str) -> str:
    """The Python block of the README's "On a cluster" section that contains ``marker``."""
    section = README.read_text(encoding="utf-8").split("## On a cluster", 1)[1].split("\n## ", 1)[0]
    (block,) = [code for code in re.findall(r"```python\n(.*?)```", section, re.S) if marker in code]
    return block


# A record whose text is null, added to a shard after cleaner predict's reference run (which reports it
# and exits 1): the Spark and NeMo Curator recipes failed the whole job at it ("text 7499 of 9999 is
# float"); every recipe leaves it out, and the Ray-based ones name it in a warning.
NULL_ID = "null-text-1"


def run_recipe(marker: str, folder: Path, said: bool = True) -> dict[str, dict[str, Any]]:
    """Run the recipe in ``folder`` (which holds shards/) and return cleaner predict's records by id.
    The shards hold pages on one line, which cleaner predict keeps whole and the recipes emptied,
    and a record whose text is null, which the recipe leaves out (``said``: naming it)."""
    shards = write_shards([*label_texts(), *MENUS, *one_line_pages()], folder / "shards", 4)
    reference = predicted(shards, SHIPPED_MODEL, folder)
    with shards[1].open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": NULL_ID, "text": None, "site": "site0"}) + "\n")
    script = folder / "recipe.py"
    script.write_text(recipe(marker), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "CLEANER_MODEL"} | ENVIRONMENT
    done = subprocess.run(
        [sys.executable, str(script)], cwd=folder, env=environment, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    if said:
        said = (f"id '{NULL_ID}' (null)", f"id '{NULL_ID}' (NaN, a null")  # NaN once in a pandas column
        assert any(words in done.stderr for words in said), done.stderr[-3000:]
    return reference


def one_line(reference: dict[str, dict[str, Any]]) -> set[str]:
    """The ids of the pages on one line, which cleaner predict keeps whole."""
    found = {ident for ident, record in reference.items() if ONE_LINE_PAGE in record["text"]}
    assert len(found) == len(one_line_pages())
    return found


def rows(paths: list[Path]) -> dict[str, dict[str, Any]]:
    found = {}
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                found[record["id"]] = record
    return found


def test_datatrove_recipe(tmp_path: Path) -> None:
    reference = run_recipe("LocalPipelineExecutor", tmp_path, said=False)  # datatrove's reader skips it, and says so
    kept = rows(sorted((tmp_path / "cleaned").glob("*.jsonl.gz")))
    dropped = rows(sorted((tmp_path / "dropped").glob("*.jsonl.gz")))
    assert kept.keys() | dropped.keys() == {ident for ident, r in reference.items() if r["lines_total"]}
    assert kept and dropped
    assert one_line(reference) <= kept.keys()  # dropped as cleaner_too_short: emptied line by line
    for ident, page in kept.items():
        record = reference[ident]
        assert page.get("text", "") == record["text"]
        assert {name: page["metadata"][name] for name in COUNTS} == {name: record[name] for name in COUNTS}
        assert record["chars_kept"] >= 200
    for ident, page in dropped.items():  # min_chars=200, min_kept_ratio=0.05 in the recipe
        record = reference[ident]
        short = record["chars_kept"] < 200
        assert page["metadata"]["filter_reason"] == ("cleaner_too_short" if short else "cleaner_too_little_kept")


def test_ray_data_recipe(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    reference = run_recipe("map_batches", tmp_path)
    pages = rows(sorted((tmp_path / "cleaned-ray").glob("*.json*")))
    assert pages.keys() == {ident for ident, r in reference.items() if r["chars_kept"] >= 200}
    assert one_line(reference) <= pages.keys()  # left out: emptied line by line
    for ident, page in pages.items():
        assert {name: page[name] for name in ("text", *COUNTS)} == {
            name: reference[ident][name] for name in ("text", *COUNTS)
        }


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (java -version)")
def test_spark_recipe(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    reference = run_recipe("mapInPandas", tmp_path)
    pages = rows(sorted((tmp_path / "cleaned-spark").glob("part-*.json")))
    assert pages.keys() == reference.keys()
    for ident, page in pages.items():  # Spark leaves out null fields: an empty page's text and mean_score
        record = reference[ident]
        assert page.get("text", "") == record["text"]
        assert [page.get(name) for name in COUNTS] == [record[name] for name in COUNTS]


def test_nemo_curator_recipe(tmp_path: Path) -> None:
    pytest.importorskip("nemo_curator", reason="NeMo Curator is not installed (see the README: not an extra)")
    reference = run_recipe("RayDataExecutor", tmp_path)
    pages = rows(sorted((tmp_path / "cleaned-nemo").glob("*.jsonl")))
    assert pages.keys() == {ident for ident, r in reference.items() if r["chars_kept"] >= 200}
    for ident, page in pages.items():
        record = reference[ident]
        assert page["text"] == record["text"]
        assert [page[name] for name in COUNTS] == [record[name] for name in COUNTS]

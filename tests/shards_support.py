"""JSONL shards of the labelled dumps' text, and what ``cleaner predict`` makes of them: the
reference every integration's output is compared with, record by record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.training.labels import read_label_file

LABELS = Path(__file__).resolve().parent.parent / "labels"


def label_texts(limit: int | None = None) -> list[str]:
    """The labelled dumps as texts, in name order; every third without its final line break and
    every fifth with CRLF line ends, as records hold them, plus an empty one."""
    texts = []
    for number, path in enumerate(sorted(LABELS.glob("*.tsv"))[:limit]):
        lines, _ = read_label_file(path)
        text = "".join(line + "\n" for line in lines)
        if number % 3 == 1:
            text = text.rstrip("\n")
        if number % 5 == 2:
            text = text.replace("\n", "\r\n")
        texts.append(text)
    return [*texts, ""]


def write_shards(texts: list[str], folder: Path, shards: int) -> list[Path]:
    """``{"id", "text", "site"}`` records dealt round-robin into ``shards`` JSONL files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"shard-{i:02d}.jsonl" for i in range(shards)]
    handles = [path.open("w", encoding="utf-8") for path in paths]
    for number, text in enumerate(texts):
        record = {"id": f"doc-{number:04d}", "text": text, "site": f"site{number % 7}"}
        handles[number % shards].write(json.dumps(record, ensure_ascii=False) + "\n")
    for handle in handles:
        handle.close()
    return paths


def predicted(inputs: list[Path], model: Path, tmp: Path, *options: str) -> dict[str, dict[str, Any]]:
    """``cleaner predict INPUTS -o out.jsonl --model MODEL``: the output records by id."""
    out = tmp / "reference.jsonl"
    result = CliRunner().invoke(
        app, ["predict", *map(str, inputs), "-o", str(out), "--model", str(model), "-j", "1", "-q", *options]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return {record["id"]: record for record in records}


# A news page held on one line, as some extractors write a page: menu, article and footer together.
# The shipped model scores such a line as boilerplate (P 0.04), so a line-by-line verdict emptied it.
ARTICLE_SENTENCE = (
    "The city council voted on Thursday to approve a long-debated plan that will turn the abandoned rail "
    "yard into a public park. "
)
ONE_LINE_PAGE = (
    "Home | World | Business | Tech | Science | Opinion | Sport Sign in | Subscribe Advertisement "
    + ARTICLE_SENTENCE * 8
    + "Share on Facebook | Share on X | Email | Print Related stories Most read About us | Contact | "
    "Privacy policy | Terms of use © 2025 The Daily News"
)


def one_line_pages() -> list[str]:
    """Dumps with too few lines to clean line by line (``cleaner predict --short-dumps``): the page
    on one line as a record holds it, with a final line break, and with a short second line."""
    return [ONE_LINE_PAGE, ONE_LINE_PAGE + "\n", "Menu\n" + ONE_LINE_PAGE + "\n"]

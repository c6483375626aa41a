"""Reading evaluation sets in the ``../shared/devset`` format: ``<id>.txt`` dumps with ``<id>.gold``
tags (``C``, ``B`` or empty) and an optional ``meta.jsonl`` naming each page's site."""

from __future__ import annotations

import json
from pathlib import Path

from cleaner.labels import BOILERPLATE, CONTENT, LabelFormatError
from cleaner.text import decode, is_blank
from cleaner.training.labels import LabelledDocument

_GOLD = {"C": CONTENT, "B": BOILERPLATE, "": None}


def load_gold_dir(directory: Path) -> list[LabelledDocument]:
    """Every ``<id>.txt`` with its ``<id>.gold`` under ``directory`` (recursively), sorted by path."""
    sites: dict[str, str] = {}
    languages: dict[str, str] = {}
    for meta in directory.rglob("meta.jsonl"):
        for number, row in enumerate(meta.read_text(encoding="utf-8").splitlines(), 1):
            if row.strip():
                try:
                    record = json.loads(row)
                except json.JSONDecodeError as exc:
                    raise LabelFormatError(f"{meta}:{number}: not JSON ({exc.msg})") from exc
                sites[str(record.get("id"))] = str(record.get("site") or "")
                languages[str(record.get("id"))] = str(record.get("language") or "")
    documents = []
    for text_path in sorted(directory.rglob("*.txt")):
        gold_path = text_path.with_suffix(".gold")
        if not gold_path.is_file():
            continue
        lines = decode(text_path.read_bytes()).split("\n")
        gold = gold_path.read_text(encoding="utf-8").split("\n")
        for part in (lines, gold):
            if part and part[-1] == "":
                part.pop()
        if len(lines) != len(gold):
            raise LabelFormatError(f"{gold_path}:0: {len(gold)} tags for {len(lines)} dump lines")
        labels = []
        for number, (line, tag) in enumerate(zip(lines, gold), 1):
            if tag.strip() not in _GOLD:
                raise LabelFormatError(f"{gold_path}:{number}: unknown tag {tag!r}")
            # A tag on a whitespace-only line is not scored: the model gives blank lines no label.
            labels.append(None if is_blank(line) else _GOLD[tag.strip()])
        lines = [line.rstrip("\r") for line in lines]
        name = text_path.stem
        # Without a language in meta.jsonl, a folder named by an ISO 639-1 code (vi/, en/) gives it.
        folder = text_path.parent.name
        language = languages.get(name) or (folder if len(folder) == 2 else "")
        documents.append(
            LabelledDocument(
                name=name, lines=lines, labels=labels, site=sites.get(name) or name, language=language, path=text_path
            )
        )
    return documents

"""``make eval-wrapped`` (cleaner.training.wrapped_eval) on a tiny devset made here: the wrapped
lines map back to their source lines, and both kinds of set are scored by the package's scorers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from cleaner.labels import BOILERPLATE, CONTENT
from cleaner.training.wrapped_eval import gold_set, snippet_set, wrap_lines

PROSE = "The council approved the new budget on Tuesday after a long debate about school funding and roads."


class KeepsLongLines:
    """A stand-in model: content for lines of 40 characters or more, boilerplate for other text."""

    def predict(self, documents: Sequence[Sequence[str]]) -> list[list[str | None]]:
        return [
            [None if not line.strip() else CONTENT if len(line.strip()) >= 40 else BOILERPLATE for line in doc]
            for doc in documents
        ]


def test_wrapped_lines_map_to_their_source_lines() -> None:
    lines, source = wrap_lines(["Home", "", PROSE], 40)
    assert lines[:2] == ["Home", ""] and len(lines) > 3
    assert source == [0, 1] + [2] * (len(lines) - 2)
    assert " ".join(lines[2:]) == PROSE


def test_both_kinds_of_set_are_scored(tmp_path: Path) -> None:
    multi, gold = tmp_path / "multi", tmp_path / "en"
    multi.mkdir()
    gold.mkdir()
    (multi / "p1.txt").write_text(f"Home\n{PROSE}\n", encoding="utf-8")
    record = {"id": "p1", "lang": "de", "with": ["budget on Tuesday"], "without": ["Home"]}
    (multi / "meta.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (gold / "g1.txt").write_text(f"Home\n\n{PROSE}\n", encoding="utf-8")
    (gold / "g1.gold").write_text("B\n\nC\n", encoding="utf-8")
    model = KeepsLongLines()

    snippets = snippet_set(model, multi, 120, "textwrap")  # type: ignore[arg-type]
    assert snippets["all"]["unwrapped"] == snippets["all"]["wrapped"] == snippets["de"]["unwrapped"] == 1.0
    # Wrapped at 30 columns, the prose lines are too short for the stand-in: the snippet is lost.
    assert snippet_set(model, multi, 30, "textwrap")["all"]["wrapped"] == 0.0  # type: ignore[arg-type]
    assert gold_set(model, gold, 120, "textwrap") == {"unwrapped": 1.0, "wrapped": 1.0}  # type: ignore[arg-type]
    assert gold_set(model, gold, 30, "textwrap")["wrapped"] == 0.0  # type: ignore[arg-type]

"""Output modes: one Render member, one renderer each; the worker picks them by input kind."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cleaner.corpus.items import CleanedDocument, Raw
from cleaner.corpus.readers import READERS, ParseOptions, parse
from cleaner.corpus.readers.jsonl import KIND as JSONL
from cleaner.corpus.readers.text import KIND as TEXT
from cleaner.corpus.readers.warc import KIND as WARC
from cleaner.corpus.renderers import RENDERERS, Render, Style, Verdict, render
from cleaner.corpus.worker import Cleaner, Settings
from cleaner.labels import parse_label_text

DUMP = "Menu | Home\n\nA body paragraph.\nShare\n"


class Fixed:
    """A model that keeps the lines holding "body"."""

    threshold = 0.5

    def predict_proba_nonblank(self, documents: list[list[str]]) -> list[np.ndarray]:
        return [np.array([0.9 if "body" in line else 0.1 for line in doc if line.strip()]) for doc in documents]


def verdict_of(lines: list[str]) -> Verdict:
    (scores,) = Fixed().predict_proba_nonblank([lines])
    keep = (scores >= 0.5).tolist()
    return Verdict(scores, keep, sum(keep))


def test_every_output_mode_has_one_renderer() -> None:
    assert set(RENDERERS) == set(Render)
    assert all(callable(function) for function in RENDERERS.values())


@pytest.mark.parametrize("mode", list(Render))
def test_each_renderer_writes_its_format(mode: Render) -> None:
    doc = parse(Raw(TEXT, "a.txt", DUMP.encode(), ident="a.txt"), ParseOptions())
    output = render(mode, doc, verdict_of(doc.lines), Style(0.5)).decode()
    if mode is Render.TEXT:
        assert output == "A body paragraph.\n"
    elif mode is Render.LABELS:
        lines, labels = parse_label_text(output)
        assert lines == doc.lines
        assert labels == ["boilerplate", None, "content", "boilerplate"]
    elif mode is Render.LINES:
        records = [json.loads(line) for line in output.splitlines()]
        assert [r["label"] for r in records] == ["boilerplate", None, "content", "boilerplate"]
    else:
        assert json.loads(output) == {
            "id": "a.txt",
            "text": "A body paragraph.\n",
            "lines_total": 3,
            "lines_kept": 1,
            "chars_kept": 18,
            "mean_score": pytest.approx((0.1 + 0.9 + 0.1) / 3, abs=1e-4),
        }


def test_worker_renders_by_input_kind() -> None:
    """One-document files use the text mode, files of records the structured one."""
    settings = Settings("unused", None, text_render=Render.LABELS, structured_render=Render.RECORD)
    assert [settings.render_for(kind) for kind in (TEXT, JSONL, WARC)] == [Render.LABELS, Render.RECORD, Render.RECORD]
    assert all(settings.render_for(kind) in Render for kind in READERS)
    raws = [
        Raw(TEXT, "a.txt", DUMP.encode(), ident="a.txt"),
        Raw(JSONL, "b.jsonl:1", json.dumps({"id": 7, "text": DUMP}).encode()),
        Raw(WARC, "c.wet:<urn:1>", DUMP.encode(), ident="<urn:1>", url="https://x.example/"),
    ]
    text, record, wet = Cleaner(settings, Fixed()).run(list(raws))
    assert isinstance(text, CleanedDocument) and text.output.decode().startswith("B\tMenu | Home\n")
    assert isinstance(record, CleanedDocument) and json.loads(record.output)["id"] == 7
    assert isinstance(wet, CleanedDocument)
    assert list(json.loads(wet.output))[:3] == ["id", "url", "text"]

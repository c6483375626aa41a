"""Hard-wrapped dumps against the same dumps unwrapped: ``make eval-wrapped``
(``python -m cleaner.training.wrapped_eval --devset ../shared/devset``).

Users' dumps come from many HTML-to-text converters; html2text (78 columns by default), lynx and w3m
hard-wrap every paragraph. This wraps every non-blank line of each dump at ``--width`` columns
(Python's ``textwrap.wrap``; blank lines kept) and scores the model on both versions:

- ``../shared/devset/multi`` (snippet-annotated): snippet F1, scored as its README says (the kept
  lines joined by line breaks, every run of whitespace one space, a case-sensitive substring test
  per snippet, micro-averaged over pages), overall and per language;
- the gold-labelled sets (``../shared/devset/vi``, ``../shared/devset/en``): character F1 of the
  content class, each wrapped line carrying its original line's gold label.

The devset is evaluation only: this measures, it trains nothing. The sets are read by
:mod:`cleaner.training.devset` and scored by :mod:`cleaner.training.metrics`, as ``cleaner evaluate``
reads and scores them.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from collections import defaultdict
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .. import load_model
from ..classifier.predictor import Predictor
from ..labels import CONTENT
from ..text import is_blank
from .devset import load_gold_dir, load_snippet_dir
from .metrics import SnippetCounts, count, count_snippets, total, total_snippets
from .script_app import script_app

REPOSITORY = Path(__file__).resolve().parent.parent
DEVSET = REPOSITORY.parent / "shared" / "devset"


class Style(str, Enum):
    """How lines are wrapped (``--style``)."""

    textwrap = "textwrap"
    html2text = "html2text"
    lynx = "lynx"


STYLES = tuple(style.value for style in Style)


def wrap_lines(lines: Sequence[str], width: int, style: str = "textwrap") -> tuple[list[str], list[int]]:
    """Every non-blank line wrapped at ``width`` columns (blank lines kept), and for each output
    line the index of the input line it came from.

    ``textwrap``: Python's ``textwrap.wrap`` with its defaults (long words and hyphenated words
    broken), the target of issue 14. ``html2text``: as html2text wraps (no word broken, list items
    left whole, as ``* item``). ``lynx``: paragraphs indented by three spaces within the width, list
    items as ``  * item`` with their continuation lines indented under the text, no word broken.
    """
    out: list[str] = []
    source: list[int] = []
    whole = textwrap.TextWrapper(width, break_long_words=False, break_on_hyphens=False)
    for index, line in enumerate(lines):
        text = line.strip()
        bullet = text[:2] in ("• ", "- ", "* ")
        if is_blank(line):
            pieces = [""]
        elif style == "html2text":
            pieces = ["  * " + text[2:]] if bullet else whole.wrap(text)
        elif style == "lynx":
            whole.initial_indent, whole.subsequent_indent = ("     * ", "       ") if bullet else ("   ", "   ")
            pieces = whole.wrap(text[2:] if bullet else text)
        else:
            pieces = textwrap.wrap(line, width)
        out += pieces or [line]
        source += [index] * len(pieces or [line])
    return out, source


def kept_text(model: Predictor, documents: list[list[str]]) -> list[str]:
    labels = model.predict(documents)
    return [
        "\n".join(line for line, label in zip(doc, tags) if label == CONTENT) for doc, tags in zip(documents, labels)
    ]


def snippet_set(model: Predictor, directory: Path, width: int, style: str) -> dict[str, dict[str, float]]:
    """Snippet scores of ``directory`` (a ``meta.jsonl`` set) unwrapped and wrapped, per language."""
    pages = load_snippet_dir(directory)
    plain = [page.document.lines for page in pages]
    wrapped = [wrap_lines(doc, width, style)[0] for doc in plain]
    result: dict[str, dict[str, float]] = {}
    for version, documents in (("unwrapped", plain), ("wrapped", wrapped)):
        started = time.perf_counter()
        kept = kept_text(model, documents)
        seconds = time.perf_counter() - started
        counts: dict[str, list[SnippetCounts]] = defaultdict(list)
        for page, text in zip(pages, kept):
            outcome = count_snippets(text, page.with_snippets, page.without_snippets)
            for group in ("all", page.language or "?"):
                counts[group].append(outcome)
        for group, outcomes in counts.items():
            scores = total_snippets(outcomes).scores()
            result.setdefault(group, {})[version] = round(scores["f1"], 4)
            if group == "all":
                result[group][f"{version}_p"] = round(scores["p"], 4)
                result[group][f"{version}_r"] = round(scores["r"], 4)
        result["all"][f"{version}_seconds"] = round(seconds, 2)
    result["all"]["lines_unwrapped"] = sum(map(len, plain))
    result["all"]["lines_wrapped"] = sum(map(len, wrapped))
    return result


def gold_set(model: Predictor, directory: Path, width: int, style: str) -> dict[str, float]:
    """Character F1 of the content class on a gold-labelled set, unwrapped and wrapped."""
    documents = load_gold_dir(directory)
    result: dict[str, float] = {}
    for version in ("unwrapped", "wrapped"):
        pairs = [
            wrap_lines(doc.lines, width, style) if version == "wrapped" else (doc.lines, list(range(len(doc.lines))))
            for doc in documents
        ]
        predictions = model.predict([lines for lines, _ in pairs])
        counts = total(
            count(lines, [doc.labels[index] for index in source], predicted)
            for doc, (lines, source), predicted in zip(documents, pairs, predictions)
        )
        result[version] = round(counts.scores()["char_f1"], 4)
    return result


app = script_app()


@app.command(help=__doc__.split("\n\n")[0])
def main(
    devset: Annotated[Path, typer.Option(help="the devset folder")] = DEVSET,
    model_file: Annotated[
        Path | None, typer.Option("--model", help="model file (default: the shipped one)", show_default=False)
    ] = None,
    width: Annotated[int, typer.Option(help="the column lines are wrapped at")] = 78,
    style_choice: Annotated[Style, typer.Option("--style", help="how lines are wrapped")] = Style.textwrap,
    sets: Annotated[str, typer.Option(help="comma-separated subsets of the devset")] = "multi,en,vi",
    json_out: Annotated[
        Path | None, typer.Option("--json", help="also write the figures here", show_default=False)
    ] = None,
) -> None:
    style = style_choice.value
    if not devset.is_dir():
        print(f"{devset} not found: nothing to measure", file=sys.stderr)
        return
    model = load_model(model_file) if model_file else load_model()
    figures: dict[str, object] = {"width": width, "style": style}
    for name in sets.split(","):
        directory = devset / name
        if (directory / "meta.jsonl").is_file() and not any(directory.glob("*.gold")):
            snippets = snippet_set(model, directory, width, style)
            figures[name] = snippets
            overall = snippets["all"]
            print(
                f"{name}: snippet F1 unwrapped {overall['unwrapped']:.4f},"
                f" wrapped at {width} {overall['wrapped']:.4f}"
                f" (P {overall['wrapped_p']:.3f}, R {overall['wrapped_r']:.3f})"
            )
            for group, by_version in sorted(snippets.items()):
                if group != "all":
                    print(f"  {group}: unwrapped {by_version['unwrapped']:.4f}, wrapped {by_version['wrapped']:.4f}")
        elif directory.is_dir():
            chars = gold_set(model, directory, width, style)
            figures[name] = chars
            print(f"{name}: char F1 unwrapped {chars['unwrapped']:.4f}, wrapped at {width} {chars['wrapped']:.4f}")
    if json_out:
        json_out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    app()

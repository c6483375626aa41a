"""One line as a record, four ways: ``python -m cleaner.training.record_shapes DIR... [--model M]``.

A corpus record may hold a single paragraph: a JSONL field, a forum post, a product blurb, with a
line of its page's chrome above it, below it, both or neither. This cuts such records from label
sets the model was never trained on (``labels/every-kind``, ``labels/new-languages``,
``labels/prose-chrome``): every article line of at least ``--min-content`` characters and every
chrome line of at least ``--min-chrome`` (a sample of each, ``--sample``), alone, with the nearest
chrome line of its page above, below, or both, and prints the share of each kept by the model.
An article line should be kept in every shape and a chrome line in none. The cross-validated
counterpart on ``labels/`` (runs of one to four lines, by site) is ``make eval-short``.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from .. import load_model
from ..classifier.predictor import Predictor
from ..labels import BOILERPLATE, CONTENT
from .labels import LabelledDocument, load_labelled_dir
from .script_app import script_app

SHAPES = ("alone", "above", "below", "both")


def cut_records(
    documents: Sequence[LabelledDocument], label: str, min_chars: int
) -> list[tuple[str, str | None, str | None]]:
    """Each line of ``label`` of at least ``min_chars`` characters, with the nearest chrome line of
    its page above it and below it (None where that side has none)."""
    found = []
    for doc in documents:
        chrome = [i for i, tag in enumerate(doc.labels) if tag == BOILERPLATE]
        for i, tag in enumerate(doc.labels):
            if tag != label or len(doc.lines[i]) < min_chars:
                continue
            before, after = bisect_left(chrome, i), bisect_right(chrome, i)  # the chrome lines up to i, and past it
            above = doc.lines[chrome[before - 1]] if before else None
            below = doc.lines[chrome[after]] if after < len(chrome) else None
            found.append((doc.lines[i], above, below))
    return found


def shaped(record: tuple[str, str | None, str | None], shape: str) -> tuple[list[str], int]:
    """The record's lines in ``shape`` and the position of its own line among them."""
    line, above, below = record
    top = [above] if above is not None and shape in ("above", "both") else []
    bottom = [below] if below is not None and shape in ("below", "both") else []
    return [*top, line, *bottom], len(top)


def kept_shares(model: Predictor, records: Sequence[tuple[str, str | None, str | None]]) -> dict[str, float]:
    """For each shape, the share of the records whose own line the model keeps."""
    shares = {}
    for shape in SHAPES:
        documents = [shaped(record, shape) for record in records]
        labels = model.predict([lines for lines, _ in documents])
        kept = sum(tags[at] == CONTENT for tags, (_, at) in zip(labels, documents))
        shares[shape] = kept / len(records) if records else 0.0
    return shares


app = script_app()


@app.command(help=__doc__.splitlines()[0])
def main(
    directories: Annotated[list[Path], typer.Argument(help="label sets the model was not trained on")],
    model_file: Annotated[
        str | None, typer.Option("--model", help="model file (default: the shipped one)", show_default=False)
    ] = None,
    min_content: Annotated[int, typer.Option(help="the shortest content line cut as a record")] = 60,
    min_chrome: Annotated[int, typer.Option(help="the shortest boilerplate line cut as a record")] = 40,
    sample: Annotated[int, typer.Option(help="records of each class (all if fewer)")] = 400,
) -> None:
    documents = [doc for directory in directories for doc in load_labelled_dir(directory)]
    model = load_model(model_file)
    rng = random.Random(0)
    for label, least in ((CONTENT, min_content), (BOILERPLATE, min_chrome)):
        records = cut_records(documents, label, least)
        records = rng.sample(records, min(sample, len(records)))
        shares = kept_shares(model, records)
        kept = ", ".join(f"{shape} {shares[shape]:.2f}" for shape in SHAPES)
        print(f"{label} lines (>= {least} characters, {len(records)} of them) kept: {kept}")


if __name__ == "__main__":
    app()

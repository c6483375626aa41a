"""The demo's promise on the user's own pages: the shipped configuration, trained on labels/,
keeps each seed's headline and body and drops its teaser lists.

This checks behaviour on pages the model was trained on (what a user sees first after
``make demo``), not accuracy: held-out accuracy is measured by ``make eval`` and ``make eval-dev``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.classifier.format import SHIPPED_MODEL, load_model
from cleaner.classifier.predictor import Predictor
from cleaner.training.labels import LabelledDocument, load_labelled_dir

LABELS = Path(__file__).resolve().parent.parent / "labels"


@pytest.fixture(scope="module")
def labelled() -> list[LabelledDocument]:
    return load_labelled_dir(LABELS)


@pytest.fixture(scope="module")
def shipped() -> Predictor:
    """The model shipped in the package (trained on labels/ by `make train`)."""
    return load_model(SHIPPED_MODEL)


def seeds(documents: list[LabelledDocument]) -> list[LabelledDocument]:
    return [doc for doc in documents if doc.origin == "seed"]


def test_there_are_five_seed_pages(labelled: list[LabelledDocument]) -> None:
    assert len(seeds(labelled)) == 5


def test_each_seed_keeps_its_headline_and_body_and_drops_its_teasers(
    labelled: list[LabelledDocument], shipped: Predictor
) -> None:
    for doc in seeds(labelled):
        predicted = shipped.predict_lines(doc.lines)
        headline = next(i for i, label in enumerate(doc.labels) if label == "content")
        assert predicted[headline] == "content", f"{doc.name}: headline dropped"
        content = [i for i, label in enumerate(doc.labels) if label == "content"]
        boilerplate = [i for i, label in enumerate(doc.labels) if label == "boilerplate"]
        kept_chars = sum(len(doc.lines[i]) for i in content if predicted[i] == "content")
        assert kept_chars >= 0.9 * sum(len(doc.lines[i]) for i in content), f"{doc.name}: body lost"
        dropped = sum(predicted[i] == "boilerplate" for i in boilerplate)
        assert dropped >= 0.9 * len(boilerplate), f"{doc.name}: teasers kept"

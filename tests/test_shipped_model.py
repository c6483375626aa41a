"""The model shipped in the package was trained on exactly the labels in labels/."""

from __future__ import annotations

from pathlib import Path

from cleaner.classifier.format import SHIPPED_MODEL, read_manifest
from cleaner.training.labels import read_labelled

LABELS = Path(__file__).resolve().parent.parent / "labels"


def test_the_shipped_model_was_trained_on_labels() -> None:
    trained_on = read_manifest(SHIPPED_MODEL)["training_data"]["sha256"]
    current = read_labelled(LABELS).sha256
    assert trained_on == current, (
        f"{SHIPPED_MODEL.relative_to(LABELS.parent)} was trained on other labels than labels/ holds "
        "(a label file or the manifest changed since): run `make train` and commit the model"
    )

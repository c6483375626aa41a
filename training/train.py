"""Training the shipped model on ``labels/`` (``make train`` / ``cleaner train``)."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cleaner.classifier.format import save_model
from cleaner.classifier.estimator import LineClassifier
from cleaner.training.evaluate import cross_validated_predictions, cv_groups, score
from cleaner.training.labels import LabelledDocument, load_labelled_dir

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_LABELS_DIR = REPOSITORY / "labels"


def data_hash(directory: Path, documents: Sequence[LabelledDocument]) -> str:
    """sha256 over the manifest and every label file, so a model names the exact data it saw."""
    digest = hashlib.sha256((directory / "manifest.csv").read_bytes())
    for doc in documents:
        if doc.path is not None:
            digest.update(doc.name.encode() + b"\0" + doc.path.read_bytes())
    return digest.hexdigest()


def describe_data(directory: Path, documents: Sequence[LabelledDocument]) -> dict[str, Any]:
    """What a model was trained on, for its manifest and the model card."""
    try:
        shown = directory.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = directory
    return {
        "directory": str(shown),
        "sha256": data_hash(directory, documents),
        "documents": len(documents),
        "sites": len({doc.site for doc in documents}),
        "languages": dict(Counter(doc.language for doc in documents)),
        "origins": dict(Counter(doc.origin for doc in documents)),
        "lines": sum(len(doc.lines) for doc in documents),
        "labelled_lines": sum(label is not None for doc in documents for label in doc.labels),
        "content_lines": sum(label == "content" for doc in documents for label in doc.labels),
    }


def make_estimator() -> LineClassifier:
    """The shipped configuration; ``cleaner evaluate`` cross-validates exactly this."""
    return LineClassifier()


def fit_documents(documents: Sequence[LabelledDocument], estimator: LineClassifier | None = None) -> LineClassifier:
    """Fit the shipped configuration (or ``estimator``) on labelled documents, grouped by site."""
    return (estimator or make_estimator()).fit(
        [doc.lines for doc in documents], [doc.labels for doc in documents], groups=cv_groups(documents)
    )


def train(labels_dir: Path, output: Path, cross_validate: bool = True, n_jobs: int = 1) -> dict[str, Any]:
    """Fit on every labelled dump, cross-validate by site, save the model and its manifest."""
    documents = load_labelled_dir(labels_dir)
    started = time.perf_counter()
    model = fit_documents(documents)
    seconds = time.perf_counter() - started
    metadata: dict[str, Any] = {
        "training_data": describe_data(labels_dir, documents),
        "estimator": {"class": type(model).__name__, "params": model.get_params()},
        "fit_seconds": round(seconds, 2),
    }
    if cross_validate:
        predictions = cross_validated_predictions(documents, make_estimator, n_jobs=n_jobs)
        evaluation = score("cross-validation", documents, predictions)
        metadata["cross_validation"] = {
            "scheme": "leave one site out" if len({doc.site for doc in documents}) >= 2 else "leave one document out",
            **evaluation.as_dict(),
        }
    return save_model(model, output, metadata)

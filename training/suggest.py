"""``cleaner suggest``: which unlabelled dumps would teach the model most (uncertainty sampling)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.classifier.estimator import LineClassifier
from cleaner.corpus.sources import InputError, iter_documents


@dataclass
class Suggestion:
    path: str
    lines: int
    uncertain: int
    mean_margin: float


def rank_uncertain(
    model: LineClassifier, directory: Path, margin: float = 0.2, batch: int = 32
) -> tuple[list[Suggestion], list[InputError]]:
    """Score every ``*.txt`` under ``directory``: count lines whose P(content) lies within
    ``margin`` of the decision threshold; most uncertain lines first, then lowest mean margin."""
    rows: list[Suggestion] = []
    errors: list[InputError] = []
    pending = []

    def flush() -> None:
        for doc, probabilities in zip(pending, model.predict_proba_nonblank([d.lines for d in pending])):
            distance = np.abs(probabilities - model.threshold_)
            rows.append(
                Suggestion(
                    path=doc.name,
                    lines=len(probabilities),
                    uncertain=int((distance < margin).sum()),
                    mean_margin=float(distance.mean()) if len(distance) else 0.5,
                )
            )
        pending.clear()

    for item in iter_documents([str(directory)]):
        if isinstance(item, InputError):
            errors.append(item)
            continue
        pending.append(item)
        if len(pending) >= batch:
            flush()
    flush()
    rows.sort(key=lambda row: (-row.uncertain, row.mean_margin, row.path))
    return rows, errors

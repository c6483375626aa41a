"""``cleaner labels score``: a trained model, as it is, on labelled pages it was not trained on.

``cleaner evaluate`` refits the model for every fold of its cross-validation; this scores the model
a user has: on pages just labelled of a new site (how it does there before a retrain, and so
whether a retrain is needed), or on a set kept out of training to test on. The figures are
``cleaner evaluate``'s: content-class line and character P/R/F1, summed over the pages
(micro-averages), overall and per language, kind of page, and site or document.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..classifier.predictor import Predictor
from ..text import listed, plural
from .evaluate import score
from .labels import page_fingerprint, read_labelled
from .tables import format_table

Echo = Callable[[str], None]
SYSTEM = "cleaner (as trained)"


def score_labelled(
    predictor: Predictor, directory: Path, by: str = "site", echo: Echo = print, model: str = ""
) -> dict[str, Any]:
    """Score ``predictor`` on the labelled dumps of ``directory`` (``labels/``'s format); print the
    tables and return the figures (the model's training data and this data's sha256 included).
    Raises ValueError for a directory whose manifest lists no dump.

    Pages the model was trained on score what it learnt, not what it does on pages it never saw:
    when ``directory`` is exactly its training data (the same sha256), ``trained_on`` says so and
    so does a line of the report; pages of it among others (the model's page fingerprints) are
    named in ``trained_pages`` and in a line of the report. ``model``: what the model is called (its
    file or URL, "the default model"), said first: every table says "cleaner (as trained)", and two
    models' reports could not be told apart."""
    documents, sha256 = read_labelled(directory)
    if not documents:  # scored, an empty set would read as a perfect one
        raise ValueError(
            f"{directory}: its manifest lists no labelled dump; nothing to score "
            "(add .tsv files and their manifest rows, see cleaner labels --help)"
        )
    evaluation = score(SYSTEM, documents, predictor.predict([doc.lines for doc in documents]))
    trained = predictor.manifest.get("training_data", {})
    trained_on = sha256 == trained.get("sha256")
    known = set(predictor.manifest.get("page_fingerprints", ()))  # none in a model saved before them
    seen = [doc.name for doc in documents if page_fingerprint(doc.lines) in known]
    sites = len({doc.site for doc in documents})
    if model:
        echo(f"{model}: scored as it is (threshold {predictor.threshold:.3f}), nothing trained")
    echo(f"{directory}: {plural(len(documents), 'labelled dump')} from {plural(sites, 'site')}")
    if trained_on:
        echo(
            "these are the pages the model was trained on (the same data sha256): the scores say how well "
            "it learnt them, not how it does on pages it never saw"
        )
    elif seen:
        if len(seen) == len(documents):
            some = "all the pages here are pages"
        else:
            some = f"{len(seen)} of the {len(documents)} pages here {'is a page' if len(seen) == 1 else 'are pages'}"
        echo(
            f"{some} the model was trained on (the same text: {listed(seen)}): their "
            "scores say how well it learnt them, not how it does on pages it never saw; score a model "
            "trained without them (cleaner train --labels DIR on the others)"
        )
    echo(format_table([evaluation]))
    for group in ("language", "kind", *([by] if by != "none" else [])):
        echo(f"\nper {group}:")
        echo(format_table([evaluation], by=group))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "directory": str(directory),
        "sha256": sha256,
        "model": {
            **({"source": model} if model else {}),
            "training_data": trained,
            "threshold": predictor.threshold,
        },
        "trained_on": trained_on,
        "trained_pages": seen,
        **evaluation.as_dict(),
    }

"""Training a model on labelled dumps (``make train`` / ``cleaner train``)."""

from __future__ import annotations

import platform
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..classifier.estimator import LineClassifier
from ..classifier.thresholds import NEAR_BEST_F1, THRESHOLD_RANGE
from ..labels import BOILERPLATE, CONTENT
from ..text import plural
from .evaluate import DEFAULT_FOLDS, cross_validated_predictions, cv_folds, cv_scheme, fit_by_site, score
from .labels import LabelledData, LabelledDocument, TooFewLabels, page_fingerprints
from .outputs import NotWritten, write_output
from .shipped import read_training_data


def runtime_versions() -> dict[str, str]:
    """The versions a model was trained with, for its manifest and the model card."""
    import numpy
    import sklearn

    from .. import __version__

    return {
        "cleaner": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
    }


def describe_data(data: LabelledData) -> dict[str, Any]:
    """What a model was trained on, for its manifest and the model card."""
    documents = data.documents
    return {
        "sha256": data.sha256,
        "documents": len(documents),
        "sites": len({doc.site for doc in documents}),
        "languages": dict(sorted(Counter(doc.language for doc in documents).items())),
        "origins": dict(sorted(Counter(doc.origin for doc in documents).items())),
        "kinds": dict(sorted(Counter(doc.kind for doc in documents).items())),
        "lines": sum(len(doc.lines) for doc in documents),
        "labelled_lines": sum(label is not None for doc in documents for label in doc.labels),
        "content_lines": sum(label == "content" for doc in documents for label in doc.labels),
    }


# How many pages of other sites one page the user labelled of their own site counts as. Without a
# weight, one page of a new site among hundreds of others barely moves a first stage regularised to
# transfer across sites; `cleaner evaluate --adapt` measures the curve with and without it.
USER_WEIGHT = 1.0


def threshold_note(manifest: dict[str, Any]) -> str:
    """What ``cleaner train`` says of the threshold: the cut it saved, and the cross-validated
    optimum when that lies outside :data:`THRESHOLD_RANGE` (the cut was clipped to it). The manifest
    holds the optimum rounded to 4 places, so it is compared with the range, never with the cut."""
    note = f"threshold {manifest['threshold']:.3f}"
    best = manifest.get("f1_threshold")
    low, high = THRESHOLD_RANGE
    if best is not None and not low <= best <= high:
        note += f"; the character-F1 optimum, {best:.3f}, lies beyond the range it may take ({low}-{high})"
    near = manifest.get("near_best_cuts")
    if near is not None:
        note += f"; cuts from {near[0]:.3f} to {near[1]:.3f} score within {NEAR_BEST_F1} of its held-out F1"
    return note


def make_estimator() -> LineClassifier:
    """The shipped configuration (``LineClassifier.shipped()``, whose parameters
    :data:`~cleaner.classifier.estimator.SHIPPED_PARAMS` are); ``cleaner evaluate`` cross-validates
    exactly this. Why each of its parameters is what it is:

    Character 4-grams inside words are a second cue block: word cue n-grams learn "Lesen Sie auch"
    or "Xem thêm" one spelling at a time, while 4-grams carry over to inflections, compounds and
    neighbouring languages (held out by site on labels/: character F1 0.930 -> 0.935, line F1 0.874
    -> 0.887). In scripts without spaces each letter is a word of that block, so a Chinese or Japanese
    page's lines have rows in it as a spaced page's do (see ``cuechars.block_words``).

    Pages printed twice (``reprinted``, one in ten training pages) teach the ``copy_of_earlier``
    feature that a second print of an article is not the article: fitted on labels/ without
    cross-validation, ``../shared/devset/vi`` 0.961 -> 0.971 char F1 (two of its pages hold a
    mobile and a desktop print), en 0.922 -> 0.922, multi 0.868 -> 0.871; held out by site on
    labels/ (``make train``), char F1 0.935 -> 0.931, a few pages falling and a few gaining. The
    feature alone, with no page to learn it from, kept the copies (vi 0.928).

    ``header_echo`` and ``records=0.5`` came with the 80 pages of ``labels/candidates`` (see its
    README). ``header_echo`` lets the context stages read whether a line sits under a post header of
    the form the main prose block sits under (a thread's replies do, comments under an article do
    not); ``records=0.5`` adds record-shaped documents cut from the pages, half as many as there are
    pages (a few article or chrome lines framed by their page's nearest chrome), so that a short
    record is not read as chrome whatever the fit's random start. Held out by site on the
    362 pages that both sets hold, the 16 short-line Vietnamese pages among the 80 raised char F1 0.942
    -> 0.944 and the five seeds 0.845 -> 0.884; fitted on labels/ with the 80 in four random states,
    ``../shared/devset/vi`` kept its line F1 at 0.90 or more in four of four (one of four without
    them), multi 0.870 on average (0.872 before), and ``labels/new-languages`` rose 0.919 -> 0.936.

    ``cue_logit`` lets the context stages weigh the cue blocks' evidence apart from the shape's: in
    a long line a cue is diluted by the row's unit length, so consent banners, pitches and bios
    written as prose read as the article. Held out by site, char F1 0.944 -> 0.948 (line F1 0.902
    -> 0.912); fitted on labels/ in three random states, ``labels/prose-chrome`` 0.879 -> 0.905 and
    ``../shared/devset/multi`` 0.869 -> 0.879 on average, devset en 0.927 -> 0.922 (the README's
    step 3).

    Three context rounds instead of two, with ``records=0.75``: each round re-reads a line's
    neighbours' decisions of the round before, so a third round lets the evidence of a "Related" or
    "Comments" header travel further down the block under it. Held out by site, char F1 0.948 ->
    0.949 (line F1 0.912 -> 0.914); fitted on labels/ in three random states, ``labels/prose-chrome``
    0.905 -> 0.915, ``../shared/devset/multi`` 0.879 -> 0.882 and en 0.922 -> 0.926 on average. The
    third round alone kept too little of a short record at random state 0 (68% of the text of
    ``tests/test_short_records.py``), hence more record-shaped documents. It costs about 6% of
    prediction's throughput (the README's step 3).
    """
    return LineClassifier.shipped()  # its parameters: SHIPPED_PARAMS in classifier/estimator.py


def user_weights(documents: Sequence[LabelledDocument], user_weight: float | None = None) -> list[float] | None:
    """Per document, ``user_weight`` (default :data:`USER_WEIGHT`) for the user's own pages (origin
    ``user``) and 1 for the others; None when no page is the user's (every weight would be 1)."""
    weight = USER_WEIGHT if user_weight is None else user_weight
    if weight == 1.0 or not any(doc.origin == "user" for doc in documents):
        return None
    return [weight if doc.origin == "user" else 1.0 for doc in documents]


def warn_unused_user_weight(documents: Sequence[LabelledDocument], user_weight: float | None, labels_dir: Path) -> None:
    """A warning (before any fit) when ``user_weight`` was given and no page is the user's own:
    ``--user-weight 5`` on pages of other origins trained the very same model, without a word, and
    pages labelled by hand with another origin in their manifest row were not weighted."""
    if user_weight is None or any(doc.origin == "user" for doc in documents):
        return
    warnings.warn(
        f"no page of {labels_dir / 'manifest.csv'} has origin user, so --user-weight {user_weight:g} changes "
        "nothing: pages you labelled by hand need origin user in their manifest row (cleaner label writes it)",
        stacklevel=2,
    )


def fit_documents(
    documents: Sequence[LabelledDocument], estimator: LineClassifier | None = None, user_weight: float | None = None
) -> LineClassifier:
    """Fit the shipped configuration (or ``estimator``) on labelled documents, grouped by site, the
    user's own pages weighted (:func:`user_weights`)."""
    return fit_by_site(estimator or make_estimator(), documents, user_weights(documents, user_weight))


def check_trainable(documents: Sequence[LabelledDocument]) -> None:
    """Raise :class:`TooFewLabels` unless the pages hold content and boilerplate lines both, before
    any fit (and any cross-validation) fails on it deep inside scikit-learn's or the estimator's checks."""
    content = sum(label == CONTENT for doc in documents for label in doc.labels)
    boilerplate = sum(label == BOILERPLATE for doc in documents for label in doc.labels)
    if not content or not boilerplate:
        raise TooFewLabels(
            f"{plural(len(documents), 'labelled page')} with {content} content and {boilerplate} boilerplate lines, "
            "but training needs both"
        )


def given_labels_scores(
    data: LabelledData, shipped: dict[str, Any] | None, predictions: Sequence[list[str | None]]
) -> dict[str, Any]:
    """``{"given_labels": ...}``: the cross-validated scores of the given folder's pages alone, when
    the shipped pages were added to them (they follow the shipped ones); else nothing."""
    if shipped is None:
        return {}
    start = shipped["documents"]
    mine = data.documents[start:]
    overall = score("cross-validation", mine, list(predictions[start:])).as_dict()["overall"]
    return {"given_labels": {"documents": len(mine), "sites": len({doc.site for doc in mine}), "overall": overall}}


def train(
    labels_dir: Path,
    output: Path,
    cross_validate: bool = True,
    n_jobs: int = 1,
    joblib_path: Path | None = None,
    folds: int = DEFAULT_FOLDS,
    user_weight: float | None = None,
    params: dict[str, Any] | None = None,
    say: Callable[[str], None] | None = None,
    plus_shipped: bool = False,
) -> dict[str, Any]:
    """Fit on every labelled dump, cross-validate by site if asked (``folds`` grouped folds, whole
    sites left out, as ``cleaner evaluate`` does), and save the model.

    ``say`` gets a line as each step starts, and the cross-validation's bar (on a terminal; else a
    line per fold), and the final fit says each of its stages on stderr (the estimator's
    ``verbose``): ``cleaner train --plus-shipped`` was silent for the 9 minutes of its fit. Without
    ``say``, nothing is said (``cleaner train -q``, the label server's retrain).

    ``params`` changes parameters of the shipped configuration (``cleaner train --set``), in the
    cross-validation and the fit both; the model file records the parameters it was fitted with.

    The user's own pages (origin ``user``) weigh ``user_weight`` pages each (:func:`user_weights`).
    ``joblib_path``, if given, also gets the fitted scikit-learn estimator, for people who compose
    it in their own scikit-learn code (loading a joblib file runs code; cleaner never loads one).
    ``plus_shipped``: the pages the shipped model learnt from come first (see
    :mod:`cleaner.training.shipped`); the manifest's ``training_data`` says so (``shipped``), and
    the cross-validation also scores ``labels_dir``'s pages alone (``given_labels``): they are
    what the user retrains for, and the overall score is mostly the shipped pages'.
    Returns the manifest written into the model file plus ``fit_seconds`` and ``cv_seconds``,
    which are not written (equal data give an equal file).
    """
    data, shipped = read_training_data(labels_dir, plus_shipped)
    documents = data.documents
    check_trainable(documents)
    warn_unused_user_weight(documents, user_weight, labels_dir)

    def estimator() -> LineClassifier:
        return make_estimator().set_params(**(params or {}))

    weights = user_weights(documents, user_weight)
    manifest: dict[str, Any] = {
        # With --plus-shipped, "shipped" says the shipped pages came first (their count and sha256).
        "training_data": {**describe_data(data), **({"shipped": shipped} if shipped is not None else {})},
        # Which pages, by their text: a score on some of them among others is named for what it is
        # (cleaner labels score); the data's sha256 alone only recognises the whole directory.
        "page_fingerprints": page_fingerprints(documents),
        "versions": runtime_versions(),
    }
    timings: dict[str, float] = {}
    if cross_validate:
        started = time.perf_counter()
        # Weighted as the final fit is, so that the scores recorded are the weighted model's.
        predictions = cross_validated_predictions(
            documents, estimator, n_jobs=n_jobs, folds=folds, weights=weights, say=say, quiet=say is None
        )
        evaluation = score("cross-validation", documents, predictions).as_dict()
        timings["cv_seconds"] = round(time.perf_counter() - started, 2)
        manifest["cross_validation"] = {
            "scheme": cv_scheme(documents, folds),
            "folds": cv_folds(documents, folds),
            **{key: evaluation[key] for key in ("overall", "per_language", "per_kind", "per_site")},
            **given_labels_scores(data, shipped, predictions),
        }
    if say is not None:
        say(
            f"fitting the model on {plural(len(documents), 'labelled dump')} ({plural(n_jobs, 'process', 'processes')})"
        )
    started = time.perf_counter()
    if weights is not None:
        manifest["training_data"]["user_weight"] = USER_WEIGHT if user_weight is None else user_weight
    verbose = int(say is not None)  # its stages on stderr; the model is the same either way
    # Its inner folds on n_jobs processes at once.
    model = fit_by_site(estimator().set_params(n_jobs=n_jobs, verbose=verbose), documents, weights)
    timings["fit_seconds"] = round(time.perf_counter() - started, 2)
    if hasattr(model, "f1_threshold_"):
        manifest["f1_threshold"] = round(float(model.f1_threshold_), 4)
        manifest["near_best_cuts"] = [round(float(cut), 4) for cut in model.near_best_cuts_]
    try:
        written = model.save(output, manifest)
    except OSError as exc:  # the fit is done: the command says what was saved, in one line
        raise NotWritten(output, exc) from exc
    if joblib_path is not None:
        import io

        import joblib

        buffer = io.BytesIO()
        joblib.dump(model, buffer, compress=3)
        write_output(joblib_path, buffer.getvalue())
    return {**written, **timings}

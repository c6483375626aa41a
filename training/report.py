"""``cleaner evaluate``: cross-validation on labels/, leave-one-language-out, held-out test sets
(per-line gold or snippets), peers, and the model card.

Every figure printed or written here is measured by this run; the only number read from elsewhere
is trafilatura's published snippet score on ``devset/multi``, parsed from that set's README at run
time and always labelled as quoted (trafilatura reads the HTML, which the devset does not hold).
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..text import listed, plural
from .devset import SnippetPage, load_gold_dir, load_snippet_dir, quote_reference
from .evaluate import (
    DEFAULT_FOLDS,
    MIN_LANGUAGE_PAGES,
    Evaluation,
    Say,
    SnippetEvaluation,
    SystemPredict,
    cross_validated_predictions,
    cross_validation_folds,
    cv_folds,
    cv_scheme,
    leave_one_language_out,
    predict_each,
    require_language_to_leave_out,
    rounded,
    score,
    score_snippets,
    snippet_scores,
)
from .labels import LabelledDocument, page_fingerprint, read_labelled
from .outputs import write_output
from .shipped import NEW_SITES, SAME_SITES, read_training_data
from .tables import (
    format_language_out,
    format_side_by_side,
    format_snippet_side_by_side,
    format_snippet_table,
    format_table,
)
from .train import (
    USER_WEIGHT,
    describe_data,
    fit_documents,
    given_labels_scores,
    make_estimator,
    runtime_versions,
    user_weights,
    warn_unused_user_weight,
)

if TYPE_CHECKING:
    from ..classifier.predictor import Predictor

Echo = Callable[[str], None]
MODEL_NAME = "cleaner"
# The system whose published figure on a snippet set is quoted from the set's README.
QUOTED_SYSTEM = "trafilatura"
# Variants scored beside the shipped model on held-out pages: what each part adds. The second is
# named after the shipped configuration's own number of context stages.
ABLATIONS: dict[str, dict[str, Any]] = {
    "without the context stages": {"context_rounds": 0},
    f"with one context stage instead of {make_estimator().context_rounds}": {"context_rounds": 1},
    "without cue-word TF-IDF": {"use_words": False},
    "with augmentation (0.5 recombined pages per page)": {"augment": 0.5},
}


def _section(echo: Echo, title: str) -> None:
    echo("")
    echo(f"== {title}")


def json_report(results: dict[str, Any]) -> bytes:
    """The figures of a report as the ``--json`` file holds them (cleaner evaluate, labels score)."""
    return (json.dumps(results, indent=2, ensure_ascii=False) + "\n").encode()


def run_evaluation(
    labels_dir: Path,
    tests: Sequence[Path],
    baselines: bool,
    by: str,
    jobs: int,
    json_out: Path | None,
    card: Path | None,
    echo: Echo = print,
    params: dict[str, Any] | None = None,
    curve: Path | None = None,
    command: str = "cleaner evaluate",
    folds: int = DEFAULT_FOLDS,
    language_out: bool = False,
    adapt: dict[str, Any] | None = None,
    user_weight: float | None = None,
    plus_shipped: bool = False,
    say: Say | None = None,
) -> dict[str, Any]:
    """Cross-validate on ``labels_dir``; train on all of it and score each ``tests`` directory.

    ``params`` override the shipped estimator's parameters; ``folds`` is the number of grouped
    folds (whole sites left out); ``language_out`` adds the leave-one-language-out table;
    ``curve`` writes a learning curve (table in the results, PNG at that path). ``user_weight``
    weighs the user's own pages (origin ``user``) in the fits of the cross-validation, of the
    languages left out and of the tests, as ``cleaner train --user-weight`` does, so that the
    model evaluated is the one trained (the learning curve counts sites, and ``adapt`` weighs the
    site's own pages as its ``weights`` say). ``plus_shipped``: the pages shipped with cleaner
    are trained on (and cross-validated) with ``labels_dir``'s, as ``cleaner train --plus-shipped``
    trains, so that the model evaluated is the one trained."""
    data, shipped = read_training_data(labels_dir, plus_shipped)
    documents = data.documents
    if adapt is not None:
        from .adapt import require_eligible_site

        require_eligible_site(documents)
    warn_unused_user_weight(documents, user_weight, labels_dir)
    weights = user_weights(documents, user_weight)
    # Read (and so checked) before any fit: a gold file that does not fit its dump stopped the run
    # only after the cross-validation and the fits on labels/.
    held_out_sets = {
        directory: (load_gold_dir(directory), load_snippet_dir(directory)) for directory in tests if directory.is_dir()
    }
    _refuse_trained_tests(labels_dir, documents, held_out_sets)
    overrides = dict(params or {})

    def estimator(**extra: Any) -> Any:
        return make_estimator().set_params(**{**overrides, **extra})

    results: dict[str, Any] = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": runtime_versions(),
        # The directory is the run's, not the data's: it stays out of describe_data (the model manifest).
        "training_data": {
            "directory": str(labels_dir),
            **describe_data(data),
            **({"shipped": shipped} if shipped is not None else {}),
        },
        "estimator": estimator().get_params(),
        "user_weight": USER_WEIGHT if user_weight is None else user_weight,
    }
    # Checked before any fit: no language to leave out, or a language whose training part holds one
    # class, would end the run (or be said) after the cross-validation's fits.
    not_scored = require_language_to_leave_out(documents) if language_out else {}
    cross_validation_folds(documents, estimator, folds)  # refused before its heading, not after
    scheme = cv_scheme(documents, folds)
    trained_on = f"{labels_dir} and the shipped pages" if shipped is not None else str(labels_dir)
    _section(echo, f"cross-validation on {trained_on} ({plural(len(documents), 'document')}; {scheme})")
    # Progress to ``say`` (cleaner evaluate: stderr), a line per fold where no bar is drawn: a
    # 2-fold run of --plus-shipped said nothing for 7.5 minutes.
    predictions = cross_validated_predictions(documents, estimator, jobs, folds, weights, say=say)
    cv = score(f"{MODEL_NAME} (cross-validated)", documents, predictions)
    echo(format_table([cv]))
    if shipped is not None:  # the overall figure is mostly the shipped pages': the user's alone too
        start = shipped["documents"]
        mine = score(f"{MODEL_NAME} (cross-validated)", documents[start:], list(predictions[start:]))
        echo(f"\n{labels_dir}'s pages alone ({plural(len(documents) - start, 'document')}), {NEW_SITES}:")
        echo(format_table([mine]))
        echo(SAME_SITES)
    for group in ("language", "kind"):
        echo(f"\nper {group} ({scheme}):")
        echo(format_table([cv], by=group))
    if by != "none":
        echo(f"\nper {by} ({scheme}):")
        echo(format_table([cv], by=by))
    results["cross_validation"] = {
        "scheme": scheme,
        "folds": cv_folds(documents, folds),
        **cv.as_dict(),
        **given_labels_scores(data, shipped, predictions),
    }

    if language_out:
        _section(
            echo, f"leave one language out: trained on the other languages, for each with >= {MIN_LANGUAGE_PAGES} pages"
        )
        left_out = leave_one_language_out(documents, estimator, jobs, weights=weights)
        echo(format_language_out(left_out))  # one at least (require_language_to_leave_out)
        for language, reason in not_scored.items():
            echo(f"{language}: skipped, {reason}")
        results["leave_one_language_out"] = {
            "min_pages": MIN_LANGUAGE_PAGES,
            "scheme": "trained on every other language, without the sites that have a page in the one left out",
            "languages": [row.as_dict() for row in left_out],
            "skipped": not_scored,
        }

    results["tests"] = {}
    results["snippet_tests"] = {}
    if tests:
        # One fit at a time, each running its inner folds on the --jobs processes.
        if say is not None:
            fits = 1 + len(ABLATIONS)
            say(f"fitting the model and {plural(fits - 1, 'variant')} on {plural(len(documents), 'labelled dump')}")
        model = fit_documents(documents, estimator(n_jobs=jobs), user_weight)
        variants = {
            name: fit_documents(documents, estimator(**extra, n_jobs=jobs), user_weight)
            for name, extra in ABLATIONS.items()
        }
        ablated = {name: _on_lines(variant) for name, variant in variants.items()}
        _score_tests(results, tests, held_out_sets, _on_lines(model), ablated, documents, baselines, by, echo)
    if curve is not None:
        from .curve import learning_curve, plot_learning_curve

        gold_dirs = [directory for directory, (gold, _) in held_out_sets.items() if gold]
        held_out = [doc for directory in gold_dirs for doc in held_out_sets[directory][0]]
        target = ", ".join(str(t) for t in gold_dirs) if gold_dirs else "the labelled sites left out"
        _section(echo, f"learning curve: training sites vs held-out F1 on {target}")
        results["learning_curve"] = learning_curve(documents, held_out, estimator, echo=echo)
        problem = plot_learning_curve(results["learning_curve"], curve, f"held out: {target}")
        echo(problem or f"wrote {curve}")
        if problem is None:  # the card shows it (by its name, as the adaptation's plot)
            results["learning_curve_plot"] = curve.name
    if adapt is not None:
        from .adapt import run_adaptation

        results["adaptation"] = run_adaptation(documents, estimator, n_jobs=jobs, echo=echo, **adapt)
    if json_out is not None:
        write_output(json_out, json_report(results))  # its folder made if missing
        echo(f"\nwrote {json_out}")
    if card is not None:
        from .card import write_model_card

        write_model_card(card, results)
        echo(f"wrote {card}")
    return results


def run_model_evaluation(
    predictor: Predictor,
    model: str,
    labels_dir: Path,
    tests: Sequence[Path],
    baselines: bool,
    by: str,
    json_out: Path | None,
    echo: Echo = print,
    command: str = "cleaner evaluate",
) -> dict[str, Any]:
    """Score ``predictor`` (the model file or URL ``model``), as it is, on each ``tests`` directory,
    beside the peers if ``baselines``: what ``cleaner evaluate --test DIR --model M`` prints.

    Nothing is trained: :func:`run_evaluation` refits the shipped configuration on ``labels_dir``
    and cross-validates it first (tens of minutes), which says nothing about a model one already
    has (one's own retrained model, or the shipped one, whose refit is the same model). The test
    pages are refused if the model was trained on them, as far as its file tells: a model that
    ``cleaner train`` writes lists its pages by their text; one that does not (the shipped model)
    is checked against ``labels_dir`` when that is its training data (the same sha256).
    ``labels_dir`` also trains the single-line TF-IDF baseline."""
    data = read_labelled(labels_dir)
    held_out_sets = {
        directory: (load_gold_dir(directory), load_snippet_dir(directory)) for directory in tests if directory.is_dir()
    }
    trained = predictor.manifest.get("training_data", {})
    known = {key: "" for key in predictor.manifest.get("page_fingerprints", ())}
    if not known and data.sha256 and data.sha256 == trained.get("sha256"):
        known = {page_fingerprint(doc.lines): f"{doc.name}.tsv" for doc in data.documents}
    _refuse_seen_tests(f"the training data of {model}", known, held_out_sets)
    if not known:
        echo(
            f"note: {model} does not list the pages it was trained on, and {labels_dir} is not its training "
            "data: that the test pages are not among them cannot be checked"
        )
    results: dict[str, Any] = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": runtime_versions(),
        "model": {"source": model, "threshold": predictor.threshold, "training_data": trained},
        "tests": {},
        "snippet_tests": {},
    }
    echo(f"{model}: scored as it is (threshold {predictor.threshold:.3f}), nothing trained")
    _score_tests(results, tests, held_out_sets, _on_lines(predictor), {}, data.documents, baselines, by, echo)
    if json_out is not None:
        write_output(json_out, json_report(results))  # its folder made if missing
        echo(f"\nwrote {json_out}")
    return results


def _score_tests(
    results: dict[str, Any],
    tests: Sequence[Path],
    held_out_sets: dict[Path, tuple[list[LabelledDocument], list[SnippetPage]]],
    model: SystemPredict,
    ablated: dict[str, SystemPredict],
    documents: Sequence[LabelledDocument],
    baselines: bool,
    by: str,
    echo: Echo,
) -> None:
    """Score ``model`` (and the peers, if ``baselines``; the ``ablated`` variants beside) on each
    test directory, into ``results["tests"]`` (per-line gold) and ``results["snippet_tests"]``."""
    peers: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    if baselines:
        from .baselines import available_baselines

        peers, skipped = available_baselines(documents)
    systems: dict[str, SystemPredict] = {MODEL_NAME: model, **peers}
    for directory in tests:
        if not directory.is_dir():
            echo(f"skipped {directory}: not found")
            continue
        held_out, pages = held_out_sets[directory]
        if not held_out and not pages:
            echo(f"skipped {directory}: no <id>.gold files and no meta.jsonl with with/without snippets")
        if held_out:
            results["tests"][str(directory)] = _gold_test(directory, held_out, systems, ablated, skipped, by, echo)
        if pages:
            results["snippet_tests"][str(directory)] = _snippet_test(
                directory, pages, systems, ablated, skipped, "jusText" in peers, echo
            )


def _refuse_trained_tests(
    labels_dir: Path,
    documents: Sequence[LabelledDocument],
    held_out_sets: dict[Path, tuple[list[LabelledDocument], list[SnippetPage]]],
) -> None:
    """Raise ValueError, before any fit, if a ``--test`` page is one of the training pages (the
    same text, :func:`~cleaner.training.labels.page_fingerprint`): its score would say how well the
    model learnt it, and be reported as held out."""
    trained = {page_fingerprint(doc.lines): f"{doc.name}.tsv" for doc in documents}
    _refuse_seen_tests(f"{labels_dir}, the training data", trained, held_out_sets)


def _refuse_seen_tests(
    training: str, trained: dict[str, str], held_out_sets: dict[Path, tuple[list[LabelledDocument], list[SnippetPage]]]
) -> None:
    """Raise ValueError if a test page's fingerprint is in ``trained`` (fingerprint: the training
    page's file, or "" when only the fingerprint is known), naming the pages and ``training``."""
    for directory, (gold, snippets) in held_out_sets.items():
        pages = [*gold, *(page.document for page in snippets)]
        both = [
            f"{doc.path.relative_to(directory) if doc.path else doc.name}" + (f" ({name})" if name else "")
            for doc in pages
            if (name := trained.get(page_fingerprint(doc.lines))) is not None
        ]
        if both:
            raise ValueError(
                f"--test {directory}: {plural(len(both), 'page is a page', 'pages are pages')} of {training} "
                f"(the same text: {listed(both)}): scored, they would say how well the model "
                "learnt them, not how it does on pages it never saw; take them out of one or the other"
            )


def _on_lines(model: Any) -> SystemPredict:
    """A fitted estimator as a system: documents in, one label per line out."""
    return lambda documents: model.predict([doc.lines for doc in documents])


def _gold_test(
    directory: Path,
    held_out: Sequence[LabelledDocument],
    systems: dict[str, SystemPredict],
    ablated: dict[str, SystemPredict],
    skipped: dict[str, str],
    by: str,
    echo: Echo,
) -> dict[str, Any]:
    """Every system on a set with per-line gold: line and character P/R/F1."""
    _section(echo, f"held out: {directory} ({plural(len(held_out), 'document')} with per-line gold, never trained on)")
    evaluations, speeds = [], {}
    for name, predict in systems.items():
        predictions, failed, speeds[name] = _timed_predictions(predict, held_out)
        evaluations.append(score(name, held_out, predictions, failed))
    echo(format_table(evaluations))
    # Per language and kind, as the cross-validation report prints them (--help and the README
    # promised them; only --json had them). Kind only when meta.jsonl gives one: else one row of
    # "(unspecified)".
    for group in ("language", "kind"):
        if group == "language" or any(doc.kind for doc in held_out):
            echo(f"\nper {group}:")
            echo(format_table(evaluations, by=group))
    if by != "none":
        echo(format_side_by_side(evaluations, by=by))
    _echo_failures(evaluations, echo)
    for name, reason in skipped.items():
        echo(f"{name}: skipped, {reason}")
    echo("throughput (dump MB/s, one process): " + ", ".join(f"{k} {v:.2f}" for k, v in speeds.items()))
    ablations = {name: score(name, held_out, predict_each(predict, held_out)[0]) for name, predict in ablated.items()}
    if ablations:
        echo("what each part adds:")
        echo(format_table(list(ablations.values())))
    return {
        "ablations": {name: rounded(e.overall.scores()) for name, e in ablations.items()},
        "documents": len(held_out),
        "systems": [e.as_dict() for e in evaluations],
        "mb_per_s": {k: round(v, 3) for k, v in speeds.items()},
        "skipped": skipped,
    }


def _snippet_test(
    directory: Path,
    pages: Sequence[SnippetPage],
    systems: dict[str, SystemPredict],
    ablated: dict[str, SystemPredict],
    skipped: dict[str, str],
    with_justext: bool,
    echo: Echo,
) -> dict[str, Any]:
    """Every system on a snippet-annotated set: snippet P/R/F1 overall and per language, beside
    the figure the set's README publishes for trafilatura (quoted, not measured)."""
    documents = [page.document for page in pages]
    snippets = sum(len(page.with_snippets) + len(page.without_snippets) for page in pages)
    _section(
        echo, f"held out: {directory} ({plural(len(pages), 'page')}, {plural(snippets, 'snippet')}, never trained on)"
    )
    evaluations: list[SnippetEvaluation] = []
    speeds = {}
    for name, predict in systems.items():
        predictions, failed, speeds[name] = _timed_predictions(predict, documents)
        evaluations.append(score_snippets(name, pages, predictions, failed))
    echo(format_snippet_table(evaluations))
    quoted = quote_reference(directory, QUOTED_SYSTEM)
    if "missing" in quoted:
        if Path(quoted["source"]).is_file():  # a set without a README (the user's own) has no figure to quote
            echo(quoted["missing"])
    else:
        echo(
            f"{quoted['system']}: P {quoted['p']:.3f} R {quoted['r']:.3f} F1 {quoted['f1']:.3f} "
            f"(quoted from {quoted['source']}, not measured here)"
        )
    echo("\nper language:")
    echo(format_snippet_table(evaluations, by="language"))
    echo(format_snippet_side_by_side(evaluations))
    stoplists: dict[str, str] = {}
    if with_justext:
        from .baselines import describe_justext_stoplists

        stoplists = describe_justext_stoplists([page.language for page in pages])
        echo("jusText stoplists: " + "; ".join(f"{language} {name}" for language, name in stoplists.items()))
    _echo_failures(evaluations, echo)
    for name, reason in skipped.items():
        echo(f"{name}: skipped, {reason}")
    echo("throughput (dump MB/s, one process): " + ", ".join(f"{k} {v:.2f}" for k, v in speeds.items()))
    ablations = {
        name: score_snippets(name, pages, *predict_each(predict, documents)) for name, predict in ablated.items()
    }
    if ablations:
        echo("what each part adds:")
        echo(format_snippet_table(list(ablations.values())))
    return {
        "pages": len(pages),
        "snippets": snippets,
        "systems": [e.as_dict() for e in evaluations],
        "quoted": quoted,
        "justext_stoplists": stoplists,
        "ablations": {name: snippet_scores(e.overall) for name, e in ablations.items()},
        "mb_per_s": {k: round(v, 3) for k, v in speeds.items()},
        "skipped": skipped,
    }


def _echo_failures(evaluations: Sequence[Evaluation | SnippetEvaluation], echo: Echo) -> None:
    for evaluation in evaluations:
        if evaluation.failed:
            echo(
                f"{evaluation.system} failed on {plural(len(evaluation.failed), 'page')}, scored as empty output: "
                + listed(evaluation.failed, 10)
            )


def _timed_predictions(
    predict: SystemPredict, documents: Sequence[LabelledDocument]
) -> tuple[list[list[str | None]], list[str], float]:
    """``predict`` on every document (pages it fails on are empty outputs, see ``predict_each``),
    those pages' names, and the dump MB per second, timed after an untimed call on the first page.

    The first call of a system pays one-time costs (building lookup tables, compiling patterns,
    loading stoplists); on a held-out set of 20 pages they outweighed the cleaning itself, and the
    reported MB/s swung threefold between runs.
    """
    megabytes = sum(len("\n".join(doc.lines).encode()) for doc in documents) / 1e6
    predict_each(predict, documents[:1])
    started = time.perf_counter()
    predictions, failed = predict_each(predict, documents)
    return predictions, failed, megabytes / max(time.perf_counter() - started, 1e-9)

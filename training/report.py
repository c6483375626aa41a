"""``cleaner evaluate``: cross-validation on labels/, held-out test sets, peers, and the model card."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cleaner.training.devset import load_gold_dir
from cleaner.training.evaluate import (
    Evaluation,
    cross_validated_predictions,
    format_side_by_side,
    format_table,
    rounded,
    score,
)
from cleaner.training.labels import LabelledDocument, load_labelled_dir
from cleaner.training.train import describe_data, fit_documents, make_estimator, runtime_versions

Echo = Callable[[str], None]
MODEL_NAME = "cleaner"
# Variants scored beside the shipped model on held-out pages: what each part adds.
ABLATIONS: dict[str, dict[str, Any]] = {
    "without the context stages": {"context_rounds": 0},
    "with one context stage instead of two": {"context_rounds": 1},
    "without cue-word TF-IDF": {"use_words": False},
    "with augmentation (0.5 recombined pages per page)": {"augment": 0.5},
}


def _section(echo: Echo, title: str) -> None:
    echo("")
    echo(f"== {title}")


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
    adapt: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Cross-validate on ``labels_dir``; train on all of it and score each ``tests`` directory.

    ``params`` override the shipped estimator's parameters; ``curve`` writes a learning curve
    (table in the results, PNG at that path)."""
    documents = load_labelled_dir(labels_dir)
    overrides = dict(params or {})

    def estimator(**extra: Any) -> Any:
        return make_estimator().set_params(**{**overrides, **extra})

    results: dict[str, Any] = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": runtime_versions(),
        "training_data": describe_data(labels_dir, documents),
        "estimator": estimator().get_params(),
    }
    _section(echo, f"leave-one-site-out cross-validation on {labels_dir} ({len(documents)} documents)")
    cv = score(f"{MODEL_NAME} (cross-validated)", documents, cross_validated_predictions(documents, estimator, jobs))
    echo(format_table([cv]))
    if by != "none":
        echo(format_table([cv], by=by))
    results["cross_validation"] = cv.as_dict()

    results["tests"] = {}
    if tests:
        model = fit_documents(documents, estimator())
        variants = {name: fit_documents(documents, estimator(**extra)) for name, extra in ABLATIONS.items()}
        peers: dict[str, Any] = {}
        skipped: dict[str, str] = {}
        if baselines:
            from cleaner.training.baselines import available_baselines

            peers, skipped = available_baselines(documents)
        for directory in tests:
            if not directory.is_dir():
                echo(f"skipped {directory}: not found")
                continue
            held_out = load_gold_dir(directory)
            _section(echo, f"held out: {directory} ({len(held_out)} documents, never trained on)")
            evaluations, speeds = _score_systems(model, peers, held_out)
            echo(format_table(evaluations))
            if by != "none":
                echo(format_side_by_side(evaluations, by=by))
            for name, reason in skipped.items():
                echo(f"{name}: skipped, {reason}")
            echo("throughput (dump MB/s, one process): " + ", ".join(f"{k} {v:.2f}" for k, v in speeds.items()))
            ablations = {
                name: score(name, held_out, variant.predict([doc.lines for doc in held_out])).overall
                for name, variant in variants.items()
            }
            echo("what each part adds:")
            echo(format_table([Evaluation(name, counts) for name, counts in ablations.items()]))
            results["tests"][str(directory)] = {
                "ablations": {name: rounded(counts.scores()) for name, counts in ablations.items()},
                "documents": len(held_out),
                "systems": [e.as_dict() for e in evaluations],
                "mb_per_s": {k: round(v, 3) for k, v in speeds.items()},
                "skipped": skipped,
            }
    if curve is not None:
        from cleaner.training.curve import learning_curve, plot_learning_curve

        held_out = [doc for directory in tests if directory.is_dir() for doc in load_gold_dir(directory)]
        target = ", ".join(str(t) for t in tests) if tests else "the labelled sites left out"
        _section(echo, f"learning curve: training sites vs held-out F1 on {target}")
        results["learning_curve"] = learning_curve(documents, held_out, estimator, echo=echo)
        problem = plot_learning_curve(results["learning_curve"], curve, f"held out: {target}")
        echo(problem or f"wrote {curve}")
    if adapt is not None:
        from cleaner.training.adapt import run_adaptation

        results["adaptation"] = run_adaptation(documents, estimator, n_jobs=jobs, echo=echo, **adapt)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        echo(f"\nwrote {json_out}")
    if card is not None:
        from cleaner.training.card import write_model_card

        write_model_card(card, results)
        echo(f"wrote {card}")
    return results


def _score_systems(
    model: Any, peers: dict[str, Any], documents: Sequence[LabelledDocument]
) -> tuple[list[Evaluation], dict[str, float]]:
    megabytes = sum(len("\n".join(doc.lines).encode()) for doc in documents) / 1e6
    evaluations, speeds = [], {}
    systems = {MODEL_NAME: lambda docs: model.predict([doc.lines for doc in docs]), **peers}
    for name, predict in systems.items():
        predictions, seconds = _timed_predictions(predict, documents)
        speeds[name] = megabytes / max(seconds, 1e-9)
        evaluations.append(score(name, documents, predictions))
    return evaluations, speeds


def _timed_predictions(predict: Any, documents: Sequence[LabelledDocument]) -> tuple[Any, float]:
    """``predict(documents)`` and its seconds, after an untimed call on the first document.

    The first call of a system pays one-time costs (building lookup tables, compiling patterns,
    loading stoplists); on a held-out set of 20 pages they outweighed the cleaning itself, and the
    reported MB/s swung threefold between runs.
    """
    predict(documents[:1])
    started = time.perf_counter()
    predictions = predict(documents)
    return predictions, time.perf_counter() - started

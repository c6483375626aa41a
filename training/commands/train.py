"""``cleaner train``: fit the model on labelled dumps and save it, saying what a stop leaves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ...cli import fail, missing_folders, say_made, warn
from ...cli.help_format import WidthAwareCommand
from ...cli.options import finite
from ...text import plural
from ..outputs import NotWritten
from .common import (
    FOLDS_HELP,
    JOBLIB_SUFFIX,
    LABELS_HELP,
    MODEL_FILE_NAME,
    MODEL_SUFFIX,
    SET_HELP,
    check_writable,
    default_model_file,
    estimator_overrides,
    find_labels,
    jobs_option,
    say_labels_found,
    stopped_cleanly,
    too_few_labels,
    warnings_as_lines,
)

PLUS_SHIPPED_HELP = (
    "Train on the labels directory plus the pages the shipped model learnt from (shipped with cleaner): "
    "what retraining on your own sites needs, since a model of a few pages alone keeps far more chrome. "
    "A page name in both is an error; a site in both is one site."
)


# The file's device, inode, size and modification time: a file saved anew (written beside and
# renamed over, cleaner.atomic) has another; None: not there.
Identity = tuple[int, int, int, int] | None


def identity(path: Path) -> Identity:
    """``path``'s :data:`Identity` now."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def trained_state(target: Path, joblib_path: Path | None, before: dict[Path, Identity]) -> str:
    """What a stopped ``cleaner train`` leaves, read from the disk when the stop comes (the files it
    saved are those no longer as they were ``before`` it began): no model, the model without the
    joblib export, or both."""
    if identity(target) == before[target]:
        if before[target] is None:  # "is as it was" of a file that never was: and no next step
            return f"no model written ({target} was not made); run the command again to train it"
        return f"no model written ({target} is as it was)"
    saved = f"the model was saved to {target}"
    if joblib_path is None:
        return saved
    if identity(joblib_path) == before[joblib_path]:
        return f"{saved}; --joblib {joblib_path} was not written"
    return f"{saved} and exported to {joblib_path}"


def unsaved_state(failed: NotWritten, target: Path, joblib_path: Path | None, before: dict[Path, Identity]) -> str:
    """What ``cleaner train`` says when the disk refused one of its files after the fit: which file,
    why, and what was saved (the model, when its joblib export is the one refused)."""
    if failed.path != target:
        return f"{trained_state(target, joblib_path, before)}: {failed.reason}"
    kept = "is as it was" if before[target] is not None else "was not made"
    export = f", nor exported to {joblib_path}" if joblib_path is not None else ""
    return f"cannot write {target}: {failed.reason}; no model written ({target} {kept}){export}"


# Markdown reflows the descriptions to the terminal (as ``cleaner predict``'s app does: see cleaner.cli);
# each command's help fits 80 columns (WidthAwareCommand: cleaner.cli.help_format).
train_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")


@train_app.command(cls=WidthAwareCommand)
def train(
    labels: Annotated[Path | None, typer.Option(help=LABELS_HELP)] = None,
    plus_shipped: Annotated[bool, typer.Option("--plus-shipped", help=PLUS_SHIPPED_HELP)] = False,
    # Strings, not Paths: a Path drops the trailing / that says the user meant a directory.
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Where to write the model: one file, its name ending in .npz (folders that are not there are made). "
            "Default: the labels directory's name with .npz, beside it (./labels.npz for ./labels; without "
            "--labels and ./labels, the checkout's labels.npz beside its labels/), where cleaner label's Retrain "
            "writes it and cleaner label and cleaner suggest find it; for the pages inside an installed cleaner "
            f"(the last default of --labels), ./{MODEL_FILE_NAME}, since nothing is written into the package. "
            "Use it elsewhere with --model or $CLEANER_MODEL.",
        ),
    ] = None,
    cross_validate: Annotated[
        bool, typer.Option(help="Also cross-validate (whole sites left out) and record the scores.")
    ] = True,
    folds: Annotated[int, typer.Option(min=2, help=FOLDS_HELP)] = 10,
    jobs: Annotated[
        int,
        jobs_option(
            "cross-validation folds at once, then the final fit's own inner folds (the same model whatever the number)"
        ),
    ] = 2,
    user_weight: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            callback=finite,
            help="How many pages each of your own pages counts as; default 1 (see cleaner evaluate --adapt "
            "--adapt-weight for what a weight changes). Your own pages are those whose manifest.csv row has origin "
            "`user`, as cleaner label writes it: give it to the pages you label by hand, or this changes nothing "
            "(a warning says so).",
        ),
    ] = None,
    overrides: Annotated[
        list[str] | None, typer.Option("--set", help=SET_HELP + " Measure it first: cleaner evaluate --set.")
    ] = None,
    joblib_file: Annotated[
        str | None,
        typer.Option(
            "--joblib",
            metavar="PATH",
            help="Also export the fitted scikit-learn LineClassifier to this joblib file (its name ending in .joblib; "
            "read it with joblib.load), to compose it in your own scikit-learn code. Loading a joblib file runs code: "
            "load only files you made; cleaner never loads one.",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress (no line as each stage of the fit starts, no cross-validation bar) and no note of the "
            "folders made; warnings and errors are still printed.",
        ),
    ] = False,
) -> None:
    """Train the model on labelled dumps; save it as one .npz file.

    The file holds the weights and a JSON manifest: what the model was trained on (data hash,
    counts, versions) and its cross-validation scores.

    Examples:

      cleaner train -o my.npz

      cleaner train --labels mylabels --plus-shipped -o my.npz

      cleaner train --set trimmed=0.3 -o cut.npz

      cleaner train --labels mylabels --no-cross-validate
    """
    from ...labels import LabelFormatError
    from ..labels import TooFewLabels
    from ..train import train as run_training
    from ..workers import end_workers

    try:
        params = estimator_overrides(overrides or [])
    except ValueError as exc:
        fail(str(exc), 2)
    directory = find_labels(labels)
    say_labels_found(labels, directory, "training on", "to train on yours")
    target = check_writable(
        "-o", str(default_model_file(directory)) if output is None else output, MODEL_FILE_NAME, MODEL_SUFFIX
    )
    joblib_path = (
        None if joblib_file is None else check_writable("--joblib", joblib_file, "cleaner.joblib", JOBLIB_SUFFIX)
    )
    # Made when the files are saved, as predict makes the folders of its -o; said, since a mistyped
    # folder would otherwise hold the model where nobody looks for it.
    new_folders = [] if quiet else missing_folders(path.parent for path in (target, joblib_path) if path is not None)
    before = {path: identity(path) for path in (target, joblib_path) if path is not None}
    try:
        # To its last line: a stop after the save (the lines below, the joblib export) said "no
        # model written", or nothing at all (the default SIGTERM, once the block had ended).
        with stopped_cleanly(lambda: trained_state(target, joblib_path, before)) as received, warnings_as_lines():
            manifest = run_training(
                directory,
                target,
                cross_validate=cross_validate,
                n_jobs=jobs,
                joblib_path=joblib_path,
                folds=folds,
                user_weight=user_weight,
                params=params,
                say=None if quiet else (lambda line: typer.echo(f"cleaner: {line}", err=True)),
                plus_shipped=plus_shipped,
            )
            _report_trained(manifest, directory, target, joblib_path, output is None, new_folders)
            end_workers()
            received.ended = True
    except TooFewLabels as exc:
        fail(too_few_labels(directory, exc, cross_validate))
    except LabelFormatError as exc:
        fail(f"{exc}")
    except NotWritten as exc:
        fail(unsaved_state(exc, target, joblib_path, before))


def _report_trained(
    manifest: dict[str, Any],
    directory: Path,
    target: Path,
    joblib_path: Path | None,
    default_output: bool,
    new_folders: list[Path],
) -> None:
    """The lines ``cleaner train`` ends with: what it trained on (and from which folders, with
    --plus-shipped; a warning when ``directory`` alone holds few pages), the cross-validation's
    scores, the folders it made, and the files it wrote."""
    from ..shipped import trained_lines, training_notes
    from ..train import threshold_note

    data = manifest["training_data"]
    cv_time = f" (cross-validation {manifest['cv_seconds']} s)" if "cv_seconds" in manifest else ""
    typer.echo(
        f"trained on {plural(data['documents'], 'document')} from {plural(data['sites'], 'site')} "
        f"({plural(data['labelled_lines'], 'labelled line')}) in {manifest['fit_seconds']} s{cv_time}"
    )
    for line in trained_lines(manifest, directory):
        typer.echo(line)
    for line in training_notes(manifest, directory):
        warn(line)
    if "cross_validation" in manifest:
        s = manifest["cross_validation"]["overall"]
        typer.echo(
            f"{manifest['cross_validation']['scheme']}: content char P/R/F1 "
            f"{s['char_p']:.3f}/{s['char_r']:.3f}/{s['char_f1']:.3f}, line F1 {s['line_f1']:.3f}"
        )
    say_made(new_folders)
    typer.echo(f"saved {target} ({threshold_note(manifest)})")
    if joblib_path is not None:
        typer.echo(f"exported the scikit-learn estimator to {joblib_path} (loading it runs code: keep it private)")
    if default_output:
        typer.echo(f"use it with --model {target}, or CLEANER_MODEL={target.resolve()} for every command")

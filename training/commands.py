"""The training commands of ``cleaner``: ``train``, ``evaluate``, ``labels check`` and ``suggest``.

Each is a Typer app named in the ``cleaner.commands`` entry-point group (``pyproject.toml``), which
``cleaner`` (:mod:`cleaner.cli`) loads only when the command is run or listed in ``--help``: the
prediction side never imports this package. The work is done in the modules of
:mod:`cleaner.training`, imported when a command runs (scikit-learn takes a second to import).
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from ..cli import fail, missing_folders, say_made, warn
from ..cli.help_format import WidthAwareCommand, WidthAwareGroup
from ..cli.options import (
    AUTO,
    Encoding,
    Errors,
    InputFormat,
    MaxDocumentMb,
    ModelFile,
    TextField,
    check_decoding,
    chosen_kind,
    finite,
    refuse_input_named_twice,
)
from ..text import listed, plural

if TYPE_CHECKING:
    from ..signals import Caught
    from .labels import LabelledDocument, TooFewLabels

# A checkout's labels/, beside training/: found from anywhere when cleaner is installed from one.
CHECKOUT_LABELS = Path(__file__).resolve().parent.parent / "labels"
MANIFEST = "manifest.csv"
DEFAULT_MODEL_FILE = Path("cleaner.npz")
MODEL_SUFFIX = DEFAULT_MODEL_FILE.suffix  # what every model file written is named with (see classifier.format)
# What --joblib's file is named with: joblib.dump's (compressed) format, read back by joblib.load only.
# Not .pkl, which says pickle.load: that fails on this file (and a .gz ending would ask joblib for gzip).
JOBLIB_SUFFIX = ".joblib"
SUFFIX_MEANS = {
    MODEL_SUFFIX: "a model is saved as one .npz file",
    JOBLIB_SUFFIX: "the estimator is exported as one .joblib file (read back with joblib.load, not pickle.load)",
}
PLOT = Path("learning_curve.png")
# Grouped cross-validation folds (whole sites left out): 10 fits of a minute or two each, where
# leaving one site out of ~150 would take hours.
FOLDS_HELP = "Cross-validation folds; whole sites are left out of each (scikit-learn's GroupKFold)."
LABELS_HELP = (
    "Directory of labelled dumps with manifest.csv. Default: ./labels, else the labels/ of cleaner's checkout, "
    "else the pages the shipped model learnt from (shipped with cleaner)."
)
PLUS_SHIPPED_HELP = (
    "Train on the labels directory plus the pages the shipped model learnt from (shipped with cleaner): "
    "what retraining on your own sites needs, since a model of a few pages alone keeps far more chrome. "
    "A page name in both is an error; a site in both is one site."
)


def find_labels(labels: Path | None) -> Path:
    """``--labels``, else ``labels/`` in the working directory, else the checkout's, else the pages
    shipped inside the package (from a wheel, where there is no checkout); or a usage error that
    says what is needed (an install without them)."""
    from .shipped import shipped_labels

    if labels is not None:
        return labels
    candidates = (Path("labels"), CHECKOUT_LABELS, shipped_labels())
    found = [candidate for candidate in candidates if candidate is not None and (candidate / MANIFEST).is_file()]
    if not found:
        fail(
            f"no labels/{MANIFEST} in the working directory, and no labelled pages shipped with cleaner: pass "
            "--labels DIR (labelled dumps and their manifest.csv, see cleaner labels --help), or reinstall cleaner",
            2,
        )
    return found[0]


def check_writable(option: str, given: str, example: str, suffix: str | None = None) -> Path:
    """The output file ``given`` (as typed), or a usage error (exit 2) if it cannot be written,
    before the fit: found when the model was saved, it cost the fit (minutes on labels/) and ended
    in a traceback. A trailing / names a directory, as it does for predict's -o, so ``-o m.npz/``
    is refused like an existing directory is (it wrote a file m.npz). A temporary file is made and
    removed in the folder it would be written in, or in the nearest folder that exists when that
    one would be made; nothing is left.

    ``suffix``: the ending the name must have, in any case (one of :data:`SUFFIX_MEANS`: a model's
    ``.npz``, --joblib's ``.joblib``). ``-o model.txt`` wrote the model's zip archive under that very
    name (nothing added ``.npz``); it loaded, since a model is read by its content, but ``cleaner
    predict DIR`` and ``suggest DIR`` then read it among the dumps as a binary file and exited 1, and
    nothing said the format is ``.npz``; ``--joblib m.txt`` wrote compressed joblib bytes as a text
    file. Refused rather than renamed: a file written elsewhere than the name given is looked for
    where it is not."""
    import os

    from ..atomic import temporary_beside

    path = Path(given)
    if path.is_dir():
        fail(f"{option} {path}: is a directory; give a file name such as {path / example}", 2)
    if given.endswith(("/", os.sep)):
        named = path if suffix is None else _named_with(path, suffix)
        fail(
            f"{option} {given}: a trailing / names a directory, but {option} names one file; write {option} {named}, "
            f"or {option} {path / example} to write it in a directory {path}",
            2,
        )
    if suffix is not None and path.suffix.lower() != suffix:
        fail(
            f"{option} {given}: {SUFFIX_MEANS[suffix]}, and this name does not end in {suffix}; "
            f"give a name such as {option} {_named_with(path, suffix)}",
            2,
        )
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        if not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        fd, temporary = temporary_beside(folder / path.name)
    except OSError as exc:
        fail(f"{option} {path}: cannot write it ({exc.strerror}); give a file in a folder you can write to", 2)
    os.close(fd)
    os.unlink(temporary)
    return path


def _named_with(path: Path, suffix: str) -> Path:
    """``path`` named with ``suffix``: its last suffix replaced, or dropped when the name ends in
    ``suffix`` without it (``m.joblib.gz`` -> ``m.joblib``, not ``m.joblib.joblib``)."""
    if path.suffix.lower() == suffix:
        return path
    return path.with_name(path.stem) if path.stem.lower().endswith(suffix) else path.with_suffix(suffix)


def too_few_labels(directory: Path, exc: TooFewLabels, cross_validate: bool) -> str:
    """What ``train`` and ``evaluate`` say of labels too few to fit or cross-validate: how many, what
    is needed (from ``exc``), and what to do."""
    what = "label more pages (cleaner label DUMPS; see cleaner labels --help)"
    if exc.cross_validation and cross_validate:
        what += ", or pass --no-cross-validate to train without scores"
    return f"{directory}: {exc}; {what}"


@contextmanager
def stopped_cleanly(kept: str | Callable[[], str]) -> Iterator[Caught]:
    """A fit that Ctrl-C, SIGTERM or SIGHUP stops (:func:`cleaner.signals.stopped_by_signals`) ends
    with its worker processes and one line: "interrupted (SIGTERM); ``kept``", exit 128 + the
    signal. SIGTERM ended the process at once, without a word, and its joblib workers ran on,
    orphaned; Ctrl-C, which reaches the whole process group, was the only stop that ended them.

    ``kept`` says what the stop leaves; a function is asked when the stop comes, for a command
    whose outputs are written inside the block (train: "no model written" stood above a model
    saved a moment before). Yields the signals caught: set its ``ended`` when the command's work
    is done, and a stop after the block is said so (see :func:`cleaner.signals.outside_run`)."""
    from ..signals import Interrupted, stopped_by_signals, unwrapped
    from .workers import stop_workers

    with stopped_by_signals() as received:
        try:
            with unwrapped():
                yield received
        except (KeyboardInterrupt, Interrupted) as exc:
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            stop_workers()
            # Said, since the run may have been long; Ctrl-C as it was said, the others by name.
            named = "" if signum == signal.SIGINT else f" ({signal.Signals(signum).name})"
            fail(f"interrupted{named}; {kept if isinstance(kept, str) else kept()}", 128 + signum)


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
        return f"no model written ({target} is as it was)"
    saved = f"the model was saved to {target}"
    if joblib_path is None:
        return saved
    if identity(joblib_path) == before[joblib_path]:
        return f"{saved}; --joblib {joblib_path} was not written"
    return f"{saved} and exported to {joblib_path}"


@contextmanager
def warnings_as_lines() -> Iterator[None]:
    """Show warnings raised while a command runs (a fit on one site has no context stages) as the
    command's own one-line messages, not as Python prints them, with the source line that raised
    them; still shown, never hidden. Restored when the command ends."""
    with warnings.catch_warnings():
        warnings.showwarning = _warning_line
        yield


def _warning_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    warn(f"warning: {message}")


def jobs_option(runs: str) -> Any:
    """The ``--jobs`` option of a command that fits models: how many processes, and what they run."""
    return typer.Option("--jobs", "-j", min=1, help=f"Processes: {runs}.")


SET_HELP = "Override an estimator parameter, KEY=VALUE (repeatable), e.g. --set C=0.1."


def estimator_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``--set KEY=VALUE`` items as parameters of the shipped configuration: each value as JSON where
    it parses (``0.1``, ``true``, ``[4, 4]``), else as a string. A ValueError names an item that is
    not KEY=VALUE, a key the estimator does not have, or a value its constraints refuse, before any
    fit starts."""
    from .train import make_estimator

    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {item!r}: use KEY=VALUE, e.g. --set C=0.1")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    estimator = make_estimator()
    known = estimator.get_params()
    unknown = [key for key in params if key not in known]
    if unknown:
        raise ValueError(f"--set {listed(unknown)}: no such estimator parameter; it has {listed(sorted(known), 30)}")
    try:  # the estimator's own constraints, checked now rather than by the fit, minutes (or a traceback) later
        estimator.set_params(**params)._validate_params()
    except ValueError as exc:
        raise ValueError(f"--set: {exc}") from None
    return params


def report_arguments(
    description: str, argv: Sequence[str] | None
) -> tuple[list[LabelledDocument], int, dict[str, Any]]:
    """``--labels``, ``--jobs`` and ``--set`` of the cross-validated reports run as ``python -m``
    (``make eval-short``, ``make eval-surrounded``): the labelled documents, the folds to fit at
    once and the parameters to change in the shipped configuration, or a usage error (status 2, as
    for a bad option) that names the file or the option and what is wrong."""
    from ..labels import LabelFormatError
    from .labels import load_labelled_dir

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--labels", type=Path, default=None, help="labelled dumps (default: as cleaner evaluate)")
    parser.add_argument("--jobs", type=int, default=2, help="folds fitted at once")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides", help=SET_HELP)
    args = parser.parse_args(argv)
    try:
        params = estimator_overrides(args.overrides)
        return load_labelled_dir(find_labels(args.labels)), args.jobs, params
    except (LabelFormatError, ValueError) as exc:
        parser.error(str(exc))


# Markdown reflows the descriptions to the terminal (as ``cleaner predict``'s app does: see cleaner.cli);
# each command's help fits 80 columns (WidthAwareCommand: cleaner.cli.help_format).
train_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")
evaluate_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")
labels_app = typer.Typer(add_completion=False, rich_markup_mode="markdown", no_args_is_help=True, cls=WidthAwareGroup)
suggest_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")


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
            f"Default: {DEFAULT_MODEL_FILE} in the working directory; use it with --model or $CLEANER_MODEL.",
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
            help="How many pages each of your own pages (origin user) counts as; default 1 (see cleaner evaluate "
            "--adapt --adapt-weight for what a weight changes).",
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
) -> None:
    """Train the model on labelled dumps; save it as one .npz file.

    The file holds the weights and a JSON manifest: what the model was trained on (data hash,
    counts, versions) and its cross-validation scores.
    """
    from ..labels import LabelFormatError
    from .labels import TooFewLabels
    from .train import train as run_training
    from .workers import end_workers

    try:
        params = estimator_overrides(overrides or [])
    except ValueError as exc:
        fail(str(exc), 2)
    directory = find_labels(labels)
    target = check_writable(
        "-o", str(DEFAULT_MODEL_FILE) if output is None else output, DEFAULT_MODEL_FILE.name, MODEL_SUFFIX
    )
    joblib_path = (
        None if joblib_file is None else check_writable("--joblib", joblib_file, "cleaner.joblib", JOBLIB_SUFFIX)
    )
    # Made when the files are saved, as predict makes the folders of its -o; said, since a mistyped
    # folder would otherwise hold the model where nobody looks for it.
    new_folders = missing_folders(path.parent for path in (target, joblib_path) if path is not None)
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
                say=(lambda line: typer.echo(f"cleaner: {line}", err=True)) if sys.stderr.isatty() else None,
                plus_shipped=plus_shipped,
            )
            _report_trained(manifest, directory, target, joblib_path, output is None, new_folders)
            end_workers()
            received.ended = True
    except TooFewLabels as exc:
        fail(too_few_labels(directory, exc, cross_validate))
    except LabelFormatError as exc:
        fail(f"{exc}")


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
    from .shipped import trained_lines, training_notes
    from .train import threshold_note

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


@evaluate_app.command(cls=WidthAwareCommand)
def evaluate(
    ctx: typer.Context,
    labels: Annotated[Path | None, typer.Option(help=LABELS_HELP)] = None,
    test: Annotated[
        list[Path] | None,
        typer.Option(
            help="Score a held-out directory (repeatable; searched recursively), never trained on. Per-line gold: "
            "each `<id>.txt` dump (UTF-8) with an `<id>.gold` beside it, one tag per dump line: C (content), B "
            "(boilerplate) or empty (a blank line, not scored); gold line i is dump line i, both split on newlines "
            'after one trailing newline. An optional meta.jsonl gives each page\'s {"id", "site", "language"} '
            "(else the site is the id, the language a two-letter folder name). Or snippets, without .gold: a "
            'meta.jsonl of {"id", "site", "lang", "with": [...], "without": [...]} per `<id>.txt`, "with" the '
            'main-text snippets the cleaned page must contain, "without" the boilerplate it must not (a '
            "case-sensitive substring test, runs of whitespace made one space); scored as snippet P/R/F1."
        ),
    ] = None,
    baselines: Annotated[
        bool, typer.Option(help="Also score keep-all, the C4 line rule, jusText and single-line TF-IDF.")
    ] = False,
    by: Annotated[str, typer.Option(help="Detail rows: site, document or none.")] = "site",
    folds: Annotated[int, typer.Option(min=2, help=FOLDS_HELP)] = 10,
    language_out: Annotated[
        bool,
        typer.Option(
            "--leave-one-language-out",
            help="Also train on all languages but one and score that one, for each language with at least 5 "
            "labelled pages (the sites with a page in it are left out of training too).",
        ),
    ] = False,
    jobs: Annotated[int, jobs_option("folds and fits at once, or a lone fit's own inner folds")] = 2,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write all scores as JSON here.")] = None,
    card: Annotated[
        Path | None, typer.Option(help="Write the model card (markdown) from this run's results here.")
    ] = None,
    curve: Annotated[
        bool,
        typer.Option(
            "--learning-curve",
            help="Also train on 1, 2, 4, ... labelled sites and report held-out F1 at each size "
            "(on the --test directories, else on the labelled sites left out).",
        ),
    ] = False,
    plot: Annotated[Path, typer.Option(help="Where --learning-curve writes its PNG plot.")] = PLOT,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help=SET_HELP),
    ] = None,
    adapt: Annotated[
        bool,
        typer.Option(
            "--adapt",
            help="Also measure site adaptation: for each site with >= 4 pages, train on the other sites plus k = 0-3 "
            "of its pages and score its other pages (4 fits per site).",
        ),
    ] = False,
    adapt_sites: Annotated[
        int | None, typer.Option("--sites", min=1, help="--adapt: sample this many of the eligible sites (cheaper).")
    ] = None,
    adapt_weights: Annotated[
        list[float] | None,
        typer.Option(
            "--adapt-weight",
            min=0.01,
            callback=finite,
            help="--adapt: how many pages each of the site's own pages counts as (repeatable, one curve each; "
            "default: cleaner train's user weight).",
        ),
    ] = None,
    adapt_plot: Annotated[Path, typer.Option(help="Where --adapt writes its PNG plot.")] = Path("adaptation.png"),
    user_weight: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            callback=finite,
            help="How many pages each of your own pages (origin user) counts as in the cross-validation, "
            "--leave-one-language-out and --test fits, as with cleaner train --user-weight: evaluate the model you "
            "train. Default 1.",
        ),
    ] = None,
) -> None:
    """Score the model: cross-validated on labels/, or on --test pages.

    Cross-validates on labels/ (10-fold, whole sites left out), or scores held-out --test directories.
    Prints content-class precision/recall/F1, line-level and character-weighted, overall and per
    language, kind of page and site (or document). With --test, the model is trained on all of
    labels/ and never sees the test pages; snippet-annotated sets get snippet P/R/F1, overall and per
    language; --baselines scores peer systems on the same pages.
    """
    from ..labels import LabelFormatError
    from .labels import TooFewLabels
    from .report import run_evaluation
    from .workers import end_workers

    check_detail_rows(by)
    for name, option, needed, given in (
        ("adapt_sites", "--sites", "--adapt", adapt),
        ("adapt_weights", "--adapt-weight", "--adapt", adapt),
        ("adapt_plot", "--adapt-plot", "--adapt", adapt),
        ("plot", "--plot", "--learning-curve", curve),
    ):
        source = ctx.get_parameter_source(name)  # Typer's own click: its enum, compared by name
        if not given and source is not None and source.name == "COMMANDLINE":
            fail(f"{option} goes with {needed}, which is not given: add {needed}, or drop {option}", 2)
    try:
        params = estimator_overrides(overrides or [])
    except ValueError as exc:
        fail(str(exc), 2)
    check_test_sets(test or [])
    directory = find_labels(labels)
    outputs = [f"{option} {path}" for option, path in (("--json", json_out), ("--card", card)) if path is not None]
    kept = "the evaluation did not finish" + (f"; {listed(outputs)} not written" if outputs else "")
    try:
        with stopped_cleanly(kept) as received, warnings_as_lines():
            run_evaluation(
                directory,
                test or [],
                baselines,
                by,
                jobs,
                json_out,
                card,
                echo=typer.echo,
                params=params,
                curve=plot if curve else None,
                command="cleaner " + " ".join(sys.argv[1:]),
                folds=folds,
                language_out=language_out,
                adapt={"sites": adapt_sites, "weights": adapt_weights, "plot": adapt_plot} if adapt else None,
                user_weight=user_weight,
            )
            end_workers()  # the fits' idle workers, not left to the interpreter's exit
            received.ended = True  # a stop from now on is said so (cleaner.__main__): the outputs are written
    except TooFewLabels as exc:
        fail(too_few_labels(directory, exc, cross_validate=False))
    except BrokenPipeError:
        raise  # the reader of the report went away (| head): ends quietly (cleaner.cli.pipes), no error of its own
    except (ValueError, OSError, LabelFormatError) as exc:
        fail(str(exc))


def check_test_sets(tests: Sequence[Path]) -> None:
    """``--test`` directories, before any fit: one that does not exist is a usage error (it was
    skipped with a line after the cross-validation, exit 0), and the dumps of a gold set without
    their ``.gold`` are named (they were left out of the scores without a word)."""
    from ..labels import LabelFormatError
    from .devset import dumps_without_gold, is_snippet_record, iter_meta

    missing = [directory for directory in tests if not directory.is_dir()]
    if missing:
        fail(
            f"--test {listed([str(directory) for directory in missing])}: no such directory; give a directory of "
            "<id>.txt dumps with <id>.gold tags, or with a meta.jsonl of snippets",
            2,
        )
    for directory in tests:
        try:
            scorable = any(directory.rglob("*.gold")) or any(is_snippet_record(r) for _, _, r in iter_meta(directory))
        except LabelFormatError as exc:
            fail(str(exc), 2)
        if not scorable:  # it was skipped with a line on stdout after the whole cross-validation, exit 0
            labelled = (directory / "manifest.csv").is_file()
            fail(
                f"--test {directory}: no <id>.gold tags and no meta.jsonl of with/without snippets to score; "
                + (
                    f"it holds labelled dumps: score a model on them with cleaner labels score {directory} --model M"
                    if labelled
                    else "give a directory of <id>.txt dumps with <id>.gold tags, or with a meta.jsonl of snippets"
                ),
                2,
            )
    for directory in tests:
        unscored = dumps_without_gold(directory)
        if unscored:
            names = [str(dump.relative_to(directory)) for dump in unscored]
            warn(f"{directory}: {plural(len(names), 'dump')} without a .gold, not scored: {listed(names)}")


def check_detail_rows(by: str) -> None:
    """A usage error unless ``--by`` names detail rows the reports have (evaluate, labels score)."""
    if by not in ("site", "document", "none"):
        fail(f"--by {by!r}: use site, document or none", 2)


@labels_app.callback()
def labels() -> None:
    """Work with labelled dumps (labels/*.tsv).

    A labels directory holds one NAME.tsv per page: each line of the dump as `C<TAB>line` (content:
    the page's main text) or `B<TAB>line` (boilerplate: menus, teasers, share rows, comments,
    footers), and an empty line for a blank one; cleaner predict DUMP --format labels writes it
    pre-labelled, to correct by hand, or cleaner label does it in the browser. Beside them,
    manifest.csv has one row per file: name,site,language,origin,source,kind (site a domain, such as
    example.com; language a code, such as vi; origin user for your pages; source and kind may be
    empty). What counts as content on each kind of page, and the formats in full: cleaner labels guide
    prints the guideline (labels/README.md, shipped with cleaner; --path says where it is).
    """


@labels_app.command("check", cls=WidthAwareCommand)
def labels_check(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Directory of labelled dumps. Default: ./labels, else the labels/ of cleaner's checkout."),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(help="The same directory, named as train, evaluate and label name it (give one or the other)."),
    ] = None,
    plus_shipped: Annotated[
        bool,
        typer.Option(
            "--plus-shipped",
            help="Also check it for training with --plus-shipped: a page named as a shipped page is a problem, a "
            "site with pages in both is noted.",
        ),
    ] = False,
) -> None:
    """Validate every label file and the manifest; print per-file counts."""
    from .check import check_labels
    from .shipped import check_with_shipped

    # --labels as well as the argument: the other commands take --labels, and find_labels's own
    # message tells the user to pass it.
    if directory is not None and labels is not None and directory != labels:
        fail(f"{directory} and --labels {labels}: give the labels directory once", 2)
    directory = find_labels(directory or labels)
    problems = check_labels(directory, echo=typer.echo)
    if plus_shipped:
        shared, notes = check_with_shipped(directory)
        problems += shared
        for note in notes:
            typer.echo(note)
    if problems:
        for problem in problems:
            warn(problem)
        fail(f"{plural(len(problems), 'problem')} in {directory}")


@labels_app.command("score", cls=WidthAwareCommand)
def labels_score(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Directory of labelled dumps (labels/'s format: *.tsv and manifest.csv) the model was not trained on."
        ),
    ],
    model: ModelFile = None,
    by: Annotated[str, typer.Option(help="Detail rows besides language and kind: site, document or none.")] = "site",
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON here.")] = None,
) -> None:
    """Score a model, as it is, on labelled pages it was not trained on.

    Label a few pages of a new site (cleaner label, or by hand) into a directory of their own, and
    this says how the model does there before you retrain: content-class precision/recall/F1,
    line-level and character-weighted, overall and per language, kind of page and site (or
    document), as cleaner evaluate prints them. Unlike cleaner evaluate, nothing is trained. Scoring the pages
    the model was trained on says how well it learnt them, not how it does on new pages: it is
    noted when the directory is exactly its training data, and the pages of it found here are named
    (a model that `cleaner train` writes lists its pages by their text; the shipped model, trained
    before it did, is recognised only by the whole of its training data).
    """
    from ..atomic import write_atomic
    from ..classifier.format import ModelError, load_model
    from ..labels import LabelFormatError
    from .held_out import score_labelled
    from .labels import missing_directory
    from .report import json_report

    check_detail_rows(by)
    problem = missing_directory(directory)
    if problem:
        fail(problem, 2)
    try:
        predictor = load_model(model)
    except ModelError as exc:
        fail(str(exc))
    try:
        results = score_labelled(predictor, directory, by, echo=typer.echo)
    except BrokenPipeError:
        raise  # the reader of the report went away (| head): ends quietly, as cleaner evaluate does
    except (ValueError, OSError, LabelFormatError) as exc:
        fail(str(exc))
    if json_out is not None:
        made = missing_folders([json_out.parent])
        try:
            write_atomic(json_out, json_report(results))  # its folder made if missing
        except OSError as exc:
            fail(f"{json_out}: {exc.strerror or exc}")
        say_made(made)
        typer.echo(f"wrote {json_out}")


@labels_app.command("guide", cls=WidthAwareCommand)
def labels_guide(
    path: Annotated[bool, typer.Option("--path", help="Print where the guideline is instead of its text.")] = False,
) -> None:
    """Print the labelling guideline: the formats, what counts as content.

    The README of the pages the shipped model learnt from (labels/README.md in a checkout, shipped
    inside the package when cleaner is installed from a wheel, which has no checkout to read it in):
    `cleaner labels guide | less`.
    """
    from .shipped import guide_path

    guide = guide_path()
    if guide is None:
        fail("the labelling guideline (labels/README.md) is not installed with this cleaner; reinstall cleaner")
    typer.echo(str(guide) if path else guide.read_text(encoding="utf-8").rstrip("\n"))


@suggest_app.command(cls=WidthAwareCommand)
def suggest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Unlabelled dumps: files, directories (their *.txt[.gz|.zst], *.jsonl[.gz|.zst], *.warc[.gz], "
            "*.wet[.gz], recursively), or - for standard input (or a pipe: <(curl -s URL)); as `cleaner predict` "
            "reads them."
        ),
    ],
    top: Annotated[int, typer.Option("-n", "--top", min=1, help="How many dumps to list.")] = 10,
    model: ModelFile = None,
    margin: Annotated[
        float,
        typer.Option(
            min=0.0, max=0.5, callback=finite, help="A line is uncertain when |P(content) - threshold| < this."
        ),
    ] = 0.2,
    input_format: InputFormat = AUTO,
    text_field: TextField = "text",
    id_field: Annotated[
        str | None,
        typer.Option(
            help="The JSONL field holding each record's id, shown beside the record's path:LINE (default: id; a "
            "record without one is shown with its url field, if it has one)."
        ),
    ] = None,
    encoding: Encoding = "utf-8",
    errors: Errors = "strict",
    max_document_mb: MaxDocumentMb = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Rank dumps by how much labelling each would teach the model.

    Dumps with many lines the model is unsure about come first; label those next. A JSONL record is
    named by its place and its id, else its url: `corpus.jsonl:17 (id=abc)`; a WARC record by its
    file, its record id and its url. Inputs that cannot be
    read are reported on stderr as path:LINE: what is wrong, the others are ranked, and the exit code
    is 1. Empty documents (no line with text) have nothing to label: they are left out and named in
    one note on stderr.
    """
    from ..classifier.format import ModelError, load_model
    from ..corpus.readers import ParseOptions
    from .suggest import rank_uncertain

    check_decoding(encoding, errors)
    if not text_field:
        fail("--text-field: give the name of the field holding the text", 2)
    refuse_input_named_twice(paths, chosen_kind(input_format))
    try:
        predictor = load_model(model)
    except ModelError as exc:
        fail(str(exc))
    ranking = rank_uncertain(
        predictor,
        paths,
        margin,
        top,
        input_format=chosen_kind(input_format),
        options=ParseOptions(encoding, errors, text_field, id_field),
        limit=int(max_document_mb * 1e6),
        progress=not quiet,
    )
    if ranking.rows:
        typer.echo(f"{'uncertain':>9} {'lines':>6} {'mean margin':>11}  file")
    for row in ranking.rows:
        typer.echo(f"{row.uncertain:>9} {row.lines:>6} {row.mean_margin:>11.3f}  {row.path}")
    if ranking.errors:
        unread = plural(ranking.errors, "input or document", "inputs or documents")
        fail(f"{unread} could not be read; " + ("the others were ranked" if ranking.rows else "nothing to rank"))


def _enough_pages(manifest: dict[str, Any]) -> bool:
    """Whether a model Retrain wrote learnt from enough pages to pre-label with: without
    --plus-shipped (and outside a checkout), Retrain fits the user's pages alone, and a model of one
    or two pages keeps far more chrome than the shipped one (see ``FEW_PAGES`` in
    :mod:`cleaner.training.shipped`)."""
    from .shipped import FEW_PAGES

    pages = manifest.get("training_data", {}).get("documents")
    return not isinstance(pages, int) or pages >= FEW_PAGES


label_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")


@label_app.command(cls=WidthAwareCommand)
def label(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Dumps to label: files, directories (their *.txt[.gz|.zst], *.jsonl[.gz|.zst], *.warc[.gz], "
            "*.wet[.gz], recursively), or - for standard input (or a pipe: <(curl -s URL)); as `cleaner predict` "
            "reads them."
        ),
    ],
    labels: Annotated[
        Path | None,
        typer.Option(
            help="Where label files and manifest.csv go. Default: ./labels, else the checkout's, else a new ./labels."
        ),
    ] = None,
    model: Annotated[
        str | None,  # not a Path, which makes a URL's // one slash
        typer.Option(
            help="Model file (.npz) or URL (as cleaner predict --model takes) that pre-labels the pages. "
            "Default: the --model-out file if it exists and learnt from at "
            "least 20 labelled pages (your own model; one of fewer keeps far more chrome, and a warning says so), "
            "else $CLEANER_MODEL, else the model shipped with cleaner."
        ),
    ] = None,
    model_out: Annotated[
        Path | None,
        typer.Option(
            help="Where Retrain writes your model (a name ending in .npz). Default: cleaner.npz beside the labels "
            "directory."
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. Anything but loopback (127.0.0.1, ::1, localhost) requires a printed token."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on; 0 picks a free one.")] = 0,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open the page in a browser.")] = True,
    max_pages: Annotated[int, typer.Option(min=1, help="Offer at most this many pages (the most uncertain).")] = 500,
    plus_shipped: Annotated[
        bool,
        typer.Option(
            "--plus-shipped",
            help="Retrain on the labels directory plus the pages the shipped model learnt from (a fit of minutes, "
            "not seconds): what a few pages of your own sites need. A page name in both is an error.",
        ),
    ] = False,
    jobs: Annotated[
        int, jobs_option("for a retrain, the fit's inner folds, then the pages scored by leave-one-page-out")
    ] = 2,
    user_weight: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            callback=finite,
            help="How many other pages each of your own pages counts as in Retrain (default: cleaner train's).",
        ),
    ] = None,
    input_format: InputFormat = AUTO,
    text_field: TextField = "text",
    encoding: Encoding = "utf-8",
    errors: Errors = "strict",
    max_document_mb: MaxDocumentMb = 10.0,
) -> None:
    """Label dumps in the browser, pre-labelled by the model; retrain.

    The dumps come most informative first. Starts a local web page (the URL is printed): click a
    line to toggle it, shift-click or drag for a range, or use the keyboard (the page lists the
    keys). Saving writes `labels/<name>.tsv` and its manifest row; Retrain fits your model on
    labels/ (with --plus-shipped, on labels/ plus the pages the shipped model learnt from) and
    scores the site's pages. Ctrl-C stops it.
    """
    from ..classifier.format import ModelError, load_model
    from ..corpus.readers import ParseOptions
    from ..signals import Interrupted
    from .labelling.pages import load_pages
    from .labelling.serve import listen, open_browser, serve
    from .labelling.session import Session
    from .shipped import few_pages_warning

    check_decoding(encoding, errors)
    refuse_input_named_twice(paths, chosen_kind(input_format))
    labels_dir = labels or next(
        (candidate for candidate in (Path("labels"), CHECKOUT_LABELS) if (candidate / MANIFEST).is_file()),
        Path("labels"),
    )
    if labels_dir.exists() and not labels_dir.is_dir():
        fail(f"--labels {labels_dir}: not a directory", 2)
    if model_out is not None:  # refused now, not after the first Retrain's fit
        check_writable("--model-out", str(model_out), DEFAULT_MODEL_FILE.name, MODEL_SUFFIX)
    target = model_out or labels_dir.resolve().parent / DEFAULT_MODEL_FILE.name
    start_model = model if model is not None else (target if target.is_file() else None)
    try:
        predictor = load_model(start_model)
        if model is None and start_model is not None and not _enough_pages(predictor.manifest):
            pages = predictor.manifest["training_data"]["documents"]
            warn(
                f"{start_model} learnt from only {pages} labelled pages, a model of these sites alone: "
                f"pre-labelling with the shipped model instead (--model {start_model} to use it; --plus-shipped "
                "retrains on your pages plus the shipped model's)"
            )
            start_model, predictor = None, load_model()
    except ModelError as exc:
        fail(str(exc))
    pages, documents, bad = load_pages(
        predictor,
        paths,
        labels_dir,
        input_format=chosen_kind(input_format),
        options=ParseOptions(encoding, errors, text_field),
        limit=int(max_document_mb * 1e6),
        max_pages=max_pages,
    )
    if not pages:
        fail(f"no page to label in {' '.join(paths)}" + (f" ({bad} could not be read)" if bad else ""))
    try:
        listening = listen(host, port)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    from ..classifier.format import default_model_name

    # As given: a URL in $CLEANER_MODEL made a Path would lose a slash (https:/host/m.npz).
    model_name = str(start_model) if start_model is not None else default_model_name()
    session = Session(
        pages,
        predictor,
        labels_dir,
        target,
        model_name=model_name,
        jobs=jobs,
        user_weight=user_weight,
        plus_shipped=plus_shipped,
    )
    few = None if plus_shipped else few_pages_warning(labels_dir, "Retrain's model of them alone")
    if few:
        warn(f"warning: {few}")
    skipped = f", {bad} could not be read" if bad else ""
    more = f" (the {len(pages)} most uncertain of {documents})" if documents > len(pages) else ""
    typer.echo(
        f"cleaner label: {plural(len(pages), 'page')}{more}{skipped}; labels go to {labels_dir}/, "
        f"Retrain writes {target}"
    )
    typer.echo(f"pre-labelled by {model_name}")
    if listening.token:
        typer.echo(f"listening on {host} beyond this machine: anyone with this URL (and its token) can label")
        if host in ("", "0.0.0.0", "::"):  # the URL below names this machine for its own browser
            typer.echo("from another machine, put this machine's name or address in place of the URL's 127.0.0.1")
    typer.echo(f"open {listening.url}   (Ctrl-C stops the server)")
    if browser and not open_browser(listening.url):
        typer.echo("(no browser to open here: open the URL above yourself)")
    try:
        serve(session, listening)
    except (KeyboardInterrupt, Interrupted) as exc:
        code = 128 + exc.signum if isinstance(exc, Interrupted) else 130
        fail(f"stopped; {plural(len(session.saved_here), 'page')} saved in {labels_dir}/ by this session", code)

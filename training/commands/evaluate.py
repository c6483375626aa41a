"""``cleaner evaluate``: score the model, cross-validated on the labels or on held-out --test pages."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from ...cli import fail, warn
from ...cli.help_format import WidthAwareCommand
from ...cli.options import finite, url_settings
from ...text import listed, plural
from ..outputs import NotWritten, not_written
from .common import (
    FOLDS_HELP,
    LABELS_HELP,
    SET_HELP,
    DetailRows,
    detail_rows,
    estimator_overrides,
    find_labels,
    jobs_option,
    say_labels_found,
    stopped_cleanly,
    too_few_labels,
    warnings_as_lines,
)

PLOT = Path("learning_curve.png")

# As train_app (.train).
evaluate_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")


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
    by: Annotated[DetailRows, typer.Option(help="Detail rows besides language and kind.")] = DetailRows.site,
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
        Path | None,
        typer.Option(
            help="Write the model card (markdown) from this run's results here: what was run, on which labels, "
            "and the plots by their file names (write them beside it)."
        ),
    ] = None,
    curve: Annotated[
        bool,
        typer.Option(
            "--learning-curve",
            help="Also train on 1, 2, 4, ... labelled sites and report held-out F1 at each size "
            "(on the --test directories, else on the labelled sites left out).",
        ),
    ] = False,
    plot: Annotated[
        Path, typer.Option(help="Where --learning-curve writes its PNG plot (drawn by matplotlib: cleaner[plot]).")
    ] = PLOT,
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
        int | None,
        typer.Option(
            "--sites",
            min=1,
            help="--adapt: sample this many of the sites with >= 4 pages, for a cheaper run. Default: all of them.",
        ),
    ] = None,
    adapt_weights: Annotated[
        list[float] | None,
        typer.Option(
            "--adapt-weight",
            min=0.01,
            callback=finite,
            help="--adapt: how many pages each of the site's own pages counts as (repeatable, one curve each; "
            "default 1, as cleaner train --user-weight).",
        ),
    ] = None,
    adapt_plot: Annotated[
        Path, typer.Option(help="Where --adapt writes its PNG plot (drawn by matplotlib: cleaner[plot]).")
    ] = Path("adaptation.png"),
    user_weight: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            callback=finite,
            help="How many pages each of your own pages (origin `user` in manifest.csv, as cleaner label writes "
            "it; give it to the pages you label by hand) counts as in the cross-validation, "
            "--leave-one-language-out and --test fits, as with cleaner train --user-weight: evaluate the model you "
            "train. Default 1.",
        ),
    ] = None,
    plus_shipped: Annotated[
        bool,
        typer.Option(
            "--plus-shipped",
            help="Cross-validate and train on the labels directory plus the pages the shipped model learnt "
            "from, as cleaner train --plus-shipped trains: evaluate the model you train.",
        ),
    ] = False,
    model: Annotated[
        str | None,
        typer.Option(
            callback=url_settings,
            help="With --test: score this model file (.npz) or URL as it is, instead of training one: no "
            "cross-validation, no fit, a minute instead of tens. 'default' is the model cleaner predict uses "
            "($CLEANER_MODEL if set, else the shipped one). --labels then only trains the single-line TF-IDF "
            "baseline and tells the shipped model's training pages. Not given: a model is trained on --labels "
            "(your model of a labels directory, labels.npz beside ./labels as cleaner train and Retrain write it, "
            "is scored with --model labels.npz).",
        ),
    ] = None,
) -> None:
    """Score the model: cross-validated on labels/, or on --test pages.

    Cross-validates on labels/ (10-fold, whole sites left out), or scores held-out --test directories.
    Prints content-class precision/recall/F1, line-level and character-weighted (each line counted
    by its characters), overall and per language, kind of page and site (or document). With --test,
    the model is trained on all of labels/ and never sees the test pages (with --model, that model
    is scored as it is, nothing trained); sets of snippets (a meta.jsonl of what each cleaned page
    must and must not contain, see --test) get snippet P/R/F1 (a "with" snippet found is a true
    positive, a "without" snippet found a false positive), overall and per language; --baselines
    scores peer systems on the same pages.

    Examples:

      cleaner evaluate

      cleaner evaluate --set trimmed=0.3

      cleaner evaluate --test mygold/ --model my.npz --baselines

      cleaner evaluate --adapt --sites 6
    """
    from ...labels import LabelFormatError
    from ..adapt import NoSiteToAdapt
    from ..evaluate import NoLanguageToLeaveOut
    from ..labels import TooFewLabels
    from ..report import run_evaluation
    from ..workers import end_workers

    rows = detail_rows(by)
    for name, option, needed, given in (
        ("adapt_sites", "--sites", "--adapt", adapt),
        ("adapt_weights", "--adapt-weight", "--adapt", adapt),
        ("adapt_plot", "--adapt-plot", "--adapt", adapt),
        ("plot", "--plot", "--learning-curve", curve),
    ):
        if not given and _on_command_line(ctx, name):
            fail(f"{option} goes with {needed}, which is not given: add {needed}, or drop {option}", 2)
    try:
        params = estimator_overrides(overrides or [])
    except ValueError as exc:
        fail(str(exc), 2)
    check_test_sets(test or [])
    if model is not None:
        refuse_training_options(ctx, test or [])
    check_plots(ctx, [("plot", "--plot", plot, curve), ("adapt_plot", "--adapt-plot", adapt_plot, adapt)])
    directory = find_labels(labels)
    if model is None:  # trained on (with --model, the labels only train the TF-IDF baseline)
        say_labels_found(labels, directory, "training on" if test else "cross-validating on", "for yours")
    outputs = [f"{option} {path}" for option, path in (("--json", json_out), ("--card", card)) if path is not None]
    kept = "the evaluation did not finish" + (f"; {listed(outputs)} not written" if outputs else "")
    if model is not None:
        score_model_as_is(model, directory, test or [], baselines, rows, json_out, kept)
        return
    try:
        with stopped_cleanly(kept) as received, warnings_as_lines():
            run_evaluation(
                directory,
                test or [],
                baselines,
                rows,
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
                plus_shipped=plus_shipped,
                say=lambda line: typer.echo(f"cleaner: {line}", err=True),
            )
            end_workers()  # the fits' idle workers, not left to the interpreter's exit
            received.ended = True  # a stop from now on is said so (cleaner.__main__): the outputs are written
    except TooFewLabels as exc:
        fail(too_few_labels(directory, exc, cross_validate=False))
    except (NoSiteToAdapt, NoLanguageToLeaveOut) as exc:
        fail(str(exc), 2)
    except BrokenPipeError:
        raise  # the reader of the report went away (| head): ends quietly (cleaner.cli.pipes), no error of its own
    except NotWritten as exc:  # in the order they are written: those after it were not
        written = [("--plot", plot)] if curve else []
        written += [("--adapt-plot", adapt_plot)] if adapt else []
        fail(not_written(exc, [*written, ("--json", json_out), ("--card", card)]))
    except (ValueError, OSError, LabelFormatError) as exc:
        fail(str(exc))


def check_plots(ctx: typer.Context, plots: Sequence[tuple[str, str, Path, bool]]) -> None:
    """Before any fit, when matplotlib is missing: a plot file named on the command line is a usage
    error (it was said missing after all the fits, "table only", exit 0: the file asked for by name
    was not there), and a plot at its default path a note (what was asked for is the table, and no
    option turns the default plot off, so refusing would make the table need matplotlib).

    ``plots``: (its option's parameter name, the option, the file, whether it will be drawn)."""
    from ..extras import matplotlib_missing

    drawn = [(option, path, _on_command_line(ctx, name)) for name, option, path, wanted in plots if wanted]
    problem = matplotlib_missing() if drawn else None
    if problem is None:
        return
    named = [(option, path) for option, path, given in drawn if given]
    if named:
        files = listed([f"{option} {path}" for option, path in named])
        s = "s" if len(named) > 1 else ""
        options = " and ".join(option for option, _ in named)
        fail(f"{files}: {problem}; install it to draw the plot{s}, or drop {options} for the table{s} only", 2)
    s = "s" if len(drawn) > 1 else ""
    warn(f"note: {problem}: the table{s} only, without {listed([str(path) for _, path, _ in drawn])}")


def _on_command_line(ctx: typer.Context, name: str) -> bool:
    """Whether the option of parameter ``name`` was given on the command line (not its default)."""
    source = ctx.get_parameter_source(name)  # Typer's own click: its enum, compared by name
    return source is not None and source.name == "COMMANDLINE"


# Options of cleaner evaluate that train models (or describe a training), which --model does not.
TRAINING_OPTIONS = {
    "folds": "--folds",
    "language_out": "--leave-one-language-out",
    "card": "--card",
    "curve": "--learning-curve",
    "plot": "--plot",
    "overrides": "--set",
    "adapt": "--adapt",
    "adapt_sites": "--sites",
    "adapt_weights": "--adapt-weight",
    "adapt_plot": "--adapt-plot",
    "user_weight": "--user-weight",
    "jobs": "--jobs",
    "plus_shipped": "--plus-shipped",
}


def refuse_training_options(ctx: typer.Context, tests: Sequence[Path]) -> None:
    """Fail (exit 2) when ``--model`` comes without ``--test`` or with an option of a training:
    the model is scored as it is, on the test directories, so such an option would be ignored."""
    if not tests:
        fail(
            "--model scores a model as it is on --test directories, and none is given; cross-validation "
            "trains models of its own: add --test DIR, or drop --model",
            2,
        )
    for name, option in TRAINING_OPTIONS.items():
        if _on_command_line(ctx, name):
            fail(
                f"{option} is about training, and --model scores a model as it is (nothing is trained): "
                f"drop {option}, or drop --model to train and evaluate the shipped configuration",
                2,
            )


def score_model_as_is(
    model: str, directory: Path, tests: Sequence[Path], baselines: bool, by: str, json_out: Path | None, kept: str
) -> None:
    """``cleaner evaluate --test DIR --model M``: M scored on the test sets, nothing trained."""
    from ...classifier.format import ModelError, load_model
    from ...labels import LabelFormatError
    from ..report import run_model_evaluation

    try:
        predictor = load_model(None if model == "default" else model)
    except ModelError as exc:
        fail(str(exc))
    source = model if model != "default" else "the default model"
    try:
        with stopped_cleanly(kept) as received, warnings_as_lines():
            run_model_evaluation(
                predictor,
                source,
                directory,
                tests,
                baselines,
                by,
                json_out,
                echo=typer.echo,
                command="cleaner " + " ".join(sys.argv[1:]),
            )
            received.ended = True
    except BrokenPipeError:
        raise  # the reader of the report went away (| head): ends quietly, as the rest of evaluate does
    except NotWritten as exc:
        fail(not_written(exc, [("--json", json_out)]))
    except (ValueError, OSError, LabelFormatError) as exc:
        fail(str(exc))


def check_test_sets(tests: Sequence[Path]) -> None:
    """``--test`` directories, before any fit: one that does not exist is a usage error (it was
    skipped with a line after the cross-validation, exit 0), and the dumps of a gold set without
    their ``.gold`` are named (they were left out of the scores without a word)."""
    from ...labels import LabelFormatError
    from ..devset import dumps_without_gold, is_snippet_record, iter_meta, load_snippet_dir

    missing = [directory for directory in tests if not directory.is_dir()]
    if missing:
        fail(
            f"--test {listed([str(directory) for directory in missing])}: no such directory; give a directory of "
            "<id>.txt dumps with <id>.gold tags, or with a meta.jsonl of snippets",
            2,
        )
    for directory in tests:
        try:
            # Every record read, and the snippet records loaded: a fault past the first snippet record
            # stopped the run later with status 1, one on the first line with status 2.
            records = [record for _, _, record in iter_meta(directory)]
            scorable = any(directory.rglob("*.gold")) or any(is_snippet_record(record) for record in records)
            load_snippet_dir(directory)
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
            warn(
                f"{directory}: {plural(len(names), 'dump')} without a .gold or a meta.jsonl record, not scored: "
                f"{listed(names)}"
            )

"""``cleaner labels``: the group of commands on a labels directory (check, score, guide)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ...cli import fail, missing_folders, say_made, warn
from ...cli.help_format import WidthAwareCommand, WidthAwareGroup
from ...cli.options import url_settings
from ...text import plural
from .common import LABELS_HELP, DetailRows, detail_rows, find_labels, say_labels_found

# As train_app (.train); a group, whose list of commands fits 80 columns too (WidthAwareGroup).
labels_app = typer.Typer(add_completion=False, rich_markup_mode="markdown", no_args_is_help=True, cls=WidthAwareGroup)


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
        typer.Argument(help=LABELS_HELP),
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
    """Validate every label file and the manifest; print per-file counts.

    Examples:

      cleaner labels check

      cleaner labels check mylabels --plus-shipped
    """
    from ..check import check_labels
    from ..shipped import check_with_shipped, is_shipped

    # --labels as well as the argument: the other commands take --labels, and find_labels's own
    # message tells the user to pass it.
    if directory is not None and labels is not None and directory != labels:
        fail(f"{directory} and --labels {labels}: give the labels directory once", 2)
    named = directory or labels
    directory = find_labels(named)
    say_labels_found(named, directory, "checking", "to check yours")  # the fallback: said, since nobody named it
    problems = check_labels(directory, echo=typer.echo, shipped=is_shipped(directory), note=warn)
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
    model: Annotated[
        str | None,
        typer.Option(
            callback=url_settings,
            help="Model file (.npz) or URL (as cleaner predict --model takes), or default: $CLEANER_MODEL if set, "
            "else the model shipped with cleaner (also when not given: the model cleaner predict uses, not a labels "
            "directory's; yours, which cleaner train and Retrain write beside ./labels, is --model labels.npz).",
        ),
    ] = None,
    by: Annotated[DetailRows, typer.Option(help="Detail rows besides language and kind.")] = DetailRows.site,
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

    Examples:

      cleaner labels score heldout/ --model my.npz

      cleaner labels score heldout/ --by document --json scores.json
    """
    from ...classifier.format import ModelError, load_model
    from ...labels import LabelFormatError
    from ..held_out import score_labelled
    from ..labels import missing_directory
    from ..outputs import NotWritten, not_written, write_output
    from ..report import json_report

    rows = detail_rows(by)
    problem = missing_directory(directory)
    if problem:
        fail(problem, 2)
    try:  # "default", as cleaner evaluate --model takes it and the README teaches it
        predictor = load_model(None if model == "default" else model)
    except ModelError as exc:
        fail(str(exc))
    name = model if model not in (None, "default") else "the default model"
    try:
        results = score_labelled(predictor, directory, rows, echo=typer.echo, model=name)
    except BrokenPipeError:
        raise  # the reader of the report went away (| head): ends quietly, as cleaner evaluate does
    except (ValueError, OSError, LabelFormatError) as exc:
        fail(str(exc))
    if json_out is not None:
        made = missing_folders([json_out.parent])
        try:
            write_output(json_out, json_report(results))  # its folder made if missing
        except NotWritten as exc:
            fail(not_written(exc, [("--json", json_out)]))
        say_made(made)
        typer.echo(f"wrote {json_out}")


@labels_app.command("guide", cls=WidthAwareCommand)
def labels_guide(
    path: Annotated[bool, typer.Option("--path", help="Print where the guideline is instead of its text.")] = False,
) -> None:
    """Print the labelling guideline: the formats, what counts as content.

    The README of the pages the shipped model learnt from (labels/README.md in a checkout, shipped
    inside the package when cleaner is installed from a wheel, which has no checkout to read it in).

    Examples:

      cleaner labels guide | less

      cleaner labels guide --path
    """
    from ..shipped import guide_path

    guide = guide_path()
    if guide is None:
        fail("the labelling guideline (labels/README.md) is not installed with this cleaner; reinstall cleaner")
    typer.echo(str(guide) if path else guide.read_text(encoding="utf-8").rstrip("\n"))

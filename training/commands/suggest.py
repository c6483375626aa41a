"""``cleaner suggest``: rank unlabelled dumps by how much labelling each would teach the model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ...cli import fail, warn
from ...cli.help_format import WidthAwareCommand
from ...cli.options import (
    AUTO,
    DEFAULT_ENCODING,
    DecodeErrors,
    Encoding,
    Errors,
    InputFormat,
    MaxDocumentMb,
    TextField,
    check_decoding,
    chosen_kind,
    error_handler,
    finite,
    refuse_input_named_twice,
    url_settings,
)
from ...text import listed, plural
from .common import DUMPS_HELP, default_model_file, labels_to_label
from .own_model import starting_model

# As train_app (.train).
suggest_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")


@suggest_app.command(cls=WidthAwareCommand)
def suggest(
    paths: Annotated[
        list[str],
        typer.Argument(help=f"Unlabelled dumps: {DUMPS_HELP}"),
    ],
    top: Annotated[int, typer.Option("-n", "--top", min=1, help="How many dumps to list.")] = 10,
    model: Annotated[
        str | None,  # not a Path, which makes a URL's // one slash
        typer.Option(
            callback=url_settings,
            help="Model file (.npz) or URL (as cleaner predict --model takes) that ranks the dumps, or default: "
            "$CLEANER_MODEL if set, else the model shipped with cleaner. Default: the model cleaner label would "
            "pre-label them with: your model of the --labels directory (its name with .npz, beside it: labels.npz "
            "for ./labels, which cleaner train and cleaner label's Retrain write) if it exists and learnt from at "
            "least 20 labelled pages, else default.",
        ),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="The labels directory whose model ranks the dumps (see --model). Default: as cleaner label's, "
            "./labels, else the checkout's labels/."
        ),
    ] = None,
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
    encoding: Encoding = None,
    errors: Errors = DecodeErrors.STRICT,
    max_document_mb: MaxDocumentMb = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Rank dumps by how much labelling each would teach the model.

    Dumps with many lines the model is unsure about come first; label those next. A JSONL record is
    named by its place and its id, else its url: `corpus.jsonl:17 (id=abc)`; a WARC record by its
    file, its record id and its url. Inputs that cannot be
    read are reported on stderr as path:LINE: what is wrong, the others are ranked, and the exit code
    is 1. Empty documents (no line with text) have nothing to label: they are left out and named in
    one note on stderr. A document of the same text as one listed (its lines, margins and blank lines
    aside) is not listed again: its row names its copies.

    Columns: uncertain, its lines whose P(content) is within --margin of the threshold; lines, its
    lines with text; mean margin, the mean distance of their P(content) from the threshold (lower:
    the model is less sure of the page as a whole). Order: most uncertain lines first, then the
    lowest mean margin, then by name.

    The model is the one cleaner label pre-labels with, so that the two rank alike: your model of
    the labels directory once it learnt from 20 pages (a line on stderr names it), else the default.

    Examples:

      cleaner suggest unlabelled/ -n 10

      cleaner suggest crawl.jsonl --labels mylabels
    """
    from ...classifier.format import ModelError
    from ...corpus.readers import ParseOptions
    from ..suggest import rank_uncertain

    check_decoding(encoding, errors)
    if not text_field:
        fail("--text-field: give the name of the field holding the text", 2)
    refuse_input_named_twice(paths, chosen_kind(input_format))
    labels_dir = labels_to_label(labels)
    own = default_model_file(labels_dir)
    try:
        start = starting_model(model, own, labels_dir)
    except ModelError as exc:
        fail(str(exc))
    instead = f"ranking with the default model instead (--model {own} to use it)"
    if start.foreign is not None:
        warn(f"{own} was trained on {start.foreign}: another folder's model, not taken as yours; {instead}")
    elif start.few_pages is not None:
        pages = plural(start.few_pages, "labelled page")
        warn(f"{own} learnt from only {pages}, a model of these sites alone: {instead}")
    elif model is None and start.model is not None:
        warn(f"ranking with {own}, your model of {labels_dir} (--model default for the default model)")
    predictor = start.predictor
    ranking = rank_uncertain(
        predictor,
        paths,
        margin,
        top,
        input_format=chosen_kind(input_format),
        options=ParseOptions(
            encoding or DEFAULT_ENCODING, error_handler(errors), text_field, id_field, declared=encoding is None
        ),
        limit=int(max_document_mb * 1e6),
        progress=not quiet,
    )
    if ranking.rows:
        typer.echo(f"{'uncertain':>9} {'lines':>6} {'mean margin':>11}  file")
    for row in ranking.rows:
        copies = ranking.copies.get(row.path, [])
        also = f"  (and {plural(len(copies), 'copy', 'copies')} of it: {listed(copies, 3)})" if copies else ""
        typer.echo(f"{row.uncertain:>9} {row.lines:>6} {row.mean_margin:>11.3f}  {row.path}{also}")
    if ranking.errors:
        unread = plural(ranking.errors, "input or document", "inputs or documents")
        fail(f"{unread} could not be read; " + ("the others were ranked" if ranking.rows else "nothing to rank"))

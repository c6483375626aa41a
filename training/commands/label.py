"""``cleaner label``: label dumps on a local web page, pre-labelled by the model, and retrain."""

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
from ...text import plural
from .common import (
    DUMPS_HELP,
    MODEL_FILE_NAME,
    MODEL_SUFFIX,
    check_writable,
    check_writable_folder,
    default_model_file,
    jobs_option,
    labels_to_label,
    warnings_as_lines,
)
from .own_model import starting_model

label_app = typer.Typer(add_completion=False, rich_markup_mode="markdown")


@label_app.command(cls=WidthAwareCommand)
def label(
    paths: Annotated[
        list[str],
        typer.Argument(help=f"Dumps to label: {DUMPS_HELP}"),
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
            callback=url_settings,
            help="Model file (.npz) or URL (as cleaner predict --model takes) that pre-labels the pages, or default: "
            "$CLEANER_MODEL if set, else the model shipped with cleaner. Default: the --model-out file if it exists "
            "and learnt from at least 20 labelled pages (your own model, which cleaner train --labels writes there "
            "too; one of fewer keeps far more chrome, and a warning says so), else default.",
        ),
    ] = None,
    model_out: Annotated[
        Path | None,
        typer.Option(
            help="Where Retrain writes your model (a name ending in .npz). Default: the labels directory's name "
            "with .npz, beside it (labels.npz for labels/), as cleaner train writes it, so that two label folders "
            "never share one model."
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
    max_pages: Annotated[
        int,
        typer.Option(
            min=1,
            help="Offer at most this many pages: those with the most uncertain lines (P(content) within 0.2 of the "
            "threshold), as cleaner suggest ranks them.",
        ),
    ] = 500,
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
            help="How many other pages each of your own pages (origin `user` in manifest.csv, as cleaner label "
            "writes it) counts as in Retrain; default 1, as cleaner train --user-weight.",
        ),
    ] = None,
    input_format: InputFormat = AUTO,
    text_field: TextField = "text",
    encoding: Encoding = None,
    errors: Errors = DecodeErrors.STRICT,
    max_document_mb: MaxDocumentMb = 10.0,
) -> None:
    """Label dumps in the browser, pre-labelled by the model; retrain.

    The dumps come most informative first. Starts a local web page (the URL is printed): click a
    line to toggle it, shift-click or drag for a range, or use the keyboard (the page lists the
    keys). Saving writes `labels/<name>.tsv` and its manifest row; Retrain fits your model on
    labels/ (with --plus-shipped, on labels/ plus the pages the shipped model learnt from) and
    scores the site's pages. Ctrl-C stops it.

    Examples:

      cleaner label unlabelled/

      cleaner label crawl.jsonl --no-browser

      cleaner label mysite-dumps/ --labels mylabels --plus-shipped
    """
    from ...classifier.format import ModelError
    from ...corpus.readers import ParseOptions
    from ...signals import Interrupted
    from ..labelling.pages import load_pages
    from ..labelling.serve import listen, open_browser, serve
    from ..labelling.session import Session
    from ..shipped import few_pages_warning

    check_decoding(encoding, errors)
    refuse_input_named_twice(paths, chosen_kind(input_format))
    labels_dir = labels_to_label(labels)
    if labels_dir.exists() and not labels_dir.is_dir():
        fail(f"--labels {labels_dir}: not a directory", 2)
    check_writable_folder("--labels", labels_dir)  # before the model loads, not at the first save
    if model_out is not None:  # refused now, not after the first Retrain's fit
        check_writable("--model-out", str(model_out), MODEL_FILE_NAME, MODEL_SUFFIX)
    target = model_out or default_model_file(labels_dir)
    try:
        start = starting_model(model, target, labels_dir)
    except ModelError as exc:
        fail(str(exc))
    if start.foreign is not None:
        warn(
            f"{target} was trained on {start.foreign}: another folder's model, not offered as yours; "
            f"pre-labelling with the shipped model instead (--model {target} to use it); Retrain replaces it"
        )
    elif start.few_pages is not None:
        retraining = (  # the advice for the flag given, not for one to add
            "Retrain, with --plus-shipped, replaces it with a model of your pages plus the shipped model's"
            if plus_shipped
            else "--plus-shipped retrains on your pages plus the shipped model's"
        )
        warn(
            f"{target} learnt from only {plural(start.few_pages, 'labelled page')}, a model of these sites alone: "
            f"pre-labelling with the shipped model instead (--model {target} to use it; {retraining})"
        )
    start_model, predictor = start.model, start.predictor
    pages, documents, bad = load_pages(
        predictor,
        paths,
        labels_dir,
        input_format=chosen_kind(input_format),
        options=ParseOptions(
            encoding or DEFAULT_ENCODING, error_handler(errors), text_field, declared=encoding is None
        ),
        limit=int(max_document_mb * 1e6),
        max_pages=max_pages,
    )
    if not pages:
        fail(f"no page to label in {' '.join(paths)}" + (f" ({bad} could not be read)" if bad else ""))
    try:
        listening = listen(host, port)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    from ...classifier.format import default_model_name

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
        with warnings_as_lines():  # a Retrain's (a fit on one site) as lines of the server's output
            serve(session, listening)
    except (KeyboardInterrupt, Interrupted) as exc:
        code = 128 + exc.signum if isinstance(exc, Interrupted) else 130
        fail(f"stopped; {plural(len(session.saved_here), 'page')} saved in {labels_dir}/ by this session", code)

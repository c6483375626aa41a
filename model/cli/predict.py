"""``cleaner predict``: its options, checked and resolved into a run (:mod:`cleaner.cli.run`).

The corpus machinery (:mod:`cleaner.corpus`) does the work: sources -> readers -> worker pool
(parse, predict, render) -> sinks. This module only checks the options, chooses the renderers
and the sink, and turns what went wrong into one line and an exit code. How the options resolve
into a layout of outputs is :mod:`cleaner.cli.layout`'s; what a run that ends short says is
:mod:`cleaner.cli.messages`'.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from dataclasses import astuple, dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperOption

from ..corpus.items import STDIN
from ..corpus.renderers import Render
from ..corpus.worker import Settings
from ..signals import Caught, Interrupted, outside_run, stopped_by_signals, unwrapped
from .help_format import Context, HelpFormatter, WidthAwareCommand
from .layout import DocumentOutput, OutputFormat, layout_of, refuse_overwriting_inputs, refuse_special_output
from .messages import (
    SAVED,
)
from .options import (
    AUTO,
    DEFAULT_ENCODING,
    DecodeErrors,
    Encoding,
    Errors,
    InputFormat,
    MaxDocumentMb,
    ModelFile,
    check_decoding,
    chosen_kind,
    error_handler,
    finite,
    refuse_input_named_twice,
)
from .report import fail, warn
from .run import available_cores, is_compressed, model_path, rerun_command, run_predict


class ShortDumps(str, Enum):
    keep = "keep"
    drop = "drop"


THRESHOLD_HELP = "Keep lines with P(content) >= this. Default: the model's own"


class PredictCommand(WidthAwareCommand):
    """``cleaner predict``, whose --help says the shipped model's threshold, read when the help is
    shown (:func:`threshold_help`), not at every run."""

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        for param in self.params:
            if isinstance(param, TyperOption) and param.name == "threshold":
                param.help = threshold_help()
        super().format_help(ctx, formatter)


def threshold_help() -> str:
    """--threshold's help, with the value the shipped model keeps lines at: "Default: the model's
    own" said no number, and learning it took loading the model in Python. Read from the model
    file's manifest alone (its member manifest.npy, JSON bytes behind a .npy header: 20 ms, where
    loading the model with numpy takes a quarter of a second); without the number if that fails."""
    shipped = Path(__file__).resolve().parent.parent / "data" / "cleaner.npz"  # classifier.format.SHIPPED_MODEL
    try:
        with zipfile.ZipFile(shipped) as archive:
            raw = archive.read("manifest.npy")
        header = 10 + int.from_bytes(raw[8:10], "little") if raw[6] == 1 else 12 + int.from_bytes(raw[8:12], "little")
        value = float(json.loads(raw[header:])["threshold"])
    except (OSError, KeyError, IndexError, TypeError, ValueError, zipfile.BadZipFile):
        return THRESHOLD_HELP + "."
    return f"{THRESHOLD_HELP} (the shipped model's is {value:.3f})."


def predict(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Dump files, JSONL files (.jsonl, .jsonl.gz, .jsonl.zst), WET/WARC files (.warc.gz, .warc.wet.gz, "
            ".warc, .wet), directories (their files of these kinds, recursively) or - for standard input; a pipe named "
            "as a file (<(curl -s URL), /dev/stdin, a FIFO) is read as - is."
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Default, or -o -: standard output. DIR (any name ending in / is one): one output per input, "
            "under its relative name, uncompressed (page.txt.gz -> page.txt; with --format labels, a .tsv; "
            "records, a .jsonl). FILE.jsonl (.gz, .zst): one record per document (per line with --format jsonl). "
            "FILE.txt: one text input's cleaned dump (FILE.tsv: its labels). Refused at the start: an input or a "
            "folder holding one, a file another run is writing, a device or a pipe. More: the README's \"What is "
            'guaranteed".',
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: the cleaned dump. jsonl: one record per dump line with label and score. "
            "labels: the label-file format, to correct by hand and add to labels/.",
        ),
    ] = OutputFormat.text,
    input_format: InputFormat = AUTO,
    output_format: Annotated[
        DocumentOutput,
        typer.Option(
            help="jsonl: one JSON record per document: a JSONL input's record with the cleaned text in its text "
            "field and every other field kept, other inputs' {id, text}; each plus lines_total, lines_kept (non-blank "
            "lines), chars_kept and mean_score (mean P(content)). auto: jsonl for -o *.jsonl, or for JSONL/WARC "
            "inputs to stdout; text otherwise."
        ),
    ] = DocumentOutput.auto,
    text_field: Annotated[str, typer.Option(help="The JSONL field holding the page text (cleaned in place).")] = "text",
    id_field: Annotated[
        str | None,
        typer.Option(
            help="The JSONL field holding each record's unique id; text and WARC records get their id (file path, "
            "WARC-Record-ID) under this name (default: id). --resume with -o FILE.jsonl skips the records whose id "
            "is already written."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, callback=finite, help=THRESHOLD_HELP + "."),  # and its value: PredictCommand
    ] = None,
    model: ModelFile = None,
    encoding: Encoding = None,
    errors: Errors = DecodeErrors.STRICT,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes. Default: all cores. 1: clean in this process, no pool."
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress bar, no closing summary and no note of the folders made; errors are still printed.",
        ),
    ] = False,
    fail_fast: Annotated[bool, typer.Option(help="Stop at the first bad input or record (exit 1).")] = False,
    resume: Annotated[
        bool,
        typer.Option(
            help="Continue an interrupted run, from the same directory with the same arguments (the line printed "
            "at the stop gives the command). -o DIR or FILE.txt: skip the inputs whose output exists (an output "
            "is only ever whole). -o FILE.jsonl: keep the records of FILE.jsonl.partial and skip the documents "
            "whose --id-field value is there; the inputs' ids are read first, and a repeated or missing id, or a "
            'record no input has, stops it before it writes. More: the README\'s "What is guaranteed".'
        ),
    ] = False,
    max_document_mb: MaxDocumentMb = 10.0,
    short_dumps: Annotated[
        ShortDumps,
        typer.Option(
            help="A dump with too few lines to clean line by line (fewer than 3 non-blank lines, one of them 1000 "
            "characters or longer: a whole page on one line): keep it whole or drop it. Either way it is reported."
        ),
    ] = ShortDumps.keep,
) -> None:
    """Clean dumps: delete boilerplate lines, change nothing else.

    The content lines are printed (or written with -o), unchanged. A cleaned text dump is its kept
    lines, unchanged and in order, with one blank line where the dump had blank lines between two
    kept lines, and a line break after the last (a JSONL record's text ends as the input's did).

    Bad inputs (undecodable bytes, a line that is not JSON, a record without the text field, a damaged
    gzip or WARC, a document over --max-document-mb) are reported on stderr as path:LINE: what is wrong,
    counted, and skipped; the rest is cleaned and the exit code is 1. An empty document is not an error:
    it cleans to empty text and is counted as empty (a document with lines of which none is kept is counted too, and
    a run of one dump says so). NUL and other control characters are text like any other
    (a file that holds NUL bytes and does not decode, even with --errors replace, or decodes to control
    characters as in latin-1, is reported as a binary file).

    Outputs are complete or absent: an input cut short or damaged gets no output under -o DIR (and leaves
    -o FILE.jsonl as FILE.jsonl.partial); Ctrl-C, SIGTERM and SIGHUP stop the run cleanly and print the
    command that resumes it, or that reruns it if nothing was written yet (exit 130, 143, 129). A reader
    of standard output that goes away (| head) ends the run without a word (exit 141, as SIGPIPE ends
    other tools).

    Examples:

      cleaner predict page.txt > page.clean.txt

      cleaner predict dumps/ -o cleaned/

      cleaner predict crawl.jsonl.gz -o cleaned.jsonl --id-field id --resume

      cleaner predict CC-MAIN-*.warc.wet.gz -o cleaned/ -j 8

      cleaner predict new.txt --format labels > labels/new.tsv
    """
    with stopped_by_signals() as received:
        try:
            with unwrapped():
                options = Options(
                    paths, output, fmt, input_format, output_format, text_field, id_field, threshold, model, encoding,
                    errors, jobs, quiet, fail_fast, resume, max_document_mb, short_dumps,
                )  # fmt: skip
                _predict(
                    options, rerun_command(ctx), received, saved=rerun_command(ctx, stdin=SAVED),
                    fresh=rerun_command(ctx, continued=False),
                )  # fmt: skip
        except Interrupted as exc:  # outside the run, which stops itself cleanly (see cleaner.cli.run.run_predict)
            fail(f"interrupted ({exc}) {outside_run()}", 128 + exc.signum)


@dataclass(frozen=True)
class Options:
    """``cleaner predict``'s options, as given."""

    paths: list[str]
    output: str | None
    fmt: OutputFormat
    input_format: str
    output_format: DocumentOutput
    text_field: str
    id_field: str | None
    threshold: float | None
    model: str | None
    encoding: str | None
    errors: DecodeErrors
    jobs: int | None
    quiet: bool
    fail_fast: bool
    resume: bool
    max_document_mb: float
    short_dumps: ShortDumps


def _predict(
    options: Options, again: str, received: Caught, saved: str | None = None, fresh: str | None = None
) -> None:
    """:func:`predict`'s work, with SIGINT, SIGTERM and SIGHUP raising :class:`Interrupted`; ``again``
    is the command that continues it, ``saved`` the same with a saved copy of standard input,
    ``fresh`` the command as given (what reruns a run stopped before it wrote anything)."""
    (
        paths, output, fmt, input_format, output_format, text_field, id_field, threshold, model, encoding, errors,
        jobs, quiet, fail_fast, resume, max_document_mb, short_dumps,
    ) = astuple(options)  # fmt: skip
    from ..corpus.parallel import one_native_thread
    from ..corpus.readers import ParseOptions

    one_native_thread()  # before anything imports numpy (the model path, --resume's ids)
    check_decoding(encoding, errors)
    if not text_field:
        fail("--text-field: give the name of the field holding the text", 2)
    refuse_input_named_twice(paths, chosen_kind(input_format))
    chosen = chosen_kind(input_format)
    if output == "":
        fail("-o: give a path (a directory, a .jsonl file, or a .txt file for one text input)", 2)
    if output == STDIN:  # as other tools take it (-o - is standard output), not a folder named -
        output = None
    target = None if output is None else Path(output)
    if target is not None:
        refuse_special_output(target)
    as_directory = output is not None and output.endswith(("/", os.sep))
    layout = layout_of(paths, target, fmt, output_format, chosen, as_directory=as_directory)
    if layout.root is None and layout.file is None and layout.target is None and sys.stdout is None:
        fail("standard output is closed (>&-): redirect it to a file (> FILE), or name an output with -o")
    if any(path in (STDIN, "/dev/stdin") for path in paths) and sys.stdin is not None and sys.stdin.isatty():
        # Typed at (or forgotten at) a terminal, a run waiting for its input looked hung.
        warn("reading standard input from the terminal: type or paste the dump, then Ctrl-D on a line of its own")
    if target is not None:
        refuse_overwriting_inputs(paths, target, into_directory=layout.root is not None)
    if resume:
        if output is None:
            fail("--resume needs -o: it continues the outputs of an earlier run", 2)
        if layout.target is not None and layout.text_render is Render.LINES:
            fail("--resume works with -o DIR and with document records (-o FILE.jsonl), not with --format jsonl", 2)
        if layout.target is not None and is_compressed(layout.target):
            fail(
                f"--resume cannot continue a compressed output ({layout.target.name}): a stream cut off by a "
                "kill cannot be appended to; write -o FILE.jsonl and compress it when the run is done",
                2,
            )
        if layout.target is not None and id_field is None:
            id_field = DEFAULT_ID
    settings = Settings(
        model_path(model),
        threshold,
        text_render=layout.text_render,
        structured_render=layout.structured_render,
        parse=ParseOptions(
            encoding or DEFAULT_ENCODING, error_handler(errors), text_field, id_field, declared=encoding is None
        ),
        name_lines=layout.name_lines,
        short_dumps=short_dumps.value,
    )
    run_predict(
        paths, chosen, layout, settings, jobs=jobs or available_cores(), quiet=quiet, fail_fast=fail_fast,
        resume=resume, limit=int(max_document_mb * 1e6), again=again, saved=saved, fresh=fresh, received=received,
    )  # fmt: skip


DEFAULT_ID = "id"

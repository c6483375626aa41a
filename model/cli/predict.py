"""``cleaner predict``: its options and the run.

The corpus machinery (:mod:`cleaner.corpus`) does the work: sources -> readers -> worker pool
(parse, predict, render) -> sinks. This module only checks the options, chooses the renderers
and the sink, and turns what went wrong into one line and an exit code. How the options resolve
into a layout of outputs is :mod:`cleaner.cli.layout`'s; what a run that ends short says is
:mod:`cleaner.cli.messages`'.
"""

from __future__ import annotations

import os
import shlex
import signal
from dataclasses import astuple, dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..corpus.items import STDIN
from ..corpus.readers import READERS
from ..corpus.renderers import Render
from ..corpus.worker import Settings
from ..signals import Caught, Interrupted, outside_run, stopped_by_signals, unwrapped
from .layout import DocumentOutput, Layout, OutputFormat, layout_of, refuse_overwriting_inputs, refuse_special_output
from .messages import (
    SAVED,
    after_errors,
    after_write_error,
    as_it_was,
    busy,
    emptied_note,
    kept_in,
    no_ids,
    rerun,
    skipped_note,
    stopped_before_writing,
    stopped_reading_ids,
)
from .options import (
    AUTO,
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
from .pipes import reader_went_away
from .report import fail, missing_folders, say_made, warn

if TYPE_CHECKING:
    from ..corpus.items import InputFile
    from ..corpus.sinks import StreamSink, TreeSink


class ShortDumps(str, Enum):
    keep = "keep"
    drop = "drop"


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
            help="A directory: one output per input under the input's relative name, uncompressed (cleaned text "
            "for a text dump, page.txt.gz -> page.txt, or with --format labels a .tsv label file; a .jsonl of "
            "cleaned records for a JSONL or WARC input). A file ending in .jsonl: one record per "
            "document (with --format jsonl: the per-line records); .jsonl.gz or .jsonl.zst: the same, compressed. "
            "A file ending in .txt: the cleaned dump of one text input (.tsv: its label file, with --format labels; "
            "neither holds JSON records). A trailing / always means a "
            "directory; a new directory with any other extension (-o x.csv) is refused unless written with the /. "
            "Never an input, nor a directory holding one, nor a file another run is writing (refused at the "
            "start), nor a device or a pipe (-o /dev/null: redirect standard output instead). "
            "Default, or -o -: standard output.",
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
        typer.Option(
            min=0.0, max=1.0, callback=finite, help="Keep lines with P(content) >= this. Default: the model's own."
        ),
    ] = None,
    model: ModelFile = None,
    encoding: Encoding = "utf-8",
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
            help="Continue an interrupted run. -o DIR (or -o FILE.txt): skip inputs whose output file exists "
            "(outputs are only ever complete: written to a temporary file, then renamed; an input that could not be "
            "read to its end gets none). -o FILE.jsonl: a run grows FILE.jsonl.partial and renames it when done; "
            "--resume keeps its records and skips documents whose --id-field value (default: id) is already there; "
            "every run with --resume (the first too, unless it reads standard input or a pipe) first reads the "
            "inputs' ids and stops before writing at a repeated or missing id, or at records no "
            'input has (ids are JSON values, 1 is not "1"; a text file\'s id is its path as given: resume from '
            "the same directory with the same arguments; records that came on standard input: from a saved copy of "
            "it, named in place of -). Without --resume, repeated ids are no error."
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
        except Interrupted as exc:  # outside the run, which stops itself cleanly (see _run_predict)
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
    encoding: str
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
    if target is not None:
        refuse_overwriting_inputs(paths, target, into_directory=layout.root is not None)
    if resume:
        if output is None:
            fail("--resume needs -o: it continues the outputs of an earlier run", 2)
        if layout.target is not None and layout.text_render is Render.LINES:
            fail("--resume works with -o DIR and with document records (-o FILE.jsonl), not with --format jsonl", 2)
        if layout.target is not None and _compressed(layout.target):
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
        parse=ParseOptions(encoding, error_handler(errors), text_field, id_field),
        name_lines=layout.name_lines,
        short_dumps=short_dumps.value,
    )
    _run_predict(
        paths, chosen, layout, settings, jobs=jobs or _cores(), quiet=quiet, fail_fast=fail_fast, resume=resume,
        limit=int(max_document_mb * 1e6), again=again, saved=saved, fresh=fresh, received=received,
    )  # fmt: skip


DEFAULT_ID = "id"


def rerun_command(ctx: typer.Context, stdin: str = STDIN, continued: bool = True) -> str:
    """This command line, as the user gave it, with --resume: what continues this run; with
    ``stdin``, that name in place of - and of a pipe named as a file (a run cannot continue from
    standard input: see :func:`~cleaner.cli.messages.rerun`); not ``continued``: without an added --resume (what starts
    it again)."""
    from ..corpus.readers.streams import is_stream

    words = ["cleaner", "predict"]
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name) if param.name else None
        if param.name is None or source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params[param.name]
        if param.param_type_name == "argument":
            words += [stdin if v == STDIN or (stdin != STDIN and is_stream(str(v))) else str(v) for v in value]
        elif getattr(param, "is_flag", False):
            words.append(param.opts[0] if value else param.secondary_opts[0])
        else:
            words += [max(param.opts, key=len), str(value.value if isinstance(value, Enum) else value)]
    if continued and "--resume" not in words:
        words.append("--resume")
    return shlex.join(words)


def _saved_as(saved: str, kind: str, paths: list[str], files: list[InputFile]) -> str:
    """The command that continues a run from a saved copy of the records it read on standard input
    (or a pipe), with ``--input-format KIND``: the kind was told from the bytes, and the copy is read
    by its name (saved as ``input.txt``, records were a text dump, and --resume stopped at once).
    Only when every input is of that kind: the option reads every named file so, and makes folders
    give only files of that kind."""
    if any(path != STDIN and Path(path).is_dir() for path in paths) or any(i.kind != kind for i in files):
        return saved
    words = shlex.split(saved)
    at = len(words) - 1 if words[-1] == "--resume" else len(words)
    return shlex.join([*words[:at], "--input-format", kind, *words[at:]])


def _compressed(target: Path) -> bool:
    from ..corpus.sinks import jsonl_compression

    return bool(jsonl_compression(target))


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's under taskset or a container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def model_path(model: str | None) -> str:
    """The model file to load, absolute: ``--model``, else $CLEANER_MODEL, else the shipped model;
    a URL (from either) as it is: each worker's load_model finds the machine's copy of it."""
    from ..classifier.format import default_model_name
    from ..classifier.remote import is_url

    name = default_model_name() if model is None else model
    return name if is_url(name) else str(Path(name).resolve())


def _run_predict(
    paths: list[str],
    input_format: str | None,
    layout: Layout,
    settings: Settings,
    *,
    jobs: int,
    quiet: bool,
    fail_fast: bool,
    resume: bool,
    limit: int,
    again: str = "cleaner predict ... --resume",
    saved: str | None = None,
    fresh: str | None = None,
    received: Caught | None = None,
) -> None:
    """Stream every input through the model into the layout's outputs; exit 1 if anything failed.

    The model is loaded where it is used: in this process for a small run or --jobs 1, else once in
    each worker; a model that cannot be loaded stops the run with its one-line reason either way.
    """
    from concurrent.futures.process import BrokenProcessPool
    from dataclasses import replace

    from ..classifier.format import ModelError
    from ..corpus.items import InputError, InputFile
    from ..corpus.locks import OutputBusy
    from ..corpus.pipeline import FailFast, Run, execute
    from ..corpus.progress import Progress, Tally
    from ..corpus.resume import DoneIds, ResumeError, check_inputs, read_done_ids
    from ..corpus.sinks import OutputError, StreamSink, TreeSink, output_name
    from ..corpus.sources import Note, expand_inputs

    written = layout.root or layout.target or layout.file
    found = list(expand_inputs(paths, input_format, leave_out=written))
    notes = [item for item in found if isinstance(item, Note)]
    inputs = [item for item in found if not isinstance(item, Note)]
    if layout.file is not None:
        inputs = [
            item if isinstance(item, InputError) else replace(item, relative=Path(layout.file.name)) for item in inputs
        ]
    elif layout.root is not None:
        inputs = [
            item
            if isinstance(item, InputError)
            else replace(item, relative=output_name(item.relative, item.kind, layout.text_render is Render.LABELS))
            for item in inputs
        ]
    for note in notes:
        warn(str(note))
    files = [i for i in inputs if isinstance(i, InputFile)]
    root = layout.file.parent if layout.file is not None else layout.root
    # The one output file of the run, if there is one (-o FILE.txt, or one input under -o DIR).
    one = root / files[0].relative if root is not None and len(files) == 1 else None
    streamed = [i for i in files if i.stream and READERS[i.kind].records]
    if layout.target is None or not streamed:
        saved = None  # only --resume of -o FILE cannot read records from standard input: see messages.rerun
    elif saved is not None and input_format is None:
        saved = _saved_as(saved, streamed[0].kind, paths, files)
    several = len(inputs) > 1 or any(READERS[i.kind].records for i in files)
    sizes = [i.size for i in files]
    total = sum(size for size in sizes if size is not None) if None not in sizes else None
    # The folder of the outputs (-o DIR, or the one holding -o FILE) is made when the first output is
    # written, with any folders above it, and said once, as train says the folder of its -o.
    folder = root if root is not None or layout.target is None else layout.target.parent
    new_folders = [] if quiet else missing_folders([folder] if folder is not None else [])  # -q: not said
    try:
        sink: TreeSink | StreamSink = TreeSink(root) if root is not None else StreamSink(layout.target, resume)
        if isinstance(sink, TreeSink):
            sink.remove_stale(i.relative for i in files)
        id_field = settings.parse.id_field
        done = None
        if resume and isinstance(sink, StreamSink) and id_field is not None:
            if sink.restore is not None:  # an earlier run's records (the .partial's lock alone makes an empty one)
                try:
                    done = read_done_ids(sink.partial, id_field)
                except Interrupted as exc:
                    stopped_reading_ids(sink, exc, again)
            elif not any(i.stream for i in inputs if isinstance(i, InputFile)):  # stdin, a pipe: read once
                # A first run is checked too: a repeated id found when the run is continued would cost
                # the hours it ran (the continued run cannot skip by such ids, and stops).
                done = DoneIds.none()
    except OSError as exc:
        fail(f"{exc.filename or layout.target}: cannot write: {exc.strerror or exc}")
    except OutputError as exc:  # the .partial of -o FILE could not be made or continued: nothing was changed
        assert layout.target is not None  # only a StreamSink into a file raises it here
        fail(f"{exc}{as_it_was(layout.target)}")
    except OutputBusy as exc:
        fail(busy(layout.target, exc), 2)
    if done is not None and isinstance(sink, StreamSink):  # skipping by id is safe only with these inputs' ids
        try:
            finished = sink.restore is not None and sink.restore[1]  # the records are in the output, renamed back
            written = sink.target if finished and sink.target is not None else sink.partial
            check_inputs(inputs, settings.parse, limit, done, sink.partial, shown=written)
        except ResumeError as exc:
            sink.discard()  # a finished output that --resume renamed to .partial gets its name back
            fail(str(exc), 2)
        except Interrupted as exc:
            stopped_reading_ids(sink, exc, again)
        settings = replace(settings, done=done)
    run = Run(inputs, settings, sink, jobs, limit, resume, fail_fast)
    progress = Progress(total, several and not quiet)
    tally = Tally()
    stopped = None
    code = 1
    complete = True
    received = received if received is not None else Caught()  # the signals are caught by predict
    try:
        with unwrapped():  # a signal while the model's modules are imported, in --jobs 1
            execute(run, None, progress, tally)
            complete = sink.close()
    except ModelError as exc:
        progress.close()
        sink.abort()
        fail(str(exc))
    except OutputBusy as exc:  # its folder was made by another run since this one started: locked at the first output
        progress.close()
        sink.abort()
        fail(busy(layout.target, exc), 2)
    except FailFast:
        stopped = "stopped at the first error (--fail-fast)"
    except Interrupted as exc:
        stopped, code = f"interrupted ({exc})", 128 + exc.signum
    except KeyboardInterrupt:  # SIGINT with Python's own handler (not the main thread: see cleaner.signals)
        stopped, code = "interrupted", 130
    except BrokenProcessPool:
        if received:
            stopped, code = f"interrupted ({signal.Signals(received[0]).name})", 128 + received[0]
        else:
            stopped = "a worker process died (out of memory?); rerun with fewer --jobs"
    except BrokenPipeError:
        # The reader of standard output went away (| head): nothing more to say (see cleaner.cli.pipes),
        # before the handlers below take it for an error; the workers were stopped on the way here (the
        # pool is closed whatever ends the run).
        raise reader_went_away() from None
    except OutputError as exc:
        progress.close()
        sink.discard()
        say_made(new_folders)
        if several and not quiet:
            # One output file is put back as it was (sink.discard): this run's documents are not in it.
            discarded = isinstance(sink, StreamSink) and sink.target is not None
            warn(tally.summary(stopped=True, short_dumps=settings.short_dumps, discarded=discarded))
        fail(f"{exc}{after_write_error(sink, one, resume, again, exc.errno)}")
    finally:
        progress.close()
        received.ended = True
    if stopped is not None:
        sink.abort()
    # --resume into one file continues by id: a run that wrote a record without one cannot be continued.
    no_id = no_ids(settings.parse.id_name, tally.no_id, tally.documents) if layout.target and tally.no_id else None
    say_made(new_folders)
    if several and not quiet:
        warn(tally.summary(stopped=stopped is not None, short_dumps=settings.short_dumps))
    elif not quiet and tally.last_emptied is not None and layout.text_render is Render.TEXT:
        warn(emptied_note(tally.last_emptied))
    if not several and tally.skipped and one is not None:  # a corpus's summary counts them "already done"
        warn(skipped_note(files[0].name, one))
    if stopped is not None and isinstance(sink, StreamSink) and sink.wrote_nothing():
        assert sink.target is not None  # wrote_nothing says so
        fail(stopped_before_writing(stopped, sink.target, fresh or again), code)
    if stopped is not None:
        kept = kept_in(sink) if isinstance(sink, StreamSink) else ""
        resumable = root is not None or (
            layout.target is not None and layout.text_render is not Render.LINES and not _compressed(layout.target)
        )
        if resumable and no_id is not None:
            fail(f"{stopped}{kept}; {no_id}", code)
        fail(f"{stopped}{kept}" + (f"; {rerun(again, saved)} to continue" if resumable else ""), code)
    if tally.errors:
        fail(after_errors(sink, tally, complete, again, saved, no_id))

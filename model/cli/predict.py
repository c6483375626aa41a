"""``cleaner predict``: its options, how they resolve into a layout of outputs, and the run.

The corpus machinery (:mod:`cleaner.corpus`) does the work: sources -> readers -> worker pool
(parse, predict, render) -> sinks. This module only checks the options, chooses the renderers
and the sink, and turns what went wrong into one line and an exit code.
"""

from __future__ import annotations

import os
import shlex
import signal
import stat
import sys
from dataclasses import astuple, dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from ..corpus.items import STDIN
from ..corpus.readers import READERS
from ..corpus.renderers import Render
from ..corpus.worker import Settings
from ..signals import Caught, Interrupted, outside_run, stopped_by_signals, unwrapped
from ..text import plural
from . import fail, missing_folders, say_made, warn
from .options import (
    AUTO,
    Encoding,
    Errors,
    InputFormat,
    MaxDocumentMb,
    ModelFile,
    check_decoding,
    chosen_kind,
    finite,
    refuse_input_named_twice,
)
from .pipes import reader_went_away

if TYPE_CHECKING:
    from ..corpus.items import Cleaned, InputFile
    from ..corpus.locks import OutputBusy
    from ..corpus.progress import Tally
    from ..corpus.sinks import StreamSink, TreeSink


class OutputFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    labels = "labels"


class DocumentOutput(str, Enum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"


class ShortDumps(str, Enum):
    keep = "keep"
    drop = "drop"


@dataclass
class Layout:
    """Where outputs go (``root`` for -o DIR, else one stream to ``target`` or stdout, or one file
    ``file`` for a single text input) and how documents of one-document files (text) and of files
    of records (JSONL, WARC) are rendered."""

    root: Path | None
    target: Path | None
    text_render: Render
    structured_render: Render
    name_lines: bool
    file: Path | None = None


# -o names that are one output file for one text input, not a folder: the cleaned dump (-o
# page.clean.txt) or its label file (-f labels -o page.tsv), each under the name its content has.
FILE_OUTPUTS = {".txt": OutputFormat.text, ".tsv": OutputFormat.labels}
WHAT_IS_WRITTEN = {OutputFormat.text: "the cleaned text", OutputFormat.labels: "a label file"}


SEVERAL_TO_STDOUT = (
    "pass -o DIR to write one cleaned file per input, or use --output-format jsonl (one record per document) "
    "or --format jsonl"
)


def refuse_several_to_stdout(paths: list[str], input_format: str | None) -> None:
    """Fail (exit 2): several cleaned dumps cannot share standard output. A folder counts as several
    inputs however many dumps it holds, so that a command does not stop working when a second dump
    arrives; the message says so, and names a lone dump to clean instead. A folder without dumps is
    left to the run, which says so as it does under -o (exit 1)."""
    from ..corpus.items import InputFile
    from ..corpus.sources import expand_inputs

    if len(paths) > 1:
        fail(f"several inputs: {SEVERAL_TO_STDOUT}", 2)
    dumps = [item.name for item in expand_inputs(paths, input_format) if isinstance(item, InputFile)]
    if not dumps:
        return
    lone = f"; or name its one dump ({dumps[0]}) to clean it to standard output" if len(dumps) == 1 else ""
    fail(f"{paths[0]} is a folder, cleaned as several inputs: {SEVERAL_TO_STDOUT}{lone}", 2)


def _records(kind: str) -> bool:
    return READERS[kind].records


def layout_of(
    paths: list[str],
    output: Path | None,
    fmt: OutputFormat,
    documents: DocumentOutput,
    input_format: str | None,
    as_directory: bool = False,
) -> Layout:
    """Resolve -o, --format and --output-format into a layout, or fail with a usage error (exit 2).

    ``as_directory``: -o was written with a trailing slash (``-o out/``), so it names a directory
    even before one exists."""
    from ..corpus.sinks import jsonl_compression
    from ..corpus.sources import input_kind

    named = [p for p in paths if p == STDIN or not Path(p).is_dir()]
    structured = any(_records(input_kind(p, input_format)) for p in named)
    several = len(paths) > 1 or len(named) < len(paths)
    is_dir = output is not None and (as_directory or output.is_dir())
    if fmt is OutputFormat.jsonl:
        if documents is not DocumentOutput.auto:
            fail("--format jsonl writes one record per line: drop --output-format (records per document: -f text)", 2)
        if is_dir:
            fail(f"-o {output}: with --format jsonl, -o names one output file, not a directory", 2)
        if output is not None:
            refuse_named_for_other_content(output, "--format jsonl", several or structured)
        return Layout(None, output, Render.LINES, Render.LINES, several or structured)
    if structured and (fmt is OutputFormat.labels or documents is DocumentOutput.text):
        what = "--format labels" if fmt is OutputFormat.labels else "--output-format text"
        fail(
            f"{what} cannot be used with JSONL or WARC inputs: it writes plain-text dumps, and these inputs are "
            f"records, written as JSONL records; drop {what}",
            2,
        )
    if fmt is OutputFormat.labels and output is not None and not is_dir and jsonl_compression(output) is not None:
        fail(f"-o {output}: --format labels writes label files, -o NAME.tsv for one input or -o DIR for several", 2)
    records = documents is DocumentOutput.jsonl or (
        documents is DocumentOutput.auto
        and fmt is OutputFormat.text
        and ((output is not None and jsonl_compression(output) is not None) or (output is None and structured))
    )
    if records:
        if fmt is OutputFormat.labels:  # records chosen by --output-format jsonl: -o NAME.jsonl was refused above
            fail(
                "--format labels and --output-format jsonl ask for two formats (label files, and a JSON record per "
                "document): drop --output-format jsonl for label files, or --format labels for records",
                2,
            )
        if is_dir:
            assert output is not None  # is_dir says so
            fail(_records_into_folder(output, as_directory, documents), 2)
        if output is not None:  # only --output-format jsonl makes records of a name that is not .jsonl
            refuse_named_for_other_content(output, "--output-format jsonl", several or structured)
        return Layout(None, output, Render.RECORD, Render.RECORD, False)
    render = Render.TEXT if fmt is OutputFormat.text else Render.LABELS
    if output is None:
        if several:
            refuse_several_to_stdout(paths, input_format)
        return Layout(None, None, render, Render.RECORD, False)
    if documents is DocumentOutput.text and not is_dir and jsonl_compression(output) is not None:
        other = "a directory (-o DIR/)" if several else "a text file (-o NAME.txt) or a directory (-o DIR/)"
        fail(
            f"-o {output} names a JSONL file, and --output-format text writes plain-text dumps: drop "
            f"--output-format text to write a record per document to {output}, or name {other}",
            2,
        )
    if not is_dir and output.suffix.lower() in FILE_OUTPUTS:
        if structured:
            fail(
                f"-o {output} names a text file, and JSONL and WARC inputs are records, written as JSONL records: "
                "write them to -o NAME.jsonl, or to a directory (-o DIR/)",
                2,
            )
        if several:
            fail(f"-o {output} names one file, for one text input; for several inputs pass -o DIR", 2)
        refuse_named_for_other_content(output, None if fmt is OutputFormat.text else "--format labels", False, fmt)
        return Layout(None, None, render, Render.RECORD, False, file=output)
    if output.exists() and not is_dir:
        fail(
            f"-o {output} is a file; -o takes a directory (one output per input), a .jsonl[.gz|.zst] file, "
            "or a .txt file for one text input",
            2,
        )
    if not is_dir and output.suffix:
        # Made silently, a folder named x.csv is found only later, with the outputs inside it.
        suffix = ".txt" if fmt is OutputFormat.text else ".tsv"
        files = [] if several or structured else [f"-o NAME{suffix} (this one input)"]
        if fmt is OutputFormat.text:  # label files are one per input: no one file holds several
            files += ["-o NAME.jsonl (a record per document)", "-f jsonl (a record per line)"]
        listed = ", ".join(files[:-1]) + " or " + files[-1] if len(files) > 1 else "".join(files)
        single = f", or write one file: {listed}" if files else ""
        fail(
            f"-o {output}: this run writes a directory (one output per input), and {output.name} would be a new "
            f"directory named like a file; name a directory (a trailing / keeps this name: -o {output}/){single}",
            2,
        )
    return Layout(output, None, render, Render.RECORD, False)


def refuse_named_for_other_content(
    output: Path, option: str | None, several: bool, writes: OutputFormat = OutputFormat.jsonl
) -> None:
    """Fail (exit 2) when -o names a file whose suffix says another content than the run writes
    (``-f labels -o page.txt``, ``--output-format jsonl -o all.txt``): such a file was written, and
    read back later by its name as what it is not. ``option`` is what chose the content (None: the
    default, cleaned text); ``several``: the inputs cannot go to one text or label file, so only
    the name can change. A name -o gives no meaning to (``-f jsonl -o lines.csv``) is left as given."""
    meant = FILE_OUTPUTS.get(output.suffix.lower())
    if meant is None or meant is writes:
        return
    if writes is OutputFormat.jsonl:
        content = "JSON records (one per line)" if option == "--format jsonl" else "JSON records (one per document)"
        rename = f"a JSONL file (-o {output.with_suffix('.jsonl')})"
    else:
        content = WHAT_IS_WRITTEN[writes]
        rename = f"a {_suffix_of(writes)} file (-o {output.with_suffix(_suffix_of(writes))})"
    written = f"{option} writes {content}" if option is not None else f"this run writes {content}"
    switch = "" if several else f", or {_switch_to(meant, option)}"
    fail(
        f"-o {output}: {written}, and a {output.suffix} name is for {WHAT_IS_WRITTEN[meant]}; name {rename}{switch}",
        2,
    )


def _suffix_of(fmt: OutputFormat) -> str:
    return next(suffix for suffix, meant in FILE_OUTPUTS.items() if meant is fmt)


def _switch_to(meant: OutputFormat, option: str | None) -> str:
    """How to write what a name's suffix says instead (:func:`refuse_named_for_other_content`)."""
    if meant is OutputFormat.text:  # an option chose another content than the default
        return f"drop {option} to write the cleaned text"
    if option is None:
        return "pass --format labels to write a label file"
    if option == "--format jsonl":
        return "write a label file with --format labels in place of --format jsonl"
    return f"drop {option} and pass --format labels to write a label file"


def _records_into_folder(output: Path, slash: bool, documents: DocumentOutput) -> str:
    """Why -o names no place for this run's JSONL records (one file of them): it names a folder,
    by a trailing / (even one not there yet: it said "is a directory") or by being one."""
    given = f"-o {output}/ names a folder (the trailing / does)" if slash else f"-o {output} is a directory"
    if documents is DocumentOutput.jsonl:
        return (
            f"{given}, and --output-format jsonl writes one file of JSON records: name that file "
            "(-o NAME.jsonl), or leave out -o for standard output"
        )
    bare = f"write -o {output} without the /" if slash else "name a file (-o NAME.jsonl)"
    return (
        f"{given}, and a name ending in .jsonl is for one file of JSON records: for that file, {bare}; for one "
        "output per input, name a folder that is not named like a JSONL file (-o DIR/)"
    )


def refuse_special_output(output: Path) -> None:
    """Fail (exit 2) when -o names a device or a pipe (``-o /dev/null``): outputs are written to a
    temporary file beside their name and renamed over it, which would replace the device (or fail
    in /dev); what is written to such a file is standard output's to carry."""
    try:
        mode = output.stat().st_mode
    except OSError:  # not there yet (or unreadable): the run makes it, or says what is wrong
        return
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return
    fail(
        f"-o {output} is a device or a pipe, not a file or a folder: outputs are written to a temporary file and "
        "renamed into place; leave out -o and redirect standard output instead "
        f"(cleaner predict ... -q > {output}; for several inputs add --output-format jsonl)",
        2,
    )


def _stdin_reads(path: Path) -> bool:
    """Whether standard input is redirected from the file ``path`` (``cleaner predict - -o a.txt < a.txt``)."""
    try:
        here, there = os.fstat(sys.stdin.fileno()), path.stat()
    except (OSError, ValueError, AttributeError):  # no such file yet, or stdin is no file (a pipe, a test's buffer)
        return False
    return stat.S_ISREG(here.st_mode) and (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def refuse_overwriting_inputs(paths: list[str], output: Path, into_directory: bool) -> None:
    """Fail (exit 2) when writing to ``output`` could overwrite an input.

    Outputs are written to a temporary name and renamed over the target, so -o naming an input
    would replace it with its cleaned text: the original would be lost. Under -o DIR, an input
    inside DIR could be replaced by another input's output. An output inside an input directory is
    fine: that directory's walk leaves it out (see :func:`~cleaner.corpus.sources.expand_inputs`).
    """
    target = output.resolve()
    for raw in paths:
        if raw == STDIN and _stdin_reads(target):
            fail(
                f"-o {output} is the file standard input reads (< {output}): cleaning would replace it; "
                "write to another path",
                2,
            )
        if raw == STDIN or not Path(raw).exists():
            continue  # reading it will say what is wrong
        source = Path(raw).resolve()
        if source == target:
            fail(f"-o {output} is the input {raw} itself: cleaning would replace it; write to another path", 2)
        if into_directory and target in source.parents:
            fail(
                f"-o {output} holds the input {raw}: outputs written there could replace inputs; "
                "write to a directory outside the inputs",
                2,
            )


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
    errors: Errors = "strict",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes. Default: all cores. 1: clean in this process, no pool."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no closing summary.")] = False,
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
    errors: str
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
        parse=ParseOptions(encoding, errors, text_field, id_field),
        name_lines=layout.name_lines,
        short_dumps=short_dumps.value,
    )
    _run_predict(
        paths, chosen, layout, settings, jobs=jobs or _cores(), quiet=quiet, fail_fast=fail_fast, resume=resume,
        limit=int(max_document_mb * 1e6), again=again, saved=saved, fresh=fresh, received=received,
    )  # fmt: skip


DEFAULT_ID = "id"
# What stands for a saved copy of standard input in the command that continues a run that read it.
SAVED = "FILE"


def rerun_command(ctx: typer.Context, stdin: str = STDIN, continued: bool = True) -> str:
    """This command line, as the user gave it, with --resume: what continues this run; with
    ``stdin``, that name in place of - and of a pipe named as a file (a run cannot continue from
    standard input: see :func:`_rerun`); not ``continued``: without an added --resume (what starts
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
        saved = None  # only --resume of -o FILE cannot read records from standard input: see _rerun
    elif saved is not None and input_format is None:
        saved = _saved_as(saved, streamed[0].kind, paths, files)
    several = len(inputs) > 1 or any(READERS[i.kind].records for i in files)
    sizes = [i.size for i in files]
    total = sum(size for size in sizes if size is not None) if None not in sizes else None
    # The folder of the outputs (-o DIR, or the one holding -o FILE) is made when the first output is
    # written, with any folders above it, and said once, as train says the folder of its -o.
    folder = root if root is not None or layout.target is None else layout.target.parent
    new_folders = missing_folders([folder] if folder is not None else [])
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
                    _stopped_reading_ids(sink, exc, again)
            elif not any(i.stream for i in inputs if isinstance(i, InputFile)):  # stdin, a pipe: read once
                # A first run is checked too: a repeated id found when the run is continued would cost
                # the hours it ran (the continued run cannot skip by such ids, and stops).
                done = DoneIds.none()
    except OSError as exc:
        fail(f"{exc.filename or layout.target}: cannot write: {exc.strerror or exc}")
    except OutputError as exc:  # the .partial of -o FILE could not be made or continued: nothing was changed
        assert layout.target is not None  # only a StreamSink into a file raises it here
        fail(f"{exc}{_as_it_was(layout.target)}")
    except OutputBusy as exc:
        fail(_busy(layout.target, exc), 2)
    if done is not None and isinstance(sink, StreamSink):  # skipping by id is safe only with these inputs' ids
        try:
            finished = sink.restore is not None and sink.restore[1]  # the records are in the output, renamed back
            written = sink.target if finished and sink.target is not None else sink.partial
            check_inputs(inputs, settings.parse, limit, done, sink.partial, shown=written)
        except ResumeError as exc:
            sink.discard()  # a finished output that --resume renamed to .partial gets its name back
            fail(str(exc), 2)
        except Interrupted as exc:
            _stopped_reading_ids(sink, exc, again)
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
        fail(_busy(layout.target, exc), 2)
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
            warn(tally.summary(stopped=True, short_dumps=settings.short_dumps))
        fail(f"{exc}{_after_write_error(sink, one, resume)}")
    finally:
        progress.close()
        received.ended = True
    if stopped is not None:
        sink.abort()
    # --resume into one file continues by id: a run that wrote a record without one cannot be continued.
    no_id = _no_ids(settings.parse.id_name, tally.no_id, tally.documents) if layout.target and tally.no_id else None
    say_made(new_folders)
    if several and not quiet:
        warn(tally.summary(stopped=stopped is not None, short_dumps=settings.short_dumps))
    elif not quiet and tally.last_emptied is not None and layout.text_render is Render.TEXT:
        warn(_emptied_note(tally.last_emptied))
    if not several and tally.skipped and one is not None:  # a corpus's summary counts them "already done"
        warn(_skipped_note(files[0].name, one))
    if stopped is not None and isinstance(sink, StreamSink) and sink.wrote_nothing():
        assert sink.target is not None  # wrote_nothing says so
        fail(_stopped_before_writing(stopped, sink.target, fresh or again), code)
    if stopped is not None:
        kept = _kept_in(sink) if isinstance(sink, StreamSink) else ""
        resumable = root is not None or (
            layout.target is not None and layout.text_render is not Render.LINES and not _compressed(layout.target)
        )
        if resumable and no_id is not None:
            fail(f"{stopped}{kept}; {no_id}", code)
        fail(f"{stopped}{kept}" + (f"; {_rerun(again, saved)} to continue" if resumable else ""), code)
    if tally.errors:
        fail(_after_errors(sink, tally, complete, again, saved, no_id))


def _kept_in(sink: StreamSink) -> str:
    """Whose records the ``.partial`` of a stopped run into -o FILE holds, if it left one: this
    run's (and any it continued), or only an earlier run's, which a run without --resume leaves as
    it was until its first record."""
    if sink.target is None or not sink.partial.exists():
        return ""
    if sink.wrote or sink.resume:
        return f"; the records written so far are in {sink.partial}"
    return f"; this run wrote no record, and {sink.partial} holds an earlier run's records, as it was"


def _stopped_before_writing(stopped: str, target: Path, fresh: str) -> str:
    """The line of a run into -o FILE that was stopped before it wrote a record: no ``.partial`` is
    left, so --resume has nothing to continue, and "rerun ... --resume to continue" sent the user
    looking for output that was never written: the same command, as given, does it all."""
    return (
        f"{stopped} before any record was written{_as_it_was(target)}: there is nothing to continue with "
        f"--resume; {_rerun(fresh)} to clean from the start"
    )


def _stopped_reading_ids(sink: StreamSink, exc: Interrupted, again: str) -> NoReturn:
    """Stop (exit 128 + the signal) a run that a signal stopped while --resume read the ids, before
    it wrote: the output is put back as it was (a finished one gets its name back), and the same
    command continues; "nothing was written" alone left the user to wonder about the .partial."""
    before = sink.restore
    sink.discard()
    assert sink.target is not None  # only a run into -o FILE reads ids
    if before is None:  # a first run with --resume: there was no .partial
        state = "nothing was written"
    else:
        state = f"nothing was written: {sink.target if before[1] else sink.partial} is as it was"
    fail(
        f"interrupted ({exc}) while --resume read the inputs' ids, before cleaning began; {state}; "
        f"{_rerun(again)} to continue",
        128 + exc.signum,
    )


def _busy(target: Path | None, exc: OutputBusy) -> str:
    """Why a run into -o FILE is refused: another run holds its ``.partial`` (see cleaner.corpus.locks)."""
    return (
        f"-o {target}: another cleaner run is writing this output now (it holds {exc.partial} locked); "
        "this run wrote nothing: wait for that run to end, or choose another -o"
    )


def _emptied_note(cleaned: Cleaned) -> str:
    """Why the one dump of a run printed nothing: an empty output looks like a failure, and a
    record of one paragraph is the kind of dump the model may take for chrome."""
    lines = "its only non-blank line" if cleaned.lines_total == 1 else f"all its {cleaned.lines_total} non-blank lines"
    return (
        f"{cleaned.where}: no line kept: the model scored {lines} as boilerplate "
        "(--format jsonl shows each line's score; a lower --threshold keeps more)"
    )


def _rerun(again: str, saved: str | None = None) -> str:
    """The advice to rerun ``again``: from this directory, as relative paths in it (and the ids of
    text files, their paths as given, which --resume skips by) mean something else elsewhere.

    With ``saved`` (the command with FILE in place of -), the run read records from standard input
    into -o FILE: --resume reads the inputs' ids before it cleans anything, and standard input can
    be read only once, so --resume from it is refused; a saved copy of the input gives the same ids
    (the records' own), so rerunning with that file continues the run."""
    try:
        here = f" ({Path.cwd()})"
    except OSError:  # the directory was deleted
        here = ""
    if saved is not None:
        return (
            "standard input (or a pipe) cannot be read again (--resume reads the ids of the records before it "
            "cleans them): "
            f"save that input to a file and, from the same directory{here}, rerun `{saved}` with {SAVED} that file"
        )
    return f"from the same directory{here}, rerun `{again}`"


def _skipped_note(name: str, output: Path) -> str:
    """Why a run of one input with --resume wrote nothing: its output was there (perhaps from
    another input, or an earlier version of this one), and exit 0 with no word looked like success."""
    return f"{name}: already done ({output} exists), skipped (--resume); rerun without --resume to clean it again"


def _no_ids(field: str, missing: int, written: int) -> str:
    """The advice for a stopped run into one file of records of which ``missing`` of the ``written``
    have no id: --resume continues such a run by the ids already written, so the command it would
    print fails at once. Said of how many: one record with a null id among thousands was told as
    "the records have no 'id' field"."""
    has = "has" if missing == 1 else "have"
    which = "the records have" if missing >= written else f"{missing} of the {written} records written {has}"
    return (
        f"{which} no {field!r} field (or a null one) to continue by (--resume skips the documents whose id is "
        "already written): rerun without --resume to clean every document again, or with --resume and "
        "--id-field NAME if the field NAME holds a unique id in every record"
    )


def _after_write_error(sink: TreeSink | StreamSink, one: Path | None, resume: bool) -> str:
    """What a failed write left: the one output as it was, or the outputs finished before it.

    ``one`` is the run's only output file, if it has one (-o FILE.txt, one input under -o DIR):
    there are no others to write with --resume."""
    from ..corpus.sinks import StreamSink

    if isinstance(sink, StreamSink):
        if sink.target is None:
            return ""
        return f"; {sink.target} is left as it was before this run" if sink.restore else _as_it_was(sink.target)
    if one is not None:
        return _as_it_was(one)
    if not sink.finished:  # with --resume, the outputs of earlier runs are there, and skipped again
        return "; this run finished no output: fix this and rerun" + (" with --resume" if resume else "")
    return "; the outputs finished before it are complete: fix this and rerun with --resume to write the others"


def _as_it_was(output: Path) -> str:
    """What a write that failed before it changed anything left of a one-file output."""
    return f"; {output} is left as it was before this run" if output.exists() else f"; {output} is not written"


def _after_errors(
    sink: TreeSink | StreamSink,
    tally: Tally,
    complete: bool,
    again: str,
    saved: str | None = None,
    no_id: str | None = None,
) -> str:
    """The closing line of a run with errors: how many, and what became of the outputs; ``no_id``:
    what to do about the records written without an id (see :func:`_no_ids`)."""
    from ..corpus.sinks import StreamSink

    counted = f"{plural(tally.errors, 'input or record', 'inputs or records')} could not be cleaned"
    others = "every other document was cleaned" if tally.documents else "no document was cleaned"
    if not tally.incomplete:
        return f"{counted}; {others}"
    if tally.incomplete == tally.errors:  # "1 input or record could not be cleaned, 1 input of them not read whole"
        unread = "not read whole" if tally.errors == 1 else "none of them read whole"
    else:
        unread = f"{plural(tally.incomplete, 'input')} of them not read whole"
    if isinstance(sink, StreamSink) and sink.target is not None and not complete:
        stays = f"stays {sink.partial} (every other document is in it)" if sink.partial.exists() else "is not written"
        if no_id is not None:
            return f"{counted}, {unread}, so the output {stays}; fix or replace such inputs; {no_id}"
        return (
            f"{counted}, {unread}, so the output {stays}; fix or replace such inputs"
            f"{'; ' if saved else ' and, '}{_rerun(again, saved)} to complete {sink.target}"
        )
    if isinstance(sink, StreamSink):
        return f"{counted}, {unread}; {others}"
    return (
        f"{counted}, {unread}, with no output; fix or replace such inputs and, {_rerun(again)} to clean them; {others}"
    )

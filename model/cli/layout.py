"""Where ``cleaner predict`` writes, decided from -o, --format and --output-format before any input is
read: the :class:`Layout` of the outputs (a folder of one output per input, one stream, or one file),
and the checks that refuse an -o that would lose data or be read back as what it is not (an input,
a device, a name whose suffix says another content), each a usage error (exit 2) that says what to
write instead.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..corpus.items import STDIN
from ..corpus.readers import READERS
from ..corpus.renderers import Render
from .report import fail


class OutputFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    labels = "labels"


class DocumentOutput(str, Enum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"


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

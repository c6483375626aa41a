"""The options every command that reads dumps shares (``predict``, ``suggest``, ``label``), declared
once as ``Annotated`` types so that the commands read the same inputs the same way and their
``--help`` says the same thing. Checked before any input is read: a bad value is a usage error (exit 2).
"""

from __future__ import annotations

import codecs
import math
import os
import stat
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..corpus.items import STDIN
from ..corpus.sources import walk_gives
from .report import fail


class InputKind(str, Enum):
    """``--input-format``'s values: auto, or a kind of the readers' table (``corpus.readers.READERS``,
    which tests/test_help_width.py holds it to). An enum, as predict's other options of fixed
    choices are: as a string checked by a callback, with its choices written into a metavar by
    hand, its --help wrote them ``[auto|text|jsonl|warc]`` beside ``<text|jsonl|labels>``."""

    auto = "auto"
    text = "text"
    jsonl = "jsonl"
    warc = "warc"


class DecodeErrors(str, Enum):
    """``--errors``' values: Python's codec error handlers that make sense for dumps. An enum, as
    ``--input-format`` is: as a plain string its --help wrote ``<str>`` and hid the choices (the
    fourth, surrogateescape, appeared nowhere but in the code). Its names are upper case, unlike
    the other enums', since ``replace`` would hide ``str.replace``; Typer shows the values."""

    STRICT = "strict"
    REPLACE = "replace"
    IGNORE = "ignore"
    SURROGATEESCAPE = "surrogateescape"


AUTO: InputKind = InputKind.auto
ERROR_HANDLERS = tuple(handler.value for handler in DecodeErrors)


def finite(value: float | list[float] | None) -> float | list[float] | None:
    """A number option's check: a finite number (a usage error otherwise). NaN passes every range
    check, since each comparison with it is false: ``predict --threshold nan`` kept no line and
    exited 0, ``--max-document-mb nan`` ended in a traceback. Every float option takes this callback."""
    for number in value if isinstance(value, list) else [value]:
        if number is not None and not math.isfinite(number):
            raise typer.BadParameter(f"{number} is not a finite number; give a number such as 0.5.")
    return value


def chosen_kind(input_format: str) -> str | None:
    """The reader's kind ``--input-format`` asks for (a plain str), or None for auto."""
    kind = InputKind(input_format).value
    return None if kind == AUTO.value else kind


def error_handler(errors: str) -> str:
    """The codec error handler ``--errors`` asks for, as the plain str the readers pass to
    ``bytes.decode`` (and to the workers)."""
    return DecodeErrors(errors).value


def refuse_input_named_twice(paths: Sequence[str], input_format: str | None = None) -> None:
    """Fail (exit 2) when two input names are one stream or one file: ``-`` and ``/dev/stdin`` (or
    ``/dev/fd/0``, ``/proc/self/fd/0``), two paths to one named pipe, or one file named twice. A
    stream is read once, as it comes, so the first name read it all and the second found it empty
    (or, for a FIFO opened twice, waited for a writer that never came): ``cat page | cleaner predict
    - /dev/stdin`` cleaned one page as two. A file named twice was cleaned twice, its output written
    twice (or, under ``-o DIR``, its second reading reported as an error). Told by device and inode
    (``os.stat``), which every name of a file shares; only checked, not opened, so that no pipe is
    read before the run reads it. A file or a folder inside a named folder is refused too (see
    :func:`_refuse_inside_named_folders`); ``input_format`` (``--input-format``) says which files
    a folder gives."""
    if paths.count(STDIN) > 1:
        fail("- (standard input) can be named only once", 2)
    stdin = _stdin_identity()
    seen: dict[tuple[int, int], str] = {}
    for raw in paths:
        found = (stdin, True) if raw == STDIN else _identity(raw)
        identity, stream = found if found is not None else (None, False)
        if identity is None:
            continue
        if identity in seen:
            if not stream:
                fail(f"{seen[identity]} and {raw} are one file, which would be cleaned twice; name it once", 2)
            what = "standard input" if identity == stdin else "one pipe"
            fail(
                f"{seen[identity]} and {raw} both name {what}, which is read once, as it comes: named twice, its "
                "content would be split between the two; name it once",
                2,
            )
        seen[identity] = raw
    _refuse_inside_named_folders(paths, input_format)


def _refuse_inside_named_folders(paths: Sequence[str], input_format: str | None) -> None:
    """Fail (exit 2) when a named folder is named twice, or holds another named input that its walk
    gives: ``cleaner predict dumps/ dumps/page.txt`` (or ``dumps/ dumps/sub/``) cleaned those pages
    twice and wrote them twice. Told from the named paths alone, without walking the folders: each
    name's real path (:func:`os.path.realpath`, as a walk follows no link below its folder) and the
    device and inode of each folder above it, one ``os.stat`` per folder however many files share
    it. A file the walk leaves out (metadata beside dumps, a file of no known kind, another kind than
    ``--input-format``) is read only when named, so naming it is no repetition. (A link inside a
    folder to a file named elsewhere is not found: only a walk would find it.)"""
    folders: dict[tuple[int, int], str] = {}
    for raw in paths:
        status = _status(raw) if raw != STDIN else None
        if status is None or not stat.S_ISDIR(status.st_mode):
            continue
        identity = (status.st_dev, status.st_ino)
        if identity in folders:
            fail(f"{folders[identity]} and {raw} are one folder, whose files would be cleaned twice; name it once", 2)
        folders[identity] = raw
    if not folders:
        return
    above: dict[Path, tuple[int, int] | None] = {}  # each folder's identity, stat-ed once

    def identity_of(folder: Path) -> tuple[int, int] | None:
        if folder not in above:
            status = _status(str(folder))
            above[folder] = None if status is None else (status.st_dev, status.st_ino)
        return above[folder]

    for raw in paths:
        status = _status(raw) if raw != STDIN else None
        if status is None or not (stat.S_ISDIR(status.st_mode) or stat.S_ISREG(status.st_mode)):
            continue  # a stream is read when named, and is no file a walk gives
        real = Path(os.path.realpath(raw))
        outer = next((folders[i] for i in map(identity_of, real.parents) if i in folders), None)
        if outer is None:
            continue
        if stat.S_ISDIR(status.st_mode):
            fail(
                f"{raw} is inside {outer}, which gives its files too: they would be cleaned twice; "
                "name either, not both",
                2,
            )
        if walk_gives(real, input_format):
            fail(f"{raw} is inside {outer}, which gives it too: it would be cleaned twice; name either, not both", 2)


def _status(name: str) -> os.stat_result | None:
    """``os.stat(name)``, None when it is not there or no file can have that name (a NUL in it)."""
    try:
        return os.stat(name)
    except (OSError, ValueError):
        return None


def _stdin_identity() -> tuple[int, int] | None:
    """Standard input's device and inode; None when it is no file descriptor (closed, or a test
    runner's buffer), so that no named file can be it."""
    try:
        status = os.fstat(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both an OSError and a ValueError
        return None
    return (status.st_dev, status.st_ino)


def _identity(name: str) -> tuple[tuple[int, int], bool] | None:
    """The device and inode of the file ``name``, and whether it is a stream (a pipe or character
    device, which can be read only once); None for a folder or a name that is not there (reading
    them says what is wrong)."""
    try:
        status = os.stat(name)
    except (OSError, ValueError):  # not there, or a name no file can have (a NUL in it)
        return None
    if stat.S_ISFIFO(status.st_mode) or stat.S_ISCHR(status.st_mode):
        return (status.st_dev, status.st_ino), True
    if stat.S_ISREG(status.st_mode):
        return (status.st_dev, status.st_ino), False
    return None


def check_decoding(encoding: str | None, errors: str) -> None:
    """``--encoding`` (None: not given) and ``--errors``, checked before any input is read (a usage
    error, exit 2). Typer checks ``--errors`` on the command line; this holds for the functions
    called directly."""
    if errors not in ERROR_HANDLERS:
        fail(f"--errors {errors!r}: use strict, replace, ignore or surrogateescape", 2)
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        fail(f"--encoding {encoding!r}: unknown encoding; use a Python codec name such as utf-8, cp1258, latin-1", 2)


InputFormat = Annotated[
    InputKind,
    typer.Option(
        "--input-format",
        help="How to read the named files and stdin. auto: by name (.jsonl, .warc.gz...), else by content (gzip and "
        "zstd by their magic bytes, then JSON objects, WARC records or text). A format makes directories give its "
        "files only (by default they give their *.txt[.gz|.zst], and JSONL/WARC files only from folders without "
        "those).",
    ),
]
TextField = Annotated[str, typer.Option(help="The JSONL field holding the page text.")]
DEFAULT_ENCODING = "utf-8"  # without --encoding (a WET record that declares a charset is read in it)
Encoding = Annotated[
    str | None,
    typer.Option(
        help="Encoding of the inputs, used for every document. Default: utf-8, except that a WET record is read in "
        "the charset its Content-Type declares.",
        show_default=False,
    ),
]
Errors = Annotated[
    DecodeErrors,
    typer.Option(
        help="What to do with undecodable bytes: strict (report the document), replace (with U+FFFD), ignore "
        "(drop them), surrogateescape (keep them: written back as they were, as raw bytes in text output and as "
        "\\udcXX escapes in JSONL)."
    ),
]
MaxDocumentMb = Annotated[
    float,
    typer.Option(
        min=0.001,
        callback=finite,
        help="Skip (and report) any document, record or line of JSONL larger than this many MB.",
    ),
]


def url_settings(model: str | None) -> str | None:
    """A model option's check (predict's, suggest's, label's, evaluate's, labels score's): when the
    model is a URL (given, or $CLEANER_MODEL's when the option is not, or is ``default``),
    $CLEANER_URL_TIMEOUT must be a number of seconds, else a usage error (exit 2) before any work.
    ``abc`` and ``0`` were silently 10 s; said from where the URL is fetched, it would have been
    said by each worker, as a model that cannot be loaded (exit 1)."""
    from ..classifier.drivers import BadTimeout, url_timeout
    from ..classifier.errors import MODEL_ENV
    from ..classifier.remote import is_url

    name = model if model not in (None, "default") else os.environ.get(MODEL_ENV)
    if name and is_url(name):
        try:
            url_timeout()
        except BadTimeout as exc:
            fail(str(exc), 2)
    return model


# A string, not a Path: a Path makes a URL's // one slash (https:/host/m.npz), then looks for that file.
# The other commands' --model refer to this help for what a URL is.
ModelFile = Annotated[
    str | None,
    typer.Option(
        callback=url_settings,
        help="Model file (.npz), or its URL (https://, s3://, hf://...: fetched once per machine into $CLEANER_CACHE, "
        "else $XDG_CACHE_HOME/cleaner, else ~/.cache/cleaner; a server gets $CLEANER_URL_TIMEOUT seconds (default "
        "10) to answer; https:// needs pip install 'fsspec[http]'). Default: $CLEANER_MODEL if set, else the model "
        "shipped with cleaner.",
    ),
]

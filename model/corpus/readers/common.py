"""What every reader shares: the :class:`Reader` record, parsed documents, decompression, and the
messages for documents that are too big, damaged or undecodable.

A reader streams an input into :class:`~cleaner.corpus.items.Raw` documents (in the main process)
and parses one Raw into a :class:`Parsed` document (in a worker). Reading never raises: errors
are yielded as :class:`~cleaner.corpus.items.InputError` in their place. Parsing raises
:class:`BadDocument`, which the caller turns into an InputError naming the document.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

import zstandard

from ...text import DecodeError, decode
from ..items import STDIN, InputDone, InputError, InputFile, Item, Raw

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# What a damaged compressed stream raises: gzip's BadGzipFile is an OSError, a truncated gzip an EOFError.
STREAM_ERRORS = (OSError, EOFError, ValueError, zlib.error, zstandard.ZstdError)
DAMAGED = "the file is damaged or truncated; the records before this point were cleaned"
DECODE_HINT = "pass --encoding if the file is in another encoding, or --errors replace to substitute undecodable bytes"
# A file's output record, without its cleaned text: JSON values by name.
Record = dict[str, object]


@dataclass(frozen=True)
class ParseOptions:
    """How documents are parsed: their encoding, and the fields of JSONL records."""

    encoding: str = "utf-8"
    errors: str = "strict"
    text_field: str = "text"
    id_field: str | None = None

    @property
    def id_name(self) -> str:
        """The field that holds a document's id in output records."""
        return self.id_field or "id"


@dataclass(slots=True)
class Parsed:
    """One document, parsed: its text and lines, its output record (a JSONL record with every field,
    else ``{id}`` and what the input says of it, such as a WET record's url; the cleaned text goes
    into it under the text field) and its id (None when it has none)."""

    raw: Raw
    text: str
    lines: list[str]
    record: Record
    ident: str | None


class BadDocument(ValueError):
    """A document that cannot be cleaned; the message says what is wrong and what to do, ``line``
    which line of a text file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

    def at(self, raw: Raw) -> InputError:
        """This error as the InputError of ``raw`` (``path:line`` when the line is known)."""
        where = raw.where if self.line is None else f"{raw.where}:{self.line}"
        return InputError(where, str(self), raw.consumed)


@dataclass(frozen=True)
class Reader:
    """One input kind: the file names it claims, how to stream a file of it into Raw documents,
    and how to parse one of them.

    ``records``: a file holds many documents (JSONL lines, WARC records), cleaned into one ``.jsonl``
    file of records under ``-o DIR``; False: the file is one document, cleaned into a file of the same
    name. ``suffixes`` are lower case, the first is the one stdin's output is named after.
    """

    kind: str
    suffixes: tuple[str, ...]
    records: bool
    read: Callable[[InputFile, int], Iterator[Item]]
    parse: Callable[[Raw, ParseOptions], Parsed]


def too_big(size: int, limit: int) -> str:
    return (
        f"document of {size / 1e6:.1f} MB is over the limit of {limit / 1e6:g} MB; skipped "
        "(raise --max-document-mb to clean it)"
    )


def cannot_read(name: str, exc: OSError) -> InputError:
    return InputError(name, f"cannot read: {exc.strerror or exc}")


def reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def decode_document(raw: Raw, options: ParseOptions, line_numbers: bool) -> str:
    """The document's text; undecodable bytes raise BadDocument (naming the line if ``line_numbers``)."""
    try:
        return decode(raw.data, options.encoding, options.errors)
    except DecodeError as exc:
        raise BadDocument(f"{exc}; {DECODE_HINT}", exc.line if line_numbers else None) from exc
    except LookupError as exc:
        raise BadDocument(f"unknown encoding {options.encoding!r} or error handler {options.errors!r}") from exc


def read_records(
    source: InputFile, limit: int, records: Callable[[InputFile, BinaryIO, int], Iterator[Item]]
) -> Iterator[Item]:
    """Open a file of records (or stdin), stream ``records`` of it, close it, and end with InputDone."""
    try:
        handle: BinaryIO = sys.stdin.buffer if source.name == STDIN else open(source.name, "rb")  # noqa: SIM115
    except OSError as exc:
        yield cannot_read(source.name, exc)
        return
    try:
        yield from records(source, handle, limit)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    yield InputDone(source.relative)


def decompressed(handle: BinaryIO) -> io.BufferedIOBase:
    """The stream, gunzipped or un-zstd'ed when its first bytes say so (not its name: stdin has none)."""
    buffered = handle if isinstance(handle, io.BufferedReader) else io.BufferedReader(cast("io.RawIOBase", handle))
    head = buffered.peek(4)[:4]
    if head.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=buffered, mode="rb")
    if head.startswith(ZSTD_MAGIC):
        reader = zstandard.ZstdDecompressor().stream_reader(buffered, read_across_frames=True)
        return io.BufferedReader(cast("io.RawIOBase", reader), 1 << 20)
    return buffered


def position(handle: BinaryIO) -> int:
    """Where the (compressed) input stands, for progress; -1 when it cannot tell (a pipe)."""
    try:
        return handle.tell()
    except (OSError, ValueError):
        return -1

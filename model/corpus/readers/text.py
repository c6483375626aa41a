"""Plain-text dumps: a file (or stdin) is one document, checked against the size limit as it is read.

A dump that is gzip or zstd compressed (by its first bytes: a ``.txt.gz``, piped or named) is decompressed;
one whose content is records (JSON objects line after line, a WARC) is refused with the
``--input-format`` to read it with, since cleaning it line by line would mangle every record;
unless ``--input-format text`` said to read it as text.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...text import split_lines
from ..items import InputError, InputFile, Item, Raw, file_id
from .common import (
    Parsed,
    ParseOptions,
    Reader,
    cannot_read,
    close_input,
    decode_document,
    open_input,
    stream_error,
    too_big,
)
from .streams import READ_ERRORS, decompressed, looks_like_records, read_up_to

KIND = "text"


def read(source: InputFile, limit: int) -> Iterator[Item]:
    """The dump as one Raw, or one InputError (unreadable, over ``limit`` bytes, or records)."""
    if source.size is not None and source.size > limit:
        yield InputError(source.name, too_big(source.size, limit), source.size)
        return
    try:
        handle = open_input(source)
    except OSError as exc:
        yield cannot_read(source.name, exc)
        return
    try:
        data = read_up_to(decompressed(handle, source.name), limit + 1)  # type: ignore[arg-type]
    except READ_ERRORS as exc:
        yield stream_error(source.name, exc, source.size or 0)
        return
    finally:
        close_input(source, handle)
    consumed = source.size if source.size is not None else len(data)
    if len(data) > limit:
        yield InputError(source.name, too_big(len(data), limit), consumed)
        return
    kind = None if source.chosen else looks_like_records(data[: 1 << 16])  # --input-format text: as asked
    if kind is not None:
        yield InputError(source.name, records_not_text(kind), consumed, incomplete=True)
        return
    yield Raw(KIND, source.name, data, ident=file_id(source.name), relative=source.relative, consumed=consumed)


def records_not_text(kind: str) -> str:
    """Why a text input that starts like records of ``kind`` is refused, and both ways to read it:
    as records, or as the text dump it may be all the same. Only the first way was said, and for a
    dump whose first line happens to be ``WARC/1.0`` it was the wrong one."""
    if kind == "jsonl":
        what = "this holds JSON objects, one per line, not a text dump"
    else:
        what = "this starts with a WARC/ line, as a WARC file does, not a text dump"
    return f"{what}; pass --input-format {kind} to clean its records, or --input-format text if it is a text dump"


def parse(raw: Raw, options: ParseOptions) -> Parsed:
    """The decoded dump; undecodable bytes are reported with their line (``path:LINE``)."""
    text, undecodable = decode_document(raw, options, line_numbers=True)
    return Parsed(raw, text, split_lines(text), {options.id_name: raw.ident}, raw.ident, undecodable)


READER = Reader(KIND, (".txt", ".txt.gz", ".txt.zst"), records=False, read=read, parse=parse)

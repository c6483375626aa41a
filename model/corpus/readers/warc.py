"""WET (WARC conversion records; plain, or gzip or zstd compressed): one document per record.

Records are read one at a time; other record types (warcinfo, request, response with HTML) are
passed over without being held, since cleaner works on text. An input without a single conversion
record is reported: it is most likely a raw WARC. A file that ends inside a record (a cut in its
headers, its content or the gzip member around it) is truncated, and a record that is not WARC is
damaged: either ends the input with one error.

The format is simple enough to read here (a version line, ``Name: value`` headers, a blank line,
``Content-Length`` bytes, two line breaks), from the same decompressing stream as JSONL: on any
stream (stdin included), with every byte accounted for, so that no record can go missing at a cut.
The WARC libraries were tried first and lose records without a word: FastWARC (used before) stopped
silently at some cuts and panicked on a pipe; warcio 1.8 reads a gzip WARC cut inside a record, or
inside the last member's trailer, to a clean end (a cut record comes out as an empty one with no
headers). Their speed did not matter: the model cleans ten times fewer bytes a second than this reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, cast

from ...text import split_lines
from ..items import InputError, InputFile, Item, Raw
from .common import (
    Parsed,
    ParseOptions,
    Reader,
    Record,
    decode_document,
    guessed_kind,
    position,
    read_records,
    stream_error,
    too_big,
)
from .streams import READ_ERRORS, Damaged, Truncated, WrongFormat, decompressed, read_up_to

KIND = "warc"
SKIP = 1 << 20  # a record passed over is read in pieces of this size
LONGEST_HEADER = 1 << 16  # a header line longer than this is not WARC
GUESSED = guessed_kind("WARC", "its first line is WARC/")


def read(source: InputFile, limit: int) -> Iterator[Item]:
    return read_records(source, limit, _records)


def _records(source: InputFile, handle: BinaryIO, limit: int) -> Iterator[Item]:
    """One Raw per WET conversion record (the extracted text); ``where`` is ``path:RECORD-ID``."""
    seen, found, last = 0, 0, 0
    where = f"{source.name}:record 1"
    try:
        stream = cast("BinaryIO", decompressed(handle, source.name))
        while True:
            headers = _headers(stream, seen)
            if headers is None:
                break
            seen += 1
            ident = headers.get("warc-record-id") or f"record {seen}"
            record = f"record {ident}" if headers.get("warc-record-id") else ident  # not "record record 2"
            where = f"{source.name}:{ident}"
            length = _content_length(headers, record)
            here = position(handle)
            consumed, last = (max(here - last, 0), here) if here >= 0 else (length, last)
            if headers.get("warc-type", "").lower() != "conversion":
                _skip(stream, length, record)
            elif length > limit:
                _skip(stream, length, record)
                found += 1
                yield InputError(where, too_big(length, limit), consumed)
            else:
                data = read_up_to(stream, length)
                if len(data) < length:
                    raise Truncated(f"it ends inside {record}: {len(data)} of its {length} bytes")
                found += 1
                url = headers.get("warc-target-uri")
                yield Raw(KIND, where, data, ident=ident, url=url, relative=source.relative, consumed=consumed)
            _end_of_record(stream, record)
            where = f"{source.name}:after {ident}"
    except READ_ERRORS as exc:
        error = stream_error(where, exc)
        if source.guessed and seen <= 1 and not found:  # in its first record: maybe no WARC at all
            error.message = f"{error.message}; {GUESSED}"
        yield error
        return
    if not found and seen:
        yield InputError(
            source.name,
            "no WET conversion (text) records; cleaner cleans extracted text: extract the text of a "
            "WARC's HTML first (or pass --input-format if this is not a WARC file)",
        )


def _headers(stream: BinaryIO, seen: int) -> dict[str, str] | None:
    """The next record's headers (names lower case), or None at the end of the input."""
    line = stream.readline(LONGEST_HEADER)
    while line in (b"\r\n", b"\n"):  # blank lines between records
        line = stream.readline(LONGEST_HEADER)
    if not line:
        return None
    if not line.startswith(b"WARC/"):
        if seen:
            raise Damaged(f"record {seen + 1} does not start with a WARC/1.x line")
        kind = (
            "JSONL; pass --input-format jsonl" if line.lstrip().startswith(b"{") else "pass --input-format for its kind"
        )
        raise WrongFormat(f"not a WARC file (its first line is not WARC/1.x): {kind}")
    headers: dict[str, str] = {}
    name = ""
    while True:
        line = stream.readline(LONGEST_HEADER)
        if not line.endswith(b"\n"):
            raise Truncated(f"it ends inside the headers of record {seen + 1}")
        if line in (b"\r\n", b"\n"):
            return headers
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if text[:1] in (" ", "\t") and name:  # a continuation line
            headers[name] += " " + text.strip()
            continue
        name, colon, value = text.partition(":")
        if not colon:
            raise Damaged(f"record {seen + 1} has a header line without a colon")
        name = name.strip().lower()
        headers[name] = value.strip()


def _content_length(headers: dict[str, str], record: str) -> int:
    try:
        length = int(headers["content-length"])
    except (KeyError, ValueError):
        raise Damaged(f"{record} has no valid Content-Length") from None
    if length < 0:
        raise Damaged(f"{record} has a negative Content-Length")
    return length


def _skip(stream: BinaryIO, length: int, record: str) -> None:
    """Pass over a record's content without holding it."""
    left = length
    while left:
        piece = stream.read(min(left, SKIP))
        if not piece:
            raise Truncated(f"it ends inside {record}: {length - left} of its {length} bytes")
        left -= len(piece)


def _end_of_record(stream: BinaryIO, record: str) -> None:
    """The two line breaks after a record's content (CRLF each; LF alone is accepted)."""
    for _ in range(2):
        line = stream.readline(3)
        if not line:
            raise Truncated(f"it ends inside {record}, after its content")
        if line not in (b"\r\n", b"\n"):
            raise Damaged(f"{record} is longer than its Content-Length")


def parse(raw: Raw, options: ParseOptions) -> Parsed:
    """The record's text; its output record is ``{id: WARC-Record-ID, url}``."""
    text, undecodable = decode_document(raw, options, line_numbers=False)
    record: Record = {options.id_name: raw.ident, "url": raw.url}
    return Parsed(raw, text, split_lines(text), record, raw.ident, undecodable)


READER = Reader(KIND, (".warc", ".warc.gz", ".wet", ".wet.gz"), records=True, read=read, parse=parse)

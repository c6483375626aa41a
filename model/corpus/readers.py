"""Streaming the documents out of input files: whole text files, JSONL records, WET records.

Readers yield raw bytes (:class:`~cleaner.inputs.Raw`) one document at a time and never hold more
than one document: JSONL is read line by line from the decompressing stream, WARC record by record,
and anything over the size limit is skipped (and reported) without being held, so a 5 GB input
needs no more memory than its largest accepted document. Decoding and JSON parsing happen in the
workers, where they run in parallel. A damaged stream (truncated gzip, broken WARC) ends that input
with one error; the records before it are kept.
"""

from __future__ import annotations

import codecs
import gzip
import io
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import zstandard

from .sources import JSONL, STDIN, TEXT, WARC, InputDone, InputError, InputFile, Raw

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# What a damaged compressed stream raises: gzip's BadGzipFile is an OSError, a truncated gzip an EOFError.
STREAM_ERRORS = (OSError, EOFError, ValueError, zlib.error, zstandard.ZstdError)
DAMAGED = "the file is damaged or truncated; the records before this point were cleaned"
Item = Raw | InputError | InputDone


def too_big(size: int, limit: int) -> str:
    return (
        f"document of {size / 1e6:.1f} MB is over the limit of {limit / 1e6:g} MB; skipped "
        "(raise --max-document-mb to clean it)"
    )


def read_input(source: InputFile, limit: int) -> Iterator[Item]:
    """The documents of one input, in order; errors are yielded, never raised."""
    if source.kind == TEXT:
        yield _read_text(source, limit)
        return
    try:
        handle: BinaryIO = sys.stdin.buffer if source.name == STDIN else open(source.name, "rb")  # noqa: SIM115
    except OSError as exc:
        yield InputError(source.name, f"cannot read: {exc.strerror or exc}")
        return
    try:
        yield from (_read_jsonl if source.kind == JSONL else _read_warc)(source, handle, limit)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    yield InputDone(source.relative)


def _read_text(source: InputFile, limit: int) -> Raw | InputError:
    """A plain-text dump is one document; its size is checked before it is read."""
    try:
        if source.name == STDIN:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            if source.size is not None and source.size > limit:
                return InputError(source.name, too_big(source.size, limit), source.size)
            data = Path(source.name).read_bytes()
    except OSError as exc:
        return InputError(source.name, f"cannot read: {exc.strerror or exc}")
    if len(data) > limit:
        return InputError(source.name, too_big(len(data), limit), len(data))
    return Raw(TEXT, source.name, data, ident=source.name, relative=source.relative, consumed=len(data))


def decompressed(handle: BinaryIO) -> BinaryIO:
    """The stream, gunzipped or un-zstd'ed when its first bytes say so (not its name: stdin has none)."""
    buffered = handle if hasattr(handle, "peek") else io.BufferedReader(handle)  # type: ignore[arg-type]
    head = buffered.peek(4)[:4]  # type: ignore[attr-defined]
    if head.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    if head.startswith(ZSTD_MAGIC):
        reader = zstandard.ZstdDecompressor().stream_reader(buffered, read_across_frames=True)
        return io.BufferedReader(reader, 1 << 20)  # type: ignore[arg-type]
    return buffered


def _position(handle: BinaryIO) -> int:
    try:
        return handle.tell()
    except (OSError, ValueError):
        return -1


def _read_jsonl(source: InputFile, handle: BinaryIO, limit: int) -> Iterator[Item]:
    """One Raw per non-blank line; ``where`` is ``path:LINE``. Lines over ``limit`` are skipped
    in 1 MB pieces, so an input with no line breaks at all cannot fill the memory."""
    number, last = 0, 0
    try:
        stream = decompressed(handle)
        while True:
            line = stream.readline(limit + 1)
            if not line:
                break
            number += 1
            size = len(line)
            if size > limit and not line.endswith(b"\n"):
                del line
                while True:
                    piece = stream.readline(1 << 20)
                    size += len(piece)
                    if not piece or piece.endswith(b"\n"):
                        break
                here = _position(handle)
                consumed, last = (here - last, here) if here >= 0 else (size, last)
                yield InputError(f"{source.name}:{number}", too_big(size, limit), consumed)
                continue
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if not line.strip():
                continue
            here = _position(handle)
            consumed, last = (here - last, here) if here >= 0 else (size, last)
            yield Raw(JSONL, f"{source.name}:{number}", line, relative=source.relative, consumed=consumed)
    except STREAM_ERRORS as exc:
        yield InputError(f"{source.name}:{number + 1}", f"cannot decompress or read: {_reason(exc)}; {DAMAGED}")


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _read_warc(source: InputFile, handle: BinaryIO, limit: int) -> Iterator[Item]:
    """One Raw per WET conversion record (the extracted text); ``where`` is ``path:RECORD-ID``.

    Other record types (warcinfo, request, response with HTML) are skipped: cleaner works on text.
    An input without a single conversion record is reported, since it is most likely a raw WARC.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    seen, last, where = 0, 0, f"{source.name}:record 1"
    try:
        records = ArchiveIterator(handle, record_types=WarcRecordType.conversion, parse_http=False)
        for record in records:
            seen += 1
            ident = record.record_id or f"record {seen}"
            where = f"{source.name}:{ident}"
            here = _position(handle)
            consumed, last = (max(here - last, 0), here) if here >= 0 else (record.content_length, last)
            if record.content_length > limit:
                yield InputError(where, too_big(record.content_length, limit), consumed)
                continue
            data = record.reader.read()
            if len(data) < record.content_length:
                yield InputError(
                    where, f"record truncated ({len(data)} of {record.content_length} bytes); {DAMAGED}", consumed
                )
                continue
            url = record.headers.get("WARC-Target-URI")
            yield Raw(WARC, where, data, ident=ident, url=url, relative=source.relative, consumed=consumed)
            where = f"{source.name}:after {ident}"
    except (OSError, ValueError) as exc:
        yield InputError(where, f"cannot read WARC: {_reason(exc)}; {DAMAGED}")
        return
    if not seen and source.size != 0:
        yield InputError(
            source.name,
            "no WET conversion (text) records; cleaner cleans extracted text: extract the text of a "
            "WARC's HTML first (or pass --input-format if this is not a WARC file)",
        )

"""JSONL (plain, gzip or zstd): one document per line, a JSON object whose text field is cleaned.

Lines are read one at a time from the decompressing stream, and a line over the size limit is
skipped in 1 MB pieces without being held, so an input with no line breaks at all cannot fill the
memory. JSON is parsed in the workers; the record keeps every field, its numbers as their text
(:mod:`cleaner.corpus.jsontext`: written back as they came), and a record holding NaN or Infinity,
which are no JSON, is refused.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from ...text import split_lines
from ..items import InputError, InputFile, Item, Raw
from ..jsontext import DecodeError, NotJsonNumber, Number, dumps, loads, loads_lenient
from ..resume import id_text
from .common import (
    BadDocument,
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
from .streams import READ_ERRORS, decompressed

KIND = "jsonl"


def read(source: InputFile, limit: int) -> Iterator[Item]:
    return read_records(source, limit, _lines)


def _lines(source: InputFile, handle: BinaryIO, limit: int) -> Iterator[Item]:
    """One Raw per non-blank line; ``where`` is ``path:LINE``. A last line cut short (no line
    break, and a JSON object that does not close) means the file is truncated. When the input was
    taken for JSONL by its first line (:data:`GUESSED`), its first :data:`HINTED` records carry
    why, for their errors: a text dump read so fails at its first line or its second."""
    number, last = 0, 0
    hinted = HINTED if source.guessed else 0
    try:
        stream = decompressed(handle, source.name)
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
                here = position(handle)
                consumed, last = (here - last, here) if here >= 0 else (size, last)
                yield InputError(f"{source.name}:{number}", too_big(size, limit), consumed)
                continue
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
                if line.startswith(b"WARC/"):
                    yield InputError(source.name, NOT_JSONL, incomplete=True)
                    return
            if not line.strip():
                continue
            here = position(handle)
            consumed, last = (here - last, here) if here >= 0 else (size, last)
            if not line.endswith(b"\n") and _cut_short(line):
                yield InputError(f"{source.name}:{number}", CUT_SHORT, consumed, incomplete=True)
                break
            hint = None
            if hinted:  # the first records of a guess only: one test per line otherwise
                hint, hinted = GUESSED, hinted - 1
            yield Raw(KIND, f"{source.name}:{number}", line, relative=source.relative, consumed=consumed, hint=hint)
    except READ_ERRORS as exc:  # a truncated or damaged stream, a read error: the input ends here
        yield stream_error(f"{source.name}:{number + 1}", exc)


NOT_JSONL = "this is a WARC file, not JSONL; pass --input-format warc"
GUESSED = guessed_kind("JSONL", "its first line is a JSON object")
HINTED = 2  # records that carry GUESSED
CUT_SHORT = "the file is truncated (its last line stops inside a JSON record); get a complete copy of it"


def _cut_short(line: bytes) -> bool:
    """Whether a last line without a line break is a JSON object cut off: it starts one and does not
    parse. (Its bytes are read as Latin-1, which any bytes are: JSON's syntax is ASCII.) A NaN in it
    is no sign of a cut: the record is refused for that when it is parsed, with what to do."""
    text = line.decode("latin-1").strip()
    if not text.startswith("{"):
        return False
    try:
        loads_lenient(text)
    except DecodeError:
        return True
    return False


def parse(raw: Raw, options: ParseOptions) -> Parsed:
    """The record and its text field; its id is the ``--id-field`` value (default ``id``), None
    without one: ``-f jsonl`` names its line records by it (they were named by the input line,
    ``s3.jsonl:1``, unless ``--id-field`` was given)."""
    line, undecodable = decode_document(raw, options, line_numbers=False, one_line=True)
    record = _record(line, options.text_field)
    text = record[options.text_field]
    assert isinstance(text, str)  # checked by _record
    ident = id_text(record.get(options.id_name))
    return Parsed(raw, text, split_lines(text), record, ident, undecodable)


def _record(line: str, field: str) -> Record:
    """The line's JSON object, its numbers kept as their text (see :mod:`cleaner.corpus.jsontext`)."""
    try:
        # Without its line break: an error at the end of the record (a missing '}') would fall after
        # it, where json counts columns of the next line (column 1) instead of the record's own.
        record = loads(line.rstrip("\r\n"))
    except NotJsonNumber as exc:
        raise BadDocument(
            f"not valid JSON ({exc.msg} at column {exc.colno}: JSON has no NaN or Infinity, though Python's json "
            "writes them); write null or a string in its place"
        ) from exc
    except DecodeError as exc:
        where = f"{exc.msg} column {exc.colno}" if exc.msg.endswith(" at") else f"{exc.msg} at column {exc.colno}"
        raise BadDocument(f"not valid JSON ({where}); each line must be one JSON object") from exc
    if not isinstance(record, dict):
        raise BadDocument(f"the line is {json_kind(record)}, not an object; each line must be one JSON object")
    if field not in record:
        raise BadDocument(f"record has no {field!r} field; pass --text-field NAME for the field with the page text")
    if not isinstance(record[field], str):
        raise BadDocument(f"field {field!r} is {json_kind(record[field])}, not a string; fix the record or drop it")
    return record


def json_kind(value: object) -> str:
    """A parsed JSON value's type as JSON names it, for messages: "JSON null", "JSON true", "a JSON
    array", "a JSON number"... Python's names (NoneType, list, dict, str, int) were no JSON words."""
    if value is None or isinstance(value, bool):
        return f"JSON {dumps(value)}"
    if isinstance(value, (int, float, Number)):
        return "a JSON number"
    kinds: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return f"a JSON {kinds.get(type(value), type(value).__name__)}"


READER = Reader(KIND, (".jsonl", ".jsonl.gz", ".jsonl.zst"), records=True, read=read, parse=parse)

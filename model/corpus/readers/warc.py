"""WET (WARC conversion records, plain or gzipped per record): one document per record.

Records are read one at a time; other record types (warcinfo, request, response with HTML) are
skipped, since cleaner works on text. An input without a single conversion record is reported: it
is most likely a raw WARC. A broken record ends the input with one error; the records before it
are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ...text import split_lines
from ..items import InputError, InputFile, Item, Raw
from .common import DAMAGED, Parsed, ParseOptions, Reader, decode_document, position, read_records, reason, too_big

KIND = "warc"


def read(source: InputFile, limit: int) -> Iterator[Item]:
    return read_records(source, limit, _records)


def _records(source: InputFile, handle: BinaryIO, limit: int) -> Iterator[Item]:
    """One Raw per WET conversion record (the extracted text); ``where`` is ``path:RECORD-ID``."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    seen, last, where = 0, 0, f"{source.name}:record 1"
    try:
        records = ArchiveIterator(handle, record_types=WarcRecordType.conversion, parse_http=False)
        for record in records:
            seen += 1
            ident = record.record_id or f"record {seen}"
            where = f"{source.name}:{ident}"
            here = position(handle)
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
            yield Raw(KIND, where, data, ident=ident, url=url, relative=source.relative, consumed=consumed)
            where = f"{source.name}:after {ident}"
    except (OSError, ValueError) as exc:
        yield InputError(where, f"cannot read WARC: {reason(exc)}; {DAMAGED}")
        return
    if not seen and source.size != 0:
        yield InputError(
            source.name,
            "no WET conversion (text) records; cleaner cleans extracted text: extract the text of a "
            "WARC's HTML first (or pass --input-format if this is not a WARC file)",
        )


def parse(raw: Raw, options: ParseOptions) -> Parsed:
    """The record's text; its output record is ``{id: WARC-Record-ID, url}``."""
    text = decode_document(raw, options, line_numbers=False)
    return Parsed(raw, text, split_lines(text), {options.id_name: raw.ident, "url": raw.url}, raw.ident)


READER = Reader(KIND, (".warc", ".warc.gz", ".wet", ".wet.gz"), records=True, read=read, parse=parse)

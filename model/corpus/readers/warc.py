"""WET (WARC conversion records; plain, or gzip or zstd compressed): one document per record.

Records are read one at a time; other record types (warcinfo, request, response with HTML) are
passed over without being held, since cleaner works on text. An input without a single conversion
record is reported: it is most likely a raw WARC. A file that ends inside a record (a cut in its
headers, its content or the gzip member around it) is truncated: that ends the input with one
error. A record that is not WARC (its headers, or a Content-Length that does not end it) is
damaged: it is one error, not cleaned, and the records after it are read from the next one
(:mod:`.warc_format`), so each is cleaned or named. A record is read in the charset its
Content-Type declares, unless ``--encoding`` is given (then in that, as every input is).

The format is simple enough to read here (a version line, ``Name: value`` headers, a blank line,
``Content-Length`` bytes, two line breaks), from the same decompressing stream as JSONL: on any
stream (stdin included), with every byte accounted for, so that no record can go missing at a cut.
The WARC libraries were tried first and lose records without a word: FastWARC (used before) stopped
silently at some cuts and panicked on a pipe; warcio 1.8 reads a gzip WARC cut inside a record, or
inside the last member's trailer, to a clean end (a cut record comes out as an empty one with no
headers). Their speed did not matter: the model cleans ten times fewer bytes a second than this reads.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import BinaryIO, cast

from ...text import codec_name, split_lines
from ..items import InputError, InputFile, Item, Raw
from .common import (
    DECODE_HINT,
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
from .streams import CODEC_ERRORS, READ_ERRORS, WrongFormat, decompressed
from .warc_format import (
    BadRecord,
    CutRecord,
    Head,
    Pushback,
    content_length,
    end_of_record,
    next_head,
    read_block,
    read_head,
)

KIND = "warc"
GUESSED = guessed_kind("WARC", "its first line is WARC/")
CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)
OVERRIDES = "--encoding to read every record in another encoding (it overrides the charset a record declares)"


def read(source: InputFile, limit: int) -> Iterator[Item]:
    return read_records(source, limit, _records)


def _records(source: InputFile, handle: BinaryIO, limit: int) -> Iterator[Item]:
    """One Raw per whole WET conversion record (the extracted text); ``where`` is ``path:RECORD-ID``."""
    records = _Records(source, handle)
    try:
        yield from records.read(limit)
    except READ_ERRORS as exc:
        yield records.stopped(exc)
        return
    if not records.found and records.whole:
        yield InputError(
            source.name,
            "no WET conversion (text) records; cleaner cleans extracted text: extract the text of a "
            "WARC's HTML first (or pass --input-format if this is not a WARC file)",
        )


class _Records:
    """Reading one input's records: how many were seen, read whole, and were conversion records
    (a file of whole records and no conversion record is a raw WARC; one whose every record is
    damaged is said to be damaged, not that too), the place that names the next error, where the
    last item left the input (for progress), and whether an error said it is not read whole."""

    def __init__(self, source: InputFile, handle: BinaryIO) -> None:
        self.source, self.handle = source, handle
        self.seen, self.whole, self.found, self.last = 0, 0, 0, 0
        self.unread = False
        self.where = f"{source.name}:record 1"
        self.stream: Pushback | None = None
        self.compressed = False

    def read(self, limit: int) -> Iterator[Item]:
        plain = decompressed(self.handle, self.source.name)
        self.compressed = plain is not self.handle and getattr(plain, "raw", None) is not self.handle
        stream = self.stream = Pushback(cast("BinaryIO", plain))
        head: Head | None = None
        while True:
            try:
                if head is None:
                    head = read_head(stream, self.seen + 1)
                    if head is None:
                        return
                self.seen += 1
                item = self._record(stream, head, limit)
            except BadRecord as bad:
                self.seen += head is None  # its headers are damaged: it was not counted
                head = yield from self._resynchronised(stream, bad)
                if head is None:
                    return
                continue
            head = None
            if item is not None:
                yield item

    def _record(self, stream: Pushback, head: Head, limit: int) -> Item | None:
        """The record ``head`` starts, once its block and end are read: a Raw for a conversion
        record, an error for one over ``limit``, None for the others. Raises BadRecord."""
        ident = head.fields.get("warc-record-id") or f"record {self.seen}"
        record = f"record {ident}" if head.fields.get("warc-record-id") else ident  # not "record record 2"
        where = self.where = f"{self.source.name}:{ident}"
        length = content_length(head, record)
        conversion = head.fields.get("warc-type", "").lower() == "conversion"
        self.found += conversion
        block = read_block(stream, length, record, head.start, conversion and length <= limit, limit)
        end_of_record(stream, record, head.start, length, block)
        self.whole += 1
        self.where = f"{self.source.name}:after {ident}"
        if not conversion:
            return None
        if block.data is None:
            return InputError(where, too_big(length, limit), self._consumed())
        url, charset = head.fields.get("warc-target-uri"), declared_charset(head.fields.get("content-type"))
        return Raw(
            KIND,
            where,
            block.data,
            ident=ident,
            url=url,
            relative=self.source.relative,
            consumed=self._consumed(length),
            charset=charset,
        )

    def _resynchronised(self, stream: Pushback, bad: BadRecord) -> Generator[Item, None, Head | None]:
        """Yield the error of a damaged record, once the next record is found; return its headers
        (None: no record follows)."""
        try:
            head = next_head(stream, self.seen + 1, bad.line_start)
        except READ_ERRORS:
            yield self._damaged(bad, None, stopped=True)
            raise
        if head is None and bad.cut is not None:  # the input ends inside its block, and no record in it
            raise CutRecord(bad.cut)
        yield self._damaged(bad, None if head is None else head.start)
        return head

    def _damaged(self, bad: BadRecord, after: int | None, stopped: bool = False) -> InputError:
        """The error of a damaged record, with the offsets to cut around it: where it starts, and
        where the next record does (``after``), or that none does."""
        assert self.stream is not None
        what = bad.what if bad.length is None else wrong_length(bad, after)
        of = " of the decompressed content" if self.compressed else ""
        if after is not None:
            then = (
                f"bytes {bad.start} to {after} are passed over, and reading goes on from the next record, "
                f"at byte {after}"
            )
        elif stopped:
            then = f"no record follows it before byte {self.stream.offset}, where the file cannot be read further"
        else:
            end = self.stream.offset
            then = f"no record follows it: bytes {bad.start} to {end}, the end of the file, are not read"
        message = f"the file is damaged at byte {bad.start}{of} ({what}); {then}; get a good copy of it"
        if self._guessed():
            message = f"{message}; {GUESSED}"
        return InputError(self.where, message, self._consumed(), incomplete=self._first_unread())

    def stopped(self, exc: BaseException) -> InputError:
        """The error that ends the input: truncated, damaged compression, not WARC, unreadable."""
        error = stream_error(self.where, exc)
        error.incomplete = self._first_unread()
        if isinstance(exc, CODEC_ERRORS) and not isinstance(exc, WrongFormat) and self.stream is not None:
            error.message = f"{error.message}; nothing after byte {self.stream.offset} of its content could be read"
        if self._guessed():  # in its first record: maybe no WARC at all
            error.message = f"{error.message}; {GUESSED}"
        return error

    def _first_unread(self) -> bool:
        """Whether an error is the first of this input to say it is not read whole: only that one is
        marked so (which is what keeps its output back), since the summary counts the inputs not
        read whole by their marked errors ("3 inputs of them not read whole" for one file with
        three damaged records)."""
        first, self.unread = not self.unread, True
        return first

    def _guessed(self) -> bool:
        return self.source.guessed and self.seen <= 1 and not self.found

    def _consumed(self, unknown: int = 0) -> int:
        """The input's bytes read since the last item (``unknown`` when its place cannot be told)."""
        here = position(self.handle)
        if here < 0:
            return unknown
        consumed, self.last = max(here - self.last, 0), here
        return consumed


def wrong_length(bad: BadRecord, after: int | None) -> str:
    """What is wrong with a record that does not end where its Content-Length says, told by where
    the next record starts (``after``): inside its block, right after it, or further on."""
    if after is not None and bad.end is not None and after < bad.end:
        return (
            f"{bad.what} is shorter than its Content-Length of {bad.length} bytes: the next record starts inside them"
        )
    if after is not None and after == bad.end:
        return f"{bad.what} is not followed by the two line breaks that end a record"
    return f"{bad.what} is longer than its Content-Length of {bad.length} bytes: no record end follows them"


def declared_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header declares (``text/plain; charset=koi8-r``), or None."""
    found = CHARSET.search(content_type or "")
    return found.group(1) if found else None


def parse(raw: Raw, options: ParseOptions) -> Parsed:
    """The record's text; its output record is ``{id: WARC-Record-ID, url}``."""
    options, hint = _decoding(raw, options)
    text, undecodable = decode_document(raw, options, line_numbers=False, hint=hint)
    record: Record = {options.id_name: raw.ident, "url": raw.url}
    return Parsed(raw, text, split_lines(text), record, raw.ident, undecodable)


def _decoding(raw: Raw, options: ParseOptions) -> tuple[ParseOptions, str]:
    """How a record is decoded, and what its error says to do: in the charset it declares, unless
    --encoding was given (the user's word for every record; the declared charset is named if the
    record fails in it). WET producers other than Common Crawl keep each page's charset, so one
    file holds several: read all as UTF-8 they failed, and the --encoding their errors advised
    garbled the UTF-8 records without a word. A charset Python does not know is an error: read
    in another encoding, the record would be garbled as silently."""
    charset = raw.charset
    if not options.declared:
        if charset is None or codec_name(charset) == codec_name(options.encoding):
            return options, DECODE_HINT
        return options, f"{DECODE_HINT}; the record declares charset={charset}, which is used without --encoding"
    if charset is None:
        return options, (
            f"the record declares no charset, so it is read as {options.encoding}: pass --errors replace to "
            f"substitute undecodable bytes, or {OVERRIDES}"
        )
    try:
        codecs.lookup(charset)
    except LookupError:
        raise BadDocument(
            f"the record declares charset={charset} (its Content-Type), an encoding Python does not know; pass "
            f"{OVERRIDES}"
        ) from None
    hint = (
        f"{charset} is the charset the record declares: pass --errors replace to substitute undecodable bytes, "
        f"or {OVERRIDES}"
    )
    return replace(options, encoding=charset), hint


SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".wet", ".wet.gz", ".wet.zst")
READER = Reader(KIND, SUFFIXES, records=True, read=read, parse=parse)

"""The WARC record format on a byte stream: headers, a block of Content-Length bytes, two line
breaks; and, after damage, the next record found again.

A record is given only once its end is checked: a Content-Length a few bytes off cut a page
mid-word, or read the next record's ``WARC/1.0`` line as its text, and that page was cleaned and
written beside the error that called it damaged. After damage the reader goes on from the next
line that starts a record (``WARC/`` and a digit) whose headers read whole, as WARC readers do,
from the block of the damaged record on: a Content-Length too long holds the next record's start
inside its block, so the block is read again (:class:`Pushback`). A block passed over is not
held, only from its first line that could start a record (next to none do), and up to a cap.
Offsets are of the (decompressed) content, so the damage can be cut around (``dd``, ``tail -c``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import BinaryIO, NoReturn, cast

from .streams import Damaged, Truncated, WrongFormat, read_up_to

SKIP = 1 << 20  # a block passed over is read in pieces of this size
LONGEST_HEADER = 1 << 16  # a header line longer than this is not WARC
# What ends a record after its block: two line breaks, CRLF each (or LF each, as some writers do). Not
# one of each: a CRLF file's record whose Content-Length is one byte long ended in "\n\r\n", and its
# text kept the first CR without a word.
ENDS = (b"\r\n\r\n", b"\n\n")
RECORD = b"WARC/"  # how a record's first line starts
START = re.compile(rb"WARC/[0-9]")  # after damage, a line that may start a record
MAYBE_START = b"\nWARC/"  # in a block passed over: a line that may start a record, held from there
LONGEST_HEAD = 256  # lines: after a damaged first line, headers are looked for in this many at most
HEADERS_READ = 1 << 18  # a record inside a block: its headers are read from this many bytes at most


class CutRecord(Truncated):
    """The input ends inside a record (not inside its compression: that is :class:`Truncated`)."""


class BadRecord(Damaged):
    """A record whose headers or end are not WARC's: ``what`` is wrong, ``start`` is the offset of
    its first line; ``line_start``, whether the stream, where the search for the next record
    begins, is at the start of a line. Its end damaged: ``length`` is its Content-Length, ``end``
    where that says its block ends, and ``cut`` what to say if no record follows (the input ended
    inside its block: it may be a file cut short there, not a wrong length)."""

    def __init__(
        self,
        what: str,
        start: int,
        line_start: bool = True,
        length: int | None = None,
        end: int | None = None,
        cut: str | None = None,
    ) -> None:
        super().__init__(what)
        self.what, self.start, self.line_start = what, start, line_start
        self.length, self.end, self.cut = length, end, cut


class Pushback:
    """A content stream that bytes read can be given back to, to be read again (what a damaged
    record's block holds of the records after it); ``offset`` is where the next byte read is."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.back = b""  # bytes given back: read from ``at`` on, before the stream's
        self.at = 0
        self.offset = 0

    def read(self, size: int) -> bytes:
        if self.at < len(self.back):
            data = self.back[self.at : self.at + size]
            self._taken(len(data))
            if len(data) < size:
                data += read_up_to(self.stream, size - len(data))
        else:
            data = read_up_to(self.stream, size)
        self.offset += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        if self.at < len(self.back):
            stop = self.back.find(b"\n", self.at, self.at + limit)
            end = stop + 1 if stop >= 0 else min(self.at + limit, len(self.back))
            line = self.back[self.at : end]
            self._taken(len(line))
            if not line.endswith(b"\n") and len(line) < limit:
                line += self.stream.readline(limit - len(line))
        else:
            line = self.stream.readline(limit)
        self.offset += len(line)
        return line

    def _taken(self, size: int) -> None:
        self.at += size
        if self.at >= len(self.back):  # all read again: not held any longer
            self.back, self.at = b"", 0

    def unread(self, data: bytes) -> None:
        if data:
            self.back, self.at = data + self.back[self.at :], 0
            self.offset -= len(data)


@dataclass
class Head:
    """A record's headers (names lower case) and the offset of its first line."""

    fields: dict[str, str]
    start: int


def read_head(stream: Pushback, number: int, whole: bool = False) -> Head | None:
    """The next record's headers, or None at the end of the input. Raises :class:`BadRecord`,
    with the lines after the first given back (the next record may start in any of them); with
    ``whole``, also if they lack a WARC-Type or a Content-Length of digits."""
    line = stream.readline(LONGEST_HEADER)
    while line in (b"\r\n", b"\n"):  # blank lines between records
        line = stream.readline(LONGEST_HEADER)
    if not line:
        return None
    start = stream.offset - len(line)
    if not line.startswith(RECORD):
        if RECORD.startswith(line) and not line.endswith(b"\n"):
            raise CutRecord(f"it ends inside the first line of record {number}")
        if number == 1:  # the file's first line: no WARC file at all, most likely
            kind = (
                "JSONL; pass --input-format jsonl"
                if line.lstrip().startswith(b"{")
                else "pass --input-format for its kind"
            )
            raise WrongFormat(f"not a WARC file (its first line is not WARC/1.x): {kind}")
        stream.unread(line)
        raise BadRecord(f"record {number} does not start with a WARC/1.x line", start)
    first_ends_line = line.endswith(b"\n")
    fields: dict[str, str] = {}
    lines: list[bytes] = []
    name = ""
    while True:
        line = stream.readline(LONGEST_HEADER)
        lines.append(line)
        if len(line) == LONGEST_HEADER and not line.endswith(b"\n"):
            stream.unread(b"".join(lines))
            raise BadRecord(f"record {number} has a header line over {LONGEST_HEADER} bytes", start, first_ends_line)
        if not line.endswith(b"\n"):
            raise CutRecord(f"it ends inside the headers of record {number}")
        if line in (b"\r\n", b"\n"):
            if whole and not ("warc-type" in fields and fields.get("content-length", "").isdigit()):
                stream.unread(b"".join(lines))
                raise BadRecord(f"record {number} lacks a WARC-Type or a Content-Length", start, first_ends_line)
            return Head(fields, start)
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if text[:1] in (" ", "\t") and name:  # a continuation line
            fields[name] += " " + text.strip()
            continue
        name, colon, value = text.partition(":")
        if not colon:
            stream.unread(b"".join(lines))
            raise BadRecord(f"record {number} has a header line without a colon", start, first_ends_line)
        name = name.strip().lower()
        fields[name] = value.strip()


def content_length(head: Head, record: str) -> int:
    try:
        length = int(head.fields["content-length"])
    except (KeyError, ValueError):
        raise BadRecord(f"{record} has no valid Content-Length", head.start) from None
    if length < 0:
        raise BadRecord(f"{record} has a negative Content-Length", head.start)
    return length


@dataclass
class Block:
    """A record's block: its bytes if kept, else None; and what to read again if its end is
    damaged (``rescan``, from the start of a line: the block kept, or a block passed over from
    its first line that may start a record), and whether its last byte ends a line."""

    data: bytes | None
    rescan: bytes
    ends_line: bool


def read_block(stream: Pushback, length: int, record: str, start: int, keep: bool, cap: int) -> Block:
    """``length`` bytes, kept or passed over (holding at most ``cap`` bytes of them to read again).
    The input ending inside them raises :class:`BadRecord` if they may hold the next record (its
    Content-Length too long: see :func:`next_head`), else :class:`CutRecord`."""
    end = stream.offset + length
    if keep:
        data = stream.read(length)
        if len(data) < length:
            _ended_inside(stream, data, record, start, length, end)
        return Block(data, data, not data or data.endswith(b"\n"))
    left, look, last = length, b"\n", b"\n"  # the block starts a line
    held: list[bytes] | None = None
    size = 0
    while left:
        piece = stream.read(min(left, SKIP))
        if not piece:
            _ended_inside(stream, b"".join(held) if held is not None else b"", record, start, length, end)
        left -= len(piece)
        if held is None and size <= cap:
            window = look + piece
            found = window.find(MAYBE_START)
            if found >= 0:
                held = [window[found + 1 :]]
                size = len(held[0])
            look = window[-(len(MAYBE_START) - 1) :]
        elif held is not None:
            held.append(piece)
            size += len(piece)
            if size > cap:  # too much to hold: dropped, and the search begins at the block's end
                held = None
        last = piece[-1:]
    if held is not None and size <= cap:
        return Block(None, b"".join(held), last == b"\n")
    line = look.rfind(b"\n")  # a record's first line may start in the block's last bytes
    if held is None and size <= cap and line >= 0 and RECORD.startswith(look[line + 1 :]):
        return Block(None, look[line + 1 :], last == b"\n")
    return Block(None, b"", last == b"\n")


def _ended_inside(
    stream: Pushback, rescan: bytes, record: str, start: int, length: int, end: int, cut: str | None = None
) -> NoReturn:
    """The input ends inside a record's block (or the line breaks after it): the file is cut
    there (:class:`CutRecord`), unless the next record may start inside the block, its
    Content-Length too long: then :class:`BadRecord`, with ``rescan`` given back to search."""
    cut = cut or f"it ends inside {record}: {stream.offset - (end - length)} of its {length} bytes"
    if not rescan:
        raise CutRecord(cut)
    stream.unread(rescan)
    raise BadRecord(record, start, True, length, end, cut)


def end_of_record(stream: Pushback, record: str, start: int, length: int, block: Block) -> None:
    """Check the two line breaks after a block, and that the next record (or the end of the input)
    follows them; raise :class:`BadRecord` if not, with the block given back to be searched for
    the next record. The line breaks alone were found inside a page that a Content-Length too
    short cut at a blank line, and the page was cleaned cut."""
    end = stream.offset
    got = stream.read(len(ENDS[0]))
    ending = next((e for e in ENDS if got.startswith(e)), None)
    if ending is None:
        stream.unread(got)
        if len(got) < len(ENDS[0]) and any(e.startswith(got) for e in ENDS):  # the input ends inside them
            cut = f"it ends inside {record}, after its content"
            _ended_inside(stream, block.rescan, record, start, length, end, cut)
        stream.unread(block.rescan)
        raise BadRecord(record, start, bool(block.rescan) or block.ends_line, length, end)
    stream.unread(got[len(ending) :])
    if not _record_follows(stream) or holds_record(block.rescan) is not None:
        stream.unread(ending)
        stream.unread(block.rescan)
        raise BadRecord(record, start, bool(block.rescan) or block.ends_line, length, end)


def holds_record(block: bytes) -> int | None:
    """Where a whole record starts inside a block (which a Content-Length too long by the size of
    the records after it takes in, its end theirs), or None: a line that starts a record, headers
    with a WARC-Type and a Content-Length, and that many bytes ended as a record ends, by the
    block's end or by another record. A page that quotes a record's headers (the WARC standard's
    text) is no record: its Content-Length does not end it so."""
    at = 0 if block.startswith(RECORD) else block.find(MAYBE_START) + 1
    while at >= 0 and (at > 0 or block.startswith(RECORD)):
        if _whole_record_at(block, at):
            return at
        found = block.find(MAYBE_START, at)
        at = found + 1 if found >= 0 else -1
    return None


def _whole_record_at(block: bytes, at: int) -> bool:
    """Whether a whole record starts at ``at`` in ``block`` (see :func:`holds_record`)."""
    stream = Pushback(cast("BinaryIO", io.BytesIO(block[at : at + HEADERS_READ])))
    try:
        head = read_head(stream, 0, whole=True)
        if head is None:
            return False
        length = content_length(head, "")
    except (BadRecord, CutRecord):
        return False
    end = at + stream.offset + length
    if end == len(block):  # its end is the block's: the line breaks after the block end it
        return True
    ending = next((ending for ending in ENDS if block.startswith(ending, end)), None)
    if ending is None:
        return False
    after = end + len(ending)
    while block.startswith(b"\n", after) or block.startswith(b"\r\n", after):  # blank lines between records
        after += 1 if block.startswith(b"\n", after) else 2
    return after == len(block) or block.startswith(RECORD, after)


def _record_follows(stream: Pushback) -> bool:
    """Whether the next line that is not blank starts a record, or the input ends (a cut inside
    the next record's first line is told by :func:`read_head`), or a record whose first line is
    damaged (headers with a WARC-Type and a Content-Length follow it: the damage is that record's,
    not this one's); nothing is taken from the stream."""
    peeked: list[bytes] = []
    line = b"\n"
    while line in (b"\r\n", b"\n"):  # blank lines between records
        line = stream.readline(LONGEST_HEADER)
        peeked.append(line)
    follows = line.startswith(RECORD) or (RECORD.startswith(line) and not line.endswith(b"\n"))
    if not follows:
        head = _headers(stream, peeked)
        follows = "warc-type" in head and head.get("content-length", "").isdigit()
    stream.unread(b"".join(peeked))
    return follows


def _headers(stream: Pushback, peeked: list[bytes]) -> dict[str, str]:
    """The header lines up to the next blank line, read (into ``peeked``) as far as they are
    ``Name: value`` lines; what they name (the fields, if a blank line ends them)."""
    fields: dict[str, str] = {}
    for _ in range(LONGEST_HEAD):
        line = stream.readline(LONGEST_HEADER)
        peeked.append(line)
        if line in (b"\r\n", b"\n"):
            return fields
        name, colon, value = line.decode("utf-8", "replace").partition(":")
        if not colon or not line.endswith(b"\n"):
            break
        fields[name.strip().lower()] = value.strip()
    return {}


def next_head(stream: Pushback, number: int, line_start: bool) -> Head | None:
    """The headers of the next record after damage: of the next line that starts a record
    (``WARC/`` and a digit) and whose headers read whole, with a WARC-Type and a Content-Length;
    None when the input ends first. A line that starts like one and is not (a page's text may
    hold such a line) is passed over like any other."""
    while True:
        line = stream.readline(LONGEST_HEADER)
        if not line:
            return None
        if line_start and START.match(line):
            stream.unread(line)
            try:
                return read_head(stream, number, whole=True)
            except BadRecord as bad:  # its lines after the first are given back
                line_start = bad.line_start
                continue
            except CutRecord:  # the input ends inside what would be its headers
                return None
        line_start = line.endswith(b"\n")

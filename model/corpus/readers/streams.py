"""Input byte streams: files and stdin, decompressed by their magic bytes, with truncation told apart.

A stream's first bytes, not its name, say how it is compressed (stdin has no name). A compressed
stream that ends before its end is :class:`Truncated`, for every codec: Python's gzip raises an
EOFError then, but zstandard's stream reader just stops, as if the file had ended there, so every
record after the cut would be lost without a word; :class:`ZstdFrames` walks the frames' block
headers as the compressed bytes go by, to tell a whole stream from a cut one.

Standard input is read once, by :func:`stdin`: its head is kept, so that its kind can be told
from its content (:func:`sniff`) before a reader streams it from the start. So is a pipe or a
character device named on the command line (``<(zcat a.gz)``, ``/dev/stdin``, a FIFO made with
``mkfifo``), by :func:`opened`: it cannot be read twice either.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import stat
import sys
import zlib
from typing import BinaryIO, cast

import zstandard

from ..items import STDIN
from ..jsontext import DecodeError, loads_lenient

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
HEAD = 1 << 18  # bytes of stdin kept to tell its kind: more than one zstd block (128 KB at most)


class Truncated(EOFError):
    """The input ends inside a compressed frame or a record: the file was cut short."""


class Damaged(ValueError):
    """The input's bytes are not what its format says: corrupted, or cut and joined."""


class WrongFormat(Damaged):
    """The input is not of the kind it is read as, from its first bytes on."""


# What reading a compressed stream raises when its bytes are bad (BadGzipFile is an OSError).
CODEC_ERRORS = (zlib.error, zstandard.ZstdError, gzip.BadGzipFile, Damaged)
# Everything reading an input may raise: the codecs', Truncated (an EOFError), and the file's own.
READ_ERRORS = (OSError, EOFError, ValueError, *CODEC_ERRORS)


class _Prefixed(io.RawIOBase):
    """A stream that gives ``head`` first, then the rest of ``stream``, which is not read again once
    it has ended (``ended``): a terminal's end of input (Ctrl-D) is not sticky, and each layer above
    that read again after it waited for one more Ctrl-D (``cleaner predict -`` typed at a terminal
    took three or four)."""

    def __init__(self, head: bytes, stream: BinaryIO, ended: bool = False) -> None:
        self.head = memoryview(head)
        self.stream = stream
        self.ended = ended

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size] = self.head[:size]
            self.head = self.head[size:]
            return size
        if self.ended or not len(buffer):
            return 0
        data = self.stream.read(len(buffer))
        self.ended = not data
        buffer[: len(data)] = data
        return len(data)


class Stdin:
    """Standard input (or a pipe named on the command line), read once: its first :data:`HEAD`
    bytes kept to sniff, then streamed whole. ``identity``: a named pipe's device and inode."""

    def __init__(self, stream: BinaryIO, identity: tuple[int, int] | None = None) -> None:
        self.source = stream
        self.identity = identity
        # Read below its buffer: a buffered read of a terminal (stdin typed at) returned the line
        # before a Ctrl-D as a short read, and the next read waited for another Ctrl-D.
        raw = cast("BinaryIO", stream.raw) if isinstance(stream, io.BufferedReader) else stream
        self.head = read_up_to(raw, HEAD)
        ended = len(self.head) < HEAD  # fewer only at the end of the stream
        self.stream = io.BufferedReader(cast("io.RawIOBase", _Prefixed(self.head, raw, ended)), 1 << 16)


_STDIN: Stdin | None = None
_PIPES: dict[str, Stdin] = {}  # the pipes named on the command line, by name, once opened


def stdin() -> Stdin:
    """Standard input as this process reads it (made on first use, so its head is read once; made
    again if ``sys.stdin`` was replaced, as a test runner does for each command it runs)."""
    global _STDIN
    if sys.stdin is None:  # the process was started without it (<&-): an input that cannot be read
        raise OSError(errno.EBADF, "standard input is closed (<&-): redirect it from a file, or name the file")
    if _STDIN is None or _STDIN.source is not sys.stdin.buffer:
        _STDIN = Stdin(sys.stdin.buffer)
    return _STDIN


def is_stream(name: str) -> bool:
    """Whether the input ``name`` can be read only once, as it comes: ``-`` (standard input), or a
    pipe or character device named on the command line. ``cleaner predict <(zcat a.gz)`` and
    ``cat a | cleaner predict /dev/stdin`` were refused as "not a regular file or directory"; they
    are read as ``-`` is. One ``stat`` (of a file named on the command line, not of a folder's)."""
    if name == STDIN:
        return True
    try:
        mode = os.stat(name).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def opened(name: str) -> Stdin:
    """The stream ``name`` (see :func:`is_stream`), opened on first use, its head read once: its
    kind is sniffed from the head, then a reader streams it from its start, as stdin's. Opened
    again if another pipe now has its name (a FIFO made anew); raises OSError if it cannot be."""
    if name == STDIN:
        return stdin()
    status = os.stat(name)
    identity = (status.st_dev, status.st_ino)
    held = _PIPES.get(name)
    if held is None or held.identity != identity:
        _PIPES[name] = held = Stdin(open(name, "rb"), identity)  # noqa: SIM115 (read until the process ends, as stdin)
    return held


def read_up_to(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes: fewer only at the end of the stream (a pipe gives what it has)."""
    parts, have = [], 0
    while have < size:
        data = stream.read(size - have)
        if not data:
            break
        parts.append(data)
        have += len(data)
    return b"".join(parts)


def decompressed(handle: BinaryIO, name: str = "") -> io.BufferedIOBase:
    """The stream, gunzipped or un-zstd'ed when its first bytes say so (not its name: stdin has none).
    A file whose name says it is compressed (``name``) and whose bytes do not is cut or damaged.

    Reading it raises :class:`Truncated` when a compressed stream ends too soon.
    """
    buffered = handle if isinstance(handle, io.BufferedReader) else io.BufferedReader(cast("io.RawIOBase", handle))
    head = buffered.peek(4)[:4]
    for suffix, magic, codec in ((".gz", GZIP_MAGIC, "gzip"), (".zst", ZSTD_MAGIC, "zstd")):
        if head and name.lower().endswith(suffix) and not head.startswith(magic):
            if magic.startswith(head):
                raise Truncated(f"it ends inside its {codec} header")
            raise Damaged(f"its name says {codec}, its bytes do not")
    if _cut_magic(head):
        raise Truncated("it ends inside the magic number of a compressed stream")
    if head.startswith(GZIP_MAGIC):
        return io.BufferedReader(cast("io.RawIOBase", _Gzip(buffered)), 1 << 16)
    if head.startswith(ZSTD_MAGIC):
        frames = ZstdFrames(buffered)
        reader = zstandard.ZstdDecompressor().stream_reader(cast("BinaryIO", frames), read_across_frames=True)
        return io.BufferedReader(cast("io.RawIOBase", _Zstd(reader, frames)), 1 << 20)
    return buffered


def _cut_magic(head: bytes) -> bool:
    """Whether a whole input (shorter than 4 bytes) is the start of a gzip or zstd magic number:
    two or three of its bytes, or gzip's first alone (a control character, no text)."""
    return len(head) < 4 and (
        head == GZIP_MAGIC[:1]
        or (len(head) >= 2 and (GZIP_MAGIC + b"\x08").startswith(head))
        or (len(head) >= 2 and ZSTD_MAGIC.startswith(head))
    )


class _Gzip(io.RawIOBase):
    """gzip's reader, whose EOFError at a cut member becomes :class:`Truncated`. One read of the
    compressed file at a time (``read1``), so that what was decompressed before the cut is given
    before the error, not lost with it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.file = gzip.GzipFile(fileobj=handle, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self.file.read1(len(buffer))
        except EOFError as exc:
            raise Truncated("the gzip stream ends inside a member") from exc
        buffer[: len(data)] = data
        return len(data)


class _Zstd(io.RawIOBase):
    """zstandard's stream reader, which says :class:`Truncated` when its input ends inside a frame."""

    def __init__(self, reader: BinaryIO, frames: ZstdFrames) -> None:
        self.reader = reader
        self.frames = frames

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = cast("io.RawIOBase", self.reader).readinto(buffer) or 0
        if size == 0:
            self.frames.finish()
        return size


class ZstdFrames(io.RawIOBase):
    """The compressed bytes, passed on unchanged while the frames' headers and block headers are
    followed (RFC 8878: blocks are skipped by their sizes, nothing is decompressed): at the end of
    the input, :meth:`finish` tells whether it ended between frames."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.pending = b""  # the bytes of a header being read
        self.need = 4  # bytes still wanted by the current step
        self.step = self._magic
        self.skip = 0  # bytes to pass over (a block's content, a checksum, a skippable frame)
        self.frames = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.feed(memoryview(data))
        return len(data)

    def feed(self, data: memoryview) -> None:
        at = 0
        while at < len(data):
            if self.skip:
                taken = min(self.skip, len(data) - at)
                self.skip -= taken
                at += taken
                continue
            taken = min(self.need - len(self.pending), len(data) - at)
            self.pending += bytes(data[at : at + taken])
            at += taken
            if len(self.pending) == self.need:
                header, self.pending = self.pending, b""
                self.step(header)

    def finish(self) -> None:
        """Raise :class:`Truncated` if the input ended inside a frame."""
        if self.step != self._magic or self.pending or self.skip:
            raise Truncated("the zstd stream ends inside a frame")

    def _expect(self, size: int, step: object) -> None:
        self.need, self.step = size, step  # type: ignore[assignment]

    def _magic(self, header: bytes) -> None:
        magic = int.from_bytes(header, "little")
        if magic == 0xFD2FB528:
            self._expect(1, self._descriptor)
        elif magic & 0xFFFFFFF0 == 0x184D2A50:  # a skippable frame: its size, then its bytes
            self._expect(4, self._skippable)
        else:
            raise Damaged("not a zstd frame (bad magic number)")

    def _skippable(self, header: bytes) -> None:
        self.skip = int.from_bytes(header, "little")
        self.frames += 1
        self._expect(4, self._magic)

    def _descriptor(self, header: bytes) -> None:
        flags = header[0]
        self.checksum = 4 if flags & 0x04 else 0
        single = bool(flags & 0x20)
        size_bytes = (1 if single else 0, 2, 4, 8)[flags >> 6]
        rest = (0 if single else 1) + (0, 1, 2, 4)[flags & 0x03] + size_bytes
        self.skip = rest  # the window descriptor, dictionary id and content size
        self._expect(3, self._block)

    def _block(self, header: bytes) -> None:
        value = int.from_bytes(header, "little")
        kind, size = (value >> 1) & 3, value >> 3
        if kind == 3:
            raise Damaged("a zstd block of the reserved type")
        self.skip = 1 if kind == 1 else size
        if value & 1:  # the frame's last block: then its checksum, if it has one, then the next frame
            self.skip += self.checksum
            self.frames += 1
            self._expect(4, self._magic)


def sniff(head: bytes) -> str | None:
    """The kind the content starts like, decompressing a compressed head: "warc" (a WARC record),
    "jsonl" (a JSON object on its first line) or None (text, or too little to tell)."""
    content = _decompressed_head(head)
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"WARC/"):
        return "warc"
    first, newline, _ = start.partition(b"\n")
    if first.startswith(b"{") and (_is_object(first) or (not newline and first[1:].lstrip().startswith(b'"'))):
        return "jsonl"
    return None


def looks_like_records(head: bytes) -> str | None:
    """The kind of records a text input holds for certain, or None: a WARC record, or JSONL (two
    non-blank lines or more, every whole one of the first five a JSON object), never a page."""
    content = _decompressed_head(head)
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"WARC/"):
        return "warc"
    lines = [line for line in start.split(b"\n")[:-1] if line.strip()][:5]  # whole lines only
    if len(lines) >= 2 and all(_is_object(line) for line in lines):
        return "jsonl"
    return None


def _is_object(line: bytes) -> bool:
    """Whether ``line`` is a JSON object as the JSONL reader reads one: raw control characters (a tab,
    a NUL) inside its strings too, which strict JSON refuses and scraped records often hold. (Its
    bytes are read as Latin-1, which any bytes are: JSON's syntax is ASCII, and the reader decodes the
    text itself, by its own rules.)"""
    try:
        return isinstance(loads_lenient(line.decode("latin-1")), dict)
    except DecodeError:
        return False


def _decompressed_head(head: bytes) -> bytes:
    """The first bytes of the content (up to 64 KB) that ``head`` holds, compressed or not."""
    try:
        if head.startswith(GZIP_MAGIC):
            return zlib.decompressobj(31).decompress(head, 1 << 16)
        if head.startswith(ZSTD_MAGIC):
            reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(head), read_across_frames=True)
            return read_up_to(cast("BinaryIO", reader), 1 << 16)
    except (zlib.error, zstandard.ZstdError):
        return b""
    return head[: 1 << 16]

"""What every reader shares: the :class:`Reader` record, parsed documents, decompression, and the
messages for documents that are too big, damaged or undecodable.

A reader streams an input into :class:`~cleaner.corpus.items.Raw` documents (in the main process)
and parses one Raw into a :class:`Parsed` document (in a worker). Reading never raises: errors
are yielded as :class:`~cleaner.corpus.items.InputError` in their place. Parsing raises
:class:`BadDocument`, which the caller turns into an InputError naming the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ...text import DecodeError, codec_name, decode_counted, utf16_name
from ..items import InputDone, InputError, InputFile, Item, Raw, megabytes
from .streams import CODEC_ERRORS, Truncated, WrongFormat, opened

DECODE_HINT = "pass --encoding if the file is in another encoding, or --errors replace to substitute undecodable bytes"
# A document whose bytes are this much undecodable is not text in the encoding: --errors replace
# would turn it into replacement characters (random bytes give one for every other byte).
UNDECODABLE_DOCUMENT = 0.1
# Control characters besides NUL and whitespace (C0, DEL, C1), and private-use ones: text holds next
# to none, while the bytes of a program, an image or an archive decode to 10-25% of them in any
# 8-bit encoding (which decodes every byte: latin-1 does), and to 5-10% as UTF-16 (mostly private
# use). With NUL characters, such a share says binary whatever the encoding; a stray NUL does not.
NOT_TEXT = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
BINARY_SHARE = 0.05
# Bytes without a NUL that decode as UTF-8 are UTF-8 text, not UTF-16 (see not_wide_text), from
# this many on: a few CJK characters in UTF-16 may hold no NUL byte and happen to be valid UTF-8.
UTF8_EVIDENCE = 64
# Encodings that spell ASCII with NUL bytes: in them a NUL byte is text, a NUL character is not.
WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
# A file's output record, without its cleaned text: JSON values by name.
Record = dict[str, object]


@dataclass(frozen=True)
class ParseOptions:
    """How documents are parsed: their encoding, and the fields of JSONL records. ``declared``: a
    document that declares its encoding (a WET record's charset) is read in that one, not in
    ``encoding`` (``--encoding`` was not given: given, it is the user's word for every document)."""

    encoding: str = "utf-8"
    errors: str = "strict"
    text_field: str = "text"
    id_field: str | None = None
    declared: bool = True

    @property
    def id_name(self) -> str:
        """The field that holds a document's id in output records."""
        return self.id_field or "id"


@dataclass(slots=True)
class Parsed:
    """One document, parsed: its text and lines, its output record (a JSONL record with every field,
    else ``{id}`` and what the input says of it, such as a WET record's url; the cleaned text goes
    into it under the text field), its id (None when it has none), and how many of its bytes the
    ``--errors`` handler replaced (0 for most documents). A worker cuts a large document's text to
    its last character, and its raw bytes to none, once it is parsed (worker.Cleaner._lighten)."""

    raw: Raw
    text: str
    lines: list[str]
    record: Record
    ident: str | None
    undecodable: int = 0


class BadDocument(ValueError):
    """A document that cannot be cleaned; the message says what is wrong and what to do, ``line``
    which line of a text file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

    def at(self, raw: Raw) -> InputError:
        """This error as the InputError of ``raw`` (``path:line`` when the line is known), with the
        hint the reader gave ``raw`` (see :func:`guessed_kind`)."""
        where = raw.where if self.line is None else f"{raw.where}:{self.line}"
        message = str(self) if raw.hint is None else f"{self}; {raw.hint}"
        return InputError(where, message, raw.consumed)


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


def guessed_kind(kind: str, because: str) -> str:
    """What the errors of an input whose kind was told from its content add: why it was read as
    ``kind`` and how to read it as a text dump. Piped text whose first line was a JSON object gave
    one "not valid JSON" error per line, and the same file named ``.txt`` cleaned fine: nothing said
    why, nor that ``--input-format text`` reads it."""
    return f"it was read as {kind} because {because}: if it is a text dump, pass --input-format text"


def too_big(size: int, limit: int) -> str:
    return (
        f"document of {megabytes(size)} is over the limit of {limit / 1e6:g} MB; skipped "
        "(raise --max-document-mb to clean it)"
    )


def cannot_read(name: str, exc: OSError) -> InputError:
    return InputError(name, f"cannot read: {exc.strerror or exc}", incomplete=True)


def reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def stream_error(where: str, exc: BaseException, consumed: int = 0) -> InputError:
    """What went wrong reading an input midway, as the error that ends it (its output is incomplete)."""
    if isinstance(exc, WrongFormat):
        message = str(exc)
    elif isinstance(exc, Truncated):
        message = f"the file is truncated ({reason(exc)}); get a complete copy of it"
    elif isinstance(exc, CODEC_ERRORS):
        message = f"the file is damaged ({reason(exc)}); get a good copy of it"
    elif isinstance(exc, OSError):
        message = f"cannot read: {exc.strerror or reason(exc)}"
    else:
        message = f"cannot read: {reason(exc)}"
    return InputError(where, message, consumed, incomplete=True)


def is_wide(encoding: str) -> bool:
    """Whether ``encoding`` is UTF-16 or UTF-32, whose text holds NUL bytes."""
    return codec_name(encoding) in WIDE


def binary(encoding: str, holds: str | None = None, nul: bool = True) -> str:
    """What is said of a document that holds NUL characters and either will not decode or decodes
    to control characters (``holds`` says which): a program, an image or an archive among the dumps,
    which the position of its first bad byte would not help anyone find. A NUL in text is a
    character like any other: only the two together say binary. Read as UTF-16, a binary file need
    not hold a NUL character; then (``nul`` false) its bad code units stand in their place."""
    first = ("NUL characters" if is_wide(encoding) else "NUL bytes") if nul else f"bytes that are not valid {encoding}"
    holds = holds or f"bytes that are not valid {encoding}"
    return (
        f"it looks like a binary file, not text: it holds {first} and {holds}; "
        "move it out of the inputs, or pass --encoding if it is text in another encoding"
    )


def holds_nul(data: bytes, encoding: str) -> bool:
    """Whether ``data`` holds NUL characters in ``encoding``: NUL bytes, except in UTF-16 and UTF-32,
    where they are the high bytes of ASCII characters and only a NUL code unit is a NUL."""
    if is_wide(encoding):
        return "\0" in data.decode(encoding, "replace")
    return b"\0" in data


def not_text(data: bytes, text: str, encoding: str) -> str | None:
    """Why a document that decoded in ``encoding``, an 8-bit one, and holds NUL characters is no
    text, or None: a UTF-16 dump read in it, or a binary file (see NOT_TEXT). In an 8-bit encoding
    every byte may decode (in latin-1 all do), so decoding alone cannot tell. Not asked in utf-8,
    where bytes that do not decode tell a binary file, and whatever decodes is text, nor in UTF-16
    and UTF-32 (see :func:`not_wide_text`)."""
    utf16 = utf16_name(data)
    if utf16 is not None:
        return f"the file is UTF-16, not {encoding}; pass --encoding {utf16}"
    return mostly_odd(text, encoding)


def mostly_odd(text: str, encoding: str, nul: bool = True) -> str | None:
    """Why ``text`` is a binary file read in ``encoding`` (see :func:`binary`), or None: at least
    :data:`BINARY_SHARE` of it control or private-use characters (see NOT_TEXT)."""
    odd = NOT_TEXT.subn("", text)[1]
    if odd >= BINARY_SHARE * len(text):
        holds = f"control or private-use characters ({odd / len(text):.0%} of its text in {encoding})"
        return binary(encoding, holds, nul)
    return None


def not_wide_text(data: bytes, encoding: str, text: str | None = None) -> str | None:
    """Why a document read in UTF-16 or UTF-32 is no text in it, or None: UTF-8 text (it holds no
    NUL byte, where every ASCII character of UTF-16 text, a line end or a space, holds one; read as
    UTF-16 it decodes, two letters to a CJK character, into a page of nonsense), or a binary file
    (bad code units and control or private-use characters: random bytes read as UTF-16 with
    ``--errors replace`` give about 3% of the one and 10% of the other, and seldom a NUL character).
    ``text`` is ``data`` decoded already, if it is."""
    if len(data) >= UTF8_EVIDENCE and b"\0" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return (
                f"the file is UTF-8, not {encoding}: it holds no NUL byte, which {encoding} text does; "
                "pass --encoding utf-8"
            )
    if text is None:
        text = data.decode(encoding, "replace")
    if "\0" in text or "\ufffd" in text:
        return mostly_odd(text, encoding, nul="\0" in text)
    return None


def decode_document(
    raw: Raw, options: ParseOptions, line_numbers: bool, one_line: bool = False, hint: str = DECODE_HINT
) -> tuple[str, int]:
    """The document's text and how many of its bytes ``--errors`` replaced; undecodable bytes
    raise BadDocument (naming the line if ``line_numbers``; only the column if ``one_line``: the
    document is one line of its file, a JSONL record, whose place names the line; ``hint`` says
    what to do), and so does a document whose bytes
    are mostly undecodable even with ``--errors replace``, or that decodes to NUL and control
    characters (:func:`not_text`), or that holds NUL bytes and bytes ``--errors`` replaced
    (:func:`replaced_binary`): it is not text in this encoding."""
    try:
        text, undecodable = decode_counted(raw.data, options.encoding, options.errors)
    except DecodeError as exc:
        utf16 = utf16_name(raw.data) if codec_name(options.encoding) == "utf-8" else None
        if utf16 is not None:
            raise BadDocument(f"the file is UTF-16, not utf-8; pass --encoding {utf16}") from exc
        problem = not_wide_text(raw.data, options.encoding) if is_wide(options.encoding) else None
        if problem is not None:
            raise BadDocument(problem) from exc
        if holds_nul(raw.data, options.encoding):
            raise BadDocument(binary(options.encoding)) from exc
        where = exc.in_one_line() if one_line else str(exc)
        raise BadDocument(f"{where}; {hint}", exc.line if line_numbers else None) from exc
    except LookupError as exc:
        raise BadDocument(f"unknown encoding {options.encoding!r} or error handler {options.errors!r}") from exc
    if is_wide(options.encoding):
        problem = not_wide_text(raw.data, options.encoding, text)
        if problem is not None:
            raise BadDocument(problem)
    if undecodable > max(UNDECODABLE_DOCUMENT * len(raw.data), 8):
        if "\0" in text:
            raise BadDocument(binary(options.encoding))
        raise BadDocument(
            f"{undecodable} of its {len(raw.data)} bytes are not valid {options.encoding} "
            f"({undecodable / len(raw.data):.0%}): this is not {options.encoding} text; pass the right --encoding"
        )
    if "\0" in text and codec_name(options.encoding) != "utf-8" and not is_wide(options.encoding):
        problem = not_text(raw.data, text, options.encoding)
        if problem is not None:
            raise BadDocument(problem)
    if undecodable and replaced_binary(text, options.encoding):
        raise BadDocument(binary(options.encoding))
    return text, undecodable


def replaced_binary(text: str, encoding: str) -> bool:
    """Whether a document in which ``--errors replace`` (ignore, surrogateescape) had to handle
    bytes is a binary file: it holds NUL characters too, the two together that make the strict
    decoder call it one (:func:`binary`). The share of undecodable bytes alone let a program
    through: the head of an ELF file is mostly NUL bytes, and 0.6-2% of its bytes are not UTF-8,
    far under :data:`UNDECODABLE_DOCUMENT`; it was cleaned and printed, exit 0. Text with a few
    bad bytes and no NUL still decodes, as text with NULs and no bad byte does. Asked only of a
    document with undecodable bytes (next to none), so it costs nothing otherwise. UTF-16 and
    UTF-32 have their own check (:func:`not_wide_text`): there a NUL byte is text."""
    return not is_wide(encoding) and "\0" in text


def open_input(source: InputFile) -> BinaryIO:
    """The input's bytes: the file, or standard input or a pipe (read from its start, the head its
    kind was sniffed from included: see streams.opened). Close it with :func:`close_input`."""
    if source.stream:
        return opened(source.name).stream
    return open(source.name, "rb")


def close_input(source: InputFile, handle: BinaryIO) -> None:
    """Close a file opened by :func:`open_input`; standard input and pipes stay open, held by
    :func:`~.streams.opened` for the run: they are read once."""
    if not source.stream:
        handle.close()


def read_records(
    source: InputFile, limit: int, records: Callable[[InputFile, BinaryIO, int], Iterator[Item]]
) -> Iterator[Item]:
    """Open a file of records (or stdin), stream ``records`` of it, close it, and end with InputDone,
    which says whether the input was read to its end (no error marked ``incomplete`` on the way)."""
    try:
        handle = open_input(source)
    except OSError as exc:
        yield cannot_read(source.name, exc)
        return
    complete = True
    try:
        for item in records(source, handle, limit):
            if isinstance(item, InputError) and item.incomplete:
                complete = False
            yield item
    finally:
        close_input(source, handle)
    yield InputDone(source.relative, complete)


def position(handle: BinaryIO) -> int:
    """Where the (compressed) input stands, for progress; -1 when it cannot tell (a pipe)."""
    try:
        return handle.tell()
    except (OSError, ValueError):
        return -1

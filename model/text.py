"""Turning bytes and text into dump lines, and cleaned lines back into text.

A dump is one block of a web page per line. Every entry point of the package goes through these
functions, so that a file read by ``cleaner predict`` and a string passed to ``clean()`` are split
the same way, and cleaning can only ever delete lines.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import compress
from typing import cast

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class DecodeError(ValueError):
    """Raised when a dump's bytes are not valid in the requested encoding: the first such byte, and
    its 1-based line and column (in characters)."""

    def __init__(self, byte: int, line: int, column: int, encoding: str) -> None:
        super().__init__(f"byte 0x{byte:02x} at line {line}, column {column} is not valid {encoding}")
        self.byte, self.line, self.column, self.encoding = byte, line, column, encoding

    def in_one_line(self) -> str:
        """The message for bytes that are one line of their file (a JSONL record, named by its
        ``file:LINE`` already): the column only, without a line number that would read as the file's
        (both when the bytes hold a stray carriage return, after which columns count again)."""
        if self.line > 1:
            return str(self)
        return f"byte 0x{self.byte:02x} at column {self.column} is not valid {self.encoding}"


def decode(data: bytes, encoding: str = "utf-8", errors: str = "strict") -> str:
    """Decode a dump, dropping a UTF-8 byte-order mark.

    Undecodable bytes raise :class:`DecodeError` carrying the 1-based line and column, so that the
    caller can point the user at the exact place (``file:line``) instead of a byte offset.
    """
    return decode_counted(data, encoding, errors)[0]


def codec_name(encoding: str) -> str:
    """Python's name of ``encoding`` ("latin1", "UTF_8" -> "iso8859-1", "utf-8"); as given if unknown."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def decode_counted(data: bytes, encoding: str = "utf-8", errors: str = "strict") -> tuple[str, int]:
    """:func:`decode`, and how many bytes the error handler had to replace, drop or escape: what
    ``--errors replace`` hides, and what tells a page with a stray byte from bytes that are not
    text in this encoding at all (random bytes "decode" to half replacement characters)."""
    if codec_name(encoding) == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode(encoding), 0  # most dumps: no error handler called at all
    except UnicodeDecodeError as exc:
        if errors == "strict":
            # Count lines the way split_lines does (LF, CRLF, CR) and columns in characters.
            before = _LINE_BREAK.split(data[: exc.start].decode(encoding, "replace"))
            line, column = len(before), len(before[-1]) + 1
            raise DecodeError(data[exc.start], line, column, encoding) from exc
    if errors not in _COUNTED:
        return data.decode(encoding, errors), 0
    _COUNTS.append(0)
    try:
        text = data.decode(encoding, f"{__name__}.count.{errors}")
    finally:
        count = _COUNTS.pop()
    return text, count


def _counting(errors: str) -> Callable[[UnicodeError], tuple[str, int]]:
    """A codec error handler that does what ``errors`` does and counts the bytes it handles."""
    handle = codecs.lookup_error(errors)

    def handler(exc: UnicodeError) -> tuple[str, int]:
        assert isinstance(exc, UnicodeDecodeError)
        _COUNTS[-1] += exc.end - exc.start
        replacement, end = handle(exc)
        return str(replacement), end

    return handler


_COUNTED = ("replace", "ignore", "surrogateescape", "backslashreplace")
_COUNTS: list[int] = []  # one count per decode_counted call in progress
# Named after this module: codec error handlers are global to the process, and a second copy of the
# package imported under another name (cleaner.training.speed_ab's) must not take these over.
for _errors in _COUNTED:
    codecs.register_error(f"{__name__}.count.{_errors}", _counting(_errors))


def utf16_name(data: bytes) -> str | None:
    """The codec of a dump that is UTF-16 rather than an 8-bit encoding, or None: NUL bytes in
    every other place (the high bytes of its ASCII characters, spaces at least, in any language)
    and none in the others; "utf-16" when a byte-order mark says which of the two places."""
    bom = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    sample = data[2:4098] if bom else data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.1 * half and even <= 0.02 * half:
        return "utf-16" if bom else "utf-16-le"
    if even >= 0.1 * half and odd <= 0.02 * half:
        return "utf-16" if bom else "utf-16-be"
    return None


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` and ``noun``, with an s unless it is one: messages say "1 document", never "1 documents".
    ``nouns``: the plural when an s at the end is not it ("input or record", "inputs or records")."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def nth(index: int, total: int, noun: str) -> str:
    """An item of a caller's list named in a message: counted from 1, as people count and as
    ``cleaner predict`` numbers lines (path:LINE), with the total and the Python index the caller's
    code uses, so that neither reading is a guess: ``nth(0, 5, "text") == "text 1 of 5 (index 0)"``."""
    return f"{noun} {index + 1} of {total} (index {index})"


def str_lines(lines: Iterable[object], what: str) -> list[str]:
    """``lines`` as a list, or a TypeError naming the first that is no str (:func:`nth`): what the
    estimator's ``fit`` and the predictor's line checks both ask of a document's lines.

    A str holding a line break (LF or CR, where :func:`split_lines` splits) is refused too, with a
    ValueError: it is two lines, and read as one, its features (length, position, neighbours) were
    a line's that no dump holds, and ``predict_lines(["a\\nb"])`` scored it without a word."""
    result = list(lines)
    for index, line in enumerate(result):
        if not isinstance(line, str):
            raise TypeError(f"{what}: {nth(index, len(result), 'line')} is {type(line).__name__}, not str")
    checked = cast("list[str]", result)  # every item checked above
    # One scan of the lines joined, not two per line: this is on cleaner predict's path.
    joined = "".join(checked)
    if "\n" in joined or "\r" in joined:
        index, line = next((i, line) for i, line in enumerate(checked) if "\n" in line or "\r" in line)
        found = "a newline (\\n)" if "\n" in line else "a carriage return (\\r)"
        raise ValueError(
            f"{what}: {nth(index, len(result), 'line')} holds {found}: a line with a line break is two "
            "lines; split the text into lines first, with cleaner.text.split_lines (as cleaner does) or "
            "str.splitlines"
        )
    return checked


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes: two for a wide character (CJK, fullwidth forms),
    none for a combining mark, one for the others. A table padded by ``len`` put every row with a
    Chinese or Japanese name out of line."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        for char in text
    )


def padded(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (see :func:`columns`)."""
    return text + " " * max(width - columns(text), 0)


def listed(names: Sequence[str], shown: int = 3) -> str:
    """The first ``shown`` names for a message, and how many more there are: "a, b, c and 2 more"."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def one_line(name: str) -> str:
    """A file name as a message shows it: on one line, each character a terminal would not print (a
    newline, an escape) and each byte that is not UTF-8 (Python's lone surrogates) as its backslash
    escape, as ``ls -b`` does. A newline in a file name split its ``file:LINE:`` message in two."""
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else _escaped(c) for c in name)


def _escaped(character: str) -> str:
    if "\udc80" <= character <= "\udcff":  # a byte that was not UTF-8, as surrogateescape keeps it
        return f"\\x{ord(character) - 0xDC00:02x}"
    return character.encode("unicode_escape").decode("ascii")


def split_lines(text: str) -> list[str]:
    """Split a dump into lines on LF, CRLF or CR; one trailing line break ends the last line.

    ``split_lines("a\\nb\\n") == ["a", "b"]`` and ``split_lines("") == []``.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    # Most dumps break lines with LF only: str.split is several times faster than the regex then.
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_is_composed = partial(unicodedata.is_normalized, "NFC")


def composed(lines: list[str]) -> list[str]:
    """The lines in Unicode's composed form (NFC), as the model reads them; the lines themselves
    when they are in it already (nearly always: checking costs about 1% of prediction).

    The same letter can be spelt as one code point or as a letter and combining marks: a page in
    NFD (as macOS writes text), or read from windows-1258, which spells Vietnamese tones as marks.
    Its words then matched no cue word, no stopword and no character n-gram learnt from composed
    text, and its marks counted as symbols: a decomposed seed page kept 6 more teaser lines
    than the same page composed. The features read the composed lines; the output keeps the
    lines as they were."""
    if all(map(_is_composed, lines)):
        return lines
    return [unicodedata.normalize("NFC", line) for line in lines]


def is_blank(line: str) -> bool:
    """Blank and whitespace-only lines carry no label: they only separate blocks."""
    return not line.strip()


def join_nonblank_kept(lines: Sequence[str], kept: Iterable[bool]) -> str:
    """The cleaned dump, given a keep-or-drop decision for each non-blank line, in order, as the
    model gives them (lines past the last decision are dropped): the kept lines in order, one blank
    line (the first of the dump's own) where the dump had blank lines between two kept lines, never
    two blank lines in a row, and a final newline when anything is kept.

    The worker renders every line of a corpus with it. Speed: the non-blank lines and then the kept
    ones are picked out by C-level ``map`` and ``compress`` (each line stripped once), and Python
    visits only the kept lines: whether the dump had a blank line since the previous kept line is
    told by positions (more lines lie between them than non-blank ones), and only then is the
    first such blank line looked for.
    """
    nonblank = compress(range(len(lines)), map(str.strip, lines))
    out: list[str] = []
    previous = previous_rank = -1  # the previous kept line: its position in lines and among the non-blank lines
    for rank, at in compress(enumerate(nonblank), kept):
        if out and at - previous != rank - previous_rank:  # a blank line between them
            out.append(_first_blank(lines, previous + 1))
        out.append(lines[at])
        previous, previous_rank = at, rank
    return "\n".join(out) + "\n" if out else ""


def _first_blank(lines: Sequence[str], start: int) -> str:
    """The first blank line of ``lines`` from ``start`` on (the caller knows there is one)."""
    while lines[start].strip():
        start += 1
    return lines[start]

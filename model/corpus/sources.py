"""Finding and reading the dumps named on the command line.

Reading never stops at a bad input: each one that cannot be read becomes an :class:`InputError`
naming the file (and line), and the others go on, so that one broken file in a directory of
thousands loses nothing but itself.

Besides plain-text dumps, ``cleaner predict`` reads JSONL (one page per record) and WARC/WET files;
:func:`expand_inputs` tells them apart by name and :mod:`cleaner.corpus.readers` streams their records.
The types here are what flows from the readers through the worker pool to the writers, so they are
small and picklable.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..text import DecodeError, decode, split_lines

STDIN = "-"
TEXT, JSONL, WARC = "text", "jsonl", "warc"
# Longest suffixes first: ".warc.wet.gz" ends with ".wet.gz", ".jsonl.gz" is not ".txt".
SUFFIXES = {
    ".jsonl.gz": JSONL,
    ".jsonl.zst": JSONL,
    ".jsonl": JSONL,
    ".warc.gz": WARC,
    ".wet.gz": WARC,
    ".warc": WARC,
    ".wet": WARC,
    ".txt": TEXT,
}
KNOWN_FILES = "*.txt, *.jsonl[.gz|.zst], *.warc[.gz], *.wet[.gz]"


@dataclass
class Document:
    """A dump to clean: where it came from, where its output goes (relative), and its lines."""

    name: str
    relative: Path
    lines: list[str]


@dataclass
class InputError:
    """An input that could not be read: ``where`` is ``path`` or ``path:line``.

    ``consumed`` is how many bytes of the input file it used up, so progress stays exact.
    """

    where: str
    message: str
    consumed: int = 0

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class InputFile:
    """One input to stream: its name, its output's relative name, how to read it, its size on disk."""

    name: str
    relative: Path
    kind: str
    size: int | None


@dataclass(slots=True)
class Raw:
    """One document's bytes, not yet decoded: the workers decode and parse them, not the reader.

    ``where`` names it in messages (``path`` or ``path:LINE``), ``ident`` is its id for output
    records (file path, WARC-Record-ID, or the JSONL record's own id field, read by the worker),
    ``relative`` is where its output goes under ``-o DIR``.
    """

    kind: str
    where: str
    data: bytes
    ident: str | None = None
    url: str | None = None
    relative: Path | None = None
    consumed: int = 0


@dataclass(slots=True)
class InputDone:
    """End of one JSONL or WARC input: under ``-o DIR`` its output file is complete now."""

    relative: Path


def detect_kind(name: str) -> str | None:
    """The input kind its file name says (``.jsonl.gz`` -> jsonl), or None."""
    lower = name.lower()
    return next((kind for suffix, kind in SUFFIXES.items() if lower.endswith(suffix)), None)


def expand_inputs(
    paths: Sequence[str], input_format: str | None = None, text_only: bool = False
) -> Iterator[InputFile | InputError]:
    """Each input file, in order; directories give their known files, sorted, recursively.

    ``input_format`` overrides the name for files named on the command line and for stdin (whose
    default is text); files found in directories are always taken by name. ``text_only`` keeps the
    old behaviour of taking only ``*.txt`` (and reading every named file as text).
    """
    for raw in paths:
        if raw == STDIN:
            kind = input_format or TEXT
            yield InputFile(STDIN, Path(f"stdin.{'txt' if kind == TEXT else kind}"), kind, None)
            continue
        path = Path(raw)
        if path.is_dir():
            found = False
            for file in sorted(path.rglob("*")):
                kind = detect_kind(file.name)
                if kind is None or (text_only and kind != TEXT) or not file.is_file():
                    continue
                found = True
                yield InputFile(str(file), file.relative_to(path), kind, _size(file))
            if not found:
                yield InputError(raw, f"directory has no {'*.txt' if text_only else KNOWN_FILES} files")
        elif path.is_file():
            kind = TEXT if text_only else (input_format or detect_kind(path.name) or TEXT)
            yield InputFile(raw, Path(path.name), kind, _size(path))
        elif path.exists():
            yield InputError(raw, "not a regular file or directory")
        else:
            yield InputError(raw, "no such file or directory")


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def read_document(name: str, relative: Path, encoding: str, errors: str) -> Document | InputError:
    """Read and split one dump; undecodable bytes give an error that names the line."""
    try:
        data = sys.stdin.buffer.read() if name == STDIN else Path(name).read_bytes()
    except OSError as exc:
        return InputError(name, f"cannot read: {exc.strerror or exc}")
    try:
        text = decode(data, encoding, errors)
    except DecodeError as exc:
        return InputError(f"{name}:{exc.line}", f"{exc}; {DECODE_HINT}")
    except LookupError:
        return InputError(name, f"unknown encoding {encoding!r} or error handler {errors!r}")
    return Document(name, relative, split_lines(text))


DECODE_HINT = "pass --encoding if the file is in another encoding, or --errors replace to substitute undecodable bytes"


def iter_documents(
    paths: Sequence[str], encoding: str = "utf-8", errors: str = "strict"
) -> Iterator[Document | InputError]:
    """Every text dump named by ``paths`` (directories: their ``*.txt``), in order, read or reported."""
    for item in expand_inputs(paths, text_only=True):
        yield item if isinstance(item, InputError) else read_document(item.name, item.relative, encoding, errors)

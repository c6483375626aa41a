"""What flows through a ``cleaner predict`` run: inputs, raw documents, errors, cleaned documents.

:mod:`cleaner.corpus.sources` names the inputs (:class:`InputFile`), the readers turn each into
:class:`Raw` documents and :class:`InputError` s (and an :class:`InputDone` at the end of a file of
records), the workers turn each Raw into a :class:`CleanedDocument`, a :class:`Skipped` or an InputError,
and the sinks write them, all in input order. They cross process boundaries in chunks, so they are
small and picklable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..text import one_line

STDIN = "-"


def file_id(name: str) -> str:
    """A text file's id in output records: its path as given, each byte of the name that is not
    UTF-8 written ``\\xNN`` and each backslash ``\\\\``. Python keeps such a byte as a lone surrogate,
    which JSON can only write as an escape that strict readers (orjson, datatrove's reader, jq)
    refuse: the record was lost downstream. The backslash is doubled so that no two names share an
    id: a byte 0xFF and the four characters ``\\xff`` in a name were both written ``\\xff``."""
    if "\\" not in name and not any("\udc80" <= c <= "\udcff" for c in name):
        return name
    return "".join(
        f"\\x{ord(c) - 0xDC00:02x}" if "\udc80" <= c <= "\udcff" else "\\\\" if c == "\\" else c for c in name
    )


@dataclass
class InputError:
    """An input or a document that could not be read or cleaned: ``where`` is ``path`` or
    ``path:line``.

    ``consumed`` is how many bytes of the input file it used up, so progress stays exact.
    ``incomplete``: the input could not be read to its end (or at all: missing, unreadable,
    truncated, damaged), so an output that collects it is incomplete, unlike one with a bad
    document, which is reported and skipped whatever the run.
    """

    where: str
    message: str
    consumed: int = 0
    incomplete: bool = False

    def __str__(self) -> str:
        return f"{one_line(self.where)}: {self.message}"


@dataclass(frozen=True)
class InputFile:
    """One input to stream: its name, its output's relative name, its kind (a key of
    :data:`cleaner.corpus.readers.READERS`) and its size on disk. ``chosen``: the user named the
    kind (``--input-format``), so the reader reads it as that kind rather than second-guess it.
    ``guessed``: neither the user nor the name said the kind, its first bytes did (stdin, a file
    without a known suffix), so the reader's errors say how to read it as another kind.
    ``stream``: it can be read only once, as it comes (stdin, a pipe named on the command line)."""

    name: str
    relative: Path
    kind: str
    size: int | None
    chosen: bool = False
    guessed: bool = False
    stream: bool = False


@dataclass(slots=True)
class Raw:
    """One document's bytes, not yet decoded: the workers decode and parse them, not the reader.

    ``kind`` is the reader that made it (and parses it), ``where`` names it in messages (``path``
    or ``path:LINE``), ``ident`` is its id for output records (file path, WARC-Record-ID; a JSONL
    record's id field is read when it is parsed), ``relative`` is where its output goes under
    ``-o DIR``. ``hint``: what to add to the message if it cannot be parsed (the first records of
    an input whose kind was guessed from its content say so, and how to read it otherwise).
    ``charset``: the encoding the document declares itself in (a WET record's Content-Type), read
    in it unless ``--encoding`` is given.
    """

    kind: str
    where: str
    data: bytes
    ident: str | None = None
    url: str | None = None
    relative: Path | None = None
    consumed: int = 0
    hint: str | None = None
    charset: str | None = None


@dataclass(slots=True)
class InputDone:
    """End of one file of records (JSONL, WARC): under ``-o DIR`` its output file is complete now,
    unless the input could not be read to its end (``complete`` False): then it gets no output."""

    relative: Path
    complete: bool = True


@dataclass(slots=True)
class CleanedDocument:
    """One cleaned document: its output bytes, what the summary counts, and a note for the user
    (a dump too short to clean line by line). ``no_id``: its record has no id (``--id-field``,
    default ``id``), so a run into one file of records cannot be continued by id (``--resume``)."""

    where: str
    kind: str
    relative: Path | None
    output: bytes
    size: int
    lines_total: int
    lines_kept: int
    consumed: int
    note: str | None = None
    no_id: bool = False


@dataclass(slots=True)
class Skipped:
    """A document or an input that an earlier run already wrote (``--resume``); ``records``: a
    whole file of records (under -o DIR), of which no count of documents is known."""

    where: str
    consumed: int
    records: bool = False


# What the readers yield, what the workers are given, and what they give back.
Item = Raw | InputError | InputDone
Incoming = Raw | InputError | InputDone | Skipped
Outgoing = CleanedDocument | Skipped | InputError | InputDone


def megabytes(size: float) -> str:
    """``size`` bytes for a message: in MB from 1 MB up, else in kB or bytes, so that a small document
    over a small --max-document-mb does not read "0.0 MB"."""
    if size >= 1e6:
        return f"{size / 1e6:.1f} MB"
    return f"{size / 1e3:.1f} kB" if size >= 1e3 else f"{int(size)} bytes"

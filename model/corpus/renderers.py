"""The output modes of ``cleaner predict``, one render function each, and the table that names them.

A renderer turns one parsed document and the model's verdict on its lines into output bytes (UTF-8,
ready to write). Adding an output mode is one :class:`Render` member and one function in
:data:`RENDERERS`; the CLI chooses members, never strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from ..classifier.cleaned import cleaned
from ..labels import BOILERPLATE, CONTENT, format_label_lines
from ..text import is_blank, join_nonblank_kept
from .jsontext import dumps
from .readers.common import Parsed, Record

if TYPE_CHECKING:  # numpy arrays come from the model, which imports numpy where it predicts
    import numpy as np


class Render(Enum):
    """How a cleaned document is written."""

    TEXT = "text"  # the cleaned dump: the kept lines, unchanged
    LABELS = "labels"  # the label-file format (C<TAB>line / B<TAB>line), to correct by hand
    LINES = "lines"  # one JSON record per dump line: line, text, label, score
    RECORD = "record"  # one JSON record per document: its record with the cleaned text and counts


@dataclass(frozen=True, slots=True)
class Verdict:
    """The model's verdict on one document: P(content) and keep-or-drop per non-blank line."""

    scores: np.ndarray
    keep: list[bool]
    kept: int


@dataclass(frozen=True, slots=True)
class Style:
    """What rendering needs besides the document: the threshold, the text field, and whether the
    per-line records name their document (several inputs into one stream)."""

    threshold: float
    text_field: str = "text"
    name_lines: bool = False


def render_text(doc: Parsed, verdict: Verdict, style: Style) -> bytes:
    return encode(join_nonblank_kept(doc.lines, verdict.keep))


def render_labels(doc: Parsed, verdict: Verdict, style: Style) -> bytes:
    decisions = iter(verdict.keep)
    labels = [None if is_blank(line) else (CONTENT if next(decisions) else BOILERPLATE) for line in doc.lines]
    return encode(format_label_lines(doc.lines, labels))


def render_lines(doc: Parsed, verdict: Verdict, style: Style) -> bytes:
    """One record per dump line, labelled by what the text output does with it (``keep``): the score
    against the threshold, but for a page held on one line, which ``--short-dumps`` decides (it was
    labelled boilerplate by its score while the text output kept it)."""
    values = iter(verdict.scores.tolist())
    decisions = iter(verdict.keep)
    rows = []
    name = doc.ident or doc.raw.where
    for number, line in enumerate(doc.lines, 1):
        record: Record = {"file": name} if style.name_lines else {}
        score = None if is_blank(line) else next(values)
        label = None if score is None else (CONTENT if next(decisions) else BOILERPLATE)
        record.update(line=number, text=line, label=label, score=None if score is None else round(score, 4))
        rows.append(dump_json(record))
    return b"".join(rows)


def render_record(doc: Parsed, verdict: Verdict, style: Style) -> bytes:
    """The document's record with its cleaned text in the text field, and counts: those of
    :func:`cleaner.clean_batch`, which shares :func:`~cleaner.classifier.cleaned.cleaned` with it."""
    result = cleaned(doc.text, doc.lines, verdict.scores, verdict.keep)
    record = doc.record
    record[style.text_field] = result.text
    record["lines_total"] = result.lines_total
    record["lines_kept"] = result.lines_kept
    record["chars_kept"] = result.chars_kept
    record["mean_score"] = result.mean_score
    return dump_json(record)


RENDERERS: dict[Render, Callable[[Parsed, Verdict, Style], bytes]] = {
    Render.TEXT: render_text,
    Render.LABELS: render_labels,
    Render.LINES: render_lines,
    Render.RECORD: render_record,
}


def render(mode: Render, doc: Parsed, verdict: Verdict, style: Style) -> bytes:
    return RENDERERS[mode](doc, verdict, style)


def encode(text: str) -> bytes:
    """UTF-8, giving back the original bytes of text decoded with ``--errors surrogateescape``."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _escaped_only(text) else "replace")


def _escaped_only(text: str) -> bool:
    return all(not ("\ud800" <= c <= "\udfff") or "\udc80" <= c <= "\udcff" for c in text)


def dump_json(record: Record) -> bytes:
    """One JSON line; lone surrogates (from ``\\ud800`` escapes in the input) stay escaped. The
    record's numbers are written as the input spelled them (:mod:`cleaner.corpus.jsontext`)."""
    # A lone surrogate is only ever inside a JSON string, where its backslash escape is the JSON
    # escape: the rest of the record stays as it is (it was all escaped, every letter of its text).
    return (dumps(record) + "\n").encode("utf-8", "backslashreplace")

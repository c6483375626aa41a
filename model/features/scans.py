"""Regex scans of a batch's lines for times, dates, numbering and sentence ends, started only where
a match can begin.

Most lines of a page hold no date and one sentence or none, and a regex tries every position of
every line it scans. So each scan first finds, with numpy over the batch's characters, the lines
where its pattern may match and the offset in each from which a match can start
(:func:`candidates`), and runs the regex on those lines only: most scans from that offset, line by
line through C-level ``map``. The patterns are also spelled so that the regex engine can skip ahead (a leading
character class, not ``\\b``). :mod:`cleaner.features.shape` turns the results into features.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import getitem

import numpy as np

from .batch import MONTH_NAMES, Text
from .chars import CLOSER, DECIMAL, TERMINAL_CHAR, WHITESPACE

TIME = re.compile(r"\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}:\d{2}\s*[AaPp]\.?[Mm]\b")
MONTH = r"(?:[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec)"
DATE = re.compile(  # case-sensitive alternatives: re.IGNORECASE makes the scan slower
    r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
    rf"|\b{MONTH}[a-z]*\.? \d{{1,2}}\b"
    rf"|\b\d{{1,2}} {MONTH}"
    r"|\b(?:[Tt]háng|[Nn]gày) \d{1,2}\b|\b\d+ (?:giờ|phút|ngày|hours?|minutes?|days?) (?:trước|ago)\b"
)
# DATE as two patterns that match in exactly the same lines (tests/test_features.py checks it), but
# faster: each starts with a character class (a digit; a month's first letter), so the regex engine
# jumps from one such character to the next, while a pattern starting with \b is tried at every
# position. The leading \b becomes a look-behind after the first characters, and "tháng 5" and
# "ngày 5" are found from their digit.
DATE_FROM_DIGIT = re.compile(
    r"\d(?<!\w\d)(?:\d?[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
    rf"|\d? {MONTH}"
    r"|\d* (?:giờ|phút|ngày|hours?|minutes?|days?) (?:trước|ago)\b"
    r"|(?<=\b[Tt]háng \d)\d?\b|(?<=\b[Nn]gày \d)\d?\b)"
)
DATE_FROM_MONTH = re.compile(
    "(?:" + "|".join(f"{m}|{m.lower()}" for m in MONTH_NAMES) + r")(?<!\w\w\w\w)[a-z]*\.? \d{1,2}\b"
)
# A date or time closing the line, maybe in brackets: "Tiêu đề bài (12/06/2025)", "Title | 10:42".
# Teaser and archive lists stamp every title so; an article's prose rarely ends on one.
ENDS_DATE = re.compile(r"(?<!\d)(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{1,2}[:h]\d{2})[)\]]?\s*$")
ENDS_DATE_LONGEST = len("12/06/2025)")  # its longest match in a stripped line
SENTENCE_END = re.compile(r"[.!?…][\"”’)]?[^\S\n]+(?=[^\W\d_])")

NUMBERED = re.compile(r"^\d{1,2}[.)]\s", re.MULTILINE)


def matches(pattern: re.Pattern[str], text: Text, texts: list[str], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where ``pattern`` matches in the lines ``rows`` of ``text``: the row each match starts in,
    and how far its end lies past the end of that line (> 0: the match took the line break).

    One regex pass over those lines, each followed by "\\n" as it is inside a document.
    """
    if not len(rows):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if len(rows) == len(texts):
        joined, lengths, starts = text.joined, text.lengths, text.starts
    else:
        subset = list(map(texts.__getitem__, rows.tolist()))
        joined = "\n".join(subset)
        lengths = np.fromiter(map(len, subset), np.int64, len(subset))
        starts = np.cumsum(lengths + 1) - (lengths + 1)
    spans = np.array([m.span() for m in pattern.finditer(f"{joined}\n")], dtype=np.int64).reshape(-1, 2)
    line = np.searchsorted(starts, spans[:, 0], side="right") - 1
    return rows[line], spans[:, 1] - (starts[line] + lengths[line])


def has_match(pattern: re.Pattern[str], texts: list[str], rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per line, whether ``pattern`` matches in it; only ``rows`` are scanned, each from its
    ``offsets`` entry on (no match starts before it: see :func:`candidates`).

    Line by line with C-level ``map`` (the pattern's matches neither take a line break nor look
    across one, so a line alone matches as it does inside its document): a search stops at a
    line's first match, where a scan of all lines at once would find every match. A search from
    an offset sees the characters before it, as look-behinds and \\b need.
    """
    hit = np.zeros(len(texts), bool)
    lines = list(map(texts.__getitem__, rows.tolist()))
    hit[rows] = np.fromiter(map(bool, map(pattern.search, lines, offsets.tolist())), bool, len(lines))
    return hit


def count_matches(pattern: re.Pattern[str], texts: list[str], rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per line, how many times ``pattern`` (whose matches neither take a line break nor look
    across one) matches in it; only ``rows`` are scanned, each from its ``offsets`` entry on (no
    match starts before it), line by line with C-level ``map``, which costs less than one scan
    of those lines joined and mapping each match to its line."""
    counts = np.zeros(len(texts), np.int64)
    lines = list(map(texts.__getitem__, rows.tolist()))
    counts[rows] = np.fromiter(map(len, map(pattern.findall, lines, offsets.tolist())), np.int64, len(lines))
    return counts


def candidates(text: Text, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines holding the (sorted) positions ``at``, and in each the offset of its first one.

    For speed: the regex scans of :func:`has_match` and :func:`count_matches` start there, not
    at the line's start (sre tries every position of a line, at some ten nanoseconds each).
    """
    lines = text.line_of(at)
    first = np.flatnonzero(np.r_[True, lines[1:] != lines[:-1]]) if len(lines) else np.zeros(0, np.int64)
    rows = lines[first].astype(np.int64)
    return rows, at[first] - text.starts[rows]


def digit_run_starts(decimal: np.ndarray) -> np.ndarray:
    """For each of the (sorted) positions of decimal digits, where its run of consecutive digits
    starts: the time and date patterns' matches start there or later (see :func:`date_rows`)."""
    new = np.ones(len(decimal), bool)
    new[1:] = np.diff(decimal) != 1
    return decimal[np.maximum.accumulate(np.where(new, np.arange(len(decimal)), 0))]


def ends_date(texts: list[str], rows: np.ndarray) -> np.ndarray:
    """Per line, whether it ends in a date or time (:data:`ENDS_DATE`); only ``rows`` are tried,
    the lines whose tail's last or next-to-last character is a digit.

    Lines are stripped, so a match ends at the line's end, and it is at most
    :data:`ENDS_DATE_LONGEST` characters long: searching the line's last characters, one more
    for the look-behind, finds what searching the whole line would, without scanning long lines.
    """
    hit = np.zeros(len(texts), bool)
    # C-level map over the rows' tails, for speed: texts[row][-ENDS_DATE_LONGEST - 1 :] each.
    tails: map[str] = map(getitem, map(texts.__getitem__, rows.tolist()), repeat(slice(-ENDS_DATE_LONGEST - 1, None)))
    hit[rows] = np.fromiter(map(bool, map(ENDS_DATE.search, tails)), np.bool_, len(rows))
    return hit


def clamped(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values`` at positions ``at``, those outside the array moved to its nearest end: for
    candidate filters, which may let a line through wrongly but never keep one out wrongly."""
    return np.take(values, at, mode="clip")


def _ascii_table(chars: str) -> np.ndarray:
    """Which code points are among the ASCII ``chars``, indexed by ``np.minimum(code, 128)``."""
    table = np.zeros(129, bool)
    table[[ord(c) for c in chars]] = True
    return table


_DATE_SEPARATOR = _ascii_table("/.-")
_DATE_WORD_START = _ascii_table("JjFfMmAaSsOoNnDdgpnhmd")  # months; giờ, phút, ngày, hours, minutes, days
_DATE_WORD_END = _ascii_table("gy")  # "tháng 5", "ngày 5"


def date_rows(text: Text, decimal: np.ndarray, run_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines where :data:`DATE_FROM_DIGIT` may match, for it to scan only those, and in each
    the offset from which to scan (see :func:`candidates`).

    Each of its matches has a digit followed by "/", "." or "-" and a digit ("12/6"), or by a
    space and the first letter of a month or a unit ("5 Jun", "3 ngày trước"), or a first digit
    after "g " or "y " ("tháng 5", "ngày 21"). Looking at the few characters around every digit is
    much cheaper than the regex scan of the many lines with numbers in prose that have none.
    ``decimal`` holds the positions of the text's decimal digits, ``run_starts`` where their runs
    of digits start (:func:`digit_run_starts`).

    A match starts at the run of digits holding such a digit: its first digit, not preceded by a
    word character, then at most one more digit before the separator or the space, any number
    before " ngày trước", none after "tháng ". So no match starts before the run of the line's
    first such digit, and the scan starts there.
    """
    codes, classes, at = text.codes, text.classes, decimal
    after = clamped(codes, at + 1)
    may = _DATE_SEPARATOR[np.minimum(after, 128)] & ((clamped(classes, at + 2) & DECIMAL) != 0)
    may |= (after == ord(" ")) & _DATE_WORD_START[np.minimum(clamped(codes, at + 2), 128)]
    may |= (clamped(codes, at - 1) == ord(" ")) & _DATE_WORD_END[np.minimum(clamped(codes, at - 2), 128)]
    return candidates(text, run_starts[may])


def sentence_rows(text: Text) -> tuple[np.ndarray, np.ndarray]:
    """The lines where :data:`SENTENCE_END` may match, for it to scan only those: the lines with
    a terminal mark followed by whitespace other than the line break, perhaps after a closing
    quote or bracket (the many lines with one sentence or none have no such mark)."""
    codes, classes = text.codes, text.classes
    # != 0 for speed: numpy finds the true values of a bool array several times faster than the
    # non-zero values of an integer array.
    at = np.flatnonzero((classes & TERMINAL_CHAR) != 0)
    after = clamped(classes, at + 1)
    may = ((after & WHITESPACE) != 0) & (clamped(codes, at + 1) != ord("\n"))
    may |= ((after & CLOSER) != 0) & ((clamped(classes, at + 2) & WHITESPACE) != 0)
    return candidates(text, at[may])

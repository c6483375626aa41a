"""Per-line shape features that transfer across sites and languages, without scikit-learn.

A line alone cannot tell a teaser summary from a body paragraph: both are prose. What differs is
the line's surroundings: a teaser summary sits after a repeated title and a timestamp, far below the
article's longest run of prose; a body paragraph sits inside that run. So besides the line's own
shape (length, punctuation, stopword density, markup), every row carries its neighbours' shape and
its place relative to the document's main prose block.

Every function returns one row per non-blank line of a batch, in order (blank lines carry no label
and get no row). The features of a whole batch of documents are computed at once, over its
:class:`~cleaner.batch.LineBatch` (see :mod:`cleaner.batch` for why). This module imports numpy
only, so that predicting (:mod:`cleaner.predictor`) does not import scikit-learn;
:class:`~cleaner.features.LineShapeFeatures` is its scikit-learn transformer for training.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import count, repeat
from operator import getitem

import numpy as np

from cleaner.batch import (
    ALPHA,
    ASCII_ALPHA,
    BULLET_CHAR,
    CLOSER,
    COMMA,
    DECIMAL,
    DIGIT,
    EDGE,
    LOWER,
    MONTH_NAMES,
    PIPE,
    SPACE,
    TABLE_SIZE,
    TERMINAL_CHAR,
    UPPER,
    WHITESPACE,
    LineBatch,
    Text,
    ascii_fold_lines,
    first_where,
    fold_initials,
    strip,
)
from cleaner.lexicon import stopword_lexicon
from cleaner.segments import document_cumsum, rounding_tolerance

_TIME = re.compile(r"\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}:\d{2}\s*[AaPp]\.?[Mm]\b")
_MONTH = r"(?:[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec)"
_DATE = re.compile(  # case-sensitive alternatives: re.IGNORECASE makes the scan slower
    r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
    rf"|\b{_MONTH}[a-z]*\.? \d{{1,2}}\b"
    rf"|\b\d{{1,2}} {_MONTH}"
    r"|\b(?:[Tt]háng|[Nn]gày) \d{1,2}\b|\b\d+ (?:giờ|phút|ngày|hours?|minutes?|days?) (?:trước|ago)\b"
)
# _DATE as two patterns that match in exactly the same lines (tests/test_features.py checks it), but
# faster: each starts with a character class (a digit; a month's first letter), so the regex engine
# jumps from one such character to the next, while a pattern starting with \b is tried at every
# position. The leading \b becomes a look-behind after the first characters, and "tháng 5" and
# "ngày 5" are found from their digit.
_DATE_FROM_DIGIT = re.compile(
    r"\d(?<!\w\d)(?:\d?[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
    rf"|\d? {_MONTH}"
    r"|\d* (?:giờ|phút|ngày|hours?|minutes?|days?) (?:trước|ago)\b"
    r"|(?<=\b[Tt]háng \d)\d?\b|(?<=\b[Nn]gày \d)\d?\b)"
)
_DATE_FROM_MONTH = re.compile(
    "(?:" + "|".join(f"{m}|{m.lower()}" for m in MONTH_NAMES) + r")(?<!\w\w\w\w)[a-z]*\.? \d{1,2}\b"
)
# A date or time closing the line, maybe in brackets: "Tiêu đề bài (12/06/2025)", "Title | 10:42".
# Teaser and archive lists stamp every title so; an article's prose rarely ends on one.
_ENDS_DATE = re.compile(r"(?<!\d)(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{1,2}[:h]\d{2})[)\]]?\s*$")
_ENDS_DATE_LONGEST = len("12/06/2025)")  # its longest match in a stripped line
_SLUG_TOKEN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?[^\S\n]+(?=[^\W\d_])")

BASE_FEATURES = (
    "chars_log",
    "words_log",
    "mean_word_len",
    "ends_terminal",
    "ends_colon",
    "ends_ellipsis",
    "starts_upper",
    "starts_lower",
    "upper_ratio",
    "digit_ratio",
    "symbol_ratio",
    "comma_per_word",
    "stopword_ratio",
    "stopwords_log",
    "has_time",
    "has_date",
    "ends_date",
    "is_image",
    "has_link",
    "has_pipe",
    "starts_bullet",
    "starts_numbered",
    "starts_bracket",
    "slug_prefix",
    "slug_spells_title",
    "ascii_letter_ratio",
    "repeats_log",
    "same_as_prev",
    "same_as_next",
    "repeats_first_line",
    "blank_before",
    "blank_after",
    "relative_position",
    "is_first",
    "lines_to_end_log",
    "prose_like",
    "sentences_log",
    "chars_vs_longest",
    "shared_prefix_log",
    "teaser_run",
)
DOCUMENT_FEATURES = ("doc_blank_ratio", "doc_lines_log")
NEIGHBOUR_FEATURES = (
    "chars_log",
    "ends_terminal",
    "prose_like",
    "is_image",
    "has_time",
    "has_date",
    "stopword_ratio",
    "starts_bracket",
    "same_as_prev",
)
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
BLOCK_FEATURES = (
    "prose_window_3",
    "prose_window_8",
    "prose_chars_before",
    "prose_chars_after",
    "in_main_block",
    "lines_before_main_block_log",
    "lines_after_main_block_log",
)


_MARKUP_ONLY = re.compile(r"^(?:!\[.*?\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)[\s|]*)+$")


def is_markup_only(line: str) -> bool:
    """True for a line that is nothing but image markup (``![alt](src)``, perhaps with table pipes).

    The labelling guideline makes such lines boilerplate whatever their alt text says (a caption is
    a line of its own), so the classifier does not have to learn it from context.
    """
    text = line.strip()
    return text.startswith("![") and bool(_MARKUP_ONLY.match(text))


@lru_cache(maxsize=8)
def stopword_set(languages: tuple[str, ...]) -> frozenset[str]:
    """Single-word stopwords of the given languages (stopwordsiso's lists, lower-cased).

    Vietnamese is written in syllables separated by spaces, so its multi-syllable entries are left
    out rather than split: their syllables are often content words on their own.
    """
    import stopwordsiso

    words: set[str] = set()
    for language in languages:
        words.update(w.lower() for w in stopwordsiso.stopwords(language) if " " not in w)
    return frozenset(words)


_NUMBERED = re.compile(r"^\d{1,2}[.)]\s", re.MULTILINE)


def _matches(pattern: re.Pattern[str], text: Text, texts: list[str], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _has_match(pattern: re.Pattern[str], texts: list[str], rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per line, whether ``pattern`` matches in it; only ``rows`` are scanned, each from its
    ``offsets`` entry on (no match starts before it: see :func:`_candidates`).

    Line by line with C-level ``map`` (the pattern's matches neither take a line break nor look
    across one, so a line alone matches as it does inside its document): a search stops at a
    line's first match, where a scan of all lines at once would find every match. A search from
    an offset sees the characters before it, as look-behinds and \\b need.
    """
    hit = np.zeros(len(texts), bool)
    lines = list(map(texts.__getitem__, rows.tolist()))
    hit[rows] = np.fromiter(map(bool, map(pattern.search, lines, offsets.tolist())), bool, len(lines))
    return hit


def _count_matches(pattern: re.Pattern[str], texts: list[str], rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per line, how many times ``pattern`` (whose matches neither take a line break nor look
    across one) matches in it; only ``rows`` are scanned, each from its ``offsets`` entry on (no
    match starts before it), line by line with C-level ``map``, which costs less than one scan
    of those lines joined and mapping each match to its line."""
    counts = np.zeros(len(texts), np.int64)
    lines = list(map(texts.__getitem__, rows.tolist()))
    counts[rows] = np.fromiter(map(len, map(pattern.findall, lines, offsets.tolist())), np.int64, len(lines))
    return counts


def _candidates(text: Text, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines holding the (sorted) positions ``at``, and in each the offset of its first one.

    For speed: the regex scans of :func:`_has_match` and :func:`_count_matches` start there, not
    at the line's start (sre tries every position of a line, at some ten nanoseconds each).
    """
    lines = text.line_of(at)
    first = np.flatnonzero(np.r_[True, lines[1:] != lines[:-1]]) if len(lines) else np.zeros(0, np.int64)
    rows = lines[first].astype(np.int64)
    return rows, at[first] - text.starts[rows]


def _digit_run_starts(decimal: np.ndarray) -> np.ndarray:
    """For each of the (sorted) positions of decimal digits, where its run of consecutive digits
    starts: the time and date patterns' matches start there or later (see :func:`_date_rows`)."""
    new = np.ones(len(decimal), bool)
    new[1:] = np.diff(decimal) != 1
    return decimal[np.maximum.accumulate(np.where(new, np.arange(len(decimal)), 0))]


def _ends_date(texts: list[str], rows: np.ndarray) -> np.ndarray:
    """Per line, whether it ends in a date or time (:data:`_ENDS_DATE`); only ``rows`` are tried,
    the lines whose tail's last or next-to-last character is a digit.

    Lines are stripped, so a match ends at the line's end, and it is at most
    :data:`_ENDS_DATE_LONGEST` characters long: searching the line's last characters, one more
    for the look-behind, finds what searching the whole line would, without scanning long lines.
    """
    hit = np.zeros(len(texts), bool)
    # C-level map over the rows' tails, for speed: texts[row][-_ENDS_DATE_LONGEST - 1 :] each.
    tails = map(getitem, map(texts.__getitem__, rows.tolist()), repeat(slice(-_ENDS_DATE_LONGEST - 1, None)))
    hit[rows] = np.fromiter(map(bool, map(_ENDS_DATE.search, tails)), bool, len(rows))
    return hit


def _clamped(values: np.ndarray, at: np.ndarray) -> np.ndarray:
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


def _date_rows(text: Text, decimal: np.ndarray, run_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines where :data:`_DATE_FROM_DIGIT` may match, for it to scan only those, and in each
    the offset from which to scan (see :func:`_candidates`).

    Each of its matches has a digit followed by "/", "." or "-" and a digit ("12/6"), or by a
    space and the first letter of a month or a unit ("5 Jun", "3 ngày trước"), or a first digit
    after "g " or "y " ("tháng 5", "ngày 21"). Looking at the few characters around every digit is
    much cheaper than the regex scan of the many lines with numbers in prose that have none.
    ``decimal`` holds the positions of the text's decimal digits, ``run_starts`` where their runs
    of digits start (:func:`_digit_run_starts`).

    A match starts at the run of digits holding such a digit: its first digit, not preceded by a
    word character, then at most one more digit before the separator or the space, any number
    before " ngày trước", none after "tháng ". So no match starts before the run of the line's
    first such digit, and the scan starts there.
    """
    codes, classes, at = text.codes, text.classes, decimal
    after = _clamped(codes, at + 1)
    may = _DATE_SEPARATOR[np.minimum(after, 128)] & ((_clamped(classes, at + 2) & DECIMAL) != 0)
    may |= (after == ord(" ")) & _DATE_WORD_START[np.minimum(_clamped(codes, at + 2), 128)]
    may |= (_clamped(codes, at - 1) == ord(" ")) & _DATE_WORD_END[np.minimum(_clamped(codes, at - 2), 128)]
    return _candidates(text, run_starts[may])


def _sentence_rows(text: Text) -> tuple[np.ndarray, np.ndarray]:
    """The lines where :data:`_SENTENCE_END` may match, for it to scan only those: the lines with
    a terminal mark followed by whitespace other than the line break, perhaps after a closing
    quote or bracket (the many lines with one sentence or none have no such mark)."""
    codes, classes = text.codes, text.classes
    # != 0 for speed: numpy finds the true values of a bool array several times faster than the
    # non-zero values of an integer array.
    at = np.flatnonzero((classes & TERMINAL_CHAR) != 0)
    after = _clamped(classes, at + 1)
    may = ((after & WHITESPACE) != 0) & (_clamped(codes, at + 1) != ord("\n"))
    may |= ((after & CLOSER) != 0) & ((_clamped(classes, at + 2) & WHITESPACE) != 0)
    return _candidates(text, at[may])


def _count_within(groups: np.ndarray, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, how many rows of its group have the same key (as float), and the key's number.

    Keys are numbered by a dict (C-level ``map``, no tuple per row) and counted with numpy.
    """
    number: dict[str, int] = {}
    numbers = np.fromiter(map(number.setdefault, keys, count()), np.int64, len(keys))
    _, inverse, counts = np.unique(groups * max(len(keys), 1) + numbers, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)].astype(float), numbers


_FINGERPRINT_MIX = np.uint64(0x9E3779B97F4A7C15)


def _shared_fingerprints(*parts: np.ndarray) -> np.ndarray:
    """Which rows share their fingerprint with another row: the ``parts`` (integer arrays, one
    value per row) mixed into one integer. Rows with equal parts have equal fingerprints, so a row
    whose fingerprint no other row has differs from every other row in some part. Used for speed,
    to make and compare strings only for the few rows that may be equal to another."""
    fingerprint = np.zeros(len(parts[0]), np.uint64)
    for part in parts:
        fingerprint *= _FINGERPRINT_MIX  # wraps around: a hash, whose collisions only cost time
        fingerprint += part.astype(np.uint64)
    _, inverse, counts = np.unique(fingerprint, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)] > 1


def _repeated_lines(batch: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """Per line, how many lines of its document are the same line (as float), and a number that
    the same lines of a document share (and no other line of it).

    For speed, only the lines that may be equal to another line of their document (same length,
    same characters at a few places: see :func:`_shared_fingerprints`) are numbered by
    :func:`_count_within`; every other line is alone, with a number of its own.
    """
    text, n = batch.text, len(batch)
    starts, lengths, codes = text.starts, text.lengths, text.codes
    places = [codes[starts + lengths * k // 4] for k in range(4)]  # lines are not empty
    maybe = np.flatnonzero(_shared_fingerprints(batch.doc, lengths, codes[starts + lengths - 1], *places))
    repeats, numbers = np.ones(n), np.arange(n) + n  # above every number _count_within gives
    repeats[maybe], numbers[maybe] = _count_within(batch.doc[maybe], list(map(batch.texts.__getitem__, maybe.tolist())))
    return repeats, numbers


def _first_words_shared(
    batch: LineBatch, word_starts: np.ndarray, word_ends: np.ndarray, two: np.ndarray
) -> np.ndarray:
    """Per line of ``two`` (the lines with two words or more), how many lines of its document
    start with the same two words (as float); the key is the two words with one space between.

    For speed, only some keys are made as strings and counted: lines with equal keys have equal
    fingerprints (their document, their words' lengths and some of their characters: see
    :func:`_shared_fingerprints`), so a line whose fingerprint no other line has shares its key
    with none. Most lines are such; making every line's key (a slice of the batch's text) cost
    most of the time.
    """
    text = batch.text
    codes, joined = text.codes, text.joined
    first_word = np.searchsorted(word_starts, text.starts[two])
    a, b = word_starts[first_word], word_ends[first_word]
    c, d = word_starts[first_word + 1], word_ends[first_word + 1]
    doc = batch.doc[two]
    places = codes[a], codes[(a + b) // 2], codes[b - 1], codes[c], codes[(c + d) // 2], codes[d - 1]
    maybe = np.flatnonzero(_shared_fingerprints(doc, b - a, d - c, *places))
    a, b, c, d = a[maybe], b[maybe], c[maybe], d[maybe]
    keys = list(map(joined.__getitem__, map(slice, a.tolist(), d.tolist())))
    for i in np.flatnonzero((c != b + 1) | (codes[b] != ord(" "))).tolist():
        keys[i] = f"{joined[a[i] : b[i]]} {joined[c[i] : d[i]]}"
    counts = np.ones(len(two))
    counts[maybe] = _count_within(doc[maybe], keys)[0]
    return counts


def _percentile_90(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``np.percentile(values[a:b], 90)`` of every document's rows, for all documents at once.

    numpy's default method ('linear', Hyndman and Fan's 7th) with numpy's own floating-point steps,
    so that the result is bit-identical; tests/test_features.py checks it against np.percentile.
    Documents without rows get 0.
    """
    counts = np.diff(bounds)
    result = np.zeros(len(counts))
    docs = np.flatnonzero(counts)
    if not len(docs):
        return result
    ordered = values[np.lexsort((values, np.repeat(np.arange(len(counts)), counts)))]
    n = counts[docs]
    index = (n - 1) * 0.9
    below = np.floor(index)
    gamma = index - below
    below = below.astype(np.int64)
    above = below + 1
    beyond = index >= n - 1  # numpy takes the last value then
    below[beyond] = above[beyond] = n[beyond] - 1
    a = ordered[bounds[docs] + below]
    b = ordered[bounds[docs] + above]
    difference = b - a
    result[docs] = np.where(gamma >= 0.5, b - difference * (1 - gamma), a + difference * gamma)
    return result


def ascii_fold(text: str) -> str:
    """The lower-case ASCII spelling of a text, as URL slugs spell titles: accents and punctuation gone."""
    return ascii_fold_lines([text])[0]


def _slug_spells_title(batch: LineBatch, slug: np.ndarray) -> np.ndarray:
    """1 for a line whose slug prefix spells out another line of its page (usually the headline).

    A URL slug is a title with its accents and punctuation gone, so such a prefix marks a
    related-news link or an image remnant, whereas a list item that merely starts in lower case
    (``5-7 kg 60-100 mg``, ``off-peak return fares``) spells nothing. Only the pages with a slug
    prefix long enough to count have their lines folded.
    """
    result = np.zeros(len(batch))
    texts, doc = batch.texts, batch.doc.tolist()
    prefixes: dict[int, str] = {}
    for row in np.flatnonzero(slug).tolist():
        words = [w for w in texts[row].split()[:12] if _SLUG_TOKEN.match(w)]
        prefix = " ".join(words).replace("-", " ")[:_TITLE_WIDTH]
        if len(prefix) >= _SHORTEST_PREFIX:
            prefixes[row] = prefix
    if not prefixes:
        return result
    # The candidate titles of those pages. The fold of a line's first few characters is a prefix
    # of the line's own fold (see ascii_fold_lines), so a title can only match a prefix it is
    # comparable with: those heads are folded for every candidate, in one call, and only the few
    # lines whose head is comparable with a prefix of their page are folded in full. A head shorter
    # than any prefix is comparable with one when it starts it: a set look-up among their starts.
    page_prefixes: dict[int, list[str]] = {}
    for row, prefix in prefixes.items():
        page_prefixes.setdefault(doc[row], []).append(prefix)
    pages = np.isin(batch.doc, list(page_prefixes))
    candidates = pages & (batch.text.lengths >= 15) & (slug == 0)
    # For speed, most lines are ruled out before folding: a title spells a prefix only if its fold
    # starts with the prefix's first character (or is empty), and a line whose first character
    # folds to something has a fold that starts with it (see fold_initials).
    text = batch.text
    initial = fold_initials()[np.minimum(text.codes[text.starts], TABLE_SIZE)].astype(np.int64)
    allowed = np.array(sorted({doc[row] * 128 + ord(prefix[0]) for row, prefix in prefixes.items()}))
    candidates &= (initial == 0) | np.isin(batch.doc * 128 + initial, allowed)
    candidates = np.flatnonzero(candidates).tolist()
    heads = ascii_fold_lines([texts[r][:_TITLE_HEAD] for r in candidates])
    # The starts of each page's prefixes, as long as the longest head at most (a longer start
    # equals no head).
    longest = max(map(len, heads), default=0)
    page_starts: dict[int, set[str]] = {}
    for row, prefix in prefixes.items():
        page_starts.setdefault(doc[row], set()).update(prefix[:k] for k in range(min(len(prefix), longest) + 1))
    candidates = [
        row
        for row, head in zip(candidates, heads)
        if head in page_starts[doc[row]]
        or (
            len(head) >= _SHORTEST_PREFIX
            and any(_comparable(head[:_TITLE_WIDTH], prefix) for prefix in page_prefixes[doc[row]])
        )
    ]
    titles: dict[int, list[str]] = {}
    for row, folded in zip(candidates, ascii_fold_lines([texts[r] for r in candidates], width=_TITLE_WIDTH)):
        titles.setdefault(doc[row], []).append(folded)
    for row, prefix in prefixes.items():
        if any(_comparable(t, prefix) for t in titles.get(doc[row], ())):
            result[row] = 1.0
    return result


_SHORTEST_PREFIX = 15  # a shorter slug prefix could spell a title by chance
_TITLE_WIDTH = 40  # folded characters of a title compared with a slug prefix (which has at most as many)
_TITLE_HEAD = 10  # characters of a line folded to tell whether it may be a title that spells a slug prefix


def _comparable(a: str, b: str) -> bool:
    """Whether one of the strings starts the other."""
    return a.startswith(b) or b.startswith(a)


def _base_matrix(batch: LineBatch, stopwords: frozenset[str], out: np.ndarray | None = None) -> np.ndarray:
    """Own-line and document-position features of every non-blank line of the batch, in ``out``
    if given (columns of a wider matrix: see :func:`shape_matrix`)."""
    texts, n = batch.texts, len(batch)
    if out is None:
        out = np.zeros((n, len(BASE_FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    text, lowered = batch.text, batch.lowered
    codes, classes, starts, ends = text.codes, text.classes, text.starts, text.ends
    n_chars = text.lengths
    counted = classes
    high = codes >= TABLE_SIZE
    if high.any():  # above the table, only CJK, kana and hangul count, as letters without case
        wide = codes[high]
        counted = classes.copy()
        counted[high] = ALPHA * (((wide >= 0x3040) & (wide < 0xA000)) | ((wide >= 0xAC00) & (wide < 0xD7B0)))

    def per_line(bits: np.ndarray, bit: int) -> np.ndarray:
        return text.count((bits & bit) != 0).astype(float)

    letters, upper, digits = per_line(counted, ALPHA), per_line(counted, UPPER), per_line(counted, DIGIT)
    spaces, ascii_letters = per_line(counted, SPACE), per_line(counted, ASCII_ALPHA)
    commas = per_line(classes, COMMA)

    first_letter = first_where(classes, ALPHA, True, starts, ends)
    has_letter = first_letter < ends
    first_letter = np.minimum(first_letter, ends - 1)
    first_upper = has_letter & ((classes[first_letter] & UPPER) != 0)
    first_lower = has_letter & ((classes[first_letter] & LOWER) != 0)

    # The line without trailing spaces and pipes ("tail"): its last character.
    last = first_where(classes, SPACE | PIPE, False, starts, ends, backwards=True)
    has_tail = last >= starts
    last = np.maximum(last, starts)
    core = first_where(classes, SPACE | PIPE | CLOSER, False, starts, ends, backwards=True)
    terminal = ((core >= starts) & ((classes[np.maximum(core, starts)] & TERMINAL_CHAR) != 0)).astype(float)
    ends_colon = has_tail & (codes[last] == ord(":"))
    dots = (
        (last - 2 >= starts)
        & (codes[np.maximum(last - 2, 0)] == ord("."))
        & (codes[np.maximum(last - 1, 0)] == ord("."))
    )
    ends_ellipsis = has_tail & ((codes[last] == ord("…")) | (dots & (codes[last] == ord("."))))

    # Words as str.split() makes them; stopwords are looked up lower-cased and without edge punctuation.
    word_starts, word_ends = text.runs(WHITESPACE, inside=False)
    n_words = np.bincount(text.line_of(word_starts), minlength=n).astype(float)
    # Lower case keeps every character's place and whether it is whitespace, unless "İ" grew (see
    # LineBatch.lowered): then the words are the same runs, not looked for again (for speed).
    same_places = len(lowered.codes) == len(codes)
    low_starts, low_ends = (word_starts, word_ends) if same_places else lowered.runs(WHITESPACE, inside=False)
    stripped_start, stripped_end = strip(lowered, low_starts, low_ends, EDGE)
    is_stopword = stopword_lexicon(stopwords).find(lowered.codes, stripped_start, stripped_end - stripped_start) >= 0
    n_stop = np.bincount(lowered.line_of(low_starts[is_stopword]), minlength=n).astype(float)

    # Repeats within a document, counted with numpy over each line's number in a dict of lines.
    repeats, line_number = _repeated_lines(batch)
    same_prev = np.zeros(n)
    same_prev[1:] = (line_number[1:] == line_number[:-1]) & (batch.doc[1:] == batch.doc[:-1])
    same_next = np.zeros(n)
    same_next[:-1] = same_prev[1:]
    repeats_first = (line_number == line_number[batch.bounds[batch.doc]]) & (batch.row > 0)

    two = np.flatnonzero(n_words >= 2)
    shared_prefix = np.zeros(n)
    shared_prefix[two] = np.log(_first_words_shared(batch, word_starts, word_ends, two))

    slug = np.zeros(n)
    for row in np.flatnonzero(first_lower & (codes[starts] < 128)).tolist():
        run = 0
        for w in texts[row].split():
            if not _SLUG_TOKEN.match(w):
                break
            run += 1 + w.count("-")
        slug[row] = min(run, 6) / 6 if run >= 3 else 0.0
    spells_title = _slug_spells_title(batch, slug)

    markdown_link = text.contains("](")
    links = markdown_link | text.contains("http://") | text.contains("https://")
    second = codes[np.minimum(starts + 1, len(codes) - 1)]
    # Time and date patterns need a digit: only lines with digits are scanned (for a date, see
    # _date_rows and LineBatch.month_rows), and for a time only those where a digit is followed by
    # ":" or "h".
    decimal = np.flatnonzero((classes & DECIMAL) != 0)  # a bool array: see _sentence_rows
    after_decimal = _clamped(codes, decimal + 1)
    run_starts = _digit_run_starts(decimal)  # a time or date match starts at a run of digits
    time_rows = _candidates(text, run_starts[(after_decimal == ord(":")) | (after_decimal == ord("h"))])
    # "^\d{1,2}[.)]\s" matches at the start of a line that starts with a digit (or after a line
    # break inside a line, which dump lines do not have); it may take the line break after the line
    # as its \s, but a document's last line has none.
    may_be_numbered = (classes[starts] & DECIMAL) != 0
    if text.joined.count("\n") > n - 1:
        may_be_numbered |= text.count(codes == ord("\n")) > 0
    numbered_rows, past_end = _matches(_NUMBERED, text, texts, np.flatnonzero(may_be_numbered))
    numbered = np.zeros(n, bool)
    numbered[numbered_rows[(past_end <= 0) | ~batch.last_in_document[numbered_rows]]] = True
    sentences = _count_matches(_SENTENCE_END, texts, *_sentence_rows(text)) + terminal
    has_date = _has_match(_DATE_FROM_DIGIT, texts, *_date_rows(text, decimal, run_starts))
    month_rows = batch.month_rows(digits > 0)
    month_rows = month_rows[~has_date[month_rows]]  # a date found already: no need to look for another
    has_date |= _has_match(_DATE_FROM_MONTH, texts, month_rows, np.zeros_like(month_rows))
    rows = batch.row
    size = np.diff(batch.bounds)[batch.doc]
    columns = {
        "chars_log": np.log1p(n_chars),
        "words_log": np.log1p(n_words),
        "mean_word_len": (n_chars - spaces) / np.maximum(n_words, 1),
        "ends_terminal": terminal,
        "ends_colon": ends_colon,
        "ends_ellipsis": ends_ellipsis,
        "starts_upper": first_upper,
        "starts_lower": first_lower,
        "upper_ratio": upper / np.maximum(letters, 1),
        "digit_ratio": digits / n_chars,
        "symbol_ratio": (n_chars - letters - digits - spaces) / n_chars,
        "comma_per_word": commas / np.maximum(n_words, 1),
        "stopword_ratio": n_stop / np.maximum(n_words, 1),
        "stopwords_log": np.log1p(n_stop),
        "has_time": _has_match(_TIME, texts, *time_rows),
        "has_date": has_date,
        "ends_date": _ends_date(
            texts, np.flatnonzero(((classes[last] | classes[np.maximum(last - 1, starts)]) & DECIMAL) != 0)
        ),
        "is_image": (codes[starts] == ord("!")) & (n_chars >= 2) & (second == ord("[")),
        "has_link": links,
        "has_pipe": text.contains("|"),
        "starts_bullet": (classes[starts] & BULLET_CHAR) != 0,
        "starts_numbered": numbered,
        "starts_bracket": codes[starts] == ord("["),
        "slug_prefix": slug,
        "slug_spells_title": spells_title,
        "ascii_letter_ratio": ascii_letters / np.maximum(letters, 1),
        "repeats_log": np.log(repeats),
        "same_as_prev": same_prev,
        "same_as_next": same_next,
        "repeats_first_line": repeats_first,
        "blank_before": batch.blank_before,
        "blank_after": batch.blank_after,
        "relative_position": rows / np.maximum(size - 1, 1),
        "is_first": rows == 0,
        "lines_to_end_log": np.log1p(size - 1 - rows),
        "prose_like": (n_words >= 8) & ((terminal > 0) | (n_words >= 20)) & ~markdown_link,
        "sentences_log": np.log1p(sentences),
        "chars_vs_longest": np.minimum(
            n_chars / np.maximum(_percentile_90(n_chars, batch.bounds), 1.0)[batch.doc], 2.0
        ),
        "shared_prefix_log": shared_prefix,
    }
    columns["teaser_run"] = _teaser_runs(
        batch.bounds,
        prose=columns["prose_like"],
        title=~columns["prose_like"] & (n_words >= 5) & (n_words <= 25) & (terminal == 0) & ~columns["is_image"],
        one_sentence=sentences <= 1,
    )
    for column, name in enumerate(BASE_FEATURES):
        out[:, column] = columns[name]
    return out


# A teaser list ("Tin mới nhất", "Latest", related news) set out as title, one-sentence summary,
# title, summary...: each summary reads like a paragraph of the article, the run of pairs does not.
# Letters: T a title-like line, S a one-sentence prose line, x any other, | between documents.
_TEASER_RUN = re.compile(r"(?:TS){3,}")


def _teaser_runs(bounds: np.ndarray, prose: np.ndarray, title: np.ndarray, one_sentence: np.ndarray) -> np.ndarray:
    """1.0 for the lines in a run of three or more (title, one-sentence summary) pairs.

    Each line becomes a letter (see :data:`_TEASER_RUN`), so that one regex pass over the batch's
    letters finds the runs of every document at once. ``title`` marks title-like lines (5 to 25
    words, no terminal mark, not prose, not image markup), ``prose`` and ``one_sentence`` the
    summaries: prose of one sentence.
    """
    letters = np.full(len(prose), ord("x"), np.uint8)
    letters[title] = ord("T")
    letters[prose & one_sentence] = ord("S")
    letters = np.insert(letters, bounds[1:-1], ord("|"))  # no run spans two documents
    edges = np.zeros(len(letters) + 1, np.int64)
    for match in _TEASER_RUN.finditer(letters.tobytes().decode("ascii")):
        edges[match.start()] += 1
        edges[match.end()] -= 1
    inside = np.cumsum(edges[:-1]) > 0
    return inside[letters != ord("|")].astype(float)


def _block_matrix(base: np.ndarray, batch: LineBatch) -> np.ndarray:
    """Where each line sits relative to its document's prose: local prose density, the share of
    prose characters before and after it, and its distance to the main prose block (the run of
    prose-like lines, gaps of up to two other lines allowed, with the most prose characters)."""
    n = len(base)
    out = np.zeros((n, len(BLOCK_FEATURES)))
    if n == 0:
        return out
    prose = base[:, BASE_FEATURES.index("prose_like")]
    chars = np.expm1(base[:, BASE_FEATURES.index("chars_log")]) * prose
    first, stop = batch.bounds[:-1][batch.doc], batch.bounds[1:][batch.doc]
    cumulative = np.concatenate([[0.0], np.cumsum(prose)])  # whole numbers: exact across documents
    index = np.arange(n)
    for column, radius in ((0, 3), (1, 8)):
        lo = np.maximum(index - radius, first)
        hi = np.minimum(index + radius + 1, stop)
        out[:, column] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
    # Sums of prose characters (fractional after expm1) document by document, so that a row never
    # depends on the rounding of other documents' sums; for speed, the running sums of all
    # documents at once (see cleaner.segments) and Python only for the totals (numpy's pairwise
    # sum of each document alone, which no batched sum reproduces bit for bit).
    bounds = batch.bounds
    documents = np.unique(batch.doc[prose > 0])
    totals = np.zeros(len(bounds) - 1)
    starts, ends = bounds[documents].tolist(), bounds[documents + 1].tolist()
    totals[documents] = [chars[lo:hi].sum() for lo, hi in zip(starts, ends)]
    running = document_cumsum(chars, bounds)
    with_prose = np.zeros(len(bounds) - 1, dtype=bool)
    with_prose[documents] = True
    counted = with_prose[batch.doc]  # the rows of documents with prose
    total, before, mass = totals[batch.doc][counted], (running - chars)[counted], chars[counted]
    out[counted, 2] = before / total
    out[counted, 3] = (total - before - mass) / total
    block_start, block_end = _main_blocks(prose, chars, running, totals, bounds)
    start, end, rows = block_start[batch.doc], block_end[batch.doc], batch.row
    found = start >= 0
    out[:, 4] = found & (rows >= start) & (rows <= end)
    out[:, 5] = np.where(found, np.log1p(np.clip(start - rows, 0, None)), 0.0)
    out[:, 6] = np.where(found, np.log1p(np.clip(rows - end, 0, None)), 0.0)
    return out


def _main_block(prose: np.ndarray, chars: np.ndarray, max_gap: int = 2) -> tuple[int, int]:
    """(first, last) row of the run of prose lines with the most prose characters, or (-1, -1).

    A run goes on across up to ``max_gap`` other lines; its characters are summed in row order.
    """
    best, best_span = 0.0, (-1, -1)
    start, mass, previous = -1, 0.0, -1
    masses = chars.tolist()
    for row in np.flatnonzero(prose).tolist():
        if start < 0 or row - previous - 1 > max_gap:
            start, mass = row, 0.0
        mass += masses[row]
        previous = row
        if mass > best:
            best, best_span = mass, (start, row)
    return best_span


def _main_blocks(
    prose: np.ndarray,
    chars: np.ndarray,
    cumulative: np.ndarray,
    totals: np.ndarray,
    bounds: np.ndarray,
    max_gap: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_main_block` of every document (rows ``bounds[d]:bounds[d + 1]``), as arrays of first
    and last rows (-1 where a document has no prose), without a Python loop over the lines.

    ``cumulative`` is each document's running sum of ``chars`` and ``totals`` its sum. Prose lines
    add positive masses, so a run's sum is largest at its last line, and the main block is the
    first run with the largest sum. The runs' sums are taken as differences of running sums,
    which round otherwise than :func:`_main_block`'s sums from each run's start: a document whose
    two best runs are closer than that rounding could move (or with a prose line of no mass) is
    left to :func:`_main_block`, so the blocks are exactly its blocks.
    """
    first = np.full(len(bounds) - 1, -1)
    last = np.full(len(bounds) - 1, -1)
    lines = np.flatnonzero(prose)
    if len(lines) == 0:
        return first, last
    sizes = np.diff(bounds)
    doc = np.repeat(np.arange(len(sizes)), sizes)[lines]
    row = lines - bounds[doc]
    starts = np.ones(len(lines), dtype=bool)  # a run starts at a document's first prose line or after a long gap
    starts[1:] = (doc[1:] != doc[:-1]) | (row[1:] - row[:-1] - 1 > max_gap)
    run_first = np.flatnonzero(starts)
    run_last = np.append(run_first[1:] - 1, len(lines) - 1)
    head, tail = lines[run_first], lines[run_last]
    run_mass = cumulative[tail] - (cumulative[head] - chars[head])
    run_doc = doc[run_first]
    doc_first = np.flatnonzero(np.r_[True, run_doc[1:] != run_doc[:-1]])  # each document's first run
    documents = run_doc[doc_first]
    runs = np.diff(np.append(doc_first, len(run_doc)))
    best = np.maximum.reduceat(run_mass, doc_first)
    tolerance = rounding_tolerance(sizes[documents], totals[documents])
    near = run_mass >= np.repeat(best - tolerance, runs)
    massless = np.bincount(doc[chars[lines] <= 0], minlength=len(sizes))[documents] > 0
    unsure = (np.add.reduceat(near.astype(np.int64), doc_first) > 1) | massless | (best <= tolerance)
    winner = near & ~np.repeat(unsure, runs)  # the one near run of each sure document
    first[run_doc[winner]] = row[run_first[winner]]
    last[run_doc[winner]] = row[run_last[winner]]
    for document in documents[unsure].tolist():
        lo, hi = bounds[document], bounds[document + 1]
        first[document], last[document] = _main_block(prose[lo:hi], chars[lo:hi], max_gap)
    return first, last


def _neighbour_matrix(base: np.ndarray, batch: LineBatch, out: np.ndarray) -> None:
    """The neighbours' shape, shifted into each row, with an indicator for 'no such neighbour'
    (the neighbour would be outside the document), written into ``out`` (zeros, one block of
    columns per offset)."""
    columns = [BASE_FEATURES.index(name) for name in NEIGHBOUR_FEATURES]
    n, width = len(base), len(columns) + 1
    first, stop = batch.bounds[:-1][batch.doc], batch.bounds[1:][batch.doc]
    shared = base[:, columns]  # the neighbours' columns once, then shifted: not their whole rows
    for block, offset in enumerate(NEIGHBOUR_OFFSETS):
        shifted = out[:, block * width : (block + 1) * width]
        source = np.arange(n) + offset
        missing = (source < first) | (source >= stop)
        # For speed, every row takes the row `offset` away (a slice, not a gather), then the few
        # rows whose neighbour lies outside their document are set back to zeros.
        if offset > 0:
            shifted[: max(n - offset, 0), :-1] = shared[offset:]
        else:
            shifted[-offset:, :-1] = shared[: max(n + offset, 0)]
        shifted[missing, :-1] = 0.0
        shifted[missing, -1] = 1.0


def shape_feature_names() -> list[str]:
    """The names of :func:`shape_matrix`'s columns, in order."""
    neighbours = [
        f"{'prev' if o < 0 else 'next'}{abs(o)}_{name}"
        for o in NEIGHBOUR_OFFSETS
        for name in (*NEIGHBOUR_FEATURES, "missing")
    ]
    return [*BASE_FEATURES, *DOCUMENT_FEATURES, *neighbours, *BLOCK_FEATURES]


def shape_matrix(batch: LineBatch, stopwords: frozenset[str]) -> np.ndarray:
    """The shape features of every non-blank line of the batch: its own, its document's, its
    neighbours' and its place relative to the main prose block.

    Each block of columns is written into one matrix allocated up front: stacking the blocks
    afterwards copied every row of the batch twice more.
    """
    widths = (
        len(BASE_FEATURES),
        len(DOCUMENT_FEATURES),
        len(NEIGHBOUR_OFFSETS) * (len(NEIGHBOUR_FEATURES) + 1),
        len(BLOCK_FEATURES),
    )
    base_end, document_end, neighbour_end, total = np.cumsum(widths).tolist()
    out = np.zeros((len(batch), total))
    base = _base_matrix(batch, stopwords, out[:, :base_end])
    blank_ratio = batch.blanks / np.maximum(batch.sizes, 1)
    out[:, base_end:document_end] = np.column_stack([blank_ratio[batch.doc], np.log1p(batch.sizes)[batch.doc]])
    _neighbour_matrix(base, batch, out[:, document_end:neighbour_end])
    out[:, neighbour_end:] = _block_matrix(base, batch)
    return out


def markup_rows(shape: np.ndarray, batch: LineBatch) -> np.ndarray:
    """Which rows of ``shape_matrix(batch, ...)`` are image markup only (see :func:`is_markup_only`):
    the regex runs only on the rows whose ``is_image`` feature says they may be."""
    markup = shape[:, BASE_FEATURES.index("is_image")] > 0
    for row in np.flatnonzero(markup).tolist():
        markup[row] = is_markup_only(batch.texts[row])
    return markup

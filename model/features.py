"""Per-line features that transfer across sites and languages.

A line alone cannot tell a teaser summary from a body paragraph: both are prose. What differs is
the line's surroundings: a teaser summary sits after a repeated title and a timestamp, far below the
article's longest run of prose; a body paragraph sits inside that run. So besides the line's own
shape (length, punctuation, stopword density, markup), every row carries its neighbours' shape and
its place relative to the document's main prose block.

All transformers take ``documents``, a sequence of documents, each a sequence of dump lines, and
return one row per non-blank line, in order (blank lines carry no label and get no row).

Speed: the features of a whole batch of documents are computed at once (see :class:`LineBatch`),
with numpy over the characters of all its lines and C-level ``map`` over its lines. Pages are short
(about a hundred lines) and hold many words, so Python work per page, per line or per word would
otherwise be most of the cost of cleaning a corpus.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, lru_cache
from itertools import chain, compress, count
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from cleaner.text import is_blank

Documents = Sequence[Sequence[str]]

_WORD_EDGE = re.compile(r"^\W+|\W+$")
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
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Three lower-case letters as one integer (code points < 2**21): how LineBatch.month_rows spots months.
_MONTH_KEYS = np.array(sorted((ord(m[0].lower()) << 42) | (ord(m[1]) << 21) | ord(m[2]) for m in _MONTH_NAMES))
_DATE_FROM_MONTH = re.compile(
    "(?:" + "|".join(f"{m}|{m.lower()}" for m in _MONTH_NAMES) + r")(?<!\w\w\w\w)[a-z]*\.? \d{1,2}\b"
)
_TERMINAL = frozenset('.!?…"”’»)')
_BULLET = frozenset("•·-–—*►▪●○◦+>")
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


# Punctuation stripped from the ends of a word before the stopword look-up.
_EDGE_PUNCTUATION = string.punctuation.replace("_", "") + "“”‘’«»…–—•·、。，：；！？（）【】《》"
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s", re.MULTILINE)

# Character classes, as bits of one uint16 per character, from Python's own str predicates, so
# that numpy can do what str methods and the regex module would do word by word: split on
# whitespace (str.isspace is what str.split and the regex \s use), find word characters (the regex
# \w is str.isalnum or "_", and \d is str.isdecimal), strip punctuation, test a line's first or
# last character. The shape features count the first six only below 0x3000; above it, only CJK,
# kana and hangul count, as letters without case (see _base_matrix).
_ALPHA, _UPPER, _DIGIT, _SPACE, _ASCII_ALPHA, _LOWER = 1, 2, 4, 8, 16, 32
_WHITESPACE, _WORD, _DECIMAL, _EDGE, _TERMINAL_CHAR, _BULLET_CHAR, _COMMA = 64, 128, 256, 512, 1024, 2048, 4096
_PIPE = 8192
_TABLE_SIZE = 0x3000


def _char_class(c: str) -> int:
    """The class bits of one character, from Python's own predicates."""
    return (
        _ALPHA * c.isalpha()
        | _UPPER * c.isupper()
        | _DIGIT * c.isdigit()
        | _SPACE * (c == " ")
        | _ASCII_ALPHA * (c.isascii() and c.isalpha())
        | _LOWER * c.islower()
        | _WHITESPACE * c.isspace()
        | _WORD * (c.isalnum() or c == "_")
        | _DECIMAL * c.isdecimal()
        | _EDGE * (c in _EDGE_PUNCTUATION)
        | _TERMINAL_CHAR * (c in _TERMINAL)
        | _BULLET_CHAR * (c in _BULLET)
        | _COMMA * (c in ",;")
        | _PIPE * (c == "|")
    )


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    return np.fromiter(map(_char_class, map(chr, range(_TABLE_SIZE))), np.uint16, _TABLE_SIZE)


def _per_code_point(codes: np.ndarray, table: np.ndarray, function: Callable[[int], int]) -> np.ndarray:
    """``function`` of every code point: looked up in ``table`` (its values below 0x3000), in
    slices so that the look-up's index temporaries stay small, and computed in Python once per
    distinct code point above 0x3000 (few in most text)."""
    out = np.empty(len(codes), table.dtype)
    step = 1 << 16
    for i in range(0, len(codes), step):
        np.take(table, np.minimum(codes[i : i + step], _TABLE_SIZE - 1), out=out[i : i + step])
    high = np.flatnonzero(codes >= _TABLE_SIZE)
    if len(high):
        values, inverse = np.unique(codes[high], return_inverse=True)
        out[high] = np.fromiter(map(function, values.tolist()), table.dtype, len(values))[inverse]
    return out


def _classes(codes: np.ndarray) -> np.ndarray:
    """Class bits of every code point."""
    return _per_code_point(codes, _class_table(), lambda code: _char_class(chr(code)))


@lru_cache(maxsize=1)
def _lower_table() -> np.ndarray:
    return np.fromiter((ord(chr(c).lower()[0]) for c in range(_TABLE_SIZE)), np.uint32, _TABLE_SIZE)


def _lower_codes(codes: np.ndarray) -> np.ndarray:
    """The code points lower-cased one by one (for text without "İ", whose lower case is two
    characters, and "Σ", whose lower case depends on what follows)."""
    return _per_code_point(codes, _lower_table(), lambda code: ord(chr(code).lower()))


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _first_where(
    classes: np.ndarray, bits: int, want: bool, starts: np.ndarray, ends: np.ndarray, backwards: bool = False
) -> np.ndarray:
    """Per span [start, end), the first position whose character has any of the class ``bits``
    (none of them, if not ``want``), or ``end`` if there is none; the last one, or ``start - 1``,
    if ``backwards``.

    The span's first (last) character nearly always qualifies, so spans move one character per
    round for a few rounds, and the rare rest is finished by a binary search among all qualifying
    positions.
    """
    step = -1 if backwards else 1
    at = ends - 1 if backwards else starts.copy()
    pending = np.flatnonzero(((classes[at] & bits) != 0) != want)
    for _ in range(4):
        if not len(pending):
            return at
        moved = at[pending] + step
        at[pending] = moved
        pending = pending[(moved >= starts[pending]) & (moved < ends[pending])]
        pending = pending[((classes[at[pending]] & bits) != 0) != want]
    if len(pending):  # qualifying positions, with a sentinel beyond either end of the text
        positions = np.concatenate([[-1], np.flatnonzero(((classes & bits) != 0) == want), [len(classes)]])
        if backwards:
            found = positions[np.searchsorted(positions, at[pending], side="right") - 1]
            at[pending] = np.maximum(found, starts[pending] - 1)
        else:
            at[pending] = np.minimum(positions[np.searchsorted(positions, at[pending])], ends[pending])
    return at


def _strip(text: _Text, starts: np.ndarray, ends: np.ndarray, bit: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the substrings [start, end) of ``text`` stripped of characters with the class bit
    at both ends (as str.strip would); a substring stripped to nothing gets end == start."""
    first = _first_where(text.classes, bit, False, starts, ends)
    last = _first_where(text.classes, bit, False, starts, ends, backwards=True)
    return first, np.maximum(last + 1, first)


class _Text:
    """Lines joined with "\\n" into one string, with its code points and their class bits.

    The separator is whitespace and not a word character, so no word, token or regex match used by
    the features spans two lines (as when each line is handled alone); positions map back to lines
    through ``starts`` and ``ends``.
    """

    def __init__(self, lengths: np.ndarray, codes: np.ndarray, joined: str | None = None) -> None:
        self.joined = joined  # the string itself, when the text was made from one
        self.lengths = lengths
        self.starts = np.cumsum(lengths + 1) - (lengths + 1)
        self.ends = self.starts + lengths
        self.codes = codes
        self.classes = _classes(codes)

    @classmethod
    def of(cls, lines: list[str]) -> _Text:
        joined = "\n".join(lines)
        return cls(np.fromiter(map(len, lines), np.int64, len(lines)), _code_points(joined), joined)

    @cached_property
    def _line(self) -> np.ndarray:
        """The line of every character (a separator counts with the line before it)."""
        return np.repeat(np.arange(len(self.lengths), dtype=np.int32), self.lengths + 1)[: len(self.codes)]

    def line_of(self, positions: np.ndarray) -> np.ndarray:
        return self._line[positions]

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Per line, how many characters ``mask`` selects (the separators must not be selected)."""
        return np.add.reduceat(mask.view(np.uint8), self.starts, dtype=np.int64)

    def contains(self, literal: str) -> np.ndarray:
        """Per line, whether it contains ``literal`` (which holds no line break)."""
        codes, first = self.codes, ord(literal[0])
        at = np.flatnonzero(codes[: max(len(codes) - len(literal) + 1, 0)] == first)
        for k, char in enumerate(literal[1:], 1):
            at = at[codes[at + k] == ord(char)]
        hit = np.zeros(len(self.lengths), bool)
        hit[self.line_of(at)] = True
        return hit

    def runs(self, bit: int, inside: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Starts and ends of the maximal runs of characters with the class bit (without it if not
        ``inside``): the words of str.split() are the runs outside _WHITESPACE, and the tokens of
        the regex \\w+ the runs inside _WORD."""
        padded = np.zeros(len(self.codes) + 2, bool)
        padded[1:-1] = ((self.classes & bit) != 0) == inside
        edges = np.flatnonzero(padded[1:] != padded[:-1])  # a run's start, its end, the next start...
        return edges[::2], edges[1::2]


class LineBatch:
    """The non-blank lines of a batch of documents (stripped, in order) and where each one sits.

    Everything the features need that does not depend on the document is computed over the whole
    batch at once: the lines joined into one :class:`_Text` (and a lower-cased one), made when first
    used, so that ``LineClassifier`` can hand one batch to both feature transformers and the lines
    are stripped, lower-cased and classified once.
    """

    def __init__(self, documents: Documents) -> None:
        sizes = np.fromiter(map(len, documents), np.int64, len(documents))
        stripped = list(map(str.strip, chain.from_iterable(documents)))
        nonblank = np.fromiter(map(bool, stripped), bool, len(stripped))  # see cleaner.text.is_blank
        self.texts: list[str] = list(compress(stripped, nonblank))
        self.doc = np.repeat(np.arange(len(sizes)), sizes)[nonblank]  # each row's document
        rows = np.bincount(self.doc, minlength=len(sizes))
        self.bounds = np.concatenate([[0], np.cumsum(rows)]).astype(np.int64)  # rows of document d: bounds[d:d+2]
        self.row = np.arange(len(self.texts)) - self.bounds[self.doc]  # row number within the document
        self.sizes = sizes  # dump lines per document, blank ones included
        self.blanks = sizes - rows
        number = np.arange(len(stripped)) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # line number in its dump
        blank = ~nonblank
        before = np.zeros(len(stripped), bool)
        before[1:] = blank[:-1]
        after = np.zeros(len(stripped), bool)
        after[:-1] = blank[1:]
        self.blank_before = (before & (number > 0))[nonblank]
        self.blank_after = (after & (number < np.repeat(sizes, sizes) - 1))[nonblank]

    def __len__(self) -> int:
        return len(self.texts)

    @cached_property
    def text(self) -> _Text:
        return _Text.of(self.texts)

    @cached_property
    def lowered(self) -> _Text:
        """The lines lower-cased one by one, as TfidfVectorizer does.

        str.lower maps each character to one character, except "İ" (to two) and "Σ" (to "σ" or,
        ending a word, "ς"); without those, the lower-cased code points come from a table.
        """
        text = self.text
        if "İ" in text.joined or "Σ" in text.joined:
            return _Text.of(list(map(str.lower, self.texts)))
        return _Text(text.lengths, _lower_codes(text.codes))

    @cached_property
    def tokens(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start, end and line of the tokens of TfidfVectorizer's default token pattern
        ``\\b\\w\\w+\\b`` in the lower-cased text: the runs of two or more word characters."""
        lowered = self.lowered
        starts, ends = lowered.runs(_WORD)
        long = ends - starts >= 2
        return starts[long], ends[long], lowered.line_of(starts[long])

    @cached_property
    def month_rows(self) -> np.ndarray:
        """The lines with a token that starts like a month's name, the only ones where
        _DATE_FROM_MONTH can match (lower-casing keeps a non-word character one, so the month of a
        match starts a token)."""
        starts, ends, line = self.tokens
        starts, line = starts[ends - starts >= 3], line[ends - starts >= 3]
        codes = self.lowered.codes
        key = (codes[starts].astype(np.int64) << 42) | (codes[starts + 1].astype(np.int64) << 21) | codes[starts + 2]
        at = np.minimum(np.searchsorted(_MONTH_KEYS, key), len(_MONTH_KEYS) - 1)
        return np.unique(line[_MONTH_KEYS[at] == key])

    @cached_property
    def last_in_document(self) -> np.ndarray:
        return self.row == np.diff(self.bounds)[self.doc] - 1


class _Lexicon:
    """A fixed set of strings in which many substrings of a text are looked up at once.

    Looking words up one by one in a Python set costs a few Python calls per word, and pages hold
    many words. Here the candidates are grouped by length and hashed together, a character
    position at a time (a polynomial in wrapping 64-bit arithmetic, by Horner's rule). Per length,
    the set's strings sit in a hash table with about eight buckets per string, so that most
    candidates not in the set stop at an empty bucket; a candidate whose hash matches is confirmed
    by comparing its characters, so a hash collision can never produce a false hit.
    """

    _BASES = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)
    _MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: a bucket from the top bits of hash * _MIX

    def __init__(self, strings: Iterable[str]) -> None:
        self.strings = sorted(set(strings))
        by_length: dict[int, list[int]] = {}
        for index, s in enumerate(self.strings):
            by_length.setdefault(len(s), []).append(index)
        self.longest = max(by_length, default=0)
        for base in self._BASES:  # a base under which two strings share a hash: try the next one
            self.base = np.uint64(base)
            self.groups: dict[int, _Bucketed] = {}
            for length, indices in by_length.items():
                chars = _code_points("".join(self.strings[i] for i in indices)).reshape(len(indices), length)
                hashes = self._hash(chars.T, len(indices))
                if len(np.unique(hashes)) < len(hashes):
                    break
                bits = len(indices).bit_length() + 3
                buckets = self._bucket(hashes, bits)
                order = np.argsort(buckets, kind="stable")
                starts = np.searchsorted(buckets[order], np.arange((1 << bits) + 1))
                self.groups[length] = _Bucketed(bits, starts, hashes[order], chars[order], np.asarray(indices)[order])
            else:
                return
        raise RuntimeError("no hash base separates the strings")  # pragma: no cover - 2**-64 per pair

    def _hash(self, columns: Iterable[np.ndarray], size: int) -> np.ndarray:
        """Hashes of ``size`` strings given as their code points, one array per character position."""
        hashed = np.zeros(size, np.uint64)
        for column in columns:
            hashed = hashed * self.base + column
        return hashed

    def _bucket(self, hashes: np.ndarray, bits: int) -> np.ndarray:
        return ((hashes * self._MIX) >> np.uint64(64 - bits)).astype(np.intp)

    def find(self, codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Index in ``strings`` of every substring ``codes[start : start + length]``, or -1."""
        found = np.full(len(starts), -1, np.int64)
        if not len(starts):
            return found
        # Group the candidates by length with one sort (a radix sort of bytes, as strings are short);
        # candidates longer than every string fall in one group that is never looked at.
        capped = np.minimum(lengths, self.longest + 1).astype(np.uint8 if self.longest < 255 else np.int64)
        order = np.argsort(capped, kind="stable")
        bounds = np.searchsorted(capped[order], np.arange(self.longest + 2))
        for length, group in self.groups.items():
            which = order[bounds[length] : bounds[length + 1]]
            if not len(which):
                continue
            first = starts[which]
            hashed = self._hash((codes[first + j] for j in range(length)), len(which))
            bucket = self._bucket(hashed, group.bits)
            at, stop = group.starts[bucket], group.starts[bucket + 1]
            pending = np.flatnonzero(at < stop)
            while len(pending):  # walk the buckets, which nearly all hold one string at most
                same = group.hashes[at[pending]] == hashed[pending]
                hit = pending[same]
                for j in range(length):
                    hit = hit[codes[first[hit] + j] == group.chars[at[hit], j]]
                found[which[hit]] = group.indices[at[hit]]
                pending = pending[~same]
                at[pending] += 1
                pending = pending[at[pending] < stop[pending]]
        return found


class _Bucketed(NamedTuple):
    """A :class:`_Lexicon`'s strings of one length, by bucket: those of bucket b are
    ``starts[b]:starts[b + 1]`` of ``hashes``, ``chars`` (their code points) and ``indices``."""

    bits: int
    starts: np.ndarray
    hashes: np.ndarray
    chars: np.ndarray
    indices: np.ndarray


@lru_cache(maxsize=8)
def _stopword_lexicon(stopwords: frozenset[str]) -> _Lexicon:
    return _Lexicon(stopwords)


def _matches(
    pattern: re.Pattern[str], text: _Text, texts: list[str], rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
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


def _has_match(pattern: re.Pattern[str], text: _Text, texts: list[str], rows: np.ndarray) -> np.ndarray:
    """Per line, whether ``pattern`` matches in it; only ``rows`` are scanned."""
    hit = np.zeros(len(texts), bool)
    hit[_matches(pattern, text, texts, rows)[0]] = True
    return hit


def _count_within(groups: np.ndarray, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, how many rows of its group have the same key (as float), and the key's number.

    Keys are numbered by a dict (C-level ``map``, no tuple per row) and counted with numpy.
    """
    number: dict[str, int] = {}
    numbers = np.fromiter(map(number.setdefault, keys, count()), np.int64, len(keys))
    _, inverse, counts = np.unique(groups * max(len(keys), 1) + numbers, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)].astype(float), numbers


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
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.encode("ascii", "ignore").decode().split())


def _slug_spells_title(batch: LineBatch, slug: np.ndarray) -> np.ndarray:
    """1 for a line whose slug prefix spells out another line of its page (usually the headline).

    A URL slug is a title with its accents and punctuation gone, so such a prefix marks a
    related-news link or an image remnant, whereas a list item that merely starts in lower case
    (``5-7 kg 60-100 mg``, ``off-peak return fares``) spells nothing. Only slug lines are folded.
    """
    result = np.zeros(len(batch))
    for document in np.unique(batch.doc[slug > 0]).tolist():
        rows = range(batch.bounds[document], batch.bounds[document + 1])
        titles = [ascii_fold(batch.texts[r])[:40] for r in rows if len(batch.texts[r]) >= 15 and not slug[r]]
        for row in rows:
            if slug[row]:
                words = [w for w in batch.texts[row].split()[:12] if _SLUG_TOKEN.match(w)]
                prefix = " ".join(words).replace("-", " ")[:40]
                if len(prefix) >= 15 and any(t.startswith(prefix) or prefix.startswith(t) for t in titles):
                    result[row] = 1.0
    return result


def _base_matrix(batch: LineBatch, stopwords: frozenset[str]) -> np.ndarray:
    """Own-line and document-position features of every non-blank line of the batch."""
    texts, n = batch.texts, len(batch)
    out = np.zeros((n, len(BASE_FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    text, lowered = batch.text, batch.lowered
    codes, classes, starts, ends = text.codes, text.classes, text.starts, text.ends
    n_chars = text.lengths
    counted = classes
    high = codes >= _TABLE_SIZE
    if high.any():  # above the table, only CJK, kana and hangul count, as letters without case
        wide = codes[high]
        counted = classes.copy()
        counted[high] = _ALPHA * (((wide >= 0x3040) & (wide < 0xA000)) | ((wide >= 0xAC00) & (wide < 0xD7B0)))

    def per_line(bits: np.ndarray, bit: int) -> np.ndarray:
        return text.count((bits & bit) != 0).astype(float)

    letters, upper, digits = per_line(counted, _ALPHA), per_line(counted, _UPPER), per_line(counted, _DIGIT)
    spaces, ascii_letters = per_line(counted, _SPACE), per_line(counted, _ASCII_ALPHA)
    commas = per_line(classes, _COMMA)

    first_letter = _first_where(classes, _ALPHA, True, starts, ends)
    has_letter = first_letter < ends
    first_letter = np.minimum(first_letter, ends - 1)
    first_upper = has_letter & ((classes[first_letter] & _UPPER) != 0)
    first_lower = has_letter & ((classes[first_letter] & _LOWER) != 0)

    # The line without trailing spaces and pipes ("tail"): its last character.
    last = _first_where(classes, _SPACE | _PIPE, False, starts, ends, backwards=True)
    has_tail = last >= starts
    last = np.maximum(last, starts)
    terminal = (has_tail & ((classes[last] & _TERMINAL_CHAR) != 0)).astype(float)
    ends_colon = has_tail & (codes[last] == ord(":"))
    dots = (
        (last - 2 >= starts)
        & (codes[np.maximum(last - 2, 0)] == ord("."))
        & (codes[np.maximum(last - 1, 0)] == ord("."))
    )
    ends_ellipsis = has_tail & ((codes[last] == ord("…")) | (dots & (codes[last] == ord("."))))

    # Words as str.split() makes them; stopwords are looked up lower-cased and without edge punctuation.
    word_starts, word_ends = text.runs(_WHITESPACE, inside=False)
    n_words = np.bincount(text.line_of(word_starts), minlength=n).astype(float)
    low_starts, low_ends = lowered.runs(_WHITESPACE, inside=False)
    stripped_start, stripped_end = _strip(lowered, low_starts, low_ends, _EDGE)
    is_stopword = _stopword_lexicon(stopwords).find(lowered.codes, stripped_start, stripped_end - stripped_start) >= 0
    n_stop = np.bincount(lowered.line_of(low_starts[is_stopword]), minlength=n).astype(float)

    # Repeats within a document, counted with numpy over each line's number in a dict of lines.
    repeats, line_number = _count_within(batch.doc, texts)
    same_prev = np.zeros(n)
    same_prev[1:] = (line_number[1:] == line_number[:-1]) & (batch.doc[1:] == batch.doc[:-1])
    same_next = np.zeros(n)
    same_next[:-1] = same_prev[1:]
    repeats_first = (line_number == line_number[batch.bounds[batch.doc]]) & (batch.row > 0)

    # Lines sharing their first two words: the key is the two words with one space between them.
    two = np.flatnonzero(n_words >= 2)
    first_word = np.searchsorted(word_starts, starts[two])
    a, b = word_starts[first_word], word_ends[first_word]
    c, d = word_starts[first_word + 1], word_ends[first_word + 1]
    joined = text.joined
    prefixes = list(map(joined.__getitem__, map(slice, a.tolist(), d.tolist())))
    for i in np.flatnonzero((c != b + 1) | (codes[b] != ord(" "))).tolist():
        prefixes[i] = f"{joined[a[i] : b[i]]} {joined[c[i] : d[i]]}"
    shared_prefix = np.zeros(n)
    shared_prefix[two] = np.log(_count_within(batch.doc[two], prefixes)[0])

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
    # Time and date patterns need a digit: only lines with digits are scanned, and for a time only
    # those where a digit is followed by ":" or "h".
    digit_rows = np.flatnonzero(digits)
    before_colon = np.zeros(len(codes), bool)
    before_colon[:-1] = ((classes[:-1] & _DECIMAL) != 0) & ((codes[1:] == ord(":")) | (codes[1:] == ord("h")))
    time_rows = np.flatnonzero(digits * text.count(before_colon))
    # "^\d{1,2}[.)]\s" matches at the start of a line that starts with a digit (or after a line
    # break inside a line, which dump lines do not have); it may take the line break after the line
    # as its \s, but a document's last line has none.
    may_be_numbered = (classes[starts] & _DECIMAL) != 0
    if text.joined.count("\n") > n - 1:
        may_be_numbered |= text.count(codes == ord("\n")) > 0
    numbered_rows, past_end = _matches(_NUMBERED, text, texts, np.flatnonzero(may_be_numbered))
    numbered = np.zeros(n, bool)
    numbered[numbered_rows[(past_end <= 0) | ~batch.last_in_document[numbered_rows]]] = True
    sentence_rows = _matches(_SENTENCE_END, text, texts, np.arange(n))[0]
    sentences = np.bincount(sentence_rows, minlength=n) + terminal
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
        "has_time": _has_match(_TIME, text, texts, time_rows),
        "has_date": _has_match(_DATE_FROM_DIGIT, text, texts, digit_rows)
        | _has_match(_DATE_FROM_MONTH, text, texts, np.intersect1d(digit_rows, batch.month_rows)),
        "is_image": (codes[starts] == ord("!")) & (n_chars >= 2) & (second == ord("[")),
        "has_link": links,
        "has_pipe": text.contains("|"),
        "starts_bullet": (classes[starts] & _BULLET_CHAR) != 0,
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
    for column, name in enumerate(BASE_FEATURES):
        out[:, column] = columns[name]
    return out


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
    # depends on the rounding of other documents' sums.
    block_start = np.full(len(batch.bounds) - 1, -1)
    block_end = np.full(len(batch.bounds) - 1, -1)
    for doc in np.unique(batch.doc[prose > 0]).tolist():
        lo, hi = batch.bounds[doc], batch.bounds[doc + 1]
        mass = chars[lo:hi]
        total = mass.sum()
        before = np.cumsum(mass) - mass
        out[lo:hi, 2] = before / total
        out[lo:hi, 3] = (total - before - mass) / total
        block_start[doc], block_end[doc] = _main_block(prose[lo:hi], mass)
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


def _neighbour_matrix(base: np.ndarray, batch: LineBatch) -> np.ndarray:
    """The neighbours' shape, shifted into each row, with an indicator for 'no such neighbour'
    (the neighbour would be outside the document)."""
    columns = [BASE_FEATURES.index(name) for name in NEIGHBOUR_FEATURES]
    n = len(base)
    first, stop = batch.bounds[:-1][batch.doc], batch.bounds[1:][batch.doc]
    blocks = []
    for offset in NEIGHBOUR_OFFSETS:
        shifted = np.zeros((n, len(columns) + 1))
        source = np.arange(n) + offset
        valid = (source >= first) & (source < stop)
        shifted[valid, :-1] = base[source[valid]][:, columns]
        shifted[~valid, -1] = 1.0
        blocks.append(shifted)
    return np.hstack(blocks) if blocks else np.zeros((n, 0))


class LineShapeFeatures(TransformerMixin, BaseEstimator):
    """Dense, language-light features of every non-blank line and its context.

    Parameters
    ----------
    stopword_languages : tuple of str
        ISO 639-1 codes whose stopword lists count towards ``stopword_ratio``.
    """

    def __init__(self, stopword_languages: tuple[str, ...] = ("vi", "en")) -> None:
        self.stopword_languages = stopword_languages

    def fit(self, documents: Documents, y: object = None) -> LineShapeFeatures:
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def transform(self, documents: Documents) -> np.ndarray:
        return self.transform_batch(LineBatch(documents))

    def transform_batch(self, batch: LineBatch) -> np.ndarray:
        """``transform`` of the documents that ``batch`` was made from."""
        return self._transform(batch, stopword_set(tuple(self.stopword_languages)))

    def transform_document(self, lines: Sequence[str], stopwords: frozenset[str]) -> np.ndarray:
        """The rows of one document (``transform`` does a whole batch at once)."""
        return self._transform(LineBatch([lines]), stopwords)

    def _transform(self, batch: LineBatch, stopwords: frozenset[str]) -> np.ndarray:
        base = _base_matrix(batch, stopwords)
        blank_ratio = batch.blanks / np.maximum(batch.sizes, 1)
        document = np.column_stack([blank_ratio[batch.doc], np.log1p(batch.sizes)[batch.doc]])
        return np.hstack([base, document, _neighbour_matrix(base, batch), _block_matrix(base, batch)])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        neighbours = [
            f"{'prev' if o < 0 else 'next'}{abs(o)}_{name}"
            for o in NEIGHBOUR_OFFSETS
            for name in (*NEIGHBOUR_FEATURES, "missing")
        ]
        return np.asarray([*BASE_FEATURES, *DOCUMENT_FEATURES, *neighbours, *BLOCK_FEATURES], dtype=object)


class NonBlankLines(TransformerMixin, BaseEstimator):
    """Flatten documents into their non-blank lines, the input of a text vectorizer."""

    def fit(self, documents: Documents, y: object = None) -> NonBlankLines:
        return self

    def transform(self, documents: Documents) -> list[str]:
        return [line.strip() for lines in documents for line in lines if not is_blank(line)]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(["line"], dtype=object)


class _NgramIndex:
    """A fitted vocabulary of word n-grams, ready to be matched against a batch's tokens.

    Its words form a :class:`_Lexicon`, in which every token is looked up once; its n-grams of
    each size are an :class:`_NgramTable`. A run of tokens that are not all vocabulary words cannot
    be a vocabulary n-gram.
    """

    def __init__(self, vocabulary: dict[str, int]) -> None:
        terms = [(term.split(" "), column) for term, column in vocabulary.items()]
        self.words = _Lexicon(word for parts, _ in terms for word in parts)
        number = {word: i for i, word in enumerate(self.words.strings)}
        by_size: dict[int, list[tuple[list[int], int]]] = {}
        for parts, column in terms:
            by_size.setdefault(len(parts), []).append(([number[word] for word in parts], column))
        self.tables = {size: _NgramTable(entries, len(number)) for size, entries in by_size.items()}


class _NgramTable:
    """The vocabulary's n-grams of one size n, as a table with one axis per word position.

    Only some words occur at position k of an n-gram; they are numbered along axis k (``axes[k]``
    maps a word's number to it, -1 for a word never there). Each n-gram is then a cell of the
    flattened table, looked up for many n-grams at once with numpy: in a dense array of columns if
    the table is small (it is for unigrams and bigrams), else by binary search in the sorted cells.
    """

    DENSE_CELLS = 1 << 22

    def __init__(self, entries: list[tuple[list[int], int]], n_words: int) -> None:
        self.axes, self.extents = [], []
        for k in range(len(entries[0][0])):
            present = sorted({words[k] for words, _ in entries})
            # One entry more than there are words, -1: it is the one an unknown token (-1) indexes.
            axis = np.full(n_words + 1, -1, np.int64)
            axis[present] = np.arange(len(present))
            self.axes.append(axis)
            self.extents.append(len(present))
        cells = np.zeros(len(entries), np.int64)
        for k, (axis, extent) in enumerate(zip(self.axes, self.extents)):
            cells = cells * extent + axis[[words[k] for words, _ in entries]]
        columns = np.asarray([column for _, column in entries], np.int64)
        self.usable = math.prod(self.extents) < 2**62  # cell numbers must fit in int64
        if math.prod(self.extents) <= self.DENSE_CELLS:
            self.dense: np.ndarray | None = np.full(math.prod(self.extents), -1, np.int32)
            self.dense[cells] = columns
        else:
            self.dense = None
            order = np.argsort(cells)
            self.cells, self.columns = cells[order], columns[order]

    def find(self, word: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary n-grams among the runs of n consecutive tokens (``word``: each token's
        number in the lexicon or -1, ``line``: its line): their first token and their column."""
        m = len(word) - len(self.axes) + 1
        if m <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        cell = np.zeros(m, np.int64)
        usable = np.ones(m, bool)
        for k, (axis, extent) in enumerate(zip(self.axes, self.extents)):
            part = axis[word[k : k + m]]
            usable &= (part >= 0) & (line[k : k + m] == line[:m])
            cell = cell * extent + part
        first = np.flatnonzero(usable)
        if self.dense is not None:
            column = self.dense[cell[first]]
        else:
            at = np.minimum(np.searchsorted(self.cells, cell[first]), len(self.cells) - 1)
            column = np.where(self.cells[at] == cell[first], self.columns[at], -1)
        return first[column >= 0], column[column >= 0]


# TfidfVectorizer settings under which CueWordTfidf.transform computes the same matrix itself.
_TFIDF_SETTINGS = {
    "input": "content",
    "analyzer": "word",
    "lowercase": True,
    "preprocessor": None,
    "strip_accents": None,
    "tokenizer": None,
    "token_pattern": r"(?u)\b\w\w+\b",
    "stop_words": None,
    "binary": False,
    "dtype": np.float64,
    "sublinear_tf": True,
    "use_idf": True,
    "norm": "l2",
}


class CueWordTfidf(TransformerMixin, BaseEstimator):
    """Word n-gram TF-IDF of each non-blank line, over words that recur across many documents.

    Boilerplate cues (``Tin liên quan``, ``Đọc nhiều``, ``Related``, ``Share``) recur on every page
    of every site; an article's topical words recur only within its own page. Keeping n-grams seen
    in at least ``min_documents`` training documents lets the model learn the cues without learning
    that today's news topics are content.

    ``transform`` returns exactly what the fitted ``vectorizer_`` (a TfidfVectorizer) returns, but
    counts the n-grams itself, vectorised over the whole batch (see :meth:`transform_batch`):
    TfidfVectorizer tokenises and looks up n-grams line by line in Python.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_documents: int = 4) -> None:
        self.ngram_range = ngram_range
        self.min_documents = min_documents

    def _vectorizer(self, vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(ngram_range=self.ngram_range, sublinear_tf=True, vocabulary=vocabulary)

    def fit(self, documents: Documents, y: object = None) -> CueWordTfidf:
        analyze = self._vectorizer().build_analyzer()
        document_frequency: dict[str, int] = {}
        for lines in documents:
            terms = {term for line in lines if not is_blank(line) for term in analyze(line)}
            for term in terms:
                document_frequency[term] = document_frequency.get(term, 0) + 1
        vocabulary = sorted(t for t, n in document_frequency.items() if n >= self.min_documents)
        self.vectorizer_ = self._vectorizer(vocabulary or ["\0"]).fit(NonBlankLines().transform(documents))
        return self

    def transform(self, documents: Documents) -> Any:
        return self.transform_batch(LineBatch(documents))

    def transform_batch(self, batch: LineBatch) -> Any:
        """``transform`` of the documents that ``batch`` was made from.

        The vectorizer's analyzer lower-cases a line and takes its tokens (runs of two or more word
        characters, the token pattern ``\\b\\w\\w+\\b``) and their n-grams; here the tokens of the
        whole batch come from one pass of numpy over its lower-cased text, are looked up in the
        vocabulary's words at once, and n-grams are matched as integer keys. The counts then go
        through the same steps as TfidfVectorizer's (sublinear tf, idf, l2 norm), in the same order.
        """
        vectorizer = self.vectorizer_
        index = _ngram_index(vectorizer)
        if index is None or not len(batch):  # (the vectorizer raises ValueError for no lines)
            return vectorizer.transform(batch.texts)
        starts, ends, line = batch.tokens
        word = index.words.find(batch.lowered.codes, starts, ends - starts)
        rows, columns = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        low, high = vectorizer.ngram_range
        for size, table in index.tables.items():
            if low <= size <= high:
                first, column = table.find(word, line)
                rows.append(line[first])
                columns.append(column)
        n_rows, n_columns = len(batch), len(vectorizer.vocabulary_)
        cells, counts = np.unique(np.concatenate(rows) * n_columns + np.concatenate(columns), return_counts=True)
        indptr = np.searchsorted(cells // n_columns, np.arange(n_rows + 1))
        matrix = sp.csr_matrix(
            (counts.astype(np.float64), (cells % n_columns).astype(np.int32), indptr.astype(np.int32)),
            shape=(n_rows, n_columns),
        )
        np.log(matrix.data, out=matrix.data)  # sublinear tf: 1 + log(count)
        matrix.data += 1.0
        matrix.data *= vectorizer.idf_[matrix.indices]
        matrix = normalize(matrix, norm="l2", copy=False)
        return sp.csr_array(matrix) if sklearn.get_config().get("sparse_interface") == "sparray" else matrix

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.vectorizer_.get_feature_names_out()


_NGRAM_INDEXES: weakref.WeakKeyDictionary[TfidfVectorizer, _NgramIndex | None] = weakref.WeakKeyDictionary()


def _ngram_index(vectorizer: TfidfVectorizer) -> _NgramIndex | None:
    """The n-gram index of a fitted vectorizer (made once per vectorizer), or None when its settings
    are not those CueWordTfidf uses, so that only the vectorizer itself can transform."""
    if vectorizer not in _NGRAM_INDEXES:
        params = vectorizer.get_params()
        same = all(params[name] == value for name, value in _TFIDF_SETTINGS.items())
        index = _NgramIndex(vectorizer.vocabulary_) if same else None
        usable = index is not None and all(table.usable for table in index.tables.values())
        _NGRAM_INDEXES[vectorizer] = index if usable else None
    return _NGRAM_INDEXES[vectorizer]

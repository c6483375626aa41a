"""Characters as numpy sees them: the class bits of every code point (from Python's own str
predicates), lower-casing and ASCII folding by table, the scripts written without spaces, and the
helpers that find a class in spans of a text (first, last, stripped, runs). What
:class:`~cleaner.features.batch.Text` and the features read of a batch's characters, built once per
process.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .markdown import MARKUP_BIT, MARKUP_CHARS

if TYPE_CHECKING:
    from .batch import Text

# Sentence-ending marks, those of scripts without spaces (。！？) and Arabic's and Devanagari's included.
_TERMINAL = frozenset(".!?…。！？｡؟।")
# Quotes and brackets that may close a sentence after its terminal mark: 'nói: "Đúng vậy."', "(...)."
# A line is terminated when its last character outside these (and spaces and pipes) is terminal,
# so "Tiêu đề (12/06/2025)" and a quoted headline 'Bộ trưởng: "Không để ai bị bỏ lại"' are not.
_CLOSERS = "\"”’»)]'」』）》〉】"
_BULLET = frozenset("•·-–—*►▪●○◦+>")

# Punctuation stripped from the ends of a word before the stopword look-up.
_EDGE_PUNCTUATION = string.punctuation.replace("_", "") + "“”‘’«»…–—•·、。，：；！？（）【】《》"

# Character classes, as bits of one uint16 per character, from Python's own str predicates, so
# that numpy can do what str methods and the regex module would do word by word: split on
# whitespace (str.isspace is what str.split and the regex \s use), find word characters (the regex
# \w is str.isalnum or "_", and \d is str.isdecimal), strip punctuation, test a line's first or
# last character. The shape features count the first six only below 0x3000; above it, only CJK,
# kana and hangul count, as letters without case (see cleaner.features.facts.LineFacts.counted).
ALPHA, UPPER, DIGIT, SPACE, ASCII_ALPHA, LOWER = 1, 2, 4, 8, 16, 32
WHITESPACE, WORD, DECIMAL, EDGE, TERMINAL_CHAR, BULLET_CHAR, COMMA = 64, 128, 256, 512, 1024, 2048, 4096
PIPE, CLOSER = 8192, 16384
MARKDOWN = MARKUP_BIT  # a character Markdown markup needs inside a line (cleaner.features.markdown)
TABLE_SIZE = 0x3000


def _char_class(c: str) -> int:
    """The class bits of one character, from Python's own predicates; a combining mark (Unicode
    category M) counts as a letter and a word character. Thai and Indic vowel signs and tone marks
    are such marks, with no precomposed form: as symbols, they made a Thai or Hindi sentence look
    like a third punctuation (``symbol_ratio``) and split its words and letter bigrams at every
    sign. (Marks that have a precomposed form are composed before, see cleaner.text.composed.)"""
    mark = unicodedata.category(c).startswith("M")
    return (
        ALPHA * (c.isalpha() or mark)
        | UPPER * c.isupper()
        | DIGIT * c.isdigit()
        | SPACE * (c == " ")
        | ASCII_ALPHA * (c.isascii() and c.isalpha())
        | LOWER * c.islower()
        | WHITESPACE * c.isspace()
        | WORD * (c.isalnum() or c == "_" or mark)
        | DECIMAL * c.isdecimal()
        | EDGE * (c in _EDGE_PUNCTUATION)
        | TERMINAL_CHAR * (c in _TERMINAL)
        | BULLET_CHAR * (c in _BULLET)
        | COMMA * (c in ",;")
        | PIPE * (c == "|")
        | CLOSER * (c in _CLOSERS)
        | MARKDOWN * (c in MARKUP_CHARS)
    )


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    return np.fromiter(map(_char_class, map(chr, range(TABLE_SIZE))), np.uint16, TABLE_SIZE)


def _per_code_point(codes: np.ndarray, table: np.ndarray, function: Callable[[int], int]) -> np.ndarray:
    """``function`` of every code point: looked up in ``table`` (its values below 0x3000), in
    slices so that the look-up's index temporaries stay small, and computed in Python once per
    distinct code point above 0x3000 (few in most text). Code points beyond the table are first
    clipped to its last entry by the look-up itself (``mode="clip"``), with no array of their own."""
    out = np.empty(len(codes), table.dtype)
    step = 1 << 16
    for i in range(0, len(codes), step):
        np.take(table, codes[i : i + step], out=out[i : i + step], mode="clip")
    high = np.flatnonzero(codes >= TABLE_SIZE)
    if len(high):
        values, inverse = np.unique(codes[high], return_inverse=True)
        out[high] = np.fromiter(map(function, values.tolist()), table.dtype, len(values))[inverse]
    return out


@lru_cache(maxsize=1 << 16)
def _high_char_class(code: int) -> int:
    """:func:`_char_class` of a code point above the table, remembered: a Chinese or Japanese batch
    holds a few thousand distinct ones, the same from batch to batch."""
    return _char_class(chr(code))


def char_classes(codes: np.ndarray) -> np.ndarray:
    """Class bits of every code point."""
    return _per_code_point(codes, _class_table(), _high_char_class)


@lru_cache(maxsize=1)
def _lower_table() -> np.ndarray:
    return np.fromiter((ord(chr(c).lower()[0]) for c in range(TABLE_SIZE)), np.uint32, TABLE_SIZE)


def lower_codes(codes: np.ndarray) -> np.ndarray:
    """The code points lower-cased one by one (for text without "İ", whose lower case is two
    characters, and "Σ", whose lower case depends on what follows)."""
    return _per_code_point(codes, _lower_table(), lambda code: ord(chr(code).lower()))


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


# What ascii_fold_lines does with each character of the decomposed, lower-cased text.
_FOLD_KEEP, _FOLD_SPACE, _FOLD_DROP = 0, 1, 2


def _fold_action(code: int) -> int:
    c = chr(code)
    if unicodedata.combining(c):
        return _FOLD_DROP  # accents, split off by NFD
    if c.isalnum():
        return _FOLD_KEEP if c.isascii() else _FOLD_DROP  # a letter with no ASCII spelling goes
    return _FOLD_SPACE


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    return np.fromiter(map(_fold_action, range(TABLE_SIZE)), np.uint8, TABLE_SIZE)


@lru_cache(maxsize=1)
def fold_initials() -> np.ndarray:
    """Per code point below TABLE_SIZE, the first character (as a code point) of its
    :func:`ascii_fold_lines` fold, 0 if it folds to nothing; at TABLE_SIZE (where callers put the
    code points above the table), 0. As the fold maps each character on its own, a line whose first
    character folds to something folds to a string starting with that."""
    folds = _fold([chr(code) for code in range(TABLE_SIZE)])
    return np.array([ord(fold[0]) if fold else 0 for fold in folds] + [0], dtype=np.uint32)


def ascii_fold_lines(lines: Sequence[str], width: int | None = None) -> list[str]:
    """The lower-case ASCII spelling of each line, as URL slugs spell titles: accents and
    punctuation gone, words separated by one space; only its first ``width`` characters if given.

    Speed: the fold maps every character to a string of its own (lower case, NFD, then dropping
    combining marks and non-ASCII letters and digits, and turning anything else that is not a
    letter or digit into a space) before words are joined by single spaces, so it commutes with
    joining lines by a line break, and a line's first ``width`` folded characters are those of any
    prefix of the line whose own fold is that long. Lines are therefore folded together, in one NFD
    and one numpy pass over their code points instead of Python per character, and with ``width``
    only their first ``1.5 * width`` characters unless those fold to fewer than ``width``.
    """
    if width is None:
        return _fold(lines)
    head = width + width // 2
    folded = _fold([line[:head] for line in lines])
    short = [i for i, (line, fold) in enumerate(zip(lines, folded)) if len(fold) < width and len(line) > head]
    for i, fold in zip(short, _fold([lines[i] for i in short])):
        folded[i] = fold
    return [fold[:width] for fold in folded]


def _fold(lines: Sequence[str]) -> list[str]:
    """:func:`ascii_fold_lines` of whole lines."""
    if not lines:
        return []
    joined = "\n".join(lines)
    if joined.count("\n") != len(lines) - 1:  # a line break inside a line folds to a space anyway
        joined = "\n".join(line.replace("\n", " ") for line in lines)
    codes = code_points(unicodedata.normalize("NFD", joined.lower().replace("đ", "d")))
    action = _per_code_point(codes, _fold_table(), _fold_action)
    action[codes == ord("\n")] = _FOLD_KEEP  # the separator stays
    folded = codes.copy()
    folded[action == _FOLD_SPACE] = ord(" ")
    folded = folded[action != _FOLD_DROP]  # ASCII letters and digits, spaces and separators now
    # As " ".join(line.split()): a run of spaces becomes its last space, then a space next to
    # a separator or an end of the text goes.
    space = folded == ord(" ")
    space[:-1] &= space[1:]
    folded = folded[~space]
    space, edge = folded == ord(" "), np.ones(len(folded) + 2, bool)
    edge[1:-1] = folded == ord("\n")
    folded = folded[~(space & (edge[:-2] | edge[2:]))]
    return folded.astype(np.uint8).tobytes().decode("ascii").split("\n")


def first_where(
    classes: np.ndarray, bits: int, want: bool, starts: np.ndarray, ends: np.ndarray, backwards: bool = False
) -> np.ndarray:
    """Per span [start, end), the first position whose character has any of the class ``bits``
    (none of them, if not ``want``), or ``end`` if there is none; the last one, or ``start - 1``,
    if ``backwards``.

    The span's first (last) character nearly always qualifies, so spans move one character per
    round for a few rounds, and the rare rest is finished by a binary search among the qualifying
    positions in what remains of those spans (any qualifying position between a span's position
    and its end is in there; searching the whole text cost more than all the rounds).
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
    if len(pending):  # qualifying positions left in those spans, with a sentinel beyond either end of the text
        first = starts[pending] if backwards else at[pending]
        sizes = (at[pending] + 1 if backwards else ends[pending]) - first
        rest = np.repeat(first - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
        positions = np.concatenate([[-1], np.sort(rest[((classes[rest] & bits) != 0) == want]), [len(classes)]])
        if backwards:
            found = positions[np.searchsorted(positions, at[pending], side="right") - 1]
            at[pending] = np.maximum(found, starts[pending] - 1)
        else:
            at[pending] = np.minimum(positions[np.searchsorted(positions, at[pending])], ends[pending])
    return at


def strip(text: Text, starts: np.ndarray, ends: np.ndarray, bit: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the substrings [start, end) of ``text`` stripped of characters with the class bit
    at both ends (as str.strip would); a substring stripped to nothing gets end == start."""
    first = first_where(text.classes, bit, False, starts, ends)
    last = first_where(text.classes, bit, False, starts, ends, backwards=True)
    return first, np.maximum(last + 1, first)


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the maximal runs of True in ``mask``."""
    padded = np.zeros(len(mask) + 2, bool)
    padded[1:-1] = mask
    edges = np.flatnonzero(padded[1:] != padded[:-1])  # a run's start, its end, the next start...
    return edges[::2], edges[1::2]


def no_space_letters(codes: np.ndarray) -> np.ndarray:
    """Which code points are letters of scripts written without spaces between words: CJK
    ideographs, kana, Thai, Lao, Khmer and Myanmar (Hangul is written with spaces).

    Speed: only the code points from Thai up are tested (a twentieth of a Latin or Vietnamese text;
    testing every one was 3% of ``cleaner predict``)."""
    unspaced = np.zeros(len(codes), bool)
    high = np.flatnonzero(codes >= 0x0E00)
    if len(high):
        unspaced[high] = _no_space_ranges(codes[high])
    return unspaced


def _no_space_ranges(codes: np.ndarray) -> np.ndarray:
    return (
        ((codes >= 0x0E00) & (codes < 0x0F00))  # Thai, Lao
        | ((codes >= 0x1000) & (codes < 0x10A0))  # Myanmar
        | ((codes >= 0x1780) & (codes < 0x1800))  # Khmer
        | ((codes >= 0x3040) & (codes < 0x3100))  # kana
        | ((codes >= 0x3400) & (codes < 0xA000))  # CJK ideographs
        | ((codes >= 0xF900) & (codes < 0xFB00))  # CJK compatibility ideographs
        | ((codes >= 0x20000) & (codes < 0x30000))  # CJK extensions
    )

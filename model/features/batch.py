"""The batch text machinery: a batch of documents' lines as one text that numpy can work on.

Speed: the features of a whole batch of documents are computed at once (see :class:`LineBatch`),
with numpy over the characters of all its lines and C-level ``map`` over its lines. Pages are short
(about a hundred lines) and hold many words, so Python work per page, per line or per word would
otherwise be most of the cost of cleaning a corpus. This module holds what both feature
transformers share: the lines of a batch, stripped and joined, their code points and character
classes, and the vectorised str helpers (split, strip, lower) built on them.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache
from itertools import chain, compress

import numpy as np

from .markdown import MARKUP_BIT, MARKUP_CHARS, plain_lines, splice

Documents = Sequence[Sequence[str]]

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Three lower-case letters as one integer (code points < 2**21): how LineBatch.month_rows spots months.
_MONTH_KEYS = np.array(sorted((ord(m[0].lower()) << 42) | (ord(m[1]) << 21) | ord(m[2]) for m in MONTH_NAMES))
# Whether two lower-case characters (code points, 127 for any above) start a month's name: the cheap
# first filter of LineBatch.month_rows, which only a few tokens pass.
_MONTH_STARTS = np.zeros(128 * 128, bool)
_MONTH_STARTS[[ord(m[0].lower()) * 128 + ord(m[1]) for m in MONTH_NAMES]] = True
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
WHITESPACE, _WORD, DECIMAL, EDGE, TERMINAL_CHAR, BULLET_CHAR, COMMA = 64, 128, 256, 512, 1024, 2048, 4096
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
        | _WORD * (c.isalnum() or c == "_" or mark)
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


def _lower_codes(codes: np.ndarray) -> np.ndarray:
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


class Text:
    """Lines joined with "\\n" into one string, with its code points and their class bits.

    The separator is whitespace and not a word character, so no word, token or regex match used by
    the features spans two lines (as when each line is handled alone); positions map back to lines
    through ``starts`` and ``ends``.
    """

    def __init__(
        self, lengths: np.ndarray, codes: np.ndarray, joined: str | None = None, classes: np.ndarray | None = None
    ) -> None:
        self.joined = joined  # the string itself, when the text was made from one
        self.lengths = lengths
        self.starts = np.cumsum(lengths + 1) - (lengths + 1)
        self.ends = self.starts + lengths
        self.codes = codes
        self.classes = char_classes(codes) if classes is None else classes  # given: the caller knows them

    @classmethod
    def of(cls, lines: list[str]) -> Text:
        joined = "\n".join(lines)
        return cls(np.fromiter(map(len, lines), np.int64, len(lines)), code_points(joined), joined)

    @property
    def string(self) -> str:
        """The lines joined with "\\n" (made from the code points when the text was made from them)."""
        if self.joined is None:
            self.joined = self.codes.tobytes().decode("utf-32-le", "surrogatepass")
        return self.joined

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
        """Per line, whether it contains ``literal`` (which holds no line break).

        Speed: the candidates are the positions of the literal's first character that is not a
        letter (the ":" of "https://"), if it has one: in text, far fewer than those of a letter.
        """
        codes = self.codes
        anchor = next((k for k, char in enumerate(literal) if not char.isalpha()), 0)
        at = np.flatnonzero(codes == ord(literal[anchor])) - anchor  # where the literal would start
        at = at[(at >= 0) & (at <= len(codes) - len(literal))]
        for k, char in enumerate(literal):
            if k != anchor:
                at = at[codes[at + k] == ord(char)]
        hit = np.zeros(len(self.lengths), bool)
        # Few hits: searched for, rather than line_of's table of every character's line, which
        # the lines as given (LineBatch.given, read only by the markup features) would not need.
        hit[np.searchsorted(self.starts, at, side="right") - 1] = True
        return hit

    def runs(self, bit: int, inside: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Starts and ends of the maximal runs of characters with the class bit (without it if not
        ``inside``): the words of str.split() are the runs outside WHITESPACE, and the tokens of
        the regex \\w+ the runs inside _WORD."""
        return runs(((self.classes & bit) != 0) == inside)


class LineBatch:
    """The non-blank lines of a batch of documents (stripped, in order) and where each one sits.

    ``lines`` are the lines as given, ``texts`` the same without Markdown markup (what the text
    features read; the markup features read ``lines``), ``marked`` the rows where the two differ.

    Everything the features need that does not depend on the document is computed over the whole
    batch at once: the lines joined into one :class:`Text` (and a lower-cased one), made when first
    used, so that ``LineClassifier`` can hand one batch to both feature transformers and the lines
    are stripped, lower-cased and classified once.
    """

    def __init__(self, documents: Documents) -> None:
        sizes = np.fromiter(map(len, documents), np.int64, len(documents))
        stripped = list(map(str.strip, chain.from_iterable(documents)))
        nonblank = np.fromiter(map(bool, stripped), bool, len(stripped))  # see cleaner.text.is_blank
        self.lines: list[str] = list(compress(stripped, nonblank))  # as given
        self.doc = np.repeat(np.arange(len(sizes)), sizes)[nonblank]  # each row's document
        rows = np.bincount(self.doc, minlength=len(sizes))
        self.bounds = np.concatenate([[0], np.cumsum(rows)]).astype(np.int64)  # rows of document d: bounds[d:d+2]
        self.row = np.arange(len(self.lines)) - self.bounds[self.doc]  # row number within the document
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
        return len(self.lines)

    @cached_property
    def given(self) -> Text:
        """The lines as given, joined: what the markup features read."""
        return Text.of(self.lines)

    @cached_property
    def _plain(self) -> tuple[Text, list[str], np.ndarray, np.ndarray]:
        """:attr:`text`, :attr:`texts`, :attr:`marked` and :attr:`markup_only`: only the marked
        lines are redone."""
        given, lines = self.given, self.lines
        marked, texts, markup_only = plain_lines(lines, given.codes, given.classes, given.starts)
        if not len(marked):
            return given, lines, marked, markup_only
        plain = list(lines)
        for row, text in zip(marked.tolist(), texts):
            plain[row] = text
        lengths, codes, classes = splice(given, marked, Text.of(texts))
        return Text(lengths, codes, "\n".join(plain), classes), plain, marked, markup_only

    @property
    def text(self) -> Text:
        """The lines without their Markdown markup, joined: what the text features read (the
        same object as :attr:`given` when no line holds any)."""
        return self._plain[0]

    @property
    def texts(self) -> list[str]:
        """The lines without their Markdown markup (see :mod:`cleaner.features.markdown`)."""
        return self._plain[1]

    @property
    def marked(self) -> np.ndarray:
        """The rows whose Markdown markup was taken out: where :attr:`texts` and :attr:`lines` differ."""
        return self._plain[2]

    @property
    def markup_only(self) -> np.ndarray:
        """Per row, whether the line is image markup only (cleaner.features.markdown.is_markup_only)."""
        return self._plain[3]

    @cached_property
    def lowered(self) -> Text:
        """The lines lower-cased one by one, as TfidfVectorizer does.

        str.lower maps each character to one character, except "İ" (to two) and "Σ" (to "σ" or,
        ending a word, "ς"); without those, the lower-cased code points come from a table. Lower
        case changes few characters (capitals), so only theirs are classified again; the others
        keep the text's class bits.
        """
        text = self.text
        if "İ" in text.string or "Σ" in text.string:
            return Text.of(list(map(str.lower, self.texts)))
        codes = _lower_codes(text.codes)
        changed = np.flatnonzero(codes != text.codes)
        classes = text.classes.copy()
        classes[changed] = char_classes(codes[changed])
        return Text(text.lengths, codes, classes=classes)

    @property
    def lowered_in_place(self) -> bool:
        """Whether lower case kept every character's place (always, unless "İ" grew to two
        characters): then what the batch made of :attr:`text` (its words, its letters of scripts
        without spaces, its table of lines) serves :attr:`lowered` too, and is not made again."""
        return len(self.lowered.codes) == len(self.text.codes)

    @cached_property
    def unspaced(self) -> np.ndarray:
        """Which characters of :attr:`text` are letters of scripts written without spaces, made
        once for the line features and the character n-grams."""
        return no_space_letters(self.text.codes)

    @cached_property
    def words(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start, end and line of the words of :attr:`text`, as str.split() makes them, in order:
        made once for the line features and the character n-grams (lower case keeps every
        character's place and whether it is whitespace, unless "İ" grew: see :attr:`lowered`)."""
        starts, ends = self.text.runs(WHITESPACE, inside=False)
        return starts, ends, self.text.line_of(starts)

    @cached_property
    def tokens(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start, end and line of the word tokens of the lower-cased text, in order.

        They are the runs of two or more word characters (TfidfVectorizer's default token pattern
        ``\\b\\w\\w+\\b``), except in scripts written without spaces (Chinese, Japanese, Thai...),
        where a run is a whole clause: there, every two adjacent letters are a token (character
        bigrams), so that a cue such as 相关新闻 is learnt from its parts.
        """
        lowered = self.lowered
        word = (lowered.classes & _WORD) != 0
        # Lower case makes no letter of such a script, nor one of another: the text's own, when
        # the characters kept their places (see lowered).
        unspaced = self.unspaced if self.lowered_in_place else no_space_letters(lowered.codes)
        starts, ends = runs(word & ~unspaced)
        long = ends - starts >= 2
        starts, ends = starts[long], ends[long]
        if unspaced.any():
            pairs = np.flatnonzero(unspaced[:-1] & unspaced[1:])
            starts = np.concatenate([starts, pairs])
            ends = np.concatenate([ends, pairs + 2])
            order = np.argsort(starts, kind="stable")
            starts, ends = starts[order], ends[order]
        return starts, ends, (self.text if self.lowered_in_place else lowered).line_of(starts)

    def month_rows(self, among: np.ndarray) -> np.ndarray:
        """Of the lines ``among`` (a mask), those with a token that starts like a month's name, the
        only ones where cleaner.scans.DATE_FROM_MONTH can match (lower-casing keeps a non-word
        character one, so the month of a match starts a token). The caller passes the lines the
        pattern needs anyway (with a digit), so that only their tokens are looked at."""
        starts, ends, line = self.tokens
        candidate = (ends - starts >= 3) & among[line]
        starts, line = starts[candidate], line[candidate]
        codes = self.lowered.codes
        # For speed, the tokens whose first two characters start no month go first.
        pair = (np.minimum(codes[starts], 127) << 7) | np.minimum(codes[starts + 1], 127)
        candidate = _MONTH_STARTS[pair]
        starts, line = starts[candidate], line[candidate]
        key = (codes[starts].astype(np.int64) << 42) | (codes[starts + 1].astype(np.int64) << 21) | codes[starts + 2]
        at = np.minimum(np.searchsorted(_MONTH_KEYS, key), len(_MONTH_KEYS) - 1)
        return np.unique(line[_MONTH_KEYS[at] == key])

    @cached_property
    def last_in_document(self) -> np.ndarray:
        return self.row == np.diff(self.bounds)[self.doc] - 1

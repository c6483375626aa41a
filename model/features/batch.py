"""The batch text machinery: a batch of documents' lines as one text that numpy can work on.

Speed: the features of a whole batch of documents are computed at once (see :class:`LineBatch`),
with numpy over the characters of all its lines and C-level ``map`` over its lines. Pages are short
(about a hundred lines) and hold many words, so Python work per page, per line or per word would
otherwise be most of the cost of cleaning a corpus. This module holds what both feature
transformers share: the lines of a batch, stripped and joined, their code points and character
classes (the tables of :mod:`cleaner.features.chars`), and the vectorised str helpers (split,
strip, lower) built on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import chain, compress

import numpy as np

from .chars import WHITESPACE, WORD, char_classes, code_points, lower_codes, no_space_letters, runs
from .markdown import plain_lines, splice

Documents = Sequence[Sequence[str]]

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Three lower-case letters as one integer (code points < 2**21): how LineBatch.month_rows spots months.
_MONTH_KEYS = np.array(sorted((ord(m[0].lower()) << 42) | (ord(m[1]) << 21) | ord(m[2]) for m in MONTH_NAMES))
# Whether two lower-case characters (code points, 127 for any above) start a month's name: the cheap
# first filter of LineBatch.month_rows, which only a few tokens pass.
_MONTH_STARTS = np.zeros(128 * 128, bool)
_MONTH_STARTS[[ord(m[0].lower()) * 128 + ord(m[1]) for m in MONTH_NAMES]] = True


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
        the regex \\w+ the runs inside WORD."""
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
        codes = lower_codes(text.codes)
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
        word = (lowered.classes & WORD) != 0
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

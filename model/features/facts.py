"""The facts about a batch's lines that the feature groups of :mod:`cleaner.features.lines` read,
several groups each: :class:`LineFacts`, each fact computed once, when first asked for; and each
page's language (:func:`page_languages`), which the windows of a long document compute too.

Every array has one value per non-blank line of the batch (or per character, where it says so),
computed with numpy over the whole batch at once (see :mod:`cleaner.features.batch` for why).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .batch import LineBatch
from .chars import (
    ALPHA,
    CLOSER,
    DECIMAL,
    DIGIT,
    EDGE,
    LOWER,
    PIPE,
    SPACE,
    TABLE_SIZE,
    TERMINAL_CHAR,
    UPPER,
    WHITESPACE,
    first_where,
    strip,
)
from .scans import (
    DATE_FROM_DIGIT,
    DATE_FROM_MONTH,
    SENTENCE_END,
    TIME,
    candidates,
    clamped,
    count_matches,
    date_rows,
    digit_run_starts,
    has_match,
    sentence_rows,
)
from .slugs import SLUG_TOKEN
from .stopwords import Stopwords, bit_counts


class LineFacts:
    """What the groups read about a batch's lines, each fact computed on first use and kept.

    All arrays have one entry per non-blank line of ``batch`` (the lines of :class:`LineBatch`:
    stripped, in order), unless they say they are per character.
    """

    def __init__(self, batch: LineBatch, stopwords: Stopwords, languages: np.ndarray | None = None) -> None:
        self.batch = batch
        self.stopwords = stopwords
        self.languages = languages  # each document's language, if known already (see page_language)
        self.n = len(batch)
        text = batch.text
        self.text = text
        self.codes, self.classes, self.starts, self.ends = text.codes, text.classes, text.starts, text.ends
        self.n_chars = text.lengths

    def per_line(self, bits: np.ndarray, bit: int) -> np.ndarray:
        """Per line, how many of its characters have the class ``bit`` in ``bits``."""
        return self.text.count((bits & bit) != 0).astype(float)

    @cached_property
    def counted(self) -> np.ndarray:
        """The class bits that letter counts use: above the class table, only CJK, kana and hangul
        count, as letters without case."""
        codes, classes = self.codes, self.classes
        high = codes >= TABLE_SIZE
        if not high.any():
            return classes
        wide = codes[high]
        counted = classes.copy()
        counted[high] = ALPHA * (((wide >= 0x3040) & (wide < 0xA000)) | ((wide >= 0xAC00) & (wide < 0xD7B0)))
        return counted

    @cached_property
    def letters(self) -> np.ndarray:
        return self.per_line(self.counted, ALPHA)

    @cached_property
    def digits(self) -> np.ndarray:
        return self.per_line(self.counted, DIGIT)

    @cached_property
    def spaces(self) -> np.ndarray:
        return self.per_line(self.counted, SPACE)

    @cached_property
    def first_letter(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Whether each line has a letter, and whether its first letter is upper or lower case."""
        classes, starts, ends = self.classes, self.starts, self.ends
        first = first_where(classes, ALPHA, True, starts, ends)
        has_letter = first < ends
        first = np.minimum(first, ends - 1)
        upper = has_letter & ((classes[first] & UPPER) != 0)
        lower = has_letter & ((classes[first] & LOWER) != 0)
        return has_letter, upper, lower

    @cached_property
    def last(self) -> tuple[np.ndarray, np.ndarray]:
        """The line's last character before trailing spaces and pipes (its "tail"), and whether
        it has one."""
        last = first_where(self.classes, SPACE | PIPE, False, self.starts, self.ends, backwards=True)
        return np.maximum(last, self.starts), last >= self.starts

    @cached_property
    def terminal(self) -> np.ndarray:
        """1.0 for a line whose last character outside closing quotes, brackets, spaces and pipes
        is a terminal mark (see ``cleaner.features.batch._CLOSERS``)."""
        classes, starts = self.classes, self.starts
        core = first_where(classes, SPACE | PIPE | CLOSER, False, starts, self.ends, backwards=True)
        return ((core >= starts) & ((classes[np.maximum(core, starts)] & TERMINAL_CHAR) != 0)).astype(float)

    @cached_property
    def ends_colon(self) -> np.ndarray:
        last, has_tail = self.last
        return has_tail & (self.codes[last] == ord(":"))

    @cached_property
    def words(self) -> tuple[np.ndarray, np.ndarray]:
        """Starts and ends of the words, as str.split() makes them."""
        starts, ends, _ = self.batch.words
        return starts, ends

    @cached_property
    def unspaced(self) -> np.ndarray:
        """Which characters are letters of scripts written without spaces (per character)."""
        return self.batch.unspaced

    @cached_property
    def word_bits(self) -> tuple[np.ndarray, np.ndarray]:
        """Each word's stopword languages (bits, see :class:`Stopwords`) and its line; words are
        looked up lower-cased, edge punctuation stripped."""
        lowered = self.batch.lowered
        # Lower case keeps every character's place and whether it is whitespace, unless "İ" grew (see
        # LineBatch.lowered): then the words are the same runs, not looked for again (for speed).
        if self.batch.lowered_in_place:
            starts, ends, line = self.batch.words
        else:
            starts, ends = lowered.runs(WHITESPACE, inside=False)
            line = lowered.line_of(starts)
        stripped_start, stripped_end = strip(lowered, starts, ends, EDGE)
        bits = self.stopwords.find(lowered.codes, stripped_start, stripped_end - stripped_start)
        return bits, line

    @cached_property
    def substring_hits(self) -> tuple[np.ndarray, np.ndarray]:
        """The lines with letters of scripts without spaces, and the stopwords of each language
        written so that each holds (see :meth:`Stopwords.substring_hits`)."""
        letters, line = self.unspaced_letters
        rows = np.unique(line)
        return rows, self.stopwords.substring_hits(self.batch.texts, rows, self.codes[letters], line)

    def language_hits(self, lines: np.ndarray | None = None) -> np.ndarray:
        """Per document, how many of its words (or, in scripts without spaces, substrings) each
        language's stopwords hit: (documents, languages); only on ``lines`` (a mask) if given."""
        batch, (bits, line) = self.batch, self.word_bits
        n_languages, n_documents = len(self.stopwords.languages), len(batch.bounds) - 1
        counted = np.ones(len(line), bool) if lines is None else lines[line]
        hits = bit_counts(bits[counted], batch.doc[line[counted]], n_documents, n_languages)
        rows, substrings = self.substring_hits
        if len(rows):
            chosen = np.ones(len(rows), bool) if lines is None else lines[rows]
            np.add.at(hits, batch.doc[rows[chosen]], substrings[chosen])
        return hits

    @cached_property
    def page_language(self) -> np.ndarray:
        """Each document's language: the one whose stopwords its words hit most often (the first
        in the lists on a tie), -1 if none. Given to the constructor when the document is
        predicted a window at a time (the language of the whole document, not of the window)."""
        return self.languages if self.languages is not None else page_languages(self.language_hits())

    @cached_property
    def split_words(self) -> np.ndarray:
        """Words per line, as str.split() makes them."""
        return np.bincount(self.batch.words[2], minlength=self.n).astype(float)

    @cached_property
    def n_words(self) -> np.ndarray:
        """Words per line, as str.split() makes them; in scripts without spaces, where a "word" is
        a clause, every two letters count as one word instead (about a Chinese word's length), so
        that length, density and prose thresholds mean the same in every script."""
        if not self.unspaced.any():
            return self.split_words
        plain = self.word_unspaced_letters == 0
        words = np.bincount(self.batch.words[2][plain], minlength=self.n).astype(float)
        return words + np.bincount(self.unspaced_letters[1], minlength=self.n) / 2

    @cached_property
    def unspaced_letters(self) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the letters of scripts without spaces, and their lines."""
        letters = np.flatnonzero(self.unspaced)
        return letters, self.text.line_of(letters)

    @cached_property
    def word_unspaced_letters(self) -> np.ndarray:
        """Per word (of :attr:`words`), how many letters of scripts without spaces it holds."""
        starts, _ = self.words
        # Such letters are never whitespace, so each lies in the word that starts last before it
        # (few letters: cheaper than a running count over every character of the batch).
        holder = np.searchsorted(starts, self.unspaced_letters[0], side="right") - 1
        return np.bincount(holder, minlength=len(starts))

    @cached_property
    def markdown_link(self) -> np.ndarray:
        return self.batch.given.contains("](")  # markup: in the line as given

    @cached_property
    def decimal(self) -> np.ndarray:
        """Positions of the decimal digits (per character)."""
        return np.flatnonzero((self.classes & DECIMAL) != 0)

    @cached_property
    def run_starts(self) -> np.ndarray:
        """Where the run of digits of each of :attr:`decimal` starts: time and date matches start there."""
        return digit_run_starts(self.decimal)

    @cached_property
    def has_date(self) -> np.ndarray:
        batch, texts = self.batch, self.batch.texts
        has_date = has_match(DATE_FROM_DIGIT, texts, *date_rows(self.text, self.decimal, self.run_starts))
        month_rows = batch.month_rows(self.digits > 0)
        month_rows = month_rows[~has_date[month_rows]]  # a date found already: no need to look for another
        return has_date | has_match(DATE_FROM_MONTH, texts, month_rows, np.zeros_like(month_rows))

    @cached_property
    def has_time(self) -> np.ndarray:
        """Lines with a time: only those where a digit is followed by ":" or "h" are scanned."""
        after = clamped(self.codes, self.decimal + 1)
        rows = candidates(self.text, self.run_starts[(after == ord(":")) | (after == ord("h"))])
        return has_match(TIME, self.batch.texts, *rows)

    @cached_property
    def has_pipe(self) -> np.ndarray:
        return self.text.contains("|")

    @cached_property
    def is_image(self) -> np.ndarray:
        given = self.batch.given  # markup: in the line as given
        codes, starts = given.codes, given.starts
        second = codes[np.minimum(starts + 1, len(codes) - 1)]
        return (codes[starts] == ord("!")) & (given.lengths >= 2) & (second == ord("["))

    @cached_property
    def sentences(self) -> np.ndarray:
        """Sentence ends inside the line, plus one if it ends with a terminal mark. Scripts without
        spaces put none after a sentence: there every 。！？ before the line's end counts."""
        ends = count_matches(SENTENCE_END, self.batch.texts, *sentence_rows(self.text)) + self.terminal
        codes = self.codes
        marks = np.flatnonzero((codes == 0x3002) | (codes == 0xFF01) | (codes == 0xFF1F))
        if len(marks):
            following = self.unspaced[np.minimum(marks + 1, len(codes) - 1)] & (marks + 1 < len(codes))
            ends += np.bincount(self.text.line_of(marks[following]), minlength=self.n)
        return ends

    @cached_property
    def prose_like(self) -> np.ndarray:
        """Lines that read like prose: 8 words or more, and a terminal mark or 20 words, no link."""
        n_words = self.n_words
        return (n_words >= 8) & ((self.terminal > 0) | (n_words >= 20)) & ~self.markdown_link

    @cached_property
    def title_shaped(self) -> np.ndarray:
        """Neither prose nor image markup, and no terminal mark: teaser titles and headings are such
        lines of a few words."""
        return ~self.prose_like & (self.terminal == 0) & ~self.is_image

    @cached_property
    def heading_like(self) -> np.ndarray:
        """Title-shaped lines of 4 to 30 words, capitalised, with no pipe, time, date or final colon:
        a headline or a subheading, or a teaser title (see
        :func:`~cleaner.features.lines._prose_around_headings`)."""
        n_words = self.n_words
        has_letter, first_upper, first_lower = self.first_letter
        # Capitalised, or in a script without case (Chinese, Arabic, Thai...): a heading may start so.
        return (
            self.title_shaped
            & (n_words >= 4)
            & (n_words <= 30)
            & (first_upper | (has_letter & ~first_lower))
            & ~self.has_pipe
            & ~self.has_time
            & ~self.has_date
            & ~self.ends_colon
        )

    @cached_property
    def teaser_title(self) -> np.ndarray:
        """Title-shaped lines of 5 to 25 words: the titles of :func:`~cleaner.features.lines._teaser_runs`."""
        return self.title_shaped & (self.n_words >= 5) & (self.n_words <= 25)

    @cached_property
    def one_sentence(self) -> np.ndarray:
        return self.sentences <= 1

    @cached_property
    def slug_prefix(self) -> np.ndarray:
        """How many words (and hyphenated parts) of a URL slug start the line, from 3 on, over 6
        (at most 1): a related-news link or an image's alt text left before its title."""
        texts = self.batch.texts
        _, _, first_lower = self.first_letter
        slug = np.zeros(self.n)
        for row in np.flatnonzero(first_lower & (self.codes[self.starts] < 128)).tolist():
            run = 0
            for word in texts[row].split():
                if not SLUG_TOKEN.match(word):
                    break
                run += 1 + word.count("-")
            slug[row] = min(run, 6) / 6 if run >= 3 else 0.0
        return slug


def page_languages(hits: np.ndarray) -> np.ndarray:
    """The language of each row of ``hits`` (documents x languages): the most hits, -1 for none."""
    if not hits.shape[1]:
        return np.full(len(hits), -1)
    return np.where(hits.max(axis=1) > 0, hits.argmax(axis=1), -1)

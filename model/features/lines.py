"""Each line's own features, in named groups: length, punctuation, letters, stopwords, dates, markup,
slugs, repetition, position and layout.

A group is a function of a :class:`LineFacts` (the facts about a batch's lines that several groups
read, each computed once, when first asked for) that returns one column per feature it declares.
:data:`GROUPS` lists them in order; their declared names, in that order, are the columns of
:data:`BASE_FEATURES`. Adding a feature touches its group (its name in the decorator, its column in
the returned dict) and its test.

Every column has one value per non-blank line of the batch, computed with numpy over the whole
batch at once (see :mod:`cleaner.features.batch` for why), and never depends on the other documents
of the batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

import numpy as np

from .batch import (
    ALPHA,
    ASCII_ALPHA,
    BULLET_CHAR,
    CLOSER,
    COMMA,
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
    LineBatch,
    first_where,
    strip,
)
from .repeats import copies_of_earlier, first_words_shared, repeated_lines
from .scans import (
    DATE_FROM_DIGIT,
    DATE_FROM_MONTH,
    NUMBERED,
    SENTENCE_END,
    TIME,
    candidates,
    clamped,
    count_matches,
    date_rows,
    digit_run_starts,
    ends_date,
    has_match,
    matches,
    sentence_rows,
)
from .slugs import SLUG_TOKEN, slug_spells_title
from .stopwords import Stopwords, bit_counts

Columns = dict[str, np.ndarray]


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
        a headline or a subheading, or a teaser title (see :func:`_prose_around_headings`)."""
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
        """Title-shaped lines of 5 to 25 words: the titles of :func:`_teaser_runs`."""
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


GROUPS: list[tuple[str, tuple[str, ...], Callable[[LineFacts], Columns]]] = []


def group(name: str, *features: str) -> Callable[[Callable[[LineFacts], Columns]], Callable[[LineFacts], Columns]]:
    """Register a group of features (in this order) computed by the decorated function."""

    def register(function: Callable[[LineFacts], Columns]) -> Callable[[LineFacts], Columns]:
        GROUPS.append((name, features, function))
        return function

    return register


@group("length", "chars_log", "words_log", "mean_word_len")
def length(facts: LineFacts) -> Columns:
    return {
        "chars_log": np.log1p(facts.n_chars),
        "words_log": np.log1p(facts.n_words),
        "mean_word_len": (facts.n_chars - facts.spaces) / np.maximum(facts.n_words, 1),
    }


@group("punctuation", "ends_terminal", "ends_colon", "ends_ellipsis")
def punctuation(facts: LineFacts) -> Columns:
    codes, starts = facts.codes, facts.starts
    last, has_tail = facts.last
    dots = (
        (last - 2 >= starts)
        & (codes[np.maximum(last - 2, 0)] == ord("."))
        & (codes[np.maximum(last - 1, 0)] == ord("."))
    )
    return {
        "ends_terminal": facts.terminal,
        "ends_colon": facts.ends_colon,
        "ends_ellipsis": has_tail & ((codes[last] == ord("…")) | (dots & (codes[last] == ord(".")))),
    }


@group("letters", "starts_upper", "starts_lower", "upper_ratio", "digit_ratio", "symbol_ratio", "comma_per_word")
def letters(facts: LineFacts) -> Columns:
    _, first_upper, first_lower = facts.first_letter
    n_chars, letters = facts.n_chars, facts.letters
    return {
        "starts_upper": first_upper,
        "starts_lower": first_lower,
        "upper_ratio": facts.per_line(facts.counted, UPPER) / np.maximum(letters, 1),
        "digit_ratio": facts.digits / n_chars,
        "symbol_ratio": (n_chars - letters - facts.digits - facts.spaces) / n_chars,
        "comma_per_word": facts.per_line(facts.classes, COMMA) / np.maximum(facts.n_words, 1),
    }


@group("stopwords", "stopword_ratio", "stopwords_log")
def stopwords(facts: LineFacts) -> Columns:
    """Stopwords of the page's own language (see :attr:`LineFacts.page_language`). Words are looked
    up lower-cased, edge punctuation stripped."""
    bits, line = facts.word_bits
    page, batch = facts.page_language, facts.batch
    own = page[batch.doc[line]]
    in_own = (own >= 0) & ((bits >> np.maximum(own, 0).astype(np.uint64)) & np.uint64(1)).astype(bool)
    n_stop = np.bincount(line[in_own], minlength=facts.n).astype(float)
    rows, substrings = facts.substring_hits
    if len(rows):
        language = page[batch.doc[rows]]
        n_stop[rows] += np.where(language >= 0, substrings[np.arange(len(rows)), np.maximum(language, 0)], 0.0)
    # Substrings of unspaced scripts can outnumber the two-letter words counted for them: at most 1.
    ratio = np.minimum(n_stop / np.maximum(facts.n_words, 1), 1.0)
    return {"stopword_ratio": ratio, "stopwords_log": np.log1p(n_stop)}


@group("dates", "has_time", "has_date", "ends_date")
def dates(facts: LineFacts) -> Columns:
    classes, starts = facts.classes, facts.starts
    last, _ = facts.last
    tail_digit = ((classes[last] | classes[np.maximum(last - 1, starts)]) & DECIMAL) != 0
    return {
        "has_time": facts.has_time,
        "has_date": facts.has_date,
        "ends_date": ends_date(facts.batch.texts, np.flatnonzero(tail_digit)),
    }


@group("markup", "is_image", "has_link", "has_pipe", "starts_bullet", "starts_numbered", "starts_bracket")
def markup(facts: LineFacts) -> Columns:
    """Read in the lines as given: Markdown markup is markup (see cleaner.features.markdown)."""
    batch = facts.batch
    text = batch.given
    codes, classes, starts = text.codes, text.classes, text.starts
    # "^\d{1,2}[.)]\s" matches at the start of a line that starts with a digit (or after a line
    # break inside a line, which dump lines do not have); it may take the line break after the line
    # as its \s, but a document's last line has none.
    may_be_numbered = (classes[starts] & DECIMAL) != 0
    if text.string.count("\n") > facts.n - 1:
        may_be_numbered |= text.count(codes == ord("\n")) > 0
    rows, past_end = matches(NUMBERED, text, batch.lines, np.flatnonzero(may_be_numbered))
    numbered = np.zeros(facts.n, bool)
    numbered[rows[(past_end <= 0) | ~batch.last_in_document[rows]]] = True
    return {
        "is_image": facts.is_image,
        "has_link": facts.markdown_link | text.contains("http://") | text.contains("https://"),
        "has_pipe": facts.has_pipe,
        "starts_bullet": (classes[starts] & BULLET_CHAR) != 0,
        "starts_numbered": numbered,
        "starts_bracket": codes[starts] == ord("["),
    }


@group("slugs", "slug_prefix", "slug_spells_title", "ascii_letter_ratio")
def slugs(facts: LineFacts) -> Columns:
    """URL slugs left before a title (a related-news link, an image's alt text)."""
    slug = facts.slug_prefix
    return {
        "slug_prefix": slug,
        "slug_spells_title": slug_spells_title(facts.batch, slug),
        "ascii_letter_ratio": facts.per_line(facts.counted, ASCII_ALPHA) / np.maximum(facts.letters, 1),
    }


@group("repetition", "repeats_log", "same_as_prev", "same_as_next", "repeats_first_line", "copy_of_earlier")
def repetition(facts: LineFacts) -> Columns:
    """Lines repeated within their document (teaser titles are often printed twice), and whether an
    earlier line is the same: a page printed twice (a mobile and a desktop layout in one dump)
    holds its article twice, and only the first print is the article."""
    batch, n = facts.batch, facts.n
    repeats, line_number = repeated_lines(batch)
    same_prev = np.zeros(n)
    same_prev[1:] = (line_number[1:] == line_number[:-1]) & (batch.doc[1:] == batch.doc[:-1])
    same_next = np.zeros(n)
    same_next[:-1] = same_prev[1:]
    return {
        "repeats_log": np.log(repeats),
        "same_as_prev": same_prev,
        "same_as_next": same_next,
        "repeats_first_line": (line_number == line_number[batch.bounds[batch.doc]]) & (batch.row > 0),
        "copy_of_earlier": copies_of_earlier(batch.doc, line_number, repeats),
    }


@group("position", "blank_before", "blank_after", "relative_position", "is_first", "lines_to_end_log")
def position(facts: LineFacts) -> Columns:
    batch = facts.batch
    rows, size = batch.row, np.diff(batch.bounds)[batch.doc]
    return {
        "blank_before": batch.blank_before,
        "blank_after": batch.blank_after,
        "relative_position": rows / np.maximum(size - 1, 1),
        "is_first": rows == 0,
        "lines_to_end_log": np.log1p(size - 1 - rows),
    }


@group(
    "layout",
    "prose_like",
    "sentences_log",
    "chars_vs_longest",
    "shared_prefix_log",
    "teaser_run",
    "heading_prose_after_log",
    "heading_prose_before_log",
)
def layout(facts: LineFacts) -> Columns:
    """How the line fits the page's run of prose: prose itself, a list item, a teaser pair, a heading."""
    batch, n_chars = facts.batch, facts.n_chars
    two = np.flatnonzero(facts.split_words >= 2)
    shared_prefix = np.zeros(facts.n)
    shared_prefix[two] = np.log(first_words_shared(batch, *facts.words, two))
    longest, teasers, after, before = document_layout(
        batch.bounds, batch.doc, n_chars, facts.prose_like, facts.teaser_title, facts.one_sentence, facts.heading_like
    )
    return {
        "prose_like": facts.prose_like,
        "sentences_log": np.log1p(facts.sentences),
        "chars_vs_longest": longest,
        "shared_prefix_log": shared_prefix,
        "teaser_run": teasers,
        "heading_prose_after_log": after,
        "heading_prose_before_log": before,
    }


def document_layout(
    bounds: np.ndarray,
    doc: np.ndarray,
    n_chars: np.ndarray,
    prose: np.ndarray,
    teaser_title: np.ndarray,
    one_sentence: np.ndarray,
    heading: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The layout columns that read the whole document (chars_vs_longest, teaser_run and the two
    heading_prose columns) from each line's facts: shared with cleaner.classifier.windows, which
    gathers a long document's facts a window at a time."""
    longest = np.maximum(percentile_90(n_chars, bounds), 1.0)[doc]
    after, before = _prose_around_headings(bounds, doc, heading, n_chars * prose)
    teasers = _teaser_runs(bounds, prose=prose, title=teaser_title, one_sentence=one_sentence)
    return np.minimum(n_chars / longest, 2.0), teasers, after, before


BASE_FEATURES = tuple(name for _, names, _ in GROUPS for name in names)


def page_languages(hits: np.ndarray) -> np.ndarray:
    """The language of each row of ``hits`` (documents x languages): the most hits, -1 for none."""
    if not hits.shape[1]:
        return np.full(len(hits), -1)
    return np.where(hits.max(axis=1) > 0, hits.argmax(axis=1), -1)


def line_matrix(
    batch: LineBatch, stopwords: Stopwords, out: np.ndarray | None = None, languages: np.ndarray | None = None
) -> np.ndarray:
    """The :data:`BASE_FEATURES` of every non-blank line of the batch, in ``out`` if given;
    ``languages``: each document's language, when known (see :attr:`LineFacts.page_language`)."""
    if out is None:
        out = np.zeros((len(batch), len(BASE_FEATURES)))
    if len(batch) == 0:
        return out
    facts = LineFacts(batch, stopwords, languages)
    column = 0
    for name, declared, function in GROUPS:
        columns = function(facts)
        if tuple(columns) != declared:  # a programming error in a group: caught at its first use
            raise AssertionError(f"feature group {name!r} declared {declared} but returned {tuple(columns)}")
        for values in columns.values():
            out[:, column] = values
            column += 1
    return out


def percentile_90(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``np.percentile(values[a:b], 90)`` of every document's rows, for all documents at once.

    numpy's default method ('linear', Hyndman and Fan's 7th) with numpy's own floating-point steps,
    so that the result is bit-identical; tests/test_features_vectorised.py checks it against
    np.percentile. Documents without rows get 0.
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


def _prose_around_headings(
    bounds: np.ndarray, doc: np.ndarray, heading: np.ndarray, prose_chars: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each heading-like line, log(1 + prose characters) from it to the next heading-like line
    of its document, and from the previous one to it; 0 for other lines.

    A headline or a subheading introduces paragraphs of prose before the next heading; a teaser
    title introduces one summary, a title in a list of links none. The line's own shape (title-like) and its
    neighbours' cannot tell these apart, so the two go into one column each, zero elsewhere: a
    linear model can then weigh "a heading over much prose" on its own. ``heading`` marks the
    heading-like lines; ``prose_chars`` is each line's length if it is prose, else 0. Whole numbers
    summed over the batch: exact, so a row never depends on the other documents of its batch.
    """
    n = len(heading)
    after, before = np.zeros(n), np.zeros(n)
    rows = np.flatnonzero(heading)
    if not len(rows):
        return after, before
    first, stop = bounds[:-1][doc[rows]], bounds[1:][doc[rows]]
    # The next heading after each heading (n if none), and the one before it (-1 if none), clamped
    # to its own document. Only the heading rows are computed (few lines of a page are headings):
    # a long document's windows hold the whole document's in a few bytes a line.
    following = np.minimum(np.append(rows[1:], n), stop)
    preceding = np.maximum(np.insert(rows[:-1], 0, -1), first - 1)
    cumulative = np.concatenate([[0.0], np.cumsum(prose_chars)])
    after[rows] = np.log1p(cumulative[following] - cumulative[rows + 1])
    before[rows] = np.log1p(cumulative[rows] - cumulative[preceding + 1])
    return after, before

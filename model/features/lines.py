"""Each line's own features, in named groups: length, punctuation, letters, stopwords, dates, markup,
slugs, repetition, position and layout.

A group is a function of a :class:`~cleaner.features.facts.LineFacts` (the facts about a batch's
lines that several groups read, each computed once, when first asked for) that returns one column
per feature it declares.
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

import numpy as np

from .batch import LineBatch
from .chars import ASCII_ALPHA, BULLET_CHAR, COMMA, DECIMAL, UPPER
from .facts import LineFacts
from .repeats import copies_of_earlier, first_words_shared, repeated_lines
from .scans import NUMBERED, ends_date, matches
from .slugs import slug_spells_title
from .stopwords import Stopwords

Columns = dict[str, np.ndarray]


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

"""One long document, predicted a window of lines at a time, with the scores of the whole document.

The features are computed for a whole batch at once, in matrices of a row per line (the shape
matrix alone is 91 float64 columns, 728 bytes a line) and arrays of a value per character: memory
that grows with the number of lines, not bytes. A 9.7 MB dump of short lines (20 bytes each) took
1.2 GB, 120 times its size. So a document of more than :data:`WINDOW` lines is predicted in
windows of that many lines, each with :data:`HALO` lines of context on either side, and only
what a window needs of the rest of the document is kept for the whole of it, in a few bytes a line.

The scores are those of the whole document, bit for bit (tests/test_windows.py holds it):

- a line's own features read only the line, and its neighbours' features, the local prose
  density and the context stages' neighbours reach at most 8 lines away: the halo holds them;
- the features that read the whole document (repeated lines, lines starting with the same two
  words, the 90th percentile of line lengths, teaser runs, prose around headings, slugs that spell
  a title, the main prose block, the line's position, the blank-line share) are computed here from
  those few bytes a line, by the same functions the batch path calls, and written over the
  window's own;
- the context stages read the first stage's P of the whole document: its running sum, best span
  and logits are kept whole, and their rows are made a window at a time;
- a model with topic overlap also reads the document's words: each window finds its own lines'
  words, kept as a hashed key and a row each, and they are grouped for the whole document; one
  with post headers, each line's form (features.headers), counted for the whole document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..features.batch import LineBatch
from ..features.context import (
    STACK_SHAPE,
    Layers,
    best_span,
    context_probability,
    logit,
    stack_columns,
    with_extra_inputs,
)
from ..features.facts import LineFacts, page_languages
from ..features.headers import header_columns, header_forms
from ..features.lines import document_layout, percentile_90
from ..features.repeats import count_within
from ..features.segments import document_cumsum
from ..features.shape import (
    BLOCK_FEATURES,
    DOCUMENT_FEATURES,
    main_block,
    markup_rows,
    place_columns,
    shape_feature_names,
    shape_matrix,
)
from ..features.slugs import spelled_titles
from ..features.topics import PageWords, grouped_words, line_word_keys, topic_overlap

if TYPE_CHECKING:
    from .predictor import Predictor

WINDOW = 2048  # a document of more lines than this is predicted in windows of this many
HALO = 16  # lines of context on each side of a window: the features reach 8 lines at most
# The STACK_SHAPE columns that hold 0 or 1 only: kept as one byte a line, the others as float64.
BOOLEAN = frozenset(
    {
        "is_image",
        "has_link",
        "has_time",
        "has_date",
        "same_as_prev",
        "same_as_next",
        "copy_of_earlier",
        "prose_like",
        "ends_ellipsis",
        "starts_bracket",
        "slug_spells_title",
    }
)
_COLUMN = {name: i for i, name in enumerate(shape_feature_names())}


def is_long(lines: list[str]) -> bool:
    """Whether a document is predicted in windows (more dump lines than a window holds)."""
    return len(lines) > WINDOW


@dataclass
class _Whole:
    """What the windows need of the whole document, in a few bytes a line: counts and flags, the
    running sum of prose characters, and the heading columns of the few heading-like lines."""

    rows: int
    lines: int  # dump lines, blank ones included
    n_chars: np.ndarray  # int32
    prose: np.ndarray  # bool
    repeats: np.ndarray  # int32: lines equal to this one
    copies: np.ndarray  # bool: an earlier line is equal to this one
    same_prev: np.ndarray
    same_next: np.ndarray
    first_again: np.ndarray  # the document's first line again
    shared: np.ndarray  # int32: lines starting with this one's first two words (0: fewer words)
    spells: np.ndarray  # bool
    teasers: np.ndarray  # bool
    language: np.ndarray  # the page's language (see LineFacts.page_language), of all its lines
    longest: float  # the 90th percentile of line lengths, at least 1
    headings: np.ndarray  # the heading-like lines, and their two columns
    after: np.ndarray
    before: np.ndarray
    before_chars: np.ndarray  # float64: prose characters of the lines before this one
    total: np.ndarray  # all prose characters, as the batch path sums them
    has_prose: bool
    span: tuple[int, int]  # the main prose block, or (-1, -1)


def predict_long(predictor: Predictor, lines: list[str], window: int | None = None) -> np.ndarray:
    """P(content) of the non-blank lines of one document, as ``predictor`` gives it for the
    document in one batch; 0 for lines of image markup only. ``window``: lines a window holds
    (default :data:`WINDOW`)."""
    window = window or WINDOW
    if not any(map(str.strip, lines)):
        return np.zeros(0)
    # The first stage, window by window; what it needed of the whole document is gone after it.
    probabilities, markup, own, words, headers = _first_stage(predictor, lines, window)
    text = ~markup
    if text.any():
        p = probabilities[text]
        kept = np.flatnonzero(text)
        headers = headers[text] if headers is not None else None
        for layers in predictor.context_stages:
            topics = None
            if words is not None:
                whole = np.zeros(len(probabilities))
                whole[text] = p
                topics = topic_overlap(whole, words)[text]
            cues = own.cues[kept] if predictor.cue_logit else None
            p = _context_stage(p, own, kept, layers, window, topics, predictor.span_share, headers, cues)
        probabilities[text] = p
    probabilities[markup] = 0.0
    return probabilities


def _first_stage(
    predictor: Predictor, lines: list[str], window: int
) -> tuple[np.ndarray, np.ndarray, _Own, PageWords | None, np.ndarray | None]:
    """The first stage's P(content) of every non-blank line, which are image markup, their
    STACK_SHAPE columns (what the context stages read), for a model with topic overlap the
    document's words (read window by window: a few bytes per word, never a batch of the whole), and
    for a model with post headers their columns (from each line's form, found window by window)."""
    texts = [text for text in map(str.strip, lines) if text]
    n = len(texts)
    positions = np.flatnonzero(np.fromiter(map(bool, map(str.strip, lines)), bool, len(lines)))
    windows = [(lo, min(lo + window, n)) for lo in range(0, n, window)]

    def batch_of(lo: int, hi: int) -> tuple[LineBatch, slice]:
        """The window's lines (with their halo, and the blank lines around them) as one batch, and
        where its own rows are in it."""
        a, b = max(lo - HALO, 0), min(hi + HALO, n)
        start = int(positions[a]) if a > 0 else 0
        end = int(positions[b - 1]) + 1 if b < n else len(lines)
        return LineBatch([lines[start:end]]), slice(lo - a, hi - a)

    whole = _whole(predictor, lines, texts, windows, batch_of)
    probabilities = np.empty(n)
    markup = np.zeros(n, bool)
    own = _Own(n)
    word_rows, word_keys = [], []
    has_form, forms = np.zeros(n, bool), np.zeros(n, np.int64)
    for lo, hi in windows:
        batch, own_rows = batch_of(lo, hi)
        shape = shape_matrix(batch, predictor.stopwords, whole.language)
        _patch(shape[own_rows], whole, lo, hi)
        markup[lo:hi] = markup_rows(shape, batch)[own_rows]
        own.keep(shape[own_rows], lo)
        first, cues = predictor.first_stage_parts(shape, batch)
        probabilities[lo:hi] = first[own_rows]
        if predictor.cue_logit:
            own.cues[lo:hi] = cues[own_rows]
        if predictor.topics:
            rows, keys = line_word_keys(batch)
            mine = (rows >= own_rows.start) & (rows < own_rows.stop)
            word_rows.append(rows[mine] - own_rows.start + lo)
            word_keys.append(keys[mine])
        if predictor.header_echo:
            window_has, window_forms = header_forms(batch)
            has_form[lo:hi], forms[lo:hi] = window_has[own_rows], window_forms[own_rows]
    words = None
    if predictor.topics:
        rows = np.concatenate(word_rows)
        words = grouped_words(rows, np.concatenate(word_keys), np.zeros(len(rows), np.int64), n)
    headers = None
    if predictor.header_echo:
        headers = header_columns(has_form, forms, np.array([0, n]), np.array([whole.span[0]]))
    return probabilities, markup, own, words, headers


class _Own:
    """Every line's :data:`STACK_SHAPE` columns, the 0/1 ones in a byte each, and the cue blocks'
    part of its first-stage logit."""

    def __init__(self, n: int) -> None:
        self.columns = [np.zeros(n, np.uint8 if name in BOOLEAN else np.float64) for name in STACK_SHAPE]
        self.cues = np.zeros(n)  # the cue blocks' part of each line's first-stage logit (cue_logit)

    def keep(self, shape: np.ndarray, lo: int) -> None:
        for name, column in zip(STACK_SHAPE, self.columns):
            values = shape[:, _COLUMN[name]]
            column[lo : lo + len(values)] = values

    def rows(self, index: np.ndarray) -> np.ndarray:
        out = np.empty((len(index), len(self.columns)))
        for i, column in enumerate(self.columns):
            out[:, i] = column[index]
        return out


def _context_stage(
    p: np.ndarray,
    own: _Own,
    kept: np.ndarray,
    layers: Layers,
    window: int,
    topics: np.ndarray | None = None,
    page: bool = False,
    headers: np.ndarray | None = None,
    cues: np.ndarray | None = None,
) -> np.ndarray:
    """One context stage over the non-markup lines' P, a window of rows at a time."""
    m = len(p)
    cumulative = np.zeros(m + 1)
    cumulative[1:] = document_cumsum(p, np.array([0, m]))
    logits, span = logit(p), best_span(p)
    out = np.empty(m)
    for lo in range(0, m, window):
        hi = min(lo + window, m)
        rows = np.arange(lo, hi)
        columns = stack_columns(logits, cumulative, own.rows(kept[lo:hi]), rows, 0, m, 0, span, page)
        columns = with_extra_inputs(
            columns,
            None if headers is None else headers[lo:hi],
            None if topics is None else topics[lo:hi],
            None if cues is None else cues[lo:hi],
        )
        out[lo:hi] = context_probability(columns, layers)
    return out


def _whole(
    predictor: Predictor,
    lines: list[str],
    texts: list[str],
    windows: list[tuple[int, int]],
    batch_of: Callable[[int, int], tuple[LineBatch, slice]],
) -> _Whole:
    """The long-range columns of the whole document, from each line's facts gathered a window at
    a time (what the batch path's groups compute from the batch: see cleaner.features.lines).
    ``texts`` are the lines as given; the long-range columns read them without Markdown markup,
    as the batch's text features do (LineBatch.texts), gathered from the windows."""
    n = len(texts)
    plain: list[str] = []
    prose = np.zeros(n, bool)
    teaser_title = np.zeros(n, bool)
    one_sentence = np.zeros(n, bool)
    heading = np.zeros(n, bool)
    slug = np.zeros(n)
    hits = np.zeros((1, len(predictor.stopwords.languages)))
    for lo, hi in windows:
        batch, own_rows = batch_of(lo, hi)
        facts = LineFacts(batch, predictor.stopwords)
        own = np.zeros(len(batch), bool)
        own[own_rows] = True
        plain += batch.texts[own_rows]
        hits += facts.language_hits(own)  # the page's language is that of all its lines
        prose[lo:hi] = facts.prose_like[own_rows]
        teaser_title[lo:hi] = facts.teaser_title[own_rows]
        one_sentence[lo:hi] = facts.one_sentence[own_rows]
        heading[lo:hi] = facts.heading_like[own_rows]
        slug[lo:hi] = facts.slug_prefix[own_rows]
        del batch, facts
    texts = plain
    n_chars = np.fromiter(map(len, texts), np.int64, n)
    bounds, doc = np.array([0, n]), np.zeros(n, np.int64)
    _, teasers, after, before = document_layout(bounds, doc, n_chars, prose, teaser_title, one_sentence, heading)
    headings = np.flatnonzero(heading)
    del teaser_title, one_sentence, heading
    spells = np.zeros(n, bool)
    if slug.any():
        initials = np.fromiter((ord(text[0]) for text in texts), np.int64, n)
        spells = spelled_titles(texts, doc, n_chars, initials, slug) > 0
    del slug
    repeats, copies = _repeats(texts)
    same_prev = np.zeros(n, bool)
    same_prev[1:] = np.fromiter(map(str.__eq__, texts[1:], texts[:-1]), bool, n - 1)
    same_next = np.zeros(n, bool)
    same_next[:-1] = same_prev[1:]
    first_again = np.fromiter((text == texts[0] for text in texts), bool, n)
    first_again[0] = False
    # The prose block columns (see cleaner.features.shape._block_matrix), from the same values.
    chars = _prose_chars(n_chars, prose)
    running = document_cumsum(chars, bounds)
    return _Whole(
        rows=n,
        lines=len(lines),
        language=page_languages(hits),
        n_chars=n_chars.astype(np.int32),
        prose=prose,
        repeats=repeats.astype(np.int32),
        copies=copies,
        same_prev=same_prev,
        same_next=same_next,
        first_again=first_again,
        shared=_first_words_shared(texts).astype(np.int32),
        spells=spells,
        teasers=teasers > 0,
        longest=float(np.maximum(percentile_90(n_chars, bounds), 1.0)[0]),
        headings=headings,
        after=after[headings],
        before=before[headings],
        before_chars=running - chars,
        total=np.array([chars.sum()]),
        has_prose=bool(prose.any()),
        span=main_block(prose.astype(np.float64), chars) if prose.any() else (-1, -1),
    )


def _prose_chars(n_chars: np.ndarray, prose: np.ndarray) -> np.ndarray:
    """Each line's prose characters, as cleaner.features.shape._block_matrix computes them from the
    chars_log and prose_like columns."""
    return np.expm1(np.log1p(n_chars.astype(np.int64))) * prose.astype(np.float64)


def _equal_counts(hashes: np.ndarray, present: np.ndarray, key: Callable[[int], str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, how many rows have the same key (0 for a row without one, ``present`` False), and
    whether an earlier row has it, from the keys' ``hashes``: the rows of a hash are confirmed
    equal as strings (``key`` makes a row's key), one group at a time, so that no dict or list of
    every key is held."""
    order = np.flatnonzero(present)
    order = order[np.argsort(hashes[order], kind="stable")]  # a hash's rows in document order
    counts, copies = np.zeros(len(hashes)), np.zeros(len(hashes), bool)
    if not len(order):
        return counts, copies
    sorted_hashes = hashes[order]
    edges = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1], True])
    sizes = np.diff(edges)
    counts[order] = np.repeat(sizes, sizes).astype(np.float64)
    copies[order] = np.arange(len(order)) != np.repeat(edges[:-1], sizes)
    for begin, end in zip(edges[:-1][sizes > 1].tolist(), edges[1:][sizes > 1].tolist()):
        group = order[begin:end]
        members = [key(row) for row in group.tolist()]
        if any(member != members[0] for member in members):  # a hash collision (2**-64 a pair)
            counts[group], numbers = count_within(np.zeros(len(group), np.int64), members)
            seen: set[int] = set()
            for row, number in zip(group.tolist(), numbers.tolist()):
                copies[row] = number in seen
                seen.add(number)
    return counts, copies


def _repeats(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per line, how many lines of the document are the same line, and whether an earlier one is."""
    hashes = np.fromiter(map(hash, texts), np.int64, len(texts))
    return _equal_counts(hashes, np.ones(len(texts), bool), texts.__getitem__)


def _first_words_shared(texts: list[str]) -> np.ndarray:
    """Per line, how many lines start with its first two words (0 for a line of fewer words): the
    key of cleaner.features.repeats.first_words_shared, whose words are those of str.split."""
    n = len(texts)
    hashes, present = np.zeros(n, np.int64), np.zeros(n, bool)
    for row, text in enumerate(texts):
        words = text.split(None, 2)
        if len(words) >= 2:
            hashes[row], present[row] = hash(f"{words[0]} {words[1]}"), True

    def first_two(row: int) -> str:
        words = texts[row].split(None, 2)
        return f"{words[0]} {words[1]}"

    return _equal_counts(hashes, present, first_two)[0]


def _patch(shape: np.ndarray, whole: _Whole, lo: int, hi: int) -> None:
    """Write the whole document's values over the long-range columns of rows ``lo:hi`` (``shape``
    holds those rows, as their window computed them), computed as the batch path computes them."""
    rows = np.arange(lo, hi)
    size = np.full(hi - lo, whole.rows)
    n_chars = whole.n_chars[lo:hi].astype(np.int64)
    column = _COLUMN
    shape[:, column["repeats_log"]] = np.log(whole.repeats[lo:hi].astype(np.float64))
    shape[:, column["same_as_prev"]] = whole.same_prev[lo:hi]
    shape[:, column["same_as_next"]] = whole.same_next[lo:hi]
    shape[:, column["repeats_first_line"]] = whole.first_again[lo:hi]
    shape[:, column["copy_of_earlier"]] = whole.copies[lo:hi]
    shape[:, column["relative_position"]] = rows / np.maximum(size - 1, 1)
    shape[:, column["is_first"]] = rows == 0
    shape[:, column["lines_to_end_log"]] = np.log1p(size - 1 - rows)
    shape[:, column["chars_vs_longest"]] = np.minimum(n_chars / np.full(hi - lo, whole.longest), 2.0)
    shared = whole.shared[lo:hi].astype(np.float64)
    shape[:, column["shared_prefix_log"]] = np.where(shared > 0, np.log(np.maximum(shared, 1.0)), 0.0)
    shape[:, column["teaser_run"]] = whole.teasers[lo:hi]
    after, before = np.zeros(hi - lo), np.zeros(hi - lo)
    at = slice(*np.searchsorted(whole.headings, [lo, hi]).tolist())
    after[whole.headings[at] - lo], before[whole.headings[at] - lo] = whole.after[at], whole.before[at]
    shape[:, column["heading_prose_after_log"]] = after
    shape[:, column["heading_prose_before_log"]] = before
    shape[:, column["slug_spells_title"]] = whole.spells[lo:hi]
    lines = np.array([whole.lines])
    shape[:, column[DOCUMENT_FEATURES[0]]] = ((lines - whole.rows) / np.maximum(lines, 1))[0]
    shape[:, column[DOCUMENT_FEATURES[1]]] = np.log1p(lines)[0]
    first_block = column[BLOCK_FEATURES[2]]
    start, end = whole.span
    place_columns(
        shape[:, first_block : first_block + 5],
        np.full(hi - lo, whole.has_prose),
        np.broadcast_to(whole.total, (hi - lo,)),
        whole.before_chars[lo:hi],
        _prose_chars(n_chars, whole.prose[lo:hi]),
        np.full(hi - lo, start),
        np.full(hi - lo, end),
        rows,
    )

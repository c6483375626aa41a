"""Per-line shape features that transfer across sites and languages, without scikit-learn.

A line alone cannot tell a teaser summary from a body paragraph: both are prose. What differs is
the line's surroundings: a teaser summary sits after a repeated title and a timestamp, far below the
article's longest run of prose; a body paragraph sits inside that run. So besides the line's own
shape (length, punctuation, stopword density, markup), every row carries its neighbours' shape and
its place relative to the document's main prose block.

Every function returns one row per non-blank line of a batch, in order (blank lines carry no label
and get no row). The features of a whole batch of documents are computed at once, over its
:class:`~cleaner.batch.LineBatch` (see :mod:`cleaner.features.batch` for why). This module imports numpy
only, so that predicting (:mod:`cleaner.classifier.predictor`) does not import scikit-learn;
:class:`~cleaner.features.LineShapeFeatures` is its scikit-learn transformer for training.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
from .lexicon import stopword_lexicon
from .repeats import first_words_shared, repeated_lines
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
from .segments import document_cumsum
from .slugs import SLUG_TOKEN, slug_spells_title

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
    "heading_prose_after_log",
    "heading_prose_before_log",
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
    repeats, line_number = repeated_lines(batch)
    same_prev = np.zeros(n)
    same_prev[1:] = (line_number[1:] == line_number[:-1]) & (batch.doc[1:] == batch.doc[:-1])
    same_next = np.zeros(n)
    same_next[:-1] = same_prev[1:]
    repeats_first = (line_number == line_number[batch.bounds[batch.doc]]) & (batch.row > 0)

    two = np.flatnonzero(n_words >= 2)
    shared_prefix = np.zeros(n)
    shared_prefix[two] = np.log(first_words_shared(batch, word_starts, word_ends, two))

    slug = np.zeros(n)
    for row in np.flatnonzero(first_lower & (codes[starts] < 128)).tolist():
        run = 0
        for w in texts[row].split():
            if not SLUG_TOKEN.match(w):
                break
            run += 1 + w.count("-")
        slug[row] = min(run, 6) / 6 if run >= 3 else 0.0
    spells_title = slug_spells_title(batch, slug)

    markdown_link = text.contains("](")
    links = markdown_link | text.contains("http://") | text.contains("https://")
    second = codes[np.minimum(starts + 1, len(codes) - 1)]
    # Time and date patterns need a digit: only lines with digits are scanned (for a date, see
    # date_rows and LineBatch.month_rows), and for a time only those where a digit is followed by
    # ":" or "h".
    decimal = np.flatnonzero((classes & DECIMAL) != 0)  # a bool array: see sentence_rows
    after_decimal = clamped(codes, decimal + 1)
    run_starts = digit_run_starts(decimal)  # a time or date match starts at a run of digits
    time_rows = candidates(text, run_starts[(after_decimal == ord(":")) | (after_decimal == ord("h"))])
    # "^\d{1,2}[.)]\s" matches at the start of a line that starts with a digit (or after a line
    # break inside a line, which dump lines do not have); it may take the line break after the line
    # as its \s, but a document's last line has none.
    may_be_numbered = (classes[starts] & DECIMAL) != 0
    if text.joined.count("\n") > n - 1:
        may_be_numbered |= text.count(codes == ord("\n")) > 0
    numbered_rows, past_end = matches(NUMBERED, text, texts, np.flatnonzero(may_be_numbered))
    numbered = np.zeros(n, bool)
    numbered[numbered_rows[(past_end <= 0) | ~batch.last_in_document[numbered_rows]]] = True
    sentences = count_matches(SENTENCE_END, texts, *sentence_rows(text)) + terminal
    has_date = has_match(DATE_FROM_DIGIT, texts, *date_rows(text, decimal, run_starts))
    month_rows = batch.month_rows(digits > 0)
    month_rows = month_rows[~has_date[month_rows]]  # a date found already: no need to look for another
    has_date |= has_match(DATE_FROM_MONTH, texts, month_rows, np.zeros_like(month_rows))
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
        "has_time": has_match(TIME, texts, *time_rows),
        "has_date": has_date,
        "ends_date": ends_date(
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
    # Title-shaped: neither prose nor image markup, and no terminal mark. Teaser titles and
    # headings are such lines of a few words; a heading also starts upper-case and is not a
    # date, time, pipe-separated or "label:" line.
    title_shaped = ~columns["prose_like"] & (terminal == 0) & ~columns["is_image"]
    columns["teaser_run"] = _teaser_runs(
        batch.bounds,
        prose=columns["prose_like"],
        title=title_shaped & (n_words >= 5) & (n_words <= 25),
        one_sentence=sentences <= 1,
    )
    heading = (
        title_shaped
        & (n_words >= 4)
        & (n_words <= 30)
        & first_upper
        & ~columns["has_pipe"]
        & ~columns["has_time"]
        & ~has_date
        & ~ends_colon
    )
    columns["heading_prose_after_log"], columns["heading_prose_before_log"] = _prose_around_headings(
        batch.bounds, batch.doc, heading, n_chars * columns["prose_like"]
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
    index = np.arange(n)
    first, stop = bounds[:-1][doc], bounds[1:][doc]
    # The nearest heading strictly after each row (n if none), and strictly before it (-1 if none),
    # then clamped to the row's own document.
    following = np.minimum.accumulate(np.where(heading, index, n)[::-1])[::-1]
    following = np.minimum(np.append(following[1:], n), stop)
    preceding = np.maximum.accumulate(np.where(heading, index, -1))
    preceding = np.maximum(np.insert(preceding[:-1], 0, -1), first - 1)
    cumulative = np.concatenate([[0.0], np.cumsum(prose_chars)])
    after = cumulative[following] - cumulative[index + 1]
    before = cumulative[index] - cumulative[preceding + 1]
    return np.log1p(after) * heading, np.log1p(before) * heading


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
    # documents at once (see cleaner.features.segments) and Python only for the totals (numpy's pairwise
    # sum of each document alone, which no batched sum reproduces bit for bit) and main blocks.
    bounds = batch.bounds
    documents = np.unique(batch.doc[prose > 0]).tolist()
    totals = np.zeros(len(bounds) - 1)
    with_prose = np.zeros(len(bounds) - 1, dtype=bool)
    with_prose[documents] = True
    block_start = np.full(len(bounds) - 1, -1)
    block_end = np.full(len(bounds) - 1, -1)
    for doc in documents:
        lo, hi = bounds[doc], bounds[doc + 1]
        totals[doc] = chars[lo:hi].sum()
        block_start[doc], block_end[doc] = _main_block(prose[lo:hi], chars[lo:hi])
    running = document_cumsum(chars, bounds)
    counted = with_prose[batch.doc]  # the rows of documents with prose
    total, before, mass = totals[batch.doc][counted], (running - chars)[counted], chars[counted]
    out[counted, 2] = before / total
    out[counted, 3] = (total - before - mass) / total
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

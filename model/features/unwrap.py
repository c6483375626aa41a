"""Hard-wrapped dumps: find the soft line breaks and put each paragraph back on one line.

html2text (78 columns by default), lynx and w3m break every paragraph into lines of at most a fixed
width. Each piece ends mid-sentence and is short, as a menu item is, and a model that learnt from one
block per line throws the article away. So the soft breaks are found first and every paragraph is
classified whole; each of its lines then gets the paragraph's decision (output lines stay
unchanged input lines).

A greedy wrapper at width W breaks a line only where the next word would not fit: a line of length
n is followed by a continuation whose first word has length f only if n + 1 + f > W (n + f after a
hyphen). So a pair of lines that reads as one sentence (the second starts in lower case, or the
first ends with a comma or a lower-case word) is evidence for every W in [n, n + f], and a wrapped
dump is one whose evidence piles up at one W with hardly a line just above it. Lines longer than W
(the paragraphs of a one-block-per-line dump) count against it, so such dumps stay as they are,
while a dump wrapped only in places (spans) is still found when its wrapped part outweighs its long
lines. Then, at that W, every line whose next line's first word would not have fitted is soft.

Speed: only the class bits of each line's first and last characters are read for every line; the
documents whose lines cannot give enough evidence (few lines that read on into the next one, or
more long lines than those) stop there, so a one-block-per-line batch costs a few numpy passes
over its rows. Everything is computed per document: a document's paragraphs never depend on the
other documents of its batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import numpy as np

from .batch import ALPHA, CLOSER, LOWER, TERMINAL_CHAR, UPPER, Documents, LineBatch

MIN_WIDTH, MAX_WIDTH = 30, 160  # the widths tried (html2text 78, lynx and w3m 80, fmt 75, ...)
BAND = 10  # "just above the width", where a wrapped dump has (almost) no lines
CLIFF_WEIGHT = 2.0  # a line just above W outweighs this many pieces of evidence for W
MIN_EVIDENCE = 2
LONGEST_WORD = 30  # a first word longer than this (a URL) is evidence only for the widths up to n + 30
_CASE = ALPHA | UPPER | LOWER
# A line starting with image markup, or a bullet and a space, starts a block of its own: a wrapped
# paragraph's next line starts with its next word.
_BULLETS = np.array([ord(c) for c in "•·*►▪●○◦+"])


@dataclass(frozen=True)
class Rejoined:
    """Documents with each hard-wrapped paragraph on one line.

    ``documents`` are what to classify (documents that are not hard-wrapped as given); ``source``
    maps each non-blank line of the original batch to the row of its paragraph in the batch of
    ``documents``.
    """

    documents: list[list[str]]
    source: np.ndarray


def rejoin(documents: Documents, batch: LineBatch) -> Rejoined | None:
    """The documents of ``batch`` (made from ``documents``) with every soft line break of the
    hard-wrapped ones removed, or None when none is hard-wrapped (the usual case)."""
    soft, glue = soft_breaks(batch)
    if not soft.any():
        return None
    texts, bounds = batch.lines, batch.bounds.tolist()
    wrapped = set(np.unique(batch.doc[soft]).tolist())
    joined: list[list[str]] = []
    for d, doc in enumerate(documents):
        if d not in wrapped:
            joined.append(list(doc))
            continue
        lines: list[str] = []
        row, parts = bounds[d], []
        for line in doc:
            if not line.strip():  # a blank line (as LineBatch says): never inside a paragraph
                lines.append(line)
                continue
            parts.append(texts[row])
            if row in glue:
                parts.append(glue[row])
            else:
                lines.append("".join(parts))
                parts = []
            row += 1
        joined.append(lines)
    starts = np.ones(len(batch), bool)  # a paragraph starts after each hard break
    starts[1:] = ~soft[:-1]
    return Rejoined(joined, np.cumsum(starts) - 1)


def soft_breaks(batch: LineBatch) -> tuple[np.ndarray, dict[int, str]]:
    """Per non-blank line of the batch, whether it is soft-broken (its paragraph goes on in the
    next line); and for each soft-broken row, what joins it to the next one: "" after a hyphen,
    inside a link's target or a word broken at the width, else " "."""
    soft = np.zeros(len(batch), bool)
    if len(batch) < 2:
        return soft, {}
    text = batch.given  # a wrapper wraps the lines as given, Markdown markup and all
    classes, codes, starts, ends, n = text.classes, text.codes, text.starts, text.ends, text.lengths
    follows = ~batch.blank_after & ~batch.last_in_document  # the next row is the next dump line
    last = classes[ends - 1]
    next_first = np.append(classes[starts[1:]], 0)
    caseless = (next_first & _CASE) == ALPHA  # Chinese, Japanese, Arabic, Thai...
    reads_on = ((next_first & LOWER) != 0) | (caseless & ((last & (TERMINAL_CHAR | CLOSER)) == 0))
    reads_on |= ((next_first & ALPHA) != 0) & (((last & LOWER) != 0) | (codes[ends - 1] == ord(",")))
    reads_on &= follows & (n <= MAX_WIDTH)
    documents = _may_be_wrapped(batch, reads_on)
    if not len(documents):
        return soft, {}
    chosen = np.zeros(len(batch.sizes), bool)
    chosen[documents] = True
    rows = np.flatnonzero(chosen[batch.doc])
    lines = _Lines.of(batch, rows)
    # Text without spaces between words (Chinese, Japanese) breaks at the width exactly: evidence
    # for that width alone.
    unbroken = reads_on[rows] & caseless[rows] & ((last[rows] & _CASE) == ALPHA) & ~lines.spaced
    widths = _widths(batch, lines, reads_on[rows], unbroken)
    glue: dict[int, str] = {}
    soft[rows] = _soft(batch, lines, widths, follows[rows], glue)
    return soft, glue


def _may_be_wrapped(batch: LineBatch, reads_on: np.ndarray) -> np.ndarray:
    """The documents that may be hard-wrapped: at some width W, at least :data:`MIN_EVIDENCE` of
    their lines that read on into the next one are at most :data:`LONGEST_WORD` shorter than W,
    and at least as many as their lines longer than W (not counting image markup and links, which
    a wrapper may leave whole), as :func:`_widths` needs."""
    text = batch.given
    first = text.codes[text.starts]
    counted = (first != ord("!")) & (first != ord("["))
    # Per document, cumulative counts over lengths 0..MAX_WIDTH (longer lines in the last cell),
    # after a column of zeros: the lines of length at most L are column L + 1.
    span = MAX_WIDTH + 3
    cells = batch.doc * span + np.minimum(text.lengths, MAX_WIDTH + 1) + 1
    size = len(batch.sizes) * span
    evidence = np.cumsum(np.bincount(cells[reads_on], minlength=size).reshape(-1, span), axis=1)
    at_most = np.cumsum(np.bincount(cells[counted], minlength=size).reshape(-1, span), axis=1)
    top = MAX_WIDTH + 2  # widths MIN_WIDTH..MAX_WIDTH are columns MIN_WIDTH + 1..top - 1
    near = evidence[:, MIN_WIDTH + 1 : top] - evidence[:, MIN_WIDTH - LONGEST_WORD : top - LONGEST_WORD - 1]
    longer = at_most[:, -1:] - at_most[:, MIN_WIDTH + 1 : top]
    return np.flatnonzero(((near >= MIN_EVIDENCE) & (near >= longer)).any(axis=1))


@dataclass(frozen=True)
class _Lines:
    """What the width and the soft breaks need to know of some rows of a batch (all rows of some
    documents, in order): their lengths, whether they hold a space, the length of the next row's
    first word, whether they end with a hyphen, and whether the next row starts a block."""

    rows: np.ndarray
    n: np.ndarray
    spaced: np.ndarray
    next_word: np.ndarray
    hyphen: np.ndarray
    block_next: np.ndarray
    local: np.ndarray  # each row's document, numbered from 0 among these rows' documents

    @classmethod
    def of(cls, batch: LineBatch, rows: np.ndarray) -> _Lines:
        text = batch.given
        doc = batch.doc[rows]
        new = np.ones(len(rows), bool)  # where the next document starts (rows hold whole documents)
        new[1:] = doc[1:] != doc[:-1]
        bounds, texts = batch.bounds, batch.lines
        lines = [line for d in doc[new].tolist() for line in texts[bounds[d] : bounds[d + 1]]]
        # str.find over C-level map: a line's first space is usually a few characters in, so
        # scanning every character of these lines with numpy would cost more.
        space = np.fromiter(map(str.find, lines, repeat(" ")), np.int64, len(lines))
        n = text.lengths[rows]
        first_word = np.where(space >= 0, space, n)
        codes, at = text.codes, text.starts[rows]
        second = np.minimum(at + 1, len(codes) - 1)
        image = (codes[at] == ord("!")) & (codes[second] == ord("["))
        bullet = np.isin(codes[at], _BULLETS) & (codes[second] == ord(" "))
        return cls(
            rows=rows,
            n=n,
            spaced=space >= 0,
            next_word=np.append(first_word[1:], 0),
            hyphen=(codes[text.ends[rows] - 1] == ord("-")) & (n >= 2),
            block_next=np.append((image | bullet)[1:], False),
            local=np.cumsum(new) - 1,
        )


def _widths(batch: LineBatch, lines: _Lines, reads_on: np.ndarray, unbroken: np.ndarray) -> np.ndarray:
    """The wrap width of each row's document, 0 where it is not hard-wrapped. ``reads_on`` marks
    the rows that read on into the next one, ``unbroken`` those of text without spaces."""
    n, spaced, local = lines.n, lines.spaced, lines.local
    next_n = np.append(n[1:], 0)
    # A continuation of one word is the paragraph's end (short) or a long word broken in two.
    evidence = reads_on & spaced & (np.append(spaced[1:], False) | (2 * next_n <= n)) & ~lines.block_next
    # Evidence for the widths W with n <= W < reach, and at most twice n: a wrapped line is at least
    # half full unless the next word is a long one (a URL), which is no evidence of anything.
    reach = np.minimum(n + np.minimum(lines.next_word, LONGEST_WORD) + ~lines.hyphen, 2 * n + 1)
    reach[unbroken] = n[unbroken] + 1
    evidence |= unbroken
    # Lines that a wrapper would have broken had they been longer than the width: with a space,
    # or ending in letters without case.
    text = batch.given
    breakable = spaced | ((text.classes[text.ends[lines.rows] - 1] & _CASE) == ALPHA)
    # Per document, one row of histograms over lengths 0..span-1 (longer lines in the last cell).
    span = MAX_WIDTH + BAND + 2
    size = (local[-1] + 1) * span
    low = np.minimum(n[evidence], span - 1) + local[evidence] * span
    high = np.minimum(reach[evidence], span - 1) + local[evidence] * span
    cover = np.cumsum((np.bincount(low, minlength=size) - np.bincount(high, minlength=size)).reshape(-1, span), axis=1)
    lengths = np.minimum(n[breakable], span - 1) + local[breakable] * span
    at_most = np.cumsum(np.bincount(lengths, minlength=size).reshape(-1, span), axis=1)  # breakable lines <= W long
    candidates = np.arange(MIN_WIDTH, MAX_WIDTH + 1)
    score = cover[:, candidates] - CLIFF_WEIGHT * (at_most[:, candidates + BAND] - at_most[:, candidates])
    best = np.argmax(score, axis=1)
    documents = np.arange(len(best))
    width = candidates[best]
    found = cover[documents, width]
    longer = at_most[:, -1] - at_most[documents, width]
    wrapped = (found >= MIN_EVIDENCE) & (score[documents, best] > 0) & (found >= longer)
    return np.where(wrapped, width, 0)[local]


def _soft(batch: LineBatch, lines: _Lines, widths: np.ndarray, follows: np.ndarray, glue: dict[int, str]) -> np.ndarray:
    """Which rows are soft-broken at their document's width (0: none), with their ``glue``."""
    n, spaced, hyphen, texts = lines.n, lines.spaced, lines.hyphen, batch.lines
    # Would the next line's first word have fitted? Then the wrapper did not break here.
    soft = follows & (widths > 0) & (n <= widths) & (n + lines.next_word + ~hyphen > widths) & ~lines.block_next
    # A line without spaces is a piece of a longer one only if it was broken at the width, after a
    # hyphen, or inside markup it opened (the URL of an image).
    maybe = np.flatnonzero(soft & ~spaced & ~hyphen & (n < widths - 1))
    soft[maybe] = [_opens_markup(texts[row]) for row in lines.rows[maybe].tolist()]
    for k in np.flatnonzero(soft).tolist():
        row = int(lines.rows[k])
        line = texts[row]
        broken = n[k] >= widths[k] and (not spaced[k] or 2 * (len(line) - 1 - line.rfind(" ")) > widths[k])
        # No space after a hyphen, inside a link's target (URLs hold none), or inside a word or
        # text without spaces that was broken at the width.
        glue[row] = "" if hyphen[k] or broken or line.rfind("](") > line.rfind(")") else " "
    return soft


def _opens_markup(line: str) -> bool:
    """Whether the line opens more brackets or parentheses than it closes."""
    return line.count("[") > line.count("]") or line.count("(") > line.count(")")

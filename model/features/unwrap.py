"""Hard-wrapped dumps: find the soft line breaks and put each paragraph back on one line.

html2text (78 columns by default), lynx and w3m break every paragraph into lines of at most a fixed
width. Each piece ends mid-sentence and is short, as a menu item is, and a model that learnt from one
block per line throws the article away. So the soft breaks are found first and every paragraph is
classified whole; each of its lines then gets the paragraph's decision (output lines stay
unchanged input lines). The predictor does this once, before it chooses between a batch and the
windows of a long document (cleaner.classifier.predictor), so both paths see the same paragraphs.

A greedy wrapper at width W breaks a line only where the next word would not fit: a line of length
n is followed by a continuation whose first word has length f only if n + 1 + f > W (n + f after a
hyphen). So a pair of lines that reads as one sentence is evidence for every W in [n, n + f], and a
wrapped dump is one whose evidence piles up at one W with hardly a line just above it. Lines longer
than W (the paragraphs of a one-block-per-line dump) count against it, so such dumps stay as they
are, while a dump wrapped only in places (spans) is still found when its wrapped part outweighs its
long lines. Then, at that W, every line whose next line's first word would not have fitted is soft.

What reads as one sentence depends on the script:

- with case (Latin, Cyrillic, Greek...): the next line starts in lower case, or this one ends with a
  comma or a lower-case letter and the next starts with a letter;
- spaced scripts without case (Arabic, Hangul, Devanagari...): this line ends neither a sentence nor
  a bracket and the next starts with a letter (weaker: only the widths' clustering confirms it);
- scripts without spaces (Chinese, Japanese, Thai): when the next line starts in one of them, a line
  that ends without a terminal mark says nothing (menu rows, table cells and product names end so
  too, and Thai marks no sentence end at all). A wrapper breaks such text inside a run of letters,
  at the width exactly, so the evidence there is a line without spaces as long as the width that
  ends inside a clause (``unbroken``), for that one width only. And since a wrapper breaks such text
  anywhere, lines of those scripts longer than W count against W whatever their last character.
  Thai wrapped at its spaces is thus seldom found: the price of not taking menus for paragraphs.

Speed: only each line's length and first two and last characters are read for every line: from the
text a batch makes for its markup features anyway, or, for a document too long for one batch (never
held whole as a text), in a few C-level passes over its lines. The documents whose lines cannot give
enough evidence (few lines that read on into the next one, or more long lines than those) stop
there, so a one-block-per-line batch costs a few numpy passes over its rows. Everything is computed
per document: a document's paragraphs never depend on the other documents of its batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import itemgetter

import numpy as np

from .batch import Documents, LineBatch
from .chars import ALPHA, CLOSER, COMMA, LOWER, TERMINAL_CHAR, UPPER, char_classes, code_points, no_space_letters

MIN_WIDTH, MAX_WIDTH = 30, 160  # the widths tried (html2text 78, lynx and w3m 80, fmt 75, ...)
BAND = 10  # "just above the width", where a wrapped dump has (almost) no lines
CLIFF_WEIGHT = 2.0  # a line just above W outweighs this many pieces of evidence for W
MIN_EVIDENCE = 2
# A wrapper breaks every line it can, so lines longer than W (a table row, a long word) are few
# beside the lines it broke: at least this many times fewer. At 1, a page of list items of about
# one length ending in ";" (each followed by an item in lower case) and three long paragraphs
# was taken for text wrapped at the items' length.
EVIDENCE_PER_LONGER = 3
LONGEST_WORD = 30  # a first word longer than this (a URL) is evidence only for the widths up to n + 30
_CASE = ALPHA | UPPER | LOWER
# A line starting with image markup, or a bullet and a space, starts a block of its own: a wrapped
# paragraph's next line starts with its next word.
_BULLETS = np.array([ord(c) for c in "•·*►▪●○◦+"])
# Marks inside a clause of text without spaces: a line broken at the width may end with one.
_CLAUSE_MARKS = np.array([ord(c) for c in "，、；：,;"])
_LAST = itemgetter(-1)


@dataclass(frozen=True)
class Edges:
    """What the soft breaks are found from: each non-blank line of some documents (stripped, as
    given: a wrapper wraps Markdown markup and all), its length, the code points of its first two
    and last characters, and where it sits."""

    lines: list[str]
    bounds: np.ndarray  # rows of document d: bounds[d] to bounds[d + 1]
    doc: np.ndarray
    n: np.ndarray
    first: np.ndarray
    second: np.ndarray  # "\n" for a line of one character
    last: np.ndarray
    follows: np.ndarray  # the next dump line is non-blank and of the same document

    @classmethod
    def of(cls, documents: Documents) -> Edges:
        sizes = np.fromiter(map(len, documents), np.int64, len(documents))
        stripped = list(map(str.strip, chain.from_iterable(documents)))
        nonblank = np.fromiter(map(bool, stripped), bool, len(stripped))  # see cleaner.text.is_blank
        lines = list(compress(stripped, nonblank))
        ends = np.cumsum(sizes)
        next_nonblank = np.zeros(len(stripped), bool)
        next_nonblank[:-1] = nonblank[1:]
        next_nonblank[ends[sizes > 0] - 1] = False  # a dump's last line: the next is another document's
        doc = np.repeat(np.arange(len(sizes)), sizes)[nonblank]
        heads = code_points("".join([line[:2] if len(line) > 1 else line + "\n" for line in lines]))
        return cls(
            lines=lines,
            bounds=np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=len(sizes)))]).astype(np.int64),
            doc=doc,
            n=np.fromiter(map(len, lines), np.int64, len(lines)),
            first=heads[0::2],
            second=heads[1::2],
            last=code_points("".join(map(_LAST, lines))),
            follows=next_nonblank[nonblank],
        )

    @classmethod
    def of_batch(cls, batch: LineBatch) -> Edges:
        """The same as :meth:`of` the batch's documents, read from the text the batch has made
        for its markup features anyway (no pass over the lines of its own)."""
        text = batch.given
        codes, starts, n = text.codes, text.starts, text.lengths
        second = np.where(n >= 2, np.take(codes, starts + 1, mode="clip"), ord("\n"))
        return cls(
            lines=batch.lines,
            bounds=batch.bounds,
            doc=batch.doc,
            n=n,
            first=codes[starts],
            second=second.astype(codes.dtype),
            last=codes[text.ends - 1],
            follows=~batch.blank_after & ~batch.last_in_document,
        )

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class Rejoined:
    """Documents with each hard-wrapped paragraph on one line.

    ``documents`` are what to classify (documents that are not hard-wrapped as given); ``source``
    maps each non-blank line of the given documents to the row of its paragraph among the non-blank
    lines of ``documents``; ``bounds`` are the given documents' rows.
    """

    documents: list[list[str]]
    source: np.ndarray
    bounds: np.ndarray

    def spread(self, scores: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per given document, the score of each non-blank line: its paragraph's, from ``scores``
        (per document of :attr:`documents`, one per non-blank line)."""
        lines = np.concatenate(scores)[self.source] if len(scores) else np.zeros(0)
        bounds = self.bounds.tolist()
        return [lines[bounds[d] : bounds[d + 1]] for d in range(len(bounds) - 1)]


def rejoin(documents: Documents, edges: Edges | None = None) -> Rejoined | None:
    """The documents with every soft line break of the hard-wrapped ones removed, or None when none
    is hard-wrapped (the usual case). ``edges``: the documents' (made from them if not given)."""
    edges = Edges.of(documents) if edges is None else edges
    soft, glue = soft_breaks(edges)
    if not soft.any():
        return None
    texts, bounds = edges.lines, edges.bounds.tolist()
    wrapped = set(np.unique(edges.doc[soft]).tolist())
    joined: list[list[str]] = []
    for d, doc in enumerate(documents):
        if d not in wrapped:
            joined.append(list(doc))
            continue
        lines: list[str] = []
        row, parts = bounds[d], []
        for line in doc:
            if not line.strip():  # a blank line (as Edges says): never inside a paragraph
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
    starts = np.ones(len(edges), bool)  # a paragraph starts after each hard break
    starts[1:] = ~soft[:-1]
    return Rejoined(joined, np.cumsum(starts) - 1, edges.bounds)


def soft_breaks(edges: Edges) -> tuple[np.ndarray, dict[int, str]]:
    """Per non-blank line, whether it is soft-broken (its paragraph goes on in the next line); and
    for each soft-broken row, what joins it to the next one: "" after a hyphen, inside a link's
    target or a word broken at the width, else " "."""
    soft = np.zeros(len(edges), bool)
    if len(edges) < 2:
        return soft, {}
    n, follows = edges.n, edges.follows
    last = char_classes(edges.last)
    next_first = np.append(char_classes(edges.first[1:]), 0)
    next_unspaced = np.append(no_space_letters(edges.first[1:]), False)
    caseless = (next_first & _CASE) == ALPHA  # Chinese, Japanese, Arabic, Thai...
    reads_on = ((next_first & LOWER) != 0) | (caseless & ~next_unspaced & ((last & (TERMINAL_CHAR | CLOSER)) == 0))
    reads_on |= ((next_first & ALPHA) != 0) & (((last & LOWER) != 0) | ((last & COMMA) != 0))
    # Text without spaces broken inside a run of letters (at the width, as _widths checks).
    unbroken = follows & next_unspaced & (((last & _CASE) == ALPHA) | np.isin(edges.last, _CLAUSE_MARKS))
    unbroken &= (n >= MIN_WIDTH) & (n <= MAX_WIDTH)
    reads_on &= follows & (n <= MAX_WIDTH)
    documents = _may_be_wrapped(edges, reads_on | unbroken)
    if not len(documents):
        return soft, {}
    chosen = np.zeros(len(edges.bounds) - 1, bool)
    chosen[documents] = True
    rows = np.flatnonzero(chosen[edges.doc])
    lines = _Lines.of(edges, rows)
    widths = _widths(edges, lines, reads_on[rows], unbroken[rows] & ~lines.spaced)
    glue: dict[int, str] = {}
    soft[rows] = _soft(edges, lines, widths, follows[rows], glue)
    return soft, glue


def _may_be_wrapped(edges: Edges, reads_on: np.ndarray) -> np.ndarray:
    """The documents that may be hard-wrapped: at some width W, at least :data:`MIN_EVIDENCE` of
    their lines that read on into the next one are at most :data:`LONGEST_WORD` shorter than W,
    and :data:`EVIDENCE_PER_LONGER` times as many as their lines longer than W (not counting image
    markup and links, which a wrapper may leave whole), as :func:`_widths` needs."""
    counted = (edges.first != ord("!")) & (edges.first != ord("["))
    # Per document, cumulative counts over lengths 0..MAX_WIDTH (longer lines in the last cell),
    # after a column of zeros: the lines of length at most L are column L + 1.
    span = MAX_WIDTH + 3
    cells = edges.doc * span + np.minimum(edges.n, MAX_WIDTH + 1) + 1
    size = (len(edges.bounds) - 1) * span
    evidence = np.cumsum(np.bincount(cells[reads_on], minlength=size).reshape(-1, span), axis=1)
    at_most = np.cumsum(np.bincount(cells[counted], minlength=size).reshape(-1, span), axis=1)
    top = MAX_WIDTH + 2  # widths MIN_WIDTH..MAX_WIDTH are columns MIN_WIDTH + 1..top - 1
    near = evidence[:, MIN_WIDTH + 1 : top] - evidence[:, MIN_WIDTH - LONGEST_WORD : top - LONGEST_WORD - 1]
    longer = at_most[:, -1:] - at_most[:, MIN_WIDTH + 1 : top]
    return np.flatnonzero(((near >= MIN_EVIDENCE) & (near >= EVIDENCE_PER_LONGER * longer)).any(axis=1))


@dataclass(frozen=True)
class _Lines:
    """What the width and the soft breaks need to know of some rows (all rows of some documents,
    in order): their lengths, whether they hold a space, the length of the next row's first word,
    whether they end with a hyphen, whether the next row starts a block, and whether a wrapper
    would have broken them had they been longer than the width."""

    rows: np.ndarray
    n: np.ndarray
    spaced: np.ndarray
    next_word: np.ndarray
    hyphen: np.ndarray
    block_next: np.ndarray
    breakable: np.ndarray
    local: np.ndarray  # each row's document, numbered from 0 among these rows' documents

    @classmethod
    def of(cls, edges: Edges, rows: np.ndarray) -> _Lines:
        doc = edges.doc[rows]
        new = np.ones(len(rows), bool)  # where the next document starts (rows hold whole documents)
        new[1:] = doc[1:] != doc[:-1]
        lines = list(map(edges.lines.__getitem__, rows.tolist()))
        # str.find over C-level map: a line's first space is usually a few characters in.
        space = np.fromiter(map(str.find, lines, repeat(" ")), np.int64, len(lines))
        n = edges.n[rows]
        first_word = np.where(space >= 0, space, n)
        first, second, last = edges.first[rows], edges.second[rows], edges.last[rows]
        image = (first == ord("!")) & (second == ord("["))
        bullet = np.isin(first, _BULLETS) & (second == ord(" "))
        # With a space, ending in letters without case, or in a script without spaces (which a
        # wrapper breaks anywhere): not a URL or a rule of dashes, which no wrapper breaks.
        breakable = (space >= 0) | ((char_classes(last) & _CASE) == ALPHA) | no_space_letters(first)
        breakable |= no_space_letters(last)
        return cls(
            rows=rows,
            n=n,
            spaced=space >= 0,
            next_word=np.append(first_word[1:], 0),
            hyphen=(last == ord("-")) & (n >= 2),
            block_next=np.append((image | bullet)[1:], False),
            breakable=breakable,
            local=np.cumsum(new) - 1,
        )


def _widths(edges: Edges, lines: _Lines, reads_on: np.ndarray, unbroken: np.ndarray) -> np.ndarray:
    """The wrap width of each row's document, 0 where it is not hard-wrapped. ``reads_on`` marks
    the rows that read on into the next one, ``unbroken`` those of text without spaces broken
    inside a clause (evidence for their own length only)."""
    n, spaced, local = lines.n, lines.spaced, lines.local
    next_n = np.append(n[1:], 0)
    # A continuation of one word is the paragraph's end (short) or a long word broken in two.
    evidence = reads_on & spaced & (np.append(spaced[1:], False) | (2 * next_n <= n)) & ~lines.block_next
    # Evidence for the widths W with n <= W < reach, and at most twice n: a wrapped line is at least
    # half full unless the next word is a long one (a URL), which is no evidence of anything.
    reach = np.minimum(n + np.minimum(lines.next_word, LONGEST_WORD) + ~lines.hyphen, 2 * n + 1)
    reach[unbroken] = n[unbroken] + 1
    evidence |= unbroken
    breakable = lines.breakable
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


def _soft(edges: Edges, lines: _Lines, widths: np.ndarray, follows: np.ndarray, glue: dict[int, str]) -> np.ndarray:
    """Which rows are soft-broken at their document's width (0: none), with their ``glue``."""
    n, spaced, hyphen, texts = lines.n, lines.spaced, lines.hyphen, edges.lines
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

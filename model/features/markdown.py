"""Markdown markup taken out of the text that the text features read.

html2text and its kin write ``[text](url)`` for links, ``**bold**`` and ``_italic_``, ``# `` before
headings, ``\\*`` for a literal star and ``* item`` or ``1. item`` for list items. Left in, the markup
counts as words and symbols: a paragraph with three links reads as a line of URLs, a bold heading
starts with a symbol, a list item has one word more. So the text features (length, case,
punctuation, stopwords, dates, cue words) read each line without it, while the markup features
(image, link, bullet and numbering markup, image-only lines) read the line as given: a link is still
a link, and ``1. item`` still numbered (see :class:`cleaner.features.batch.LineBatch`).

A link becomes its text and an image at the start of a line (``![alt](src) Caption``) goes; a line
that is nothing but markup keeps its text as given, so that no line is empty. Heading, list,
emphasis and escape markers become spaces: no words, no symbols, and the line keeps its length,
which lets the batch patch such lines in place (most marked lines of a dump are list items).

Speed: markup needs "](" (a link or an image), two stars or underscores (emphasis) or a backslash
inside a line, or a heading or list marker first, and most lines hold none of these. The batch's
character classes give :data:`MARKUP_CHARS` a bit of their own, so :func:`markup_rows` finds the
others with numpy; list items with no other markup are blanked there too, and only the rest are
handled one by one. The batch's text is then patched (:func:`splice`), not made again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .batch import Text

MARKUP_CHARS = "]*_\\"
MARKUP_BIT = 1 << 15  # the class bit of MARKUP_CHARS in cleaner.features.batch
_SPACE, _TAB = ord(" "), ord("\t")

# A link's or image's target, "(url)" or '(url "title")', with one level of parentheses inside the
# URL (Wikipedia's "Foo_(bar)"), as cleaner.features.shape's image-markup pattern allows.
_TARGET = r"\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)"
_LEADING_IMAGES = re.compile(rf"^(?:!\[.*?\]{_TARGET}[\s|]*)+")  # as is_markup_only's, not to the end
_LINK = re.compile(rf"!?\[([^\]]*)\]{_TARGET}")
_HEADING = re.compile(r"^(#{1,6})[ \t].*?(?:[ \t](#+))?$")
_LIST_ITEM = re.compile(r"^([*+-]|[0-9]{1,2}[.)])[ \t]")  # what markup_rows blanks itself
# Emphasis: the markers around text that neither starts nor ends with a space, not inside a word
# (snake_case, 2*3*4) and not escaped.
_STRONG = re.compile(r"(?<![\w*\\])(\*\*|__)(?=[^\s*_])(.+?)(?<=[^\s\\])\1(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w*\\])([*_])(?=[^\s*_])(.+?)(?<=[^\s\\*_])\1(?![\w*])")
_ESCAPE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!|>~])")
_MARKUP_ONLY = re.compile(r"^(?:!\[.*?\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)[\s|]*)+$")


def is_markup_only(line: str) -> bool:
    """True for a line that is nothing but image markup (``![alt](src)``, perhaps with table pipes).

    The labelling guideline makes such lines boilerplate whatever their alt text says (a caption is
    a line of its own), so the classifier does not have to learn it from context; and the text
    features read them as given (nothing would be left).
    """
    text = line.strip()
    return text.startswith("![") and bool(_MARKUP_ONLY.match(text))


def _blank(match: re.Match[str]) -> str:
    """An emphasis match with its markers as spaces."""
    marker = " " * len(match.group(1))
    return marker + match.group(2) + marker


def _blank_span(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def plain(line: str) -> str:
    """The text of one (stripped) dump line as the text features read it: links as their text, a
    leading image gone, other markers as spaces; the line itself if nothing would be left."""
    if line.startswith("!["):
        if is_markup_only(line):
            return line
        text = _LEADING_IMAGES.sub("", line)
    else:
        text = line
    if not text:
        return line
    heading = _HEADING.match(text) if text[0] == "#" else None
    if heading:
        text = _blank_span(text, *heading.span(1))
        text = _blank_span(text, *heading.span(2)) if heading.group(2) else text
    item = _LIST_ITEM.match(text)
    if item:
        text = _blank_span(text, *item.span(1))
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(_blank, _STRONG.sub(_blank, text))
    if "\\" in text:
        text = _ESCAPE.sub(" ", text)
    return text if text.strip() else line


def plain_rows(lines: Sequence[str], candidates: Sequence[int]) -> tuple[list[int], list[str]]:
    """Of the ``candidates`` (rows of ``lines`` that may hold markup), those whose text changes
    without it, and their texts."""
    rows, texts = [], []
    for row in candidates:
        line = lines[row]
        text = plain(line)
        if text != line:
            rows.append(row)
            texts.append(text)
    return rows, texts


def markup_rows(
    codes: np.ndarray, classes: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of lines joined by line breaks (their code points, class bits and starts): the rows that
    may hold markup other than a list marker, for :func:`plain_rows`; and the list items with no
    other markup, with the length of their marker, which :func:`plain` would blank."""
    at = np.flatnonzero(classes >= MARKUP_BIT)  # the top bit: one comparison
    found, after = codes[at], np.take(codes, at + 1, mode="clip")
    line = np.searchsorted(starts, at, side="right") - 1
    inside = line[((found == ord("]")) & (after == ord("("))) | (found == ord("\\"))]
    twice = line[(found == ord("*")) | (found == ord("_"))]
    twice = twice[1:][twice[1:] == twice[:-1]]  # sorted: a row repeated holds two
    head = [np.take(codes, starts + k, mode="clip") for k in range(4)]
    digit = [(code >= ord("0")) & (code <= ord("9")) for code in head[:2]]
    closes = [(code == ord(".")) | (code == ord(")")) for code in head[1:3]]
    blank = [(code == _SPACE) | (code == _TAB) for code in head[1:]]
    marker = np.zeros(len(starts), np.int64)  # the list marker's length, 0 for none
    marker[((head[0] == ord("*")) | (head[0] == ord("+")) | (head[0] == ord("-"))) & blank[0]] = 1
    marker[digit[0] & closes[0] & blank[1]] = 2
    marker[digit[0] & digit[1] & closes[1] & blank[2]] = 3
    other = np.union1d(np.union1d(inside, twice), np.flatnonzero(head[0] == ord("#")))
    marker[other] = 0
    listed = np.flatnonzero(marker)
    return other, listed, marker[listed]


def plain_lines(
    lines: Sequence[str], codes: np.ndarray, classes: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The rows (sorted) of ``lines`` whose text changes without markup, their texts, and per line
    whether it is image markup only (:func:`is_markup_only`: as given for the text features too);
    ``codes``, ``classes`` and ``starts`` are those of the lines joined by line breaks."""
    others, listed, markers = markup_rows(codes, classes, starts)
    images = np.flatnonzero((codes[starts] == ord("!")) & (np.take(codes, starts + 1, mode="clip") == ord("[")))
    markup_only = np.zeros(len(starts), bool)
    markup_only[images] = np.fromiter(map(is_markup_only, map(lines.__getitem__, images.tolist())), bool, len(images))
    rows, texts = plain_rows(lines, others[~markup_only[others]].tolist())
    for row, marker in zip(listed.tolist(), markers.tolist()):
        rows.append(row)
        texts.append(" " * marker + lines[row][marker:])
    order = np.argsort(rows)
    return np.asarray(rows, np.int64)[order], [texts[k] for k in order.tolist()], markup_only


def splice(text: Text, rows: np.ndarray, new: Text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lengths, code points and classes of ``text`` with its lines ``rows`` (sorted) replaced
    by the lines of ``new``, in one pass over the text: its arrays are copied (or, when some lines
    change length, cut around those and joined), and the new lines written over their places."""
    lengths = text.lengths.copy()
    lengths[rows] = new.lengths
    same = new.lengths == text.lengths[rows]
    if same.all():
        codes, classes = text.codes.copy(), text.classes.copy()
    else:  # pieces: the text up to a line of another length, then the new line
        cut = rows[~same]
        keep_from, keep_to = [0, *text.ends[cut].tolist()], [*text.starts[cut].tolist(), len(text.codes)]
        new_from, new_to = [*new.starts[~same].tolist(), 0], [*new.ends[~same].tolist(), 0]
        pieces: list[tuple[np.ndarray, np.ndarray]] = []
        for a, b, c, d in zip(keep_from, keep_to, new_from, new_to):
            pieces += [(text.codes[a:b], text.classes[a:b]), (new.codes[c:d], new.classes[c:d])]
        all_codes, all_classes = zip(*pieces)
        codes, classes = np.concatenate(all_codes), np.concatenate(all_classes)
    sizes = new.lengths[same]
    offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    starts = np.cumsum(lengths + 1) - (lengths + 1)  # of the result
    to = np.repeat(starts[rows[same]], sizes) + offsets
    source = np.repeat(new.starts[same], sizes) + offsets
    codes[to], classes[to] = new.codes[source], new.classes[source]
    return lengths, codes, classes

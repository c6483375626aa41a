"""Post headers: whether a line sits under a header of the form the page's main block sits under.

A forum thread's posts each sit under a header line of one form (``par Margot » mar. 9 sept. 2025
21:14``, then ``par Luc_B » sam. 13 sept. 2025 19:30``), its first post too. Comments under an
article sit under such headers, and the article does not. So whether a reply is content depends
on the page: the context stages of a model fitted with ``header_echo`` read, per line, how many
other headers of its header's form its document holds, how many the main prose block's header has,
and whether the two are one form (:data:`HEADER_FEATURES`). A header whose form occurs once, such as
an article's dateline, echoes nothing and counts as none: counted as a header, it gave the lines
just below an article's only date the facts of a thread's first post, and models fitted so dropped
article paragraphs that the model without these inputs keeps (the README's step 3).

A line's header is the nearest line among the :data:`REACH` lines above it holding a digit (a date,
a time, a post number) and at most :data:`LONGEST` characters. Its form is the line (without its
Markdown markup, such as a list's ``- ``) with each run of digits written 0 and each run of letters
a, and each whitespace-separated word without a digit one a: ``9 Sep 2025, 21:40`` and
``12 Sep 2025, 19:30`` are both ``0 a 0, 0:0``, and the user names of ``par Margot_Lyon » ...``
and ``par Thierry.R » ...`` are both one a.

Forms are a line's own, hashed with numpy a batch at once (:func:`header_forms`); the counts need
the whole document (:func:`header_columns`), and a long document predicted in windows gets them
from the forms its windows found (cleaner.classifier.windows).
"""

from __future__ import annotations

import numpy as np

from .batch import LineBatch
from .chars import ALPHA, DIGIT
from .shape import shape_feature_names

HEADER_FEATURES = ("header_echo_log", "main_block_echo_log", "same_header_as_main")
REACH = 3  # a line's header is among the lines this far above it
LONGEST = 100  # characters of a header line at most
_BASE = np.uint64(0x9E3779B97F4A7C15)
_POWERS = np.r_[np.uint64(1), np.cumprod(np.full(LONGEST, _BASE, np.uint64))]  # _BASE**k, wrapping
IN_MAIN_BLOCK = shape_feature_names().index("in_main_block")  # the shape matrix's column
_WORD_START = 0x110000  # added to the symbol that starts a word (code points are smaller)


def header_forms(batch: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """(has_form, form) of each row of ``batch``: whether it can be a header (a digit, at most
    :data:`LONGEST` characters) and a hash of its form (equal forms, equal hashes)."""
    text = batch.text
    classes, codes = text.classes, text.codes
    digit = (classes & DIGIT) != 0
    has_form = (text.count(digit) > 0) & (text.lengths <= LONGEST)
    forms = np.zeros(len(batch), np.int64)
    if not has_form.any():
        return has_form, forms
    starts, ends, line = batch.words  # those of str.split(), line by line, made once per batch
    keep = has_form[line]
    starts, ends, line = starts[keep], ends[keep], line[keep]
    lengths = ends - starts
    word = np.repeat(np.arange(len(starts)), lengths)
    position = np.arange(len(word)) - np.repeat(np.cumsum(lengths) - lengths, lengths) + starts[word]
    digit_word = np.bincount(word, weights=digit[position], minlength=len(starts))[word] > 0
    symbol = np.where(digit[position], ord("0"), np.where((classes[position] & ALPHA) != 0, ord("a"), codes[position]))
    first = position == starts[word]
    repeated = np.zeros(len(word), bool)  # the second and later characters of a run of digits or letters
    repeated[1:] = (symbol[1:] == symbol[:-1]) & ((symbol[1:] == ord("0")) | (symbol[1:] == ord("a")))
    emitted = np.where(digit_word, ~(repeated & ~first), first)
    symbol = np.where(digit_word, symbol, ord("a")) + first * _WORD_START
    symbol, owner = symbol[emitted].astype(np.uint64), line[word][emitted]
    # Per line, the sum of symbol * _BASE**k over its symbols (k from 0), wrapping, then its count.
    group_starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    counts = np.diff(np.r_[group_starts, len(owner)])
    place = np.arange(len(owner)) - np.repeat(group_starts, counts)
    hashed = np.add.reduceat(symbol * _POWERS[place], group_starts)
    hashed = hashed * _BASE + counts.astype(np.uint64)
    forms[owner[group_starts]] = hashed.view(np.int64)
    return has_form, forms


def header_columns(has_form: np.ndarray, forms: np.ndarray, bounds: np.ndarray, main_start: np.ndarray) -> np.ndarray:
    """The :data:`HEADER_FEATURES` of every row (rows ``bounds[d]:bounds[d + 1]`` are document d's,
    ``main_start[d]`` the first row of its main prose block, -1 for none), from
    :func:`header_forms`."""
    n = len(forms)
    out = np.zeros((n, len(HEADER_FEATURES)))
    sizes = np.diff(bounds)
    doc = np.repeat(np.arange(len(sizes)), sizes)
    row = np.arange(n) - bounds[:-1][doc]
    # Each form of each document is one group; its rows count its recurrences.
    keyed = np.flatnonzero(has_form)
    order = keyed[np.lexsort((forms[keyed], doc[keyed]))]
    new = np.ones(len(order), bool)
    new[1:] = (doc[order][1:] != doc[order][:-1]) | (forms[order][1:] != forms[order][:-1])
    group = np.full(n, -1, np.int64)
    group[order] = np.cumsum(new) - 1
    recurrences = np.zeros(n)
    recurrences[order] = np.bincount(group[order])[group[order]]
    header = np.full(n, -1, np.int64)  # the row of each row's header
    for reach in range(REACH, 0, -1):  # the nearest one wins: written last
        source = np.arange(n) - reach
        found = (row >= reach) & has_form[np.maximum(source, 0)]
        header = np.where(found, source, header)
    # A header whose form occurs once in its document (an article's dateline) echoes nothing: it
    # counts as no header (see the module's docstring).
    echoes = np.maximum(recurrences - 1, 0)
    known = (header >= 0) & (echoes[np.maximum(header, 0)] > 0)
    out[:, 0] = np.where(known, np.log1p(echoes[header]), 0.0)
    start = main_start[doc]
    main = np.where(start >= 0, header[np.clip(bounds[:-1][doc] + start, 0, max(n - 1, 0))], -1)
    main = np.where((main >= 0) & (echoes[np.maximum(main, 0)] > 0), main, -1)
    out[:, 1] = np.where(main >= 0, np.log1p(echoes[main]), 0.0)
    out[:, 2] = known & (main >= 0) & (group[header] == group[main])
    return out


def main_starts(in_main_block: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The first row (within its document) of each document's main prose block, -1 for none, from
    the shape matrix's ``in_main_block`` column."""
    sizes = np.diff(bounds)
    doc = np.repeat(np.arange(len(sizes)), sizes)
    inside = np.flatnonzero(in_main_block > 0)
    starts = np.full(len(sizes), -1, np.int64)
    documents, first = np.unique(doc[inside], return_index=True)
    starts[documents] = inside[first] - bounds[:-1][documents]
    return starts


def header_echo(batch: LineBatch, in_main_block: np.ndarray) -> np.ndarray:
    """The :data:`HEADER_FEATURES` of every row of ``batch`` (``in_main_block``: that column of its
    shape matrix)."""
    has_form, forms = header_forms(batch)
    return header_columns(has_form, forms, batch.bounds, main_starts(in_main_block, batch.bounds))

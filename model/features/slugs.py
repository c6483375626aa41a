"""URL slug prefixes that spell out a title of their page: the trace of a related-news link or of an
image's alt text, left in the dump before the title they link to.
"""

from __future__ import annotations

import re

import numpy as np

from .batch import LineBatch
from .chars import TABLE_SIZE, ascii_fold_lines, fold_initials

SLUG_TOKEN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_spells_title(batch: LineBatch, slug: np.ndarray) -> np.ndarray:
    """1 for a line whose slug prefix spells out another line of its page (usually the headline).

    A URL slug is a title with its accents and punctuation gone, so such a prefix marks a
    related-news link or an image remnant, whereas a list item that merely starts in lower case
    (``5-7 kg 60-100 mg``, ``off-peak return fares``) spells nothing. Only the pages with a slug
    prefix long enough to count have their lines folded.
    """
    text = batch.text
    return spelled_titles(batch.texts, batch.doc, text.lengths, text.codes[text.starts], slug)


def spelled_titles(
    texts: list[str], documents: np.ndarray, lengths: np.ndarray, initials: np.ndarray, slug: np.ndarray
) -> np.ndarray:
    """:func:`slug_spells_title` of lines given as their texts, their documents, lengths and first
    characters' code points: what it needs of a batch, so that a document too long to be one batch
    is computed whole (see cleaner.classifier.windows)."""
    result = np.zeros(len(texts))
    doc = documents.tolist()
    prefixes: dict[int, str] = {}
    for row in np.flatnonzero(slug).tolist():
        words = [w for w in texts[row].split()[:12] if SLUG_TOKEN.match(w)]
        prefix = " ".join(words).replace("-", " ")[:_TITLE_WIDTH]
        if len(prefix) >= _SHORTEST_PREFIX:
            prefixes[row] = prefix
    if not prefixes:
        return result
    # The candidate titles of those pages. The fold of a line's first few characters is a prefix
    # of the line's own fold (see ascii_fold_lines), so a title can only match a prefix it is
    # comparable with: those heads are folded for every candidate, in one call, and only the few
    # lines whose head is comparable with a prefix of their page are folded in full. A head shorter
    # than any prefix is comparable with one when it starts it: a set look-up among their starts.
    page_prefixes: dict[int, list[str]] = {}
    for row, prefix in prefixes.items():
        page_prefixes.setdefault(doc[row], []).append(prefix)
    pages = np.isin(documents, list(page_prefixes))
    candidates = pages & (lengths >= 15) & (slug == 0)
    # For speed, most lines are ruled out before folding: a title spells a prefix only if its fold
    # starts with the prefix's first character (or is empty), and a line whose first character
    # folds to something has a fold that starts with it (see fold_initials).
    initial = fold_initials()[np.minimum(initials, TABLE_SIZE)].astype(np.int64)
    allowed = np.array(sorted({doc[row] * 128 + ord(prefix[0]) for row, prefix in prefixes.items()}))
    candidates &= (initial == 0) | np.isin(documents * 128 + initial, allowed)
    candidates = np.flatnonzero(candidates).tolist()
    # The starts of each page's prefixes, as long as a head at most (a fold is never longer than
    # what it folds, and a longer start equals no head).
    page_starts: dict[int, set[str]] = {}
    for row, prefix in prefixes.items():
        page_starts.setdefault(doc[row], set()).update(prefix[:k] for k in range(min(len(prefix), _TITLE_HEAD) + 1))
    # Folded a slice of lines at a time (each line folds alone: see ascii_fold_lines), so that the
    # fold's arrays stay small in a long document with slugs.
    comparable = []
    for at in range(0, len(candidates), _FOLD_SLICE):
        part = candidates[at : at + _FOLD_SLICE]
        heads = ascii_fold_lines([texts[r][:_TITLE_HEAD] for r in part])
        comparable += [
            row
            for row, head in zip(part, heads)
            if head in page_starts[doc[row]]
            or (
                len(head) >= _SHORTEST_PREFIX
                and any(_comparable(head[:_TITLE_WIDTH], prefix) for prefix in page_prefixes[doc[row]])
            )
        ]
    titles: dict[int, list[str]] = {}
    for at in range(0, len(comparable), _FOLD_SLICE):
        part = comparable[at : at + _FOLD_SLICE]
        for row, folded in zip(part, ascii_fold_lines([texts[r] for r in part], width=_TITLE_WIDTH)):
            titles.setdefault(doc[row], []).append(folded)
    for row, prefix in prefixes.items():
        if any(_comparable(t, prefix) for t in titles.get(doc[row], ())):
            result[row] = 1.0
    return result


_SHORTEST_PREFIX = 15  # a shorter slug prefix could spell a title by chance
_TITLE_WIDTH = 40  # folded characters of a title compared with a slug prefix (which has at most as many)
_TITLE_HEAD = 10  # characters of a line folded to tell whether it may be a title that spells a slug prefix
_FOLD_SLICE = 16384  # lines folded at once


def _comparable(a: str, b: str) -> bool:
    """Whether one of the strings starts the other."""
    return a.startswith(b) or b.startswith(a)

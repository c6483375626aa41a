"""Whether a line is about what the page's article is about: the words it shares with the lines
the previous stage takes for content.

A teaser summary reads like prose, but it is about another story: few of its words recur in the
article. An article's paragraphs, headline and captions share its names and terms. The context
stages read, for each line, the mean over its distinct words of how much content probability the
document's other lines carry with that word (capped at 1): a word in one line the model keeps
counts fully, in none not at all. Words are lower-cased runs of four or more word characters with
a letter among them; in scripts written without spaces, each two letters.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .batch import LineBatch
from .chars import ALPHA, no_space_letters

# Hashing a word: a polynomial of its code points in wrapping 64-bit arithmetic (Horner's rule, as
# cleaner.features.lexicon hashes), over its first _LONGEST characters, then mixed with its length.
_BASE = np.uint64(0x9E3779B97F4A7C15)
_LONGEST = 32


def line_word_keys(batch: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """(rows, keys): for each row of ``batch``, one entry per distinct word, its key a hash of the
    word (equal words, equal keys). The words are the batch's lower-cased tokens
    (:attr:`LineBatch.tokens`) of four characters or more with a letter among them, and in scripts
    written without spaces its pairs of letters."""
    starts, ends, rows = batch.tokens
    lowered = batch.lowered
    letters = np.concatenate([[0], np.cumsum((lowered.classes & ALPHA) != 0)])
    unspaced = batch.unspaced if batch.lowered_in_place else no_space_letters(lowered.codes)
    lengths = ends - starts
    word = unspaced[starts] | ((lengths >= 4) & (letters[ends] > letters[starts]))
    starts, lengths, rows = starts[word], lengths[word], rows[word]
    keys = _hashes(lowered.codes, starts, lengths)
    order = np.lexsort((keys, rows))  # by row, then key: a word twice in a line counts once
    rows, keys = rows[order], keys[order]
    first = np.ones(len(rows), bool)
    first[1:] = (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])
    return rows[first].astype(np.int64), keys[first]


def _hashes(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The key of each substring ``codes[start : start + length]`` (see :data:`_BASE`), as int64."""
    hashed = np.zeros(len(starts), np.uint64)
    capped = np.minimum(lengths, _LONGEST)
    for length in np.unique(capped).tolist():
        which = np.flatnonzero(capped == length)
        first = starts[which]
        group = np.zeros(len(which), np.uint64)
        for j in range(length):  # codes[j:][first] is codes[first + j], without adding j to every start
            group *= _BASE
            group += codes[j:][first]
        hashed[which] = group
    hashed *= _BASE
    hashed += lengths.astype(np.uint64)
    return hashed.view(np.int64)


class PageWords(NamedTuple):
    """The words of a batch's rows, grouped by document: made once, read by every context stage."""

    rows: np.ndarray  # the row of each (row, word) entry
    group: np.ndarray  # its word within its document: one document's equal words, one group
    per_row: np.ndarray  # entries per row


def page_words(batch: LineBatch) -> PageWords:
    """The words of ``batch`` (:func:`line_word_keys`), grouped by document."""
    rows, keys = line_word_keys(batch)
    return grouped_words(rows, keys, batch.doc[rows], len(batch))


def grouped_words(rows: np.ndarray, keys: np.ndarray, documents: np.ndarray, n_rows: int) -> PageWords:
    """Words found as (row, key) entries (:func:`line_word_keys`), grouped by the document of each
    entry. A long document's windows find theirs a window at a time (rows renumbered to the
    document's), so that its words never need a batch of the whole document."""
    order = np.lexsort((keys, documents))
    new = np.ones(len(rows), bool)
    new[1:] = (documents[order][1:] != documents[order][:-1]) | (keys[order][1:] != keys[order][:-1])
    group = np.empty(len(rows), np.int64)
    group[order] = np.cumsum(new) - 1
    return PageWords(rows, group, np.bincount(rows, minlength=n_rows))


def topic_overlap(probabilities: np.ndarray, words: PageWords) -> np.ndarray:
    """Per row, the mean over its words of min(1, the P(content) the document's other rows carry
    with that word); 0 for a row without words."""
    overlap = np.zeros(len(probabilities))
    if not len(words.rows):
        return overlap
    p = probabilities[words.rows]
    carried = np.bincount(words.group, weights=p)[words.group] - p  # the other rows' P with the word
    sums = np.bincount(words.rows, weights=np.clip(carried, 0.0, 1.0), minlength=len(probabilities))
    np.divide(sums, words.per_row, out=overlap, where=words.per_row > 0)
    return overlap

"""Whether a line is about what the page's article is about: the words it shares with the lines
the previous stage takes for content.

A teaser summary reads like prose, but it is about another story: few of its words recur in the
article. An article's paragraphs, headline and captions share its names and terms. The context
stages read, for each line, the mean over its distinct words of how much content probability the
document's other lines carry with that word (capped at 1): a word in one line the model keeps
counts fully, in none not at all. Words are runs of four or more word characters, lower-cased
(digits alone are not words); in scripts written without spaces, each two letters.
"""

from __future__ import annotations

import re

import numpy as np

from .batch import LineBatch

_WORD = re.compile(r"[^\W\d_]\w{3,}|\d+[^\W\d_]\w{2,}")
# Letters of scripts written without spaces (Thai, Lao, Japanese kana, CJK ideographs, Hangul is
# spaced): a word there is each pair of letters.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2,}")


def line_word_keys(batch: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """(rows, keys): for each row of ``batch``, one entry per distinct word (see the module), its
    key a hash of the word (equal words, equal keys, within one process)."""
    rows: list[int] = []
    keys: list[int] = []
    for row, line in enumerate(batch.texts):
        lowered = line.lower()
        words = set(_WORD.findall(lowered))
        for run in _UNSPACED.findall(lowered):
            words.update(run[i : i + 2] for i in range(len(run) - 1))
            words.discard(run)
        rows.extend([row] * len(words))
        keys.extend(map(hash, words))
    return np.asarray(rows, dtype=np.int64), np.asarray(keys, dtype=np.int64)


def topic_overlap(probabilities: np.ndarray, document: np.ndarray, words: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Per row, the mean over its words of min(1, the P(content) the document's other rows carry
    with that word); 0 for a row without words. ``document`` is each row's document, ``words`` is
    :func:`line_word_keys` of the same rows."""
    rows, keys = words
    overlap = np.zeros(len(probabilities))
    if not len(rows):
        return overlap
    _, group = np.unique(np.stack([document[rows], keys]), axis=1, return_inverse=True)
    group = group.ravel()
    p = probabilities[rows]
    carried = np.bincount(group, weights=p)[group] - p  # the other rows' P with the word
    counts = np.bincount(rows, minlength=len(probabilities))
    sums = np.bincount(rows, weights=np.clip(carried, 0.0, 1.0), minlength=len(probabilities))
    np.divide(sums, counts, out=overlap, where=counts > 0)
    return overlap

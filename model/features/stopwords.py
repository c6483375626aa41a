"""Stopword density against the page's own language, for every language the model keeps lists of.

Stopword density is the signal that transfers best across sites (jusText's key idea): prose is
full of "the", "và", "der", "的", menus and teaser titles are not. But a list is per language, and
a model meant for any language cannot be told which one a page is in. So the model keeps the lists
of many languages, each page's language is the one whose stopwords its words hit most often, and a
line's density is measured against that list alone: English navigation on a German page does not
read like German prose.

Words are looked up as :class:`~cleaner.features.lexicon.Lexicon` finds them (lower-cased, edge
punctuation stripped), each word carrying a bit per language whose list holds it. Scripts written
without spaces between words (Chinese, Japanese, Thai...) have no words to look up: there, the
stopwords of the languages written in that script are counted as substrings of the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cached_property

import numpy as np

from .batch import code_points, no_space_letters
from .lexicon import Lexicon

MAX_LANGUAGES = 64  # one bit of a uint64 per language


class Stopwords:
    """The stopword lists of several languages, and how to count them in a batch of lines.

    Parameters
    ----------
    lists : mapping of language code to words
        At most 64 languages. Entries without a letter (punctuation, digits) and entries with a
        space are left out: a page's punctuation says nothing of its language.
    """

    def __init__(self, lists: Mapping[str, Iterable[str]]) -> None:
        self.lists = {
            language: sorted({w.lower() for w in words if " " not in w and any(c.isalpha() for c in w)})
            for language, words in sorted(lists.items())
        }
        self.languages = list(self.lists)
        if len(self.languages) > MAX_LANGUAGES:
            raise ValueError(f"{len(self.languages)} stopword languages; at most {MAX_LANGUAGES}")

    @cached_property
    def _words(self) -> tuple[Lexicon, np.ndarray]:
        """The lexicon of every word of every list, and each word's languages as bits."""
        masks: dict[str, int] = {}
        for bit, words in enumerate(self.lists.values()):
            for word in words:
                masks[word] = masks.get(word, 0) | (1 << bit)
        lexicon = Lexicon(masks)
        return lexicon, np.array([masks[s] for s in lexicon.strings], dtype=np.uint64)

    @cached_property
    def _substrings(self) -> list[tuple[int, re.Pattern[str]]]:
        """For each language written without spaces, its bit and a pattern of its stopwords in
        that script (longest first, so that a match takes the longest word at its place)."""
        patterns = []
        for bit, words in enumerate(self.lists.values()):
            unspaced = [w for w, spaced in zip(words, _spaced_letters(words)) if not spaced]
            if len(unspaced) * 2 > len(words):  # mostly such words: a language of such a script
                ordered = sorted(unspaced, key=lambda w: (-len(w), w))
                patterns.append((bit, re.compile("|".join(map(re.escape, ordered)))))
        return patterns

    def find(self, codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The language bits of each substring ``codes[start : start + length]`` (0: no list's)."""
        lexicon, masks = self._words
        found = lexicon.find(codes, starts, lengths)
        bits = np.zeros(len(starts), np.uint64)
        bits[found >= 0] = masks[found[found >= 0]]
        return bits

    def substring_hits(self, texts: list[str], rows: np.ndarray) -> np.ndarray:
        """Per line of ``rows`` (lines with letters of unspaced scripts), how many stopwords of each
        language written without spaces it holds: an array (len(rows), len(languages))."""
        hits = np.zeros((len(rows), len(self.languages)))
        for bit, pattern in self._substrings:
            hits[:, bit] = [len(pattern.findall(texts[row])) for row in rows.tolist()]
        return hits


def _spaced_letters(words: list[str]) -> np.ndarray:
    """Per word, how many of its characters are not letters of a script written without spaces.

    One array operation over the words joined: asked of each word alone, numpy's per-call cost
    made this 0.6 s of every process's first batch (21,000 words in 58 lists), which every worker
    of a cluster engine pays again."""
    codes = code_points("".join(words))
    word = np.repeat(np.arange(len(words)), [len(w) for w in words])
    return np.bincount(word, weights=~no_space_letters(codes), minlength=len(words))


def bit_counts(bits: np.ndarray, groups: np.ndarray, n_groups: int, width: int) -> np.ndarray:
    """Per group, how many of the items in it have each of the first ``width`` bits set: an array
    (n_groups, width). ``groups`` is each item's group, in order (the words of a batch's
    documents, document by document), so each group is one slice, summed by one ``reduceat``.

    Only the items with a bit set are unpacked (most words are no list's stopword), and the bits'
    columns are summed together: a ``bincount`` per language, 58 of them over every word of the
    batch, took a tenth of ``cleaner predict``'s time."""
    counts = np.zeros((n_groups, width))
    hit = np.flatnonzero(bits)
    if not len(hit):
        return counts
    groups = groups[hit]
    if np.any(groups[1:] < groups[:-1]):
        order = np.argsort(groups, kind="stable")
        hit, groups = hit[order], groups[order]
    unpacked = np.unpackbits(bits[hit].astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    firsts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    counts[groups[firsts]] = np.add.reduceat(unpacked[:, :width], firsts, axis=0, dtype=np.int64)
    return counts

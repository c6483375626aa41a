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
from typing import Any

import numpy as np

from .chars import code_points, no_space_letters
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
    def _substrings(self) -> list[tuple[int, re.Pattern[str], np.ndarray]]:
        """For each language written without spaces, its bit, a pattern of its stopwords in that
        script (:func:`longest_word_pattern`), and which code points start one of them (a table;
        the last entry, for any code point beyond, False)."""
        patterns = []
        for bit, words in enumerate(self.lists.values()):
            unspaced = [w for w, spaced in zip(words, _spaced_letters(words)) if not spaced]
            if len(unspaced) * 2 > len(words):  # mostly such words: a language of such a script
                firsts = [ord(w[0]) for w in unspaced]
                starts = np.zeros(max(firsts) + 2, bool)
                starts[firsts] = True
                patterns.append((bit, longest_word_pattern(unspaced), starts))
        return patterns

    def find(self, codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The language bits of each substring ``codes[start : start + length]`` (0: no list's)."""
        lexicon, masks = self._words
        found = lexicon.find(codes, starts, lengths)
        bits = np.zeros(len(starts), np.uint64)
        bits[found >= 0] = masks[found[found >= 0]]
        return bits

    def substring_hits(self, texts: list[str], rows: np.ndarray, letters: np.ndarray, line: np.ndarray) -> np.ndarray:
        """Per line of ``rows`` (sorted: the lines with letters of unspaced scripts), how many
        stopwords of each language written without spaces it holds: an array (len(rows),
        len(languages)). ``letters`` are those letters' code points, ``line`` their lines.

        A language's pattern scans only the rows holding a letter that starts one of its words: a
        Thai line is not scanned for Chinese words, nor a Chinese one for Thai (a scan tries the
        pattern at every place of the line, whether it finds a word or not). The patterns are
        made on the first batch that needs them: a corpus without such scripts never does."""
        hits = np.zeros((len(rows), len(self.languages)))
        if not len(rows):
            return hits
        for bit, pattern, starts in self._substrings:
            holding = np.unique(line[starts[np.minimum(letters, len(starts) - 1)]])
            at = np.searchsorted(rows, holding)
            hits[at, bit] = [len(pattern.findall(texts[row])) for row in holding.tolist()]
        return hits


def longest_word_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern that matches, at each place, the longest of ``words`` that starts there: what
    the words as alternatives, longest first, match (``findall`` finds the same words).

    The words are set out as a trie (``的(?:确)?|了``...), so that at each place sre follows one
    branch a character at a time; with the alternatives one after another, it tried every word
    of a few hundred that starts with the place's character, and counting the Chinese and
    Japanese stopwords of a batch's lines was 3% of ``cleaner predict`` (2026-12-05). A word that
    is a prefix of others ends at a greedy optional group, so the longer words are tried first.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a word

    def branches(node: dict[str, Any]) -> str:
        parts = [re.escape(char) + following(child) for char, child in sorted(node.items()) if char]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    def following(node: dict[str, Any]) -> str:
        if "" not in node:
            return branches(node)
        if len(node) == 1:
            return ""
        rest = branches(node)
        return (rest if rest.startswith("(?:") else f"(?:{rest})") + "?"

    return re.compile(branches(trie) if trie else "(?!)")


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
    (n_groups, width); ``groups`` is each item's group.

    Only the items with a bit set count (most words are no list's stopword), and they hold few
    distinct sets of bits (the words of 58 lists, about 600 sets): each group's count of each set,
    times the sets' bits unpacked, is the answer, one small matrix product. Its sums are of whole
    numbers far below 2**53, so exact in any order. (A ``bincount`` per language, 58 of them over
    every word of the batch, took a tenth of ``cleaner predict``'s time; a ``reduceat`` of every
    word's bits unpacked, 2%.)"""
    counts = np.zeros((n_groups, width))
    hit = np.flatnonzero(bits)
    if not len(hit):
        return counts
    sets, which = np.unique(bits[hit], return_inverse=True)
    per_group = np.bincount(groups[hit] * len(sets) + which, minlength=n_groups * len(sets))
    unpacked = np.unpackbits(sets.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    return per_group.reshape(n_groups, len(sets)).astype(float) @ unpacked[:, :width].astype(float)

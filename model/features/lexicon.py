"""Hashed look-up structures: many substrings of a batch's text matched against a fixed set at once.

Stopwords (for the shape features) and a fitted vocabulary's word n-grams (for the cue words) are
looked up for every word of a batch; these structures do it with numpy instead of a Python set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from .chars import code_points


class Lexicon:
    """A fixed set of strings in which many substrings of a text are looked up at once.

    Looking words up one by one in a Python set costs a few Python calls per word, and pages hold
    many words. Here the candidates are grouped by length and hashed together, a character
    position at a time (a polynomial in wrapping 64-bit arithmetic, by Horner's rule). Per length,
    the set's strings sit in a hash table with about eight buckets per string, so that most
    candidates not in the set stop at an empty bucket; a candidate whose hash matches is confirmed
    by comparing its characters, so a hash collision can never produce a false hit.
    """

    _BASES = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)
    _MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: a bucket from the top bits of hash * _MIX

    def __init__(self, strings: Iterable[str]) -> None:
        self.strings = sorted(set(strings))
        by_length: dict[int, list[int]] = {}
        for index, s in enumerate(self.strings):
            by_length.setdefault(len(s), []).append(index)
        self.longest = max(by_length, default=0)
        for base in self._BASES:  # a base under which two strings share a hash: try the next one
            self.base = np.uint64(base)
            self.groups: dict[int, _Bucketed] = {}
            for length, indices in by_length.items():
                chars = code_points("".join(self.strings[i] for i in indices)).reshape(len(indices), length)
                hashes = self._hash(chars.T, len(indices))
                if len(np.unique(hashes)) < len(hashes):
                    break
                bits = len(indices).bit_length() + 3
                buckets = self._bucket(hashes, bits)
                order = np.argsort(buckets, kind="stable")
                starts = np.searchsorted(buckets[order], np.arange((1 << bits) + 1))
                columns = np.ascontiguousarray(chars[order].T)
                self.groups[length] = _Bucketed(bits, starts, hashes[order], columns, np.asarray(indices)[order])
            else:
                return
        raise RuntimeError("no hash base separates the strings")  # pragma: no cover - 2**-64 per pair

    def _hash(self, columns: Iterable[np.ndarray], size: int) -> np.ndarray:
        """Hashes of ``size`` strings given as their code points, one array per character position."""
        hashed = np.zeros(size, np.uint64)
        for column in columns:  # in place: no temporary per character position
            hashed *= self.base
            hashed += column
        return hashed

    def _bucket(self, hashes: np.ndarray, bits: int) -> np.ndarray:
        return ((hashes * self._MIX) >> np.uint64(64 - bits)).astype(np.intp)

    def find(self, codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Index in ``strings`` of every substring ``codes[start : start + length]``, or -1."""
        found = np.full(len(starts), -1, np.int64)
        if not len(starts):
            return found
        # Group the candidates by length with one sort (a radix sort of bytes, as strings are short);
        # candidates longer than every string fall in one group that is never looked at.
        capped = np.minimum(lengths, self.longest + 1).astype(np.uint8 if self.longest < 255 else np.int64)
        order = np.argsort(capped, kind="stable")
        bounds = np.searchsorted(capped[order], np.arange(self.longest + 2))
        for length, group in self.groups.items():
            which = order[bounds[length] : bounds[length + 1]]
            if not len(which):
                continue
            first = starts[which]
            # The candidates' characters, a position at a time: hashed, then compared on a hash hit.
            # codes[j:][first] is codes[first + j] without adding j to every start, for speed.
            columns = [codes[j:][first] for j in range(length)]
            hashed = self._hash(columns, len(which))
            bucket = self._bucket(hashed, group.bits)
            at, stop = group.starts[bucket], group.starts[bucket + 1]
            pending = np.flatnonzero(at < stop)
            while len(pending):  # walk the buckets, which nearly all hold one string at most
                same = group.hashes[at[pending]] == hashed[pending]
                hit = pending[same]
                slot = at[hit]
                equal = np.ones(len(hit), bool)
                for column, chars in zip(columns, group.chars):
                    equal &= column[hit] == chars[slot]
                found[which[hit[equal]]] = group.indices[slot[equal]]
                pending = pending[~same]
                at[pending] += 1
                pending = pending[at[pending] < stop[pending]]
        return found


class _Bucketed(NamedTuple):
    """A :class:`Lexicon`'s strings of one length, by bucket: those of bucket b are
    ``starts[b]:starts[b + 1]`` of ``hashes``, ``indices`` and each row of ``chars`` (their code
    points, one row per character position, as candidates are compared)."""

    bits: int
    starts: np.ndarray
    hashes: np.ndarray
    chars: np.ndarray
    indices: np.ndarray


class NgramIndex:
    """A fitted vocabulary of word n-grams, ready to be matched against a batch's tokens.

    Its words form a :class:`Lexicon`, in which every token is looked up once; its n-grams of
    each size are an :class:`_NgramTable`. A run of tokens that are not all vocabulary words cannot
    be a vocabulary n-gram.
    """

    def __init__(self, vocabulary: dict[str, int]) -> None:
        terms = [(term.split(" "), column) for term, column in vocabulary.items()]
        self.words = Lexicon(word for parts, _ in terms for word in parts)
        number = {word: i for i, word in enumerate(self.words.strings)}
        by_size: dict[int, list[tuple[list[int], int]]] = {}
        for parts, column in terms:
            by_size.setdefault(len(parts), []).append(([number[word] for word in parts], column))
        self.tables = {size: _NgramTable(entries, len(number)) for size, entries in by_size.items()}


class _NgramTable:
    """The vocabulary's n-grams of one size n, as a table with one axis per word position.

    Only some words occur at position k of an n-gram; they are numbered along axis k (``axes[k]``
    maps a word's number to it, -1 for a word never there). Each n-gram is then a cell of the
    flattened table, looked up for many n-grams at once with numpy: in a dense array of columns if
    the table is small (it is for unigrams), else in a :class:`KeyTable` of the cells (a binary
    search in the sorted cells took 7 ms per 128 bench pages for the bigrams, this 3, 2026-12-05).
    """

    DENSE_CELLS = 1 << 22

    def __init__(self, entries: list[tuple[list[int], int]], n_words: int) -> None:
        self.axes, self.extents = [], []
        for k in range(len(entries[0][0])):
            present = sorted({words[k] for words, _ in entries})
            # One entry more than there are words, -1: it is the one an unknown token (-1) indexes.
            axis = np.full(n_words + 1, -1, np.int64)
            axis[present] = np.arange(len(present))
            self.axes.append(axis)
            self.extents.append(len(present))
        cells = np.zeros(len(entries), np.int64)
        for k, (axis, extent) in enumerate(zip(self.axes, self.extents)):
            cells = cells * extent + axis[[words[k] for words, _ in entries]]
        columns = np.asarray([column for _, column in entries], np.int64)
        self.usable = math.prod(self.extents) < 2**62  # cell numbers must fit in int64
        self.dense: np.ndarray | None = None
        self.hashed = KeyTable()  # else, the cells as keys (cell + 1: a key's first integer is never 0)
        if math.prod(self.extents) <= self.DENSE_CELLS:
            self.dense = np.full(math.prod(self.extents), -1, np.int32)
            self.dense[cells] = columns
        else:
            self.hashed.add((cells + 1).astype(np.uint64), np.zeros(len(cells), np.uint64), columns)

    def find(self, word: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary n-grams among the runs of n consecutive tokens (``word``: each token's
        number in the lexicon or -1, ``line``: its line): their first token and their column."""
        m = len(word) - len(self.axes) + 1
        if m <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        cell = np.zeros(m, np.int64)
        usable = np.ones(m, bool)
        for k, (axis, extent) in enumerate(zip(self.axes, self.extents)):
            part = axis[word[k : k + m]]
            usable &= (part >= 0) & (line[k : k + m] == line[:m])
            cell = cell * extent + part
        first = np.flatnonzero(usable)
        if self.dense is not None:
            column = self.dense[cell[first]]
        else:
            keys = (cell[first] + 1).astype(np.uint64)
            column = self.hashed.find(keys, np.zeros(len(keys), np.uint64))
        return first[column >= 0], column[column >= 0]


# Multiplier of the hash that spreads keys over a table's slots (Fibonacci hashing).
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


class KeyTable:
    """Keys of two 64-bit integers (the first nonzero) and their numbers in an open-addressing hash
    table (linear probing, at most half full), looked up and added to many at once with numpy. Keys
    are compared whole: a hash collision costs a probe, never a wrong number."""

    def __init__(self, bits: int = 10) -> None:
        self.bits = bits
        self.low = np.zeros(1 << bits, np.uint64)  # 0: an empty slot
        self.high = np.zeros(1 << bits, np.uint64)
        self.values = np.zeros(1 << bits, np.int64)
        self.size = 0

    def _slot(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        return (((low ^ (high * _SPREAD)) * _SPREAD) >> np.uint64(64 - self.bits)).astype(np.intp)

    def find(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """The number of each key, -1 for a key not in the table (and for a first integer 0).

        Every key's own slot is read at once, with no index of the keys still looked for: nine in
        ten keys are found there, and the index cost as much as the reads (2026-12-04). The others
        probe on."""
        slot = self._slot(low, high)
        held = self.low[slot]
        full = held != 0
        hit = (held == low) & (self.high[slot] == high) & full
        found = np.where(hit, self.values[slot], -1)
        pending = np.flatnonzero(~hit & full & (low != 0))  # a full slot of another key: the next one
        mask = (1 << self.bits) - 1
        while len(pending):
            at = slot[pending] = (slot[pending] + 1) & mask
            held = self.low[at]
            hit = (held == low[pending]) & (self.high[at] == high[pending])
            found[pending[hit]] = self.values[at[hit]]
            pending = pending[~hit & (held != 0)]
        return found

    def add(self, low: np.ndarray, high: np.ndarray, values: np.ndarray) -> None:
        """Add the keys (distinct, first integers nonzero, not in the table yet) with their ``values``."""
        if 2 * (self.size + len(low)) > len(self.low):
            held = np.flatnonzero(self.low)
            old = self.low[held], self.high[held], self.values[held]
            size, bits = self.size, self.bits
            while 2 * (size + len(low)) > 1 << bits:
                bits += 1
            self.bits = bits
            self.low, self.high = np.zeros(1 << bits, np.uint64), np.zeros(1 << bits, np.uint64)
            self.values = np.zeros(1 << bits, np.int64)
            self._insert(*old)
        self._insert(low, high, values)
        self.size += len(low)

    def _insert(self, low: np.ndarray, high: np.ndarray, values: np.ndarray) -> None:
        slot = self._slot(low, high)
        pending = np.arange(len(low))
        mask = (1 << self.bits) - 1
        while len(pending):
            free = pending[self.low[slot[pending]] == 0]
            self.values[slot[free]] = free  # of keys sharing a free slot, one is written: it goes there
            placed = free[self.values[slot[free]] == free]
            self.low[slot[placed]] = low[placed]
            self.high[slot[placed]] = high[placed]
            self.values[slot[placed]] = values[placed]
            pending = np.setdiff1d(pending, placed, assume_unique=True)
            slot[pending] = (slot[pending] + 1) & mask

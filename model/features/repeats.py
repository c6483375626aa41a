"""Lines repeated within their page, and lines that share their first two words with others.

A teaser list repeats its titles (once as a link, once as a heading) and starts its items the same
way ("Tin liên quan:", "Related:"); an article's paragraphs rarely do either. Comparing every line
as a string costs most of the time, so numeric fingerprints first rule out the many lines that
cannot equal another (:func:`shared_fingerprints`), and only the others are compared as strings.
"""

from __future__ import annotations

from itertools import count

import numpy as np

from .batch import LineBatch


def count_within(groups: np.ndarray, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, how many rows of its group have the same key (as float), and the key's number.

    Keys are numbered by a dict (C-level ``map``, no tuple per row) and counted with numpy.
    """
    number: dict[str, int] = {}
    numbers = np.fromiter(map(number.setdefault, keys, count()), np.int64, len(keys))
    _, inverse, counts = np.unique(groups * max(len(keys), 1) + numbers, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)].astype(float), numbers


_FINGERPRINT_MIX = np.uint64(0x9E3779B97F4A7C15)


def shared_fingerprints(*parts: np.ndarray) -> np.ndarray:
    """Which rows share their fingerprint with another row: the ``parts`` (integer arrays, one
    value per row) mixed into one integer. Rows with equal parts have equal fingerprints, so a row
    whose fingerprint no other row has differs from every other row in some part. Used for speed,
    to make and compare strings only for the few rows that may be equal to another."""
    fingerprint = np.zeros(len(parts[0]), np.uint64)
    for part in parts:
        fingerprint *= _FINGERPRINT_MIX  # wraps around: a hash, whose collisions only cost time
        fingerprint += part.astype(np.uint64)
    _, inverse, counts = np.unique(fingerprint, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)] > 1


def repeated_lines(batch: LineBatch) -> tuple[np.ndarray, np.ndarray]:
    """Per line, how many lines of its document are the same line (as float), and a number that
    the same lines of a document share (and no other line of it).

    For speed, only the lines that may be equal to another line of their document (same length,
    same characters at a few places: see :func:`shared_fingerprints`) are numbered by
    :func:`count_within`; every other line is alone, with a number of its own.
    """
    text, n = batch.text, len(batch)
    starts, lengths, codes = text.starts, text.lengths, text.codes
    places = [codes[starts + lengths * k // 4] for k in range(4)]  # lines are not empty
    maybe = np.flatnonzero(shared_fingerprints(batch.doc, lengths, codes[starts + lengths - 1], *places))
    repeats, numbers = np.ones(n), np.arange(n) + n  # above every number count_within gives
    repeats[maybe], numbers[maybe] = count_within(batch.doc[maybe], list(map(batch.texts.__getitem__, maybe.tolist())))
    return repeats, numbers


def copies_of_earlier(doc: np.ndarray, numbers: np.ndarray, repeats: np.ndarray) -> np.ndarray:
    """Per line, whether an earlier line of its document (``doc``, rows in order) is the same line,
    from :func:`repeated_lines`' numbers and counts: of each document's lines that repeat, all but
    the first of each number. (The same line in two documents may share a number, so the key is
    the document and the number.)"""
    copies = np.zeros(len(numbers), bool)
    repeated = np.flatnonzero(repeats > 1)
    if len(repeated):
        keys = doc[repeated].astype(np.int64) * (2 * len(numbers) + 1) + numbers[repeated]
        _, first = np.unique(keys, return_index=True)  # the first row of each key
        copies[repeated] = True
        copies[repeated[first]] = False
    return copies


def first_words_shared(batch: LineBatch, word_starts: np.ndarray, word_ends: np.ndarray, two: np.ndarray) -> np.ndarray:
    """Per line of ``two`` (the lines with two words or more), how many lines of its document
    start with the same two words (as float); the key is the two words with one space between.

    For speed, only some keys are made as strings and counted: lines with equal keys have equal
    fingerprints (their document, their words' lengths and some of their characters: see
    :func:`shared_fingerprints`), so a line whose fingerprint no other line has shares its key
    with none. Most lines are such; making every line's key (a slice of the batch's text) cost
    most of the time.
    """
    text = batch.text
    codes, joined = text.codes, text.string
    first_word = np.searchsorted(word_starts, text.starts[two])
    a, b = word_starts[first_word], word_ends[first_word]
    c, d = word_starts[first_word + 1], word_ends[first_word + 1]
    doc = batch.doc[two]
    places = codes[a], codes[(a + b) // 2], codes[b - 1], codes[c], codes[(c + d) // 2], codes[d - 1]
    maybe = np.flatnonzero(shared_fingerprints(doc, b - a, d - c, *places))
    a, b, c, d = a[maybe], b[maybe], c[maybe], d[maybe]
    keys = list(map(joined.__getitem__, map(slice, a.tolist(), d.tolist())))
    for i in np.flatnonzero((c != b + 1) | (codes[b] != ord(" "))).tolist():
        keys[i] = f"{joined[a[i] : b[i]]} {joined[c[i] : d[i]]}"
    counts = np.ones(len(two))
    counts[maybe] = count_within(doc[maybe], keys)[0]
    return counts

"""cleaner.features.topics: how much of a line's vocabulary the page's likely content carries (a
model that reads it: tests/test_extra_inputs.py)."""

from __future__ import annotations

import re
import unicodedata
from itertools import groupby

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.features.batch import LineBatch
from cleaner.features.chars import code_points, no_space_letters
from cleaner.features.topics import _hashes, line_word_keys, page_words, topic_overlap


def overlaps(documents: list[list[str]], probabilities: list[float]) -> np.ndarray:
    return topic_overlap(np.array(probabilities), page_words(LineBatch(documents)))


def test_overlap_by_hand() -> None:
    lines = ["River flood warning", "Flood waters rose along the river.", "Weather | Sports | Travel", "flood, flood"]
    p = [0.9, 0.8, 0.3, 0.5]
    got = overlaps([lines], p)
    # Words of four letters or more, once per line; each counts the other lines' P, capped at 1.
    expected = [
        (min(1, 0.8) + min(1, 0.8 + 0.5) + 0) / 3,  # river, flood, warning
        (min(1, 0.9 + 0.5) + 0 + 0 + 0 + 0.9) / 5,  # flood, waters, rose, along, river ("the" is short)
        0.0,  # weather, sports, travel: in no other line
        min(1, 0.9 + 0.8),  # flood
    ]
    assert got == pytest.approx(expected)


def test_a_document_does_not_see_the_others_words() -> None:
    article = ["Harbour bridge reopens after repairs", "The harbour bridge carried traffic again today."]
    other = ["Harbour festival tickets", "Bridge club results"]
    p = [0.9, 0.9]
    alone = overlaps([article], p)
    assert alone.min() > 0
    together = overlaps([other, article], [0.9, 0.9, *p])
    assert np.array_equal(together[2:], alone)
    assert together[:2] == pytest.approx([0.0, 0.0])


def test_words_of_scripts_without_spaces_are_letter_pairs() -> None:
    batch = LineBatch([["新闻发布会", "发布会", "2026 covid19 abc"]])
    words = line_word_keys(batch)
    # 新闻 闻发 发布 布会; 发布 布会; "covid19" only: digits alone and short words are not words.
    assert np.bincount(words[0]).tolist() == [4, 2, 1]
    got = topic_overlap(np.array([0.6, 0.2, 0.0]), page_words(batch))
    assert got[1] == pytest.approx(0.6)
    assert got[0] == pytest.approx(2 * 0.2 / 4)


def reference_words(line: str) -> set[str]:
    """The words of a line as the module says, one Python string at a time."""
    words = set()
    lowered = line.strip().lower()
    # Word characters as the batch's classes have them: \w, and combining marks (İ lower-cased
    # is i and a combining dot).
    word = [c.isalnum() or c == "_" or unicodedata.category(c).startswith("M") for c in lowered]
    for is_word, group in groupby(zip(lowered, word), key=lambda pair: pair[1]):
        if not is_word:
            continue
        run = "".join(c for c, _ in group)
        unspaced = no_space_letters(code_points(run)).tolist()
        words.update(run[i : i + 2] for i in range(len(run) - 1) if unspaced[i] and unspaced[i + 1])
        for part in re.split("|".join(re.escape(c) for c, u in zip(run, unspaced) if u) or "$^", run):
            if len(part) >= 4 and any(c.isalpha() for c in part):
                words.add(part)
    return words


def key(word: str) -> int:
    return int(_hashes(code_points(word), np.array([0]), np.array([len(word)]))[0])


LINE = st.text(st.sampled_from(list("abcDEF xyz_0129.-Straße新闻发布会のタイ語ไทยİ")), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=6))
def test_the_words_found_at_once_are_those_of_each_line_alone(lines: list[str]) -> None:
    batch = LineBatch([lines])
    rows, keys = line_word_keys(batch)
    for row, line in enumerate(batch.texts):
        assert sorted(keys[rows == row].tolist()) == sorted(map(key, reference_words(line))), line


def test_a_line_without_words_overlaps_nothing() -> None:
    assert overlaps([["12:30", "» »", ""]], [0.9, 0.9]).tolist() == [0.0, 0.0]

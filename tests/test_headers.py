"""cleaner.features.headers: whether a line sits under a header of the main block's form (a model
that reads it: tests/test_extra_inputs.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.features.batch import LineBatch
from cleaner.features.headers import LONGEST, header_columns, header_forms, main_starts


def reference_form(line: str) -> str | None:
    """A line's form as the module's docstring defines it, in plain Python (None: not a header);
    ``line`` is without its Markdown markup, as the features read it (LineBatch.texts)."""
    if len(line) > LONGEST or not any(c.isdigit() for c in line):
        return None

    def kind(c: str) -> str:
        return "0" if c.isdigit() else "a" if c.isalpha() else c

    words = []
    for word in line.split():
        if not any(c.isdigit() for c in word):
            words.append("a")
            continue
        symbols: list[str] = []  # a run of digits or of letters is one symbol; other characters stay
        for symbol in map(kind, word):
            if not (symbols and symbol == symbols[-1] and symbol in "0a"):
                symbols.append(symbol)
        words.append("".join(symbols))
    return " ".join(words)


def test_forms_of_post_headers() -> None:
    lines = [
        "par Margot_Lyon » mar. 9 sept. 2025 21:14",
        "par Thierry.R » mer. 10 sept. 2025 08:41",
        "9 Sep 2025, 21:40",
        "12 Sep 2025, 19:30",
        "12.09.2025 19:30",
        "No digit in this line",
        "x" * LONGEST + " 1",
    ]
    has_form, forms = header_forms(LineBatch([lines]))
    assert has_form.tolist() == [True, True, True, True, True, False, False]
    assert forms[0] == forms[1] and forms[2] == forms[3]
    assert len({forms[0], forms[2], forms[4]}) == 3


_TOKENS = st.sampled_from(
    ["9", "12", "2025,", "21:40", "Sep", "sept.", "»", "|", "#3", "a1b22", "Ünï7", "_x9", "-", "#", "1.", "**9**"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_TOKENS, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=12))
def test_equal_forms_are_equal_reference_forms(lines: list[str]) -> None:
    batch = LineBatch([lines])
    has_form, forms = header_forms(batch)
    reference = [reference_form(line) for line in batch.texts]
    assert has_form.tolist() == [form is not None for form in reference]
    keyed = [i for i, form in enumerate(reference) if form is not None]
    for i in keyed:
        for j in keyed:
            assert (forms[i] == forms[j]) == (reference[i] == reference[j]), (lines[i], lines[j])


def columns(lines: list[str], main_start: int) -> np.ndarray:
    batch = LineBatch([lines])
    has_form, forms = header_forms(batch)
    return header_columns(has_form, forms, batch.bounds, np.array([main_start]))


THREAD = [
    "Chain skips after a new cassette",  # 0
    "rider_one",
    "9 Sep 2025, 21:14",  # 2: header of the first post
    "The chain skips on the two smallest cogs since I fitted a new cassette.",  # 3: main block
    "Reply | Quote",
    "mechanic",
    "9 Sep 2025, 21:40",  # 6
    "Your chain is worn: measure it with a gauge.",  # 7
    "Reply | Quote",
    "rider_one",
    "10 Sep 2025, 07:55",  # 10
    "Thanks, that was it.",  # 11
]


def test_a_thread_s_replies_sit_under_headers_of_its_first_post_s_form() -> None:
    got = columns(THREAD, main_start=3)
    assert got[:, 1] == pytest.approx(np.full(12, np.log1p(2)))  # two other headers of the main block's form
    assert got[[3, 7, 11], 2].tolist() == [1.0, 1.0, 1.0]
    assert got[[3, 7, 11], 0] == pytest.approx([np.log1p(2)] * 3)
    assert got[:2].tolist() == [[0.0, np.log1p(2), 0.0]] * 2  # no digit line above them


def test_comments_under_an_article_sit_under_headers_of_another_form() -> None:
    article = [
        "Harbour bridge reopens",
        "Published 9 September 2025",  # 1: the article's header
        "The harbour bridge reopened to traffic on Tuesday after two years of repairs.",  # 2: main block
        "3 comments",
        "anna",
        "9 Sep 2025, 21:40",
        "Finally! The detour added twenty minutes to my commute.",  # 6
        "ben",
        "10 Sep 2025, 07:55",
        "Took them long enough.",  # 9
    ]
    got = columns(article, main_start=2)
    assert got[:, 1].tolist() == [0.0] * 10  # the article's header form occurs once: no echo, no header
    assert got[2].tolist() == [0.0, 0.0, 0.0]
    assert got[[6, 9], 2].tolist() == [0.0, 0.0]
    assert got[[6, 9], 0] == pytest.approx([np.log1p(1)] * 2)  # each comment's header echoes the other's


def test_documents_count_their_own_forms() -> None:
    batch = LineBatch([THREAD, THREAD[:4]])
    has_form, forms = header_forms(batch)
    got = header_columns(has_form, forms, batch.bounds, np.array([3, 3]))
    assert np.array_equal(got[:12], columns(THREAD, 3))
    assert got[12 + 3].tolist() == [0.0, 0.0, 0.0]  # the first post alone: its header echoes nothing


def test_main_starts_from_the_shape_column() -> None:
    bounds = np.array([0, 4, 6, 9])
    in_main = np.array([0, 0, 1, 1, 0, 0, 1, 1, 0])
    assert main_starts(in_main, bounds).tolist() == [2, -1, 0]

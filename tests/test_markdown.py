"""Markdown markup: the text features read lines without it, the markup features with it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.features.batch import LineBatch, Text
from cleaner.features.lines import BASE_FEATURES
from cleaner.features.markdown import MARKUP_CHARS, plain
from cleaner.features.shape import markup_rows, shape_matrix
from cleaner.features.stopwords import Stopwords


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("Read [the report](https://example.com/report_(2025)) by Friday.", "Read the report by Friday."),
        ("![Quay](https://e.com/quay.jpg) The quay at dawn, before the works.", "The quay at dawn, before the works."),
        ("**Breaking:** the quay reopens", "  Breaking:   the quay reopens"),
        ("__Strong__, *emphasis* and _italics_ go", "  Strong  ,  emphasis  and  italics  go"),
        ("## Where the money goes ##", "   Where the money goes   "),
        ("# Heading", "  Heading"),
        ("* First item", "  First item"),
        ("- Second item", "  Second item"),
        ("+ Third item", "  Third item"),
        ("1. Preheat the oven", "   Preheat the oven"),
        ("12) Serve warm", "    Serve warm"),
        ("5 \\* 3 and a \\_literal\\_ underscore \\# here", "5  * 3 and a  _literal _ underscore  # here"),
        ("- [Home](/) | [News](/news)", "  Home | News"),
    ],
)  # fmt: skip
def test_markup_is_taken_out(line: str, text: str) -> None:
    """Links become their text and a leading image goes; markers become spaces (no words, no
    symbols), so that most marked lines keep their length."""
    assert plain(line) == text


@pytest.mark.parametrize(
    "line",
    [
        "snake_case_name and file_name.txt",
        "2*3*4 = 24",
        "a * b * c",
        "[Video] The harbour from above",
        "#hashtag",
        "-5 degrees",
        "2025 was a good year",
        "Tin liên quan",
        "![Only an image](https://example.com/a_b.jpg)",  # nothing but markup: kept whole
        "![](https://example.com/a.jpg) |",
        "**",
    ],
)
def test_what_is_not_markup_stays(line: str) -> None:
    assert plain(line) == line


MARKDOWN_TEXT = st.lists(
    st.sampled_from(
        ["a", "B", " ", "*", "**", "_", "__", "[", "]", "(", ")", "](", "![", "\\", "#", "# ", "- ", "+ ", "1. ",
         "12) ", "x_y", "http://e.com/a_(b)", "đ", "漢", "İ", ".", "|"]
    ),
    max_size=12,
).map("".join)  # fmt: skip
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(MARKDOWN_TEXT, max_size=12))
@example(["# Title", "plain", "![x](y.jpg) Caption *here*", "", "- item", "1. one", "snake_case", "[l](http://a) b"])
def test_the_batch_text_is_the_plain_lines(lines: list[str]) -> None:
    """The batch's text (code points, classes, bounds and string) is exactly that of the lines
    without markup, though only the marked lines were redone; the lines as given are kept."""
    batch = LineBatch([lines])
    stripped = [line.strip() for line in lines if line.strip()]
    assert batch.lines == stripped
    assert batch.texts == [plain(line) for line in stripped]
    assert batch.marked.tolist() == [row for row, line in enumerate(stripped) if plain(line) != line]
    expected, actual = Text.of(batch.texts), batch.text
    for name in ("codes", "classes", "lengths", "starts", "ends"):
        assert np.array_equal(getattr(actual, name), getattr(expected, name)), name
    assert actual.string == expected.string
    assert all(batch.texts), "no line is empty"


@PROPERTY
@given(st.lists(st.text(st.characters(exclude_characters="\r\n" + MARKUP_CHARS), max_size=30), max_size=8))
def test_lines_without_markup_characters_are_untouched(lines: list[str]) -> None:
    """Without a markup character inside or a marker first, a batch's text is its lines' own."""
    lines = [line for line in lines if not line.strip()[:1] or line.strip()[0] not in "#*+-"]
    lines = [line for line in lines if not line.strip()[:1].isdecimal()]
    batch = LineBatch([lines])
    assert batch.marked.tolist() == []
    assert batch.text is batch.given


def column(matrix: np.ndarray, name: str) -> list[float]:
    return matrix[:, BASE_FEATURES.index(name)].tolist()


def test_markup_features_read_the_lines_as_given() -> None:
    lines = [
        "- Preheat the oven",
        "1. Mix the flour",
        "![Dough](https://example.com/dough.jpg) The dough after an hour.",
        "![Dough](https://example.com/dough.jpg)",
        "Knead it on [a floured board](https://example.com/board) for ten minutes.",
        "**Serve warm**",
    ]
    batch = LineBatch([lines])
    shape = shape_matrix(batch, Stopwords({"en": ["the", "for", "it", "on", "a", "an", "after"]}))
    assert column(shape, "starts_bullet")[:2] == [1.0, 0.0]
    assert column(shape, "starts_numbered")[:2] == [0.0, 1.0]
    assert column(shape, "is_image")[2:4] == [1.0, 1.0]
    assert column(shape, "has_link")[2:5] == [1.0, 1.0, 1.0]
    assert markup_rows(shape, batch).tolist() == [False, False, False, True, False, False]
    # The text features: the bullet, the number and the link's target are no words; the caption
    # after an image is a sentence; bold text starts with a letter.
    assert np.expm1(column(shape, "words_log")[:2]).round().tolist() == [3.0, 3.0]
    assert column(shape, "ends_terminal")[2] == 1.0
    assert np.expm1(column(shape, "words_log")[4]).round() == 9.0
    assert column(shape, "starts_upper")[5] == 1.0
    assert column(shape, "symbol_ratio")[5] == 0.0

"""cleaner.text.split_lines and is_blank."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.text import is_blank, split_lines

# Line text: anything but the three line breaks (and a BOM, which split_lines drops at the start).
LINE = st.text(st.characters(exclude_characters="\r\n\ufeff"), max_size=20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\nb", ["a", "b"]),
        ("a\nb\n", ["a", "b"]),
        ("a\n\n", ["a", ""]),
        ("\n", [""]),
        ("\n\n", ["", ""]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\rb\r", ["a", "b"]),
        ("a\r\n\r\nb", ["a", "", "b"]),
        ("a\n\rb", ["a", "", "b"]),
        ("a\r\r\nb", ["a", "", "b"]),
        ("  \n\t\n", ["  ", "\t"]),
        ("\ufeffa\nb", ["a", "b"]),
    ],
)
def test_examples(text: str, expected: list[str]) -> None:
    assert split_lines(text) == expected


def test_only_lf_cr_crlf_break_lines() -> None:
    text = "a\u2028b\u2029c\x0bd\x0ce\x1cf\x85g\tend"
    assert split_lines(text) == [text]


@settings(max_examples=50, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=8), separator=st.sampled_from(["\n", "\r\n", "\r"]))
def test_joined_lines_split_back(lines: list[str], separator: str) -> None:
    assert split_lines(separator.join(lines) + separator) == lines
    if lines[-1] != "":
        assert split_lines(separator.join(lines)) == lines


@settings(max_examples=50, deadline=None)
@given(st.text(st.characters(), max_size=40) | st.text("ab \r\n\ufeff", max_size=12))
def test_splitting_only_removes_breaks(text: str) -> None:
    lines = split_lines(text)
    body = text[1:] if text.startswith("\ufeff") else text
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert "".join(lines) == body.replace("\r", "").replace("\n", "")
    breaks = body.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    unterminated = body != "" and body[-1] not in "\r\n"
    assert len(lines) == breaks + unterminated


@pytest.mark.parametrize("line", ["", " ", "\t", "  \t  ", "\u00a0", "\u3000", "\x0c", "\u2003 "])
def test_blank(line: str) -> None:
    assert is_blank(line)


@pytest.mark.parametrize("line", ["a", " a ", ".", "|", "\u200b", "  •"])
def test_not_blank(line: str) -> None:
    assert not is_blank(line)


@settings(max_examples=50, deadline=None)
@given(st.text("ab \n\x85\u2028\ufeff", max_size=20))
def test_text_without_cr_splits_as_on_every_break(text: str) -> None:
    """Text without CR takes the str.split fast path; it must split as the LF/CRLF/CR regex does."""
    body = text[1:] if text.startswith("\ufeff") else text
    expected = re.split(r"\r\n|\r|\n", body)
    if expected[-1] == "":
        expected.pop()
    assert split_lines(text) == expected

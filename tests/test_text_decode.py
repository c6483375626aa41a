"""cleaner.text.decode: bytes to text, BOM dropped, bad bytes located by line and column."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.text import DecodeError, decode, split_lines

BOM = codecs.BOM_UTF8


def test_plain_utf8() -> None:
    assert decode("Ngoại trưởng\nĐức\n".encode()) == "Ngoại trưởng\nĐức\n"


@pytest.mark.parametrize("encoding", ["utf-8", "UTF-8", "utf8", "utf_8"])
def test_utf8_bom_is_dropped(encoding: str) -> None:
    assert decode(BOM + "Tin bài\n".encode(), encoding) == "Tin bài\n"


def test_other_encodings() -> None:
    assert decode("café\n".encode("latin-1"), "latin-1") == "café\n"
    assert decode("Tin bài".encode("utf-16"), "utf-16") == "Tin bài"


def test_bad_byte_is_a_decode_error_with_position() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b"first\nsecond\nab\xffcd\n")
    assert isinstance(info.value, ValueError)
    assert (info.value.line, info.value.column) == (3, 3)
    assert "3" in str(info.value)


def test_bad_byte_at_start() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b"\xfe")
    assert (info.value.line, info.value.column) == (1, 1)


def test_truncated_multibyte_sequence() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b"ok\n" + "đ".encode()[:1])
    assert info.value.line == 2


def test_column_after_a_bom_counts_from_the_text() -> None:
    with pytest.raises(DecodeError) as info:
        decode(BOM + b"ab\xff")
    assert (info.value.line, info.value.column) == (1, 3)


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_error_line_matches_split_lines(separator: str) -> None:
    """The reported line is the line split_lines (and so every output and error) numbers:
    CR-only dumps are split on CR, so the line number must count CRs too."""
    data = separator.join(["one", "two", "th\udcffree"]).encode("utf-8", "surrogateescape")
    with pytest.raises(DecodeError) as info:
        decode(data)
    lines = split_lines(data.decode("utf-8", "replace"))
    assert lines[info.value.line - 1] == "th\ufffdree"
    assert (info.value.line, info.value.column) == (3, 3)


@pytest.mark.parametrize(("errors", "expected"), [("replace", "a\ufffdb"), ("ignore", "ab")])
def test_error_handlers(errors: str, expected: str) -> None:
    assert decode(b"a\xffb", errors=errors) == expected


@settings(max_examples=50, deadline=None)
@given(st.text())
def test_round_trip(text: str) -> None:
    assert decode(BOM + text.encode()) == text
    if not text.startswith("\ufeff"):
        assert decode(text.encode()) == text

"""Small assertion helpers shared by several test files."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from cleaner.text import is_blank


def output_lines(cleaned: str) -> list[str]:
    """The lines of a cleaned dump exactly as written (LF-separated, a final LF when non-empty).

    Deliberately not ``split_lines``: that drops a leading U+FEFF, which would hide a changed line.
    """
    if cleaned == "":
        return []
    assert cleaned.endswith("\n"), f"non-empty output must end with a newline: {cleaned!r}"
    assert "\r" not in cleaned, "output lines are split input lines and cannot contain CR"
    return cleaned[:-1].split("\n")


def is_subsequence(needle: Sequence[str], haystack: Sequence[str]) -> bool:
    it = iter(haystack)
    return all(any(item == candidate for candidate in it) for item in needle)


def assert_clean_shape(cleaned_lines: Sequence[str], input_lines: Sequence[str]) -> None:
    """Deletion only: output lines are input lines, unchanged and in order; blank lines only
    between two kept lines, never two in a row."""
    assert is_subsequence(cleaned_lines, input_lines), (cleaned_lines, input_lines)
    if cleaned_lines:
        assert not is_blank(cleaned_lines[0])
        assert not is_blank(cleaned_lines[-1])
    for before, after in pairwise(cleaned_lines):
        assert not (is_blank(before) and is_blank(after)), cleaned_lines


def non_blank(lines: Sequence[str]) -> list[str]:
    return [line for line in lines if not is_blank(line)]

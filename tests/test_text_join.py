"""cleaner.text.join_nonblank_kept: the cleaned dump built from the kept lines."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import assert_clean_shape, output_lines

from cleaner.text import is_blank, join_nonblank_kept

A, B, C = "Headline", "Menu | Login", "Body paragraph."


def join_kept(lines: Sequence[str], keep: Sequence[bool]) -> str:
    """:func:`join_nonblank_kept` given a decision for every line (those of the blank lines are
    ignored): the examples below state the rule line by line."""
    return join_nonblank_kept(lines, compress(keep, map(str.strip, lines)))


@pytest.mark.parametrize(
    ("lines", "keep", "expected"),
    [
        ([], [], ""),
        ([A], [True], "Headline\n"),
        ([A], [False], ""),
        ([A, B, C], [True, False, True], "Headline\nBody paragraph.\n"),
        ([A, "", C], [True, False, True], "Headline\n\nBody paragraph.\n"),
        ([A, "", "", "   ", C], [True, True, True, True, True], "Headline\n\nBody paragraph.\n"),
        ([A, "", B, C], [True, False, False, True], "Headline\n\nBody paragraph.\n"),
        ([A, B, "", C], [False, False, True, True], "Body paragraph.\n"),
        ([A, "", B], [True, True, False], "Headline\n"),
        (["", "", A, "", ""], [True, True, True, True, True], "Headline\n"),
        (["", " ", "\t"], [True, True, True], ""),
    ],
)
def test_examples(lines: list[str], keep: list[bool], expected: str) -> None:
    assert join_kept(lines, keep) == expected
    # The worker's form: one decision per non-blank line, as the model's scores come.
    decisions = [kept for line, kept in zip(lines, keep) if not is_blank(line)]
    assert join_nonblank_kept(lines, decisions) == expected


def test_lines_past_the_last_decision_are_dropped() -> None:
    assert join_nonblank_kept([A, "", C], [True]) == "Headline\n"


def test_the_blank_line_written_is_one_of_the_dumps_own() -> None:
    out = output_lines(join_kept([A, " \t ", C], [True, False, True]))
    assert out == [A, " \t ", C]


def test_tuples_are_accepted() -> None:
    assert join_kept((A, C), (False, True)) == "Body paragraph.\n"


LINES = st.lists(
    st.one_of(
        st.sampled_from(["", " ", "\t", "\u00a0"]),
        st.text(st.characters(exclude_characters="\r\n"), min_size=1, max_size=6),
    ),
    max_size=14,
)


@settings(max_examples=50, deadline=None)
@given(data=st.data(), lines=LINES)
def test_join_kept_properties(data: st.DataObject, lines: list[str]) -> None:
    keep = data.draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    out = output_lines(join_kept(lines, keep))
    assert_clean_shape(out, lines)

    kept = [i for i, line in enumerate(lines) if keep[i] and not is_blank(line)]
    assert [line for line in out if not is_blank(line)] == [lines[i] for i in kept]
    # Between two consecutive kept lines: a blank line exactly when the dump had one there.
    position = 0
    for first, second in pairwise(kept):
        position = out.index(lines[first], position) + 1
        blanks_between = [lines[k] for k in range(first + 1, second) if is_blank(lines[k])]
        if blanks_between:
            assert out[position] in blanks_between
            assert is_blank(out[position])
            position += 1
        assert out[position] == lines[second]


def _join_line_by_line(lines: list[str], kept: list[bool]) -> str:
    """join_nonblank_kept as it was written before it visited only the kept lines: every line in
    turn, a pending blank line written before the next kept line."""
    decisions = iter(kept)
    out: list[str] = []
    pending_blank: str | None = None
    for line in lines:
        if is_blank(line):
            if out and pending_blank is None:
                pending_blank = line
        elif next(decisions, False):
            if pending_blank is not None:
                out.append(pending_blank)
            out.append(line)
            pending_blank = None
    return "\n".join(out) + "\n" if out else ""


@settings(max_examples=300, deadline=None)
@given(data=st.data(), lines=LINES)
def test_join_nonblank_kept_is_the_line_by_line_join(data: st.DataObject, lines: list[str]) -> None:
    # Decisions for fewer, as many or more lines than are non-blank.
    kept = data.draw(st.lists(st.booleans(), max_size=len(lines) + 2))
    assert join_nonblank_kept(lines, kept) == _join_line_by_line(lines, kept)
    assert join_nonblank_kept(lines, iter(kept)) == _join_line_by_line(lines, kept)

"""cleaner.training.labels: parse_label_text and its inverse format_label_lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.labels import BOILERPLATE, CONTENT, LabelFormatError, format_label_lines, parse_label_text
from cleaner.text import is_blank
from cleaner.training.labels import read_label_file


def test_parse_example() -> None:
    text = "C\tNgoại trưởng Đức\nB\tĐăng nhập\n\nC\tcol1\tcol2\nB\t  • Rất hay\n"
    lines, labels = parse_label_text(text, "x.tsv")
    assert lines == ["Ngoại trưởng Đức", "Đăng nhập", "", "col1\tcol2", "  • Rất hay"]
    assert labels == [CONTENT, BOILERPLATE, None, CONTENT, BOILERPLATE]
    assert (CONTENT, BOILERPLATE) == ("content", "boilerplate")


def test_crlf_and_missing_final_newline() -> None:
    assert parse_label_text("C\ta\r\n\r\nB\tb", "x.tsv") == (["a", "", "b"], [CONTENT, None, BOILERPLATE])


def test_empty_text() -> None:
    assert parse_label_text("", "x.tsv") == ([], [])


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("Menu without a tag\n", 1, "tab"),
        ("C\tok\n\nContent\n", 3, "tab"),
        ("X\ttext\n", 1, "tag"),
        ("C\tok\nc\tlower-case tag\n", 2, "tag"),
        ("CB\ttext\n", 1, "tag"),
        ("\ttext\n", 1, "tag"),
        ("C\tok\nB\tok\nB\t\n", 3, "blank"),
        ("C\t   \n", 1, "blank"),
        ("B\t\t\n", 1, "blank"),
    ],
)
def test_malformed_rows_name_path_and_line(text: str, line: int, what: str) -> None:
    with pytest.raises(LabelFormatError) as info:
        parse_label_text(text, "labels/some file.tsv")
    message = str(info.value)
    assert message.startswith(f"labels/some file.tsv:{line}: "), message
    assert what in message.lower()
    assert isinstance(info.value, ValueError)


def test_format_example() -> None:
    lines = ["Headline", "  ", "Menu", "", "a\tb"]
    labels = [CONTENT, None, BOILERPLATE, None, CONTENT]
    assert format_label_lines(lines, labels) == "C\tHeadline\n\nB\tMenu\n\nC\ta\tb\n"
    assert format_label_lines([], []) == ""


def test_seed_file_round_trips(labels_dir) -> None:
    path = labels_dir / "seed-baoquocte-003.tsv"
    lines, labels = read_label_file(path)
    assert format_label_lines(lines, labels) == path.read_text(encoding="utf-8")
    assert all((label is None) == is_blank(line) for line, label in zip(lines, labels))


DUMP_LINE = st.text(st.characters(exclude_characters="\r\n"), max_size=12)


@settings(max_examples=50, deadline=None)
@given(data=st.data(), lines=st.lists(DUMP_LINE, max_size=10))
def test_format_then_parse_round_trips(data: st.DataObject, lines: list[str]) -> None:
    labels = [None if is_blank(line) else data.draw(st.sampled_from([CONTENT, BOILERPLATE])) for line in lines]
    text = format_label_lines(lines, labels)
    parsed_lines, parsed_labels = parse_label_text(text, "x.tsv")
    # Blank dump lines are written as empty rows, so they come back as "".
    assert parsed_lines == ["" if is_blank(line) else line for line in lines]
    assert parsed_labels == labels
    assert format_label_lines(parsed_lines, parsed_labels) == text
    assert text.count("\n") == len(lines)


@pytest.mark.parametrize("blank", ["   ", "\t", " \t "])
def test_a_line_of_spaces_is_a_blank_line(blank: str) -> None:
    """labels/README.md: an empty line stands for a blank or whitespace-only dump line. A line of
    spaces left by an editor was refused as "no tab after the tag" (or "unknown tag ''"), which it
    has not: it has no tag at all."""
    text = f"C\tHeadline\n{blank}\nB\tMenu\n"
    assert parse_label_text(text, "x.tsv") == (["Headline", "", "Menu"], [CONTENT, None, BOILERPLATE])

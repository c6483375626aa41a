"""Cleaning only deletes lines: whatever the text, the output lines are input lines, in order."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import assert_clean_shape, non_blank, output_lines
from typer.testing import CliRunner

from cleaner.classifier.estimator import LineClassifier
from cleaner.cli import app
from cleaner.text import split_lines

LINE = st.one_of(
    st.sampled_from(["", " ", "\t", "  \t ", "\u00a0", "Tin bài liên quan", "![]() |", "11:45 27/02/2025"]),
    st.sampled_from(
        [
            "Ngày 24/3, Ngoại trưởng Đức cho biết ông hoan nghênh nối lại đối thoại giữa NATO và Nga.",
            "The minister said the council offers a chance for an in-depth and trustworthy exchange.",
        ]
    ),
    st.text(st.characters(exclude_characters="\r\n", codec="utf-8"), max_size=40),
)
STRUCTURED = st.builds(
    lambda lines, seps, tail: "".join(line + sep for line, sep in zip(lines, seps)) + tail,
    st.lists(LINE, max_size=12),
    st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=12, max_size=12),
    st.sampled_from(["", "last line without newline", "\n", "\r"]),
)
TEXT = st.one_of(STRUCTURED, st.text(max_size=200), st.text("ab \t\r\n\ufeffé", max_size=30))

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(TEXT)
@example("\ufeffHeadline\r\n\r\n  \r\nBody.\rFooter\n\n")
@example("a\r\r\nb\n\n\n")
def test_clean_only_deletes_lines(trained_model: LineClassifier, text: str) -> None:
    cleaned = trained_model.predictor_.clean(text)
    assert_clean_shape(output_lines(cleaned), split_lines(text))


@PROPERTY
@given(TEXT)
def test_threshold_zero_keeps_every_non_blank_line(trained_model: LineClassifier, text: str) -> None:
    out = output_lines(trained_model.predictor_.clean(text, threshold=0.0))
    lines = split_lines(text)
    assert_clean_shape(out, lines)
    assert non_blank(out) == non_blank(lines)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STRUCTURED)
@example("\ufeffTiêu đề\r\n\r\nNội dung bài viết.\rChân trang\n")
def test_cli_only_deletes_lines(model_path: Path, text: str) -> None:
    result = CliRunner().invoke(app, ["predict", "-", "--model", str(model_path)], input=text.encode())
    assert result.exit_code == 0, result.output
    assert_clean_shape(output_lines(result.stdout), split_lines(text))

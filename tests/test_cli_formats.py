"""``cleaner predict`` output formats (text, jsonl, labels) and --threshold, through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Labelled
from support import non_blank, output_lines
from typer.testing import CliRunner

from cleaner.classifier.estimator import LineClassifier
from cleaner.cli import app
from cleaner.labels import CONTENT, parse_label_text
from cleaner.text import is_blank


@pytest.fixture
def dump(tmp_path: Path, sample_document: Labelled) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(sample_document.text, encoding="utf-8")
    return path


def predict(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None) -> str:
    result = runner.invoke(app, ["predict", *args, "--model", str(model_path)], input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_text_is_the_cleaned_dump(
    runner: CliRunner,
    model_path: Path,
    trained_model: LineClassifier,
    dump: Path,
    sample_document: Labelled,
) -> None:
    out = predict(runner, model_path, str(dump))
    assert out == trained_model.predictor_.clean(sample_document.text)
    kept = non_blank(output_lines(out))
    assert 0 < len(kept) <= len(non_blank(sample_document.lines))


def test_jsonl_records(
    runner: CliRunner,
    model_path: Path,
    trained_model: LineClassifier,
    dump: Path,
    sample_document: Labelled,
) -> None:
    records = [json.loads(row) for row in predict(runner, model_path, str(dump), "--format", "jsonl").splitlines()]
    lines = sample_document.lines
    assert len(records) == len(lines)
    expected_labels = trained_model.predictor_.predict_lines(lines)
    expected_scores = trained_model.predictor_.predict_proba_lines(lines)
    for number, (record, line) in enumerate(zip(records, lines), 1):
        assert set(record) == {"line", "text", "label", "score"}
        assert record["line"] == number
        assert record["text"] == line
        if is_blank(line):
            assert record["label"] is None
            assert record["score"] is None
        else:
            assert record["label"] in ("content", "boilerplate")
            assert record["label"] == expected_labels[number - 1]
            assert isinstance(record["score"], float)
            assert record["score"] == pytest.approx(expected_scores[number - 1], abs=1e-3)


def test_jsonl_with_several_inputs_names_the_file(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Menu\n\nBody of page a.\n", encoding="utf-8")
    second.write_text("Body of page b.\n", encoding="utf-8")
    out = predict(runner, model_path, str(first), str(second), "-f", "jsonl")
    records = [json.loads(row) for row in out.splitlines()]
    assert [(r["file"], r["line"], r["text"]) for r in records] == [
        (str(first), 1, "Menu"),
        (str(first), 2, ""),
        (str(first), 3, "Body of page a."),
        (str(second), 1, "Body of page b."),
    ]


def test_jsonl_to_a_file(runner: CliRunner, model_path: Path, dump: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "records.jsonl"
    assert predict(runner, model_path, str(dump), "-f", "jsonl", "-o", str(target)) == ""
    expected = predict(runner, model_path, str(dump), "-f", "jsonl")
    assert target.read_text(encoding="utf-8") == expected


def test_labels_format_parses_back(
    runner: CliRunner,
    model_path: Path,
    trained_model: LineClassifier,
    dump: Path,
    sample_document: Labelled,
) -> None:
    out = predict(runner, model_path, str(dump), "--format", "labels")
    lines, labels = parse_label_text(out, "stdout")
    assert lines == ["" if is_blank(line) else line for line in sample_document.lines]
    assert labels == trained_model.predictor_.predict_lines(sample_document.lines)


def test_labels_format_with_blank_whitespace_lines(runner: CliRunner, model_path: Path) -> None:
    text = "Headline of the page\n   \nBody\tparagraph with a tab.\n\t\n"
    lines, labels = parse_label_text(predict(runner, model_path, "-", "-f", "labels", stdin=text.encode()), "-")
    assert lines == ["Headline of the page", "", "Body\tparagraph with a tab.", ""]
    assert [label is None for label in labels] == [False, True, False, True]


def test_threshold_zero_keeps_every_non_blank_line(
    runner: CliRunner, model_path: Path, dump: Path, sample_document: Labelled
) -> None:
    out = output_lines(predict(runner, model_path, str(dump), "--threshold", "0"))
    assert non_blank(out) == non_blank(sample_document.lines)


def test_threshold_one_keeps_nearly_nothing(
    runner: CliRunner, model_path: Path, dump: Path, sample_document: Labelled
) -> None:
    out = output_lines(predict(runner, model_path, str(dump), "--threshold", "1.0"))
    assert len(non_blank(out)) <= 0.05 * len(non_blank(sample_document.lines))


def test_threshold_applies_to_jsonl_labels(runner: CliRunner, model_path: Path, dump: Path) -> None:
    out = predict(runner, model_path, str(dump), "-f", "jsonl", "--threshold", "0")
    records = [json.loads(row) for row in out.splitlines()]
    assert all(r["label"] == CONTENT for r in records if r["score"] is not None)


@pytest.mark.parametrize("value", ["-0.1", "1.5"])
def test_threshold_out_of_range_is_a_usage_error(runner: CliRunner, model_path: Path, dump: Path, value: str) -> None:
    result = runner.invoke(app, ["predict", str(dump), "--model", str(model_path), "--threshold", value])
    assert result.exit_code == 2

"""What ``--help`` says, read as a newcomer reads it: defaults given as values, and the terms it
uses explained where it uses them (walk 6, F12)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app


def plain_help(runner: CliRunner, *command: str) -> str:
    """``cleaner COMMAND --help`` at 80 columns, as printed."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def option_entry(plain: str, option: str) -> list[str]:
    """The lines of ``option``'s entry in a plain (80-column) --help: its row, and those below it
    up to the next option's."""
    lines = plain.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"  {option}"))
    end = next(index for index in range(start + 1, len(lines)) if lines[index].startswith("  -"))
    return lines[start:end]


def help_of(runner: CliRunner, *command: str, width: int = 80) -> str:
    """``cleaner COMMAND --help`` at ``width`` columns, its words joined by single spaces."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.replace("│", " ").split())


def test_predict_says_the_shipped_models_threshold(runner: CliRunner) -> None:
    """--threshold said "Default: the model's own", and the number (0.493) took loading the model
    in Python. It is read from the shipped model's manifest when the help is shown."""
    from cleaner import load_model
    from cleaner.classifier.format import SHIPPED_MODEL

    value = f"{load_model(SHIPPED_MODEL).threshold:.3f}"
    assert f"Default: the model's own (the shipped model's is {value})." in help_of(runner, "predict")
    assert f"(the shipped model's is {value})" in help_of(runner, "predict", width=200)  # in the Rich panel


def test_predict_says_no_threshold_it_cannot_read(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    def damaged(*args: object, **kwargs: object) -> None:
        raise zipfile.BadZipFile("File is not a zip file")

    monkeypatch.setattr(zipfile, "ZipFile", damaged)
    text = help_of(runner, "predict")
    assert "Default: the model's own." in text and "shipped model's is" not in text


def test_defaults_are_said_as_values(runner: CliRunner) -> None:
    """evaluate --sites said nothing of its default, --adapt-weight "cleaner train's user weight"
    (1, said only in train --help)."""
    text = help_of(runner, "evaluate")
    assert "--adapt: sample this many of the sites with >= 4 pages, for a cheaper run. Default: all of them." in text
    assert "(repeatable, one curve each; default 1, as cleaner train --user-weight)" in text
    assert "in Retrain; default 1, as cleaner train --user-weight" in help_of(runner, "label")


def test_terms_are_explained_where_they_are_used(runner: CliRunner) -> None:
    """The words "(origin user)", "snippet-annotated sets", "snippet P/R/F1", "character-weighted" and
    label --max-pages' "(the most uncertain)" were explained in another command's help, or nowhere."""
    from cleaner.training.suggest import ScoredDocuments

    for command in ("train", "evaluate", "label"):
        entry = " ".join(" ".join(option_entry(plain_help(runner, command), "--user-weight")).split())
        assert "origin `user`" in entry and "manifest.csv" in entry, (command, entry)
    text = help_of(runner, "evaluate")
    assert "character-weighted (each line counted by its characters)" in text
    assert "sets of snippets (a meta.jsonl of what each cleaned page must and must not contain, see --test)" in text
    assert 'P/R/F1 (a "with" snippet found is a true positive, a "without" snippet found a false positive)' in text
    label = help_of(runner, "label")
    assert "those with the most uncertain lines (P(content) within 0.2 of the threshold)" in label
    assert inspect.signature(ScoredDocuments).parameters["margin"].default == 0.2  # what label ranks by


def test_predict_says_what_o_and_resume_promise_in_a_few_lines(runner: CliRunner) -> None:
    """--resume was one sentence of 20 lines at 80 columns, -o one of 18: a newcomer read neither
    whole. Each keeps what a user relies on, in fewer lines, and sends to the README for the rest."""
    out = runner.invoke(app, ["predict", "--help"], env={"COLUMNS": "80"}).stdout
    output, resume = option_entry(out, "-o, --output"), option_entry(out, "--resume / --no-resume")
    assert len(output) <= 13 and len(resume) <= 12, (output, resume)
    said = " ".join(" ".join(output).split())
    for promise in (
        "Default, or -o -: standard output.",
        "DIR (any name ending in / is one): one output per input, under its relative name, uncompressed",
        "FILE.jsonl (.gz, .zst): one record per document (per line with --format jsonl)",
        "FILE.txt: one text input's cleaned dump (FILE.tsv: its labels)",
        "Refused at the start: an input or a folder holding one, a file another run is writing, a device or a pipe",
        'More: the README\'s "What is guaranteed"',
    ):
        assert promise in said, (promise, said)
    said = " ".join(" ".join(resume).split())
    for promise in (
        "Continue an interrupted run, from the same directory with the same arguments",
        "-o DIR or FILE.txt: skip the inputs whose output exists (an output is only ever whole)",
        "-o FILE.jsonl: keep the records of FILE.jsonl.partial and skip the documents whose --id-field value is there",
        "the inputs' ids are read first, and a repeated or missing id, or a record no input has, stops it before it "
        "writes",
    ):
        assert promise in said, (promise, said)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "\n## What is guaranteed\n" in readme

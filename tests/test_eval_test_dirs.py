"""``cleaner evaluate --test DIR`` checks its held-out sets before any fit: a gold file that does
not align with its dump, or a directory that does not exist, used to stop (or be skipped) only after
the cross-validation and the fits on labels/ (13 minutes on this project's labels); a dump without
its gold was left out of the scores without a word."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Fitted
from typer.testing import CliRunner

from cleaner.cli import app


def labelled(tmp_path: Path, labels_dir: Path) -> Path:
    directory = tmp_path / "labels"
    directory.mkdir()
    names = ["seed-thoidai-000", "seed-kinhtedothi-002"]
    rows = "".join(f"{name},{name.split('-')[1]}.vn,vi,seed,\n" for name in names)
    (directory / "manifest.csv").write_text("name,site,language,origin,source\n" + rows, encoding="utf-8")
    for name in names:
        shutil.copy(labels_dir / f"{name}.tsv", directory)
    return directory


def gold_set(tmp_path: Path, pages: dict[str, tuple[str, str | None]]) -> Path:
    directory = tmp_path / "held"
    directory.mkdir()
    for name, (text, gold) in pages.items():
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
        if gold is not None:
            (directory / f"{name}.gold").write_text(gold, encoding="utf-8")
    return directory


@pytest.mark.usefixtures("no_fit")
@pytest.mark.parametrize(
    ("gold", "says"),
    [
        ("B\nC\n", "held/a.gold: 2 tags for the 3 lines of a.txt; give one tag per dump line (C, B or empty)"),
        ("B\nX\nC\n", "held/a.gold:2: unknown tag 'X'; use C (content), B (boilerplate) or an empty line"),
    ],
    ids=["misaligned", "bad-tag"],
)
def test_a_gold_file_that_does_not_fit_stops_the_run_before_any_fit(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, gold: str, says: str
) -> None:
    held = gold_set(tmp_path, {"a": ("Menu\nBody of the page.\nFooter\n", gold)})
    result = runner.invoke(app, ["evaluate", "--labels", str(labelled(tmp_path, labels_dir)), "--test", str(held)])
    assert not isinstance(result.exception, Fitted), result.output
    assert result.exit_code == 1, result.output
    assert result.stderr == f"cleaner: {tmp_path}/{says}\n"


@pytest.mark.usefixtures("no_fit")
def test_a_test_directory_that_does_not_exist_is_a_usage_error(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    nope = tmp_path / "nope"
    result = runner.invoke(app, ["evaluate", "--labels", str(labelled(tmp_path, labels_dir)), "--test", str(nope)])
    assert not isinstance(result.exception, Fitted), result.output
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"cleaner: --test {nope}: no such directory; ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.usefixtures("no_fit")
def test_a_dump_without_its_gold_is_named_before_any_fit(runner: CliRunner, labels_dir: Path, tmp_path: Path) -> None:
    held = gold_set(
        tmp_path,
        {"a": ("Menu\nBody of the page.\n", "B\nC\n"), "b": ("Menu\nOther body.\n", None), "c": ("x\n", None)},
    )
    result = runner.invoke(app, ["evaluate", "--labels", str(labelled(tmp_path, labels_dir)), "--test", str(held)])
    assert isinstance(result.exception, Fitted), result.output
    assert (
        f"cleaner: {held}: 2 dumps without a .gold or a meta.jsonl record, not scored: b.txt, c.txt\n" in result.stderr
    )


@pytest.mark.usefixtures("no_fit")
def test_a_test_page_that_is_a_training_page_is_refused_before_any_fit(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    """Copied into a gold set (its blank lines and margins aside), a training page would be scored
    as held out; so would a snippet page."""
    from cleaner.training.labels import read_label_file

    lines, labels = read_label_file(labels_dir / "seed-kinhtedothi-002.tsv")
    text = "".join(f"  {line}\r\n\n" for line in lines)  # CRLF, margins, a blank line after each
    gold = "".join(("C" if label == "content" else "B" if label else "") + "\n\n" for label in labels)
    held = gold_set(tmp_path, {"a": ("Menu\nBody of the page.\n", "B\nC\n"), "copy": (text, gold)})
    args = ["evaluate", "--labels", str(labelled(tmp_path, labels_dir)), "--test", str(held)]
    result = runner.invoke(app, args)
    assert not isinstance(result.exception, Fitted), result.output
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        f"cleaner: --test {held}: 1 page is a page of {tmp_path / 'labels'}, the training data (the same text: "
        "copy.txt (seed-kinhtedothi-002.tsv)): "
    )
    (held / "copy.gold").unlink()
    (held / "meta.jsonl").write_text('{"id": "copy", "with": ["x"], "without": []}\n', encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "(the same text: copy.txt (seed-kinhtedothi-002.tsv))" in result.stderr
    (held / "copy.txt").write_text(text.replace("\n", " x\n", 1), encoding="utf-8")  # one line differs: another page
    result = runner.invoke(app, args)
    assert isinstance(result.exception, Fitted), result.output

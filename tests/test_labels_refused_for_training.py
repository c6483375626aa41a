"""Label folders that ``cleaner labels check`` refuses (a page twice, an empty label file, a page with
no content line) are refused by every command that trains on them, before any fit, with the check's
own messages: ``cleaner train`` trained on them without a word (walk5a #1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Fitted
from label_support import seeded_labels
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.training import train as train_module
from cleaner.training.check import check_labels

PAGES = ["seed-thoidai-000", "seed-kinhtedothi-002", "seed-baoquocte-003"]


def spoilt(tmp_path: Path, how: str) -> tuple[Path, str]:
    """A small labels folder with one fault: the label file at fault and what the check says of it."""
    directory = seeded_labels(tmp_path / "labels", PAGES)
    manifest = directory / "manifest.csv"
    if how == "twin":
        shutil.copy(directory / f"{PAGES[0]}.tsv", directory / "twin.tsv")
        manifest.write_text(manifest.read_text() + "twin,thoidai.com.vn,vi,user,\n")
        return directory / "twin.tsv", f"same text as {PAGES[0]}.tsv (a duplicate"
    page = directory / f"{PAGES[1]}.tsv"
    if how == "empty":
        page.write_text("")
        return page, "empty file"
    page.write_text(
        "".join(f"B\t{line.split(chr(9), 1)[1]}\n" if "\t" in line else "\n" for line in page.read_text().splitlines())
    )
    return page, "no content line"


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fit raises Fitted: what the test sees ran before any fit."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise Fitted

    monkeypatch.setattr(train_module, "fit_by_site", refuse)


@pytest.mark.parametrize("how", ["twin", "empty", "allb"])
def test_train_refuses_what_labels_check_refuses(
    runner: CliRunner, tmp_path: Path, how: str, no_training: None, no_fit: None
) -> None:
    path, problem = spoilt(tmp_path, how)
    directory = path.parent
    checked = check_labels(directory, echo=lambda line: None)
    assert len(checked) == 1 and checked[0].startswith(f"{path}: {problem}")
    model = tmp_path / "m.npz"
    trained = runner.invoke(app, ["train", "--labels", str(directory), "--no-cross-validate", "-o", str(model)])
    assert trained.exit_code == 1, trained.output
    assert checked[0] in trained.stderr
    assert f"cleaner labels check {directory}" in trained.stderr
    assert not model.exists()
    evaluated = runner.invoke(app, ["evaluate", "--labels", str(directory)])
    assert evaluated.exit_code == 1
    assert checked[0] in evaluated.stderr

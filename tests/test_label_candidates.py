"""labels/new-languages (a test set of languages never trained on), labels/prose-chrome (a test set
of prose-like boilerplate) and labels/every-kind (long pages of every kind, held out): they stay valid,
stay out of training, and can join labels/ the way the candidates of 2026-12-06 did (their files
copied in, their manifest rows appended; the READMEs say what training on them measured) without a
clash, with labels/ or with each other."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import LABELS_DIR

from cleaner.training.check import check_labels
from cleaner.training.labels import load_labelled_dir

WAITING = [LABELS_DIR / "new-languages", LABELS_DIR / "prose-chrome", LABELS_DIR / "every-kind"]


def rows(directory: Path) -> list[dict[str, str]]:
    with (directory / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("directory", WAITING, ids=lambda path: path.name)
def test_waiting_pages_pass_labels_check(directory: Path) -> None:
    assert check_labels(directory, echo=lambda _: None) == []


@pytest.mark.parametrize("directory", WAITING, ids=lambda path: path.name)
def test_training_does_not_read_the_waiting_pages(directory: Path) -> None:
    trained = {doc.name for doc in load_labelled_dir(LABELS_DIR)}
    waiting = {row["name"] for row in rows(directory)}
    assert waiting and not trained & waiting


def test_waiting_pages_can_join_labels(tmp_path: Path) -> None:
    joined = tmp_path / "labels"
    joined.mkdir()
    manifest = (LABELS_DIR / "manifest.csv").read_text(encoding="utf-8")
    for directory in [LABELS_DIR, *WAITING]:
        for path in directory.glob("*.tsv"):
            shutil.copy(path, joined / path.name)
    for directory in WAITING:
        manifest += "".join((directory / "manifest.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:])
    (joined / "manifest.csv").write_text(manifest, encoding="utf-8")
    assert check_labels(joined, echo=lambda _: None) == []
    site_sets = [{row["site"] for row in rows(directory)} for directory in [LABELS_DIR, *WAITING]]
    assert sum(map(len, site_sets)) == len(set().union(*site_sets))  # new sites: CV keeps them apart

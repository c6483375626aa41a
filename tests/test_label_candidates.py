"""labels/candidates: pages waiting to be trained on stay valid, stay out of training, and can join
labels/ as its README says (copy the files, append the manifest rows) without a clash."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from conftest import LABELS_DIR

from cleaner.training.check import check_labels
from cleaner.training.labels import load_labelled_dir

CANDIDATES = LABELS_DIR / "candidates"


def rows(directory: Path) -> list[dict[str, str]]:
    with (directory / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_candidates_pass_labels_check() -> None:
    assert check_labels(CANDIDATES, echo=lambda _: None) == []


def test_training_does_not_read_the_candidates() -> None:
    trained = {doc.name for doc in load_labelled_dir(LABELS_DIR)}
    waiting = {row["name"] for row in rows(CANDIDATES)}
    assert waiting and not trained & waiting


def test_candidates_join_labels_as_the_readme_says(tmp_path: Path) -> None:
    joined = tmp_path / "labels"
    joined.mkdir()
    for path in [*LABELS_DIR.glob("*.tsv"), *CANDIDATES.glob("*.tsv")]:
        shutil.copy(path, joined / path.name)
    manifest = (LABELS_DIR / "manifest.csv").read_text(encoding="utf-8")
    waiting = (CANDIDATES / "manifest.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    (joined / "manifest.csv").write_text(manifest + "".join(waiting), encoding="utf-8")
    assert check_labels(joined, echo=lambda _: None) == []
    sites = {row["site"] for row in rows(LABELS_DIR)}
    assert not sites & {row["site"] for row in rows(CANDIDATES)}  # new sites: CV keeps them apart

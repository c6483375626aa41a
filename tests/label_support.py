"""A cleaner label session over a few seed dumps, for the web tests (in-process and in a browser)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import LABELS_DIR, Labelled

from cleaner.classifier.predictor import Predictor
from cleaner.training.labelling.pages import load_pages
from cleaner.training.labelling.session import Session

MANIFEST = "name,site,language,origin,source\n"


def seeded_labels(target: Path, names: list[str]) -> Path:
    """A labels/ with the named seed label files (their site is the one in the real manifest)."""
    target.mkdir(parents=True)
    rows = {line.split(",")[0]: line for line in (LABELS_DIR / "manifest.csv").read_text().splitlines()[1:]}
    lines = [",".join(rows[name].split(",")[:4]) + "," for name in names]
    (target / "manifest.csv").write_text(MANIFEST + "".join(line + "\n" for line in lines), encoding="utf-8")
    for name in names:
        shutil.copy(LABELS_DIR / f"{name}.tsv", target)
    return target


def make_session(tmp_path: Path, documents: list[Labelled], model: Predictor, labels: Path | None = None) -> Session:
    """Dumps of ``documents`` in tmp_path/dumps, to be labelled into ``labels`` (default: a new tmp_path/labels)."""
    dumps = tmp_path / "dumps"
    dumps.mkdir(exist_ok=True)
    for doc in documents:
        (dumps / f"{doc.name}.txt").write_text(doc.text, encoding="utf-8")
    labels_dir = labels or tmp_path / "labels"
    pages, _, _ = load_pages(model, [str(dumps)], labels_dir)
    return Session(pages, model, labels_dir, tmp_path / "cleaner.npz", model_name="test model")

"""cleaner labels score: a saved model scored on labelled pages, as cleaner evaluate scores them,
without training anything; and a note when the pages are the model's own training data."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from conftest import LABELS_DIR
from typer.testing import CliRunner

from cleaner import load_model
from cleaner.classifier.estimator import LineClassifier
from cleaner.cli import app
from cleaner.training.labels import load_labelled_dir, read_labelled
from cleaner.training.metrics import count, total

PAGES = ("written-de-innstadtbote-01", "written-ar-marifa-01", "written-vi-phapluat-03", "written-vi-suckhoe-02")


def labelled_dir(tmp_path: Path) -> Path:
    """A directory of four labelled pages of labels/, in three languages and two kinds."""
    directory = tmp_path / "held-out"
    directory.mkdir()
    with (LABELS_DIR / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["name"] in PAGES]
    with (directory / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for name in PAGES:
        shutil.copy(LABELS_DIR / f"{name}.tsv", directory)
    return directory


def test_the_scores_are_the_models_predictions_counted(tmp_path: Path, model_path: Path, runner: CliRunner) -> None:
    directory = labelled_dir(tmp_path)
    out = tmp_path / "new" / "scores.json"
    result = runner.invoke(app, ["labels", "score", str(directory), "--model", str(model_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    documents = load_labelled_dir(directory)
    predicted = load_model(model_path).predict([doc.lines for doc in documents])
    expected = total(count(doc.lines, doc.labels, labels) for doc, labels in zip(documents, predicted)).scores()
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["overall"] == {name: round(value, 4) for name, value in expected.items()}
    assert set(saved["per_language"]) == {"ar", "de", "vi"} and saved["per_language"]["vi"]["pages"] == 2
    assert set(saved["per_document"]) == set(PAGES)
    assert saved["trained_on"] is False
    assert f"{expected['char_f1']:.3f}" in result.stdout
    assert "per language:" in result.stdout and "per kind:" in result.stdout
    assert "trained on" not in result.stdout


def test_the_models_own_training_data_is_named_so(
    tmp_path: Path, trained_model: LineClassifier, runner: CliRunner
) -> None:
    directory = labelled_dir(tmp_path)
    model = tmp_path / "own.npz"
    trained_model.save(model, {"training_data": {"sha256": read_labelled(directory).sha256}})
    result = runner.invoke(app, ["labels", "score", str(directory), "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert "the pages the model was trained on" in result.stdout


def test_bad_input_is_refused_with_what_to_do(tmp_path: Path, model_path: Path, runner: CliRunner) -> None:
    missing = runner.invoke(app, ["labels", "score", str(tmp_path / "nowhere"), "--model", str(model_path)])
    assert missing.exit_code == 2 and "no such directory" in missing.stderr
    no_manifest = runner.invoke(app, ["labels", "score", str(tmp_path), "--model", str(model_path)])
    assert no_manifest.exit_code == 1 and "manifest" in no_manifest.stderr
    directory = labelled_dir(tmp_path)
    by = runner.invoke(app, ["labels", "score", str(directory), "--by", "page", "--model", str(model_path)])
    assert by.exit_code == 2 and "--by 'page'" in by.stderr
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "manifest.csv").write_text("name,site,language,origin,source,kind\n", encoding="utf-8")
    empty = runner.invoke(app, ["labels", "score", str(tmp_path / "empty"), "--model", str(model_path)])
    assert empty.exit_code == 1 and "nothing to score" in empty.stderr and "1.000" not in empty.stdout
    not_a_model = runner.invoke(app, ["labels", "score", str(directory), "--model", str(directory / "manifest.csv")])
    assert not_a_model.exit_code == 1 and "not a cleaner model" in not_a_model.stderr

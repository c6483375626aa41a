"""cleaner labels score: a saved model scored on labelled pages, as cleaner evaluate scores them,
without training anything; and a note when the pages are the model's own training data."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import LABELS_DIR
from typer.testing import CliRunner

from cleaner import load_model
from cleaner.classifier.estimator import LineClassifier
from cleaner.cli import app
from cleaner.training.labels import load_labelled_dir, page_fingerprint, page_fingerprints, read_labelled
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
    assert by.exit_code == 2 and "'page' is not one of 'site'" in " ".join(by.stderr.replace("│", " ").split())
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "manifest.csv").write_text("name,site,language,origin,source,kind\n", encoding="utf-8")
    empty = runner.invoke(app, ["labels", "score", str(tmp_path / "empty"), "--model", str(model_path)])
    assert empty.exit_code == 1 and "nothing to score" in empty.stderr and "1.000" not in empty.stdout
    not_a_model = runner.invoke(app, ["labels", "score", str(directory), "--model", str(directory / "manifest.csv")])
    assert not_a_model.exit_code == 1 and "not a cleaner model" in not_a_model.stderr


def test_pages_the_model_was_trained_on_among_others_are_named(tmp_path: Path, runner: CliRunner) -> None:
    """cleaner train records its pages' fingerprints; labels score names those of them it scores,
    whose scores say how well the model learnt them, and the scores of a set that only shares
    its pages with the training data say nothing of the kind."""
    directory = labelled_dir(tmp_path)
    trained = tmp_path / "trained"
    trained.mkdir()
    with (directory / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(handle)
    (trained / "manifest.csv").write_text(rows[0] + next(r for r in rows if r.startswith(PAGES[1])), encoding="utf-8")
    shutil.copy(directory / f"{PAGES[1]}.tsv", trained)
    model = tmp_path / "m.npz"
    fitted = runner.invoke(app, ["train", "--labels", str(trained), "-o", str(model), "--no-cross-validate"])
    assert fitted.exit_code == 0, fitted.output
    assert load_model(model).manifest["page_fingerprints"] == page_fingerprints(load_labelled_dir(trained))
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["labels", "score", str(directory), "--model", str(model), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert f"1 of the 4 pages here is a page the model was trained on (the same text: {PAGES[1]})" in result.stdout
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["trained_pages"] == [PAGES[1]] and saved["trained_on"] is False
    result = runner.invoke(app, ["labels", "score", str(trained), "--model", str(model)])
    assert "the pages the model was trained on (the same data sha256)" in result.stdout
    assert "pages here are pages" not in result.stdout


def test_a_fingerprint_is_of_the_text_not_of_its_layout() -> None:
    lines = ["Menu", "", "A body paragraph.", "Footer"]
    assert page_fingerprint(lines) == page_fingerprint(["  Menu\r", "", "", "A body paragraph.  ", " ", "Footer"])
    assert page_fingerprint(lines) != page_fingerprint(["Menu", "A body paragraph!", "Footer"])
    assert page_fingerprint(lines) != page_fingerprint(["Menu", "A body paragraph. Footer"])


def test_the_report_names_the_model_and_takes_default(tmp_path: Path, model_path: Path, runner: CliRunner) -> None:
    """Every row said "cleaner (as trained)" whatever the model, and --model default (as evaluate
    takes it, and the README teaches it) was looked for as a file named default."""
    directory = labelled_dir(tmp_path)
    given = runner.invoke(app, ["labels", "score", str(directory), "--model", str(model_path)])
    assert given.exit_code == 0, given.output
    assert given.stdout.startswith(f"{model_path}: scored as it is (threshold ")
    default = runner.invoke(app, ["labels", "score", str(directory), "--model", "default"])
    assert default.exit_code == 0, default.output
    assert default.stdout.startswith("the default model: scored as it is (threshold ")


def test_a_json_the_disk_refuses_is_named_as_evaluate_names_it(
    tmp_path: Path, model_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """labels score said "x.json: No space left on device"; evaluate and train now say which option's
    file was not written and why: the same words here."""
    import errno

    from cleaner.training import outputs

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path.parent / f".{path.name}.abcdefgh.tmp"))

    monkeypatch.setattr(outputs, "write_atomic", full)
    out = tmp_path / "x.json"
    args = ["labels", "score", str(labelled_dir(tmp_path)), "--model", str(model_path), "--json", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"cleaner: --json {out} was not written: No space left on device\n"

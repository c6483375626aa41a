"""The other CLI surfaces: --help, a missing model, ``labels check`` and ``suggest``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Labelled
from typer.testing import CliRunner

from cleaner.cli import app


@pytest.mark.parametrize(
    "args", [["--help"], ["predict", "--help"], ["labels", "--help"], ["labels", "check", "--help"]]
)
def test_help(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout


def test_predict_help_documents_the_options(runner: CliRunner) -> None:
    out = runner.invoke(app, ["predict", "--help"]).stdout
    for option in ("--format", "--threshold", "--model", "--output", "--errors"):
        assert option in out


def test_version(runner: CliRunner) -> None:
    import cleaner

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert cleaner.__version__ in result.stdout


def test_missing_model_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    result = runner.invoke(app, ["predict", str(dump), "--model", "/nonexistent.joblib"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "/nonexistent.joblib" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_tampered_model_is_one_line(runner: CliRunner, model_copy: Path, tmp_path: Path) -> None:
    predictor = model_copy.with_suffix(".predictor.pkl")  # what predict loads
    predictor.write_bytes(predictor.read_bytes() + b"\0")
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    result = runner.invoke(app, ["predict", str(dump), "--model", str(model_copy)])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert isinstance(result.exception, SystemExit)


def make_labels_dir(target: Path, labels_dir: Path, names: list[str], extra_rows: str = "") -> Path:
    target.mkdir(parents=True)
    rows = "".join(f"{name},{name.split('-')[1]}.vn,vi,seed,\n" for name in names)
    (target / "manifest.csv").write_text("name,site,language,origin,source\n" + rows + extra_rows)
    for name in names:
        shutil.copy(labels_dir / f"{name}.tsv", target)
    return target


def test_labels_check_good_dir(runner: CliRunner, labels_dir: Path, tmp_path: Path) -> None:
    names = ["seed-thoidai-001", "seed-kinhtedothi-002"]
    directory = make_labels_dir(tmp_path / "labels", labels_dir, names)
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.exit_code == 0, result.output
    assert all(name in result.stdout for name in names)


@pytest.mark.parametrize(
    ("damage", "mention"),
    [
        (lambda d: (d / "stray.tsv").write_text("C\tx\n"), "stray"),
        (lambda d: (d / "seed-thoidai-001.tsv").write_text("C\tok\nno tab\n"), "seed-thoidai-001.tsv:2"),
        (lambda d: (d / "seed-kinhtedothi-002.tsv").unlink(), "seed-kinhtedothi-002"),
        (lambda d: shutil.copy(d / "seed-thoidai-001.tsv", d / "seed-kinhtedothi-002.tsv"), "duplicate"),
    ],
    ids=["unlisted", "malformed", "no-file", "duplicate"],
)
def test_labels_check_bad_dir(runner: CliRunner, labels_dir: Path, tmp_path: Path, damage, mention: str) -> None:
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-001", "seed-kinhtedothi-002"])
    damage(directory)
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.exit_code != 0
    assert mention in result.stderr
    assert "Traceback" not in result.output


def test_suggest_lists_files(
    runner: CliRunner, model_path: Path, seed_documents: list[Labelled], tmp_path: Path
) -> None:
    pool = tmp_path / "unlabelled"
    (pool / "more").mkdir(parents=True)
    paths = [pool / "a.txt", pool / "b.txt", pool / "more" / "c.txt"]
    for path, doc in zip(paths, seed_documents):
        path.write_text(doc.text, encoding="utf-8")
    result = runner.invoke(app, ["suggest", str(pool), "-n", "2", "--model", str(model_path)])
    assert result.exit_code == 0, result.output
    listed = [line for line in result.stdout.splitlines() if ".txt" in line]
    assert len(listed) == 2
    assert all(any(line.endswith(str(path)) for path in paths) for line in listed)
    assert len(set(listed)) == 2


def test_suggest_ranks_every_file_when_asked(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    for name in ("x.txt", "y.txt", "z.txt"):
        (tmp_path / name).write_text(f"Menu\nBody paragraph of {name}, long enough to be prose.\n")
    result = runner.invoke(app, ["suggest", str(tmp_path), "-n", "10", "--model", str(model_path)])
    assert result.exit_code == 0, result.output
    assert sorted(line.split()[-1] for line in result.stdout.splitlines() if ".txt" in line) == sorted(
        str(tmp_path / name) for name in ("x.txt", "y.txt", "z.txt")
    )


def test_suggest_with_missing_model(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["suggest", str(tmp_path), "--model", str(tmp_path / "none.joblib")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output

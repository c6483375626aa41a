"""What a user installed from a wheel (no checkout) can read: the test-set format of
``cleaner evaluate --test`` and the labelling guideline."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, SEED_NAMES
from label_support import seeded_labels
from typer.testing import CliRunner

import cleaner.training.shipped as shipped
from cleaner.cli import app


def test_the_test_option_describes_the_gold_format(runner: CliRunner) -> None:
    """--test said only "the devset format", which a wheel user has no copy of."""
    out = runner.invoke(app, ["evaluate", "--help"], env={"COLUMNS": "80"}).stdout
    text = " ".join(out.split())
    assert "with an `<id>.gold` beside it, one tag per dump line: C (content), B (boilerplate) or empty" in text
    assert "gold line i is dump line i" in text
    assert '"with" the main-text snippets the cleaned page must contain, "without" the boilerplate' in text
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "**Test sets for `cleaner evaluate --test DIR`**" in readme and "`<id>.gold` beside it" in readme


def test_labels_guide_prints_the_shipped_guideline(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """labels --help sent wheel users to "labels/README.md in cleaner's repository"; the guideline
    now ships with the pages, and cleaner labels guide prints it (or, with --path, where it is)."""
    installed = seeded_labels(tmp_path / "cleaner" / "data" / "labels", list(SEED_NAMES[:1]))
    (installed / "README.md").write_text("# Labelled dumps\n\nWhat is content.\n", encoding="utf-8")
    monkeypatch.setattr(shipped, "PACKAGED_LABELS", installed)
    result = runner.invoke(app, ["labels", "guide"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "# Labelled dumps\n\nWhat is content.\n"
    assert runner.invoke(app, ["labels", "guide", "--path"]).stdout == f"{installed / 'README.md'}\n"
    assert "cleaner labels guide" in " ".join(runner.invoke(app, ["labels", "--help"]).stdout.split())


def test_the_checkouts_guideline_is_labels_readme(runner: CliRunner) -> None:
    result = runner.invoke(app, ["labels", "guide"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (REPO / "labels" / "README.md").read_text(encoding="utf-8")

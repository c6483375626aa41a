"""Which labels folder a command took when none is named and there is no ./labels: `cleaner train`
outside the checkout trained on the 378 shipped pages (13 minutes of cross-validation) and said
only "cross-validating (10-fold, whole sites left out)"; `labels check` said which it checked. train
and evaluate say it too now, on stderr, before anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Fitted
from label_support import seeded_labels
from typer.testing import CliRunner

import cleaner.training.commands.common as common
import cleaner.training.shipped as shipped
from cleaner.cli import app


@pytest.fixture
def shipped_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two seed pages as the pages shipped in the package, no checkout's labels/, and a working
    directory without ./labels."""
    pages = ["seed-thoidai-000", "seed-kinhtedothi-002"]
    directory = seeded_labels(tmp_path / "site-packages" / "cleaner" / "data" / "labels", pages)
    monkeypatch.setattr(shipped, "PACKAGED_LABELS", directory)
    monkeypatch.setattr(shipped, "CHECKOUT_LABELS", tmp_path / "no-checkout" / "labels")
    monkeypatch.setattr(common, "CHECKOUT_LABELS", tmp_path / "no-checkout" / "labels")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    return directory


def test_train_says_it_trains_on_the_shipped_pages(runner: CliRunner, shipped_dir: Path) -> None:
    # -o /dev/null is refused right after: no fit, and the line came before the refusal.
    result = runner.invoke(app, ["train", "-o", "/dev/null"])
    assert result.exit_code == 2
    said, refused = result.stderr.splitlines()
    assert said == (
        f"cleaner: training on the pages shipped with cleaner ({shipped_dir}): there is no ./labels here "
        "(--labels DIR to train on yours)"
    )
    assert refused.startswith("cleaner: -o /dev/null: not a regular file")


@pytest.mark.usefixtures("no_fit")
@pytest.mark.parametrize(("test", "doing"), [(False, "cross-validating on"), (True, "training on")])
def test_evaluate_says_which_labels_it_trains_on(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path, test: bool, doing: str
) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.txt").write_text("Title\nBody\n", encoding="utf-8")
    (gold / "a.gold").write_text("C\nC\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", *(["--test", str(gold)] if test else [])])
    assert isinstance(result.exception, Fitted), result.output
    assert result.stderr.splitlines()[0] == (
        f"cleaner: {doing} the pages shipped with cleaner ({shipped_dir}): there is no ./labels here "
        "(--labels DIR for yours)"
    )


def test_nothing_is_said_of_labels_named_or_found_here(runner: CliRunner, shipped_dir: Path) -> None:
    """Named (--labels), or ./labels: the user knows which; and --model trains nothing on them."""
    for args in (["train", "--labels", str(shipped_dir), "-o", "/dev/null"], ["evaluate", "--model", "default"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "there is no ./labels here" not in result.stderr, result.stderr
    Path("labels").symlink_to(shipped_dir)
    result = runner.invoke(app, ["train", "-o", "/dev/null"])
    assert result.exit_code == 2
    assert "there is no ./labels here" not in result.stderr, result.stderr

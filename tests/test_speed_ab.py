"""cleaner.training.speed_ab: another checkout's package is loaded apart from the installed one, and
both are timed on the same batches."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import cleaner
from cleaner.classifier.predictor import Predictor
from cleaner.text import decode_counted
from cleaner.training.speed_ab import app, load_package


def test_another_checkout_is_loaded_under_its_own_name() -> None:
    """Its modules resolve inside its folder (relative imports), never to the installed cleaner,
    and the installed package goes on working beside it."""
    folder = Path(cleaner.__file__).parent
    other = load_package(folder, "cleaner_copy_for_test")
    model = other.load_model()
    assert type(model).__module__ == "cleaner_copy_for_test.classifier.predictor"
    assert not isinstance(model, Predictor)  # its own class, from its own modules
    assert model.predict_lines(["Home | News", "A sentence of the article, long enough to read."])
    # and the installed package still works: what it registers for the process (codec error
    # handlers) is not taken over by the copy's
    assert decode_counted(b"a\xffb", errors="replace") == ("a\ufffdb", 1)


def test_speed_against_a_copy_prints_both_times(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    pages = [
        {"id": str(i), "text": f"Home | News\n\nPage {i}: a sentence of the article, long enough.\n"}
        for i in range(130)
    ]
    corpus.write_text("".join(json.dumps(page) + "\n" for page in pages), encoding="utf-8")
    folder = str(Path(cleaner.__file__).parent)
    result = CliRunner().invoke(app, [folder, "--corpus", str(corpus), "--repeat", "1", "--every", "1"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1 batches (2 pages)" in out and "throughput per core this/other:" in out


def test_a_missing_corpus_is_an_error_that_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [str(Path(cleaner.__file__).parent), "--corpus", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert "none.jsonl: not found" in result.stderr

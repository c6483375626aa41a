"""A page held on one line (too few lines to clean line by line) is kept whole, or dropped whole
with ``short_dumps="drop"``, by the Python API and the cluster integrations as ``cleaner predict
--short-dumps`` keeps or drops it. ``clean_batch`` and ``Predictor.clean`` emptied it, by the
model's verdict on its one line; the datatrove step then dropped it as ``cleaner_too_short`` and
the Ray stage's recipe left it out, while ``cleaner predict`` printed it whole.

The shipped model is used: it scores such a line as boilerplate, as a model trained on whole pages
does (the tests' small seed model keeps any long line)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
from shards_support import ONE_LINE_PAGE, label_texts, one_line_pages, predicted, write_shards
from typer.testing import CliRunner

from cleaner import ShortDumpWarning, clean_batch, load_model
from cleaner.classifier.cleaned import COUNTS
from cleaner.classifier.format import SHIPPED_MODEL
from cleaner.cli import app
from cleaner.integrations.batches import CleanBatch


def test_the_shipped_model_scores_the_page_on_one_line_as_boilerplate() -> None:
    """What makes the tests below tell the rule from the model's verdict."""
    model = load_model(SHIPPED_MODEL)
    assert model.predict_proba_lines([ONE_LINE_PAGE])[0] < model.threshold  # type: ignore[operator]


@pytest.mark.parametrize("choice", ["keep", "drop"])
def test_clean_batch_gives_what_cleaner_predict_writes_for_a_page_on_one_line(tmp_path: Path, choice: str) -> None:
    texts = [*one_line_pages(), *label_texts(3)]
    shards = write_shards(texts, tmp_path / "in", 1)
    reference = predicted(shards, SHIPPED_MODEL, tmp_path, "--short-dumps", choice)
    with pytest.warns(ShortDumpWarning):
        results = clean_batch(texts, SHIPPED_MODEL, short_dumps=choice)
    for number, (text, result) in enumerate(zip(texts, results)):
        record = reference[f"doc-{number:04d}"]
        assert result.text == record["text"]
        assert {name: getattr(result, name) for name in COUNTS} == {name: record[name] for name in COUNTS}
        assert result.short_dump == (text in one_line_pages())
    whole = results[: len(one_line_pages())]
    assert [result.text for result in whole] == (one_line_pages() if choice == "keep" else ["", "", ""])


@pytest.mark.parametrize("choice", ["keep", "drop"])
def test_predictor_clean_gives_what_cleaner_predict_prints_for_a_page_on_one_line(tmp_path: Path, choice: str) -> None:
    model = load_model(SHIPPED_MODEL)
    for number, text in enumerate(one_line_pages()):
        page = tmp_path / f"page{number}.txt"
        page.write_text(text, encoding="utf-8")
        options = ["--model", str(SHIPPED_MODEL), "--short-dumps", choice]
        printed = CliRunner().invoke(app, ["predict", str(page), *options])
        assert printed.exit_code == 0, printed.output
        with pytest.warns(ShortDumpWarning):
            assert model.clean(text, short_dumps=choice) == printed.stdout
        assert printed.stdout == ("" if choice == "drop" else text if text.endswith("\n") else text + "\n")


@pytest.mark.parametrize("choice", ["keep", "drop"])
def test_clean_batch_warns_once_naming_the_pages_on_one_line(choice: str) -> None:
    """clean_batch kept a page on one line whole (or dropped it) without a word, where cleaner
    predict names each on stderr: one ShortDumpWarning per call now names them by index, at the
    caller's line, and says what was done and which choice does the other."""
    pages = one_line_pages()
    texts = [label_texts(1)[0], pages[0], label_texts(2)[1], pages[2]]
    with pytest.warns(ShortDumpWarning) as caught:
        results = clean_batch(texts, SHIPPED_MODEL, short_dumps=choice)
    (warning,) = caught
    short = [index for index, result in enumerate(results) if result.short_dump]
    assert short == [1, 3]
    message = str(warning.message)
    assert message.startswith(f"2 of 4 texts (indexes {short[0]}, {short[1]}) are too short to clean line by line")
    other = "keep" if choice == "drop" else "drop"
    assert ("kept whole" if choice == "keep" else "dropped") in message and f"short_dumps={other!r}" in message
    assert warning.filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none for texts cleaned line by line
        clean_batch(texts[::2], SHIPPED_MODEL, short_dumps=choice)


@pytest.mark.parametrize("choice", ["keep", "drop"])
def test_predictor_clean_warns_that_the_page_on_one_line_was_kept_whole_or_dropped(choice: str) -> None:
    model = load_model(SHIPPED_MODEL)
    with pytest.warns(ShortDumpWarning, match="^the text is too short to clean line by line") as caught:
        cleaned = model.clean(ONE_LINE_PAGE, short_dumps=choice)
    assert len(caught) == 1 and caught[0].filename == __file__
    assert ("kept whole" if cleaned else "dropped") in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.clean(label_texts(1)[0], short_dumps=choice)


def test_the_integrations_report_a_page_on_one_line_their_own_way_only() -> None:
    """The datatrove step counts a page on one line (a stat, a drop reason) and the Ray stage names
    it in its log: neither issues clean_batch's ShortDumpWarning too, which would tell it twice."""
    pytest.importorskip("datatrove", reason="pip install -e '.[dev]' installs cleaner[datatrove]")
    from datatrove.data import Document

    from cleaner.integrations.datatrove import CleanerFilter

    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortDumpWarning)
        for choice in ("keep", "drop"):
            CleanerFilter(model=SHIPPED_MODEL, short_dumps=choice).filter_batch([Document(ONE_LINE_PAGE, "one")])
            CleanBatch(model=SHIPPED_MODEL, short_dumps=choice)({"id": ["one"], "text": [ONE_LINE_PAGE]})


def test_datatrove_step_keeps_a_page_on_one_line_or_drops_it_with_its_own_reason() -> None:
    pytest.importorskip("datatrove", reason="pip install -e '.[dev]' installs cleaner[datatrove]")
    from datatrove.data import Document

    from cleaner.integrations.datatrove import SHORT_DUMP, SHORT_DUMP_KEPT, CleanerFilter

    step = CleanerFilter(model=SHIPPED_MODEL, min_chars=200, min_kept_ratio=0.05)  # the README's recipe
    document = Document(ONE_LINE_PAGE, "one-line")
    assert step.filter_batch([document]) == [True]
    assert document.text == ONE_LINE_PAGE and document.metadata["chars_kept"] == len(ONE_LINE_PAGE)
    assert step.stats[SHORT_DUMP_KEPT].total == 1
    dropping = CleanerFilter(model=SHIPPED_MODEL, short_dumps="drop")
    document = Document(ONE_LINE_PAGE, "one-line")
    assert dropping.filter_batch([document]) == [(False, SHORT_DUMP)]
    assert document.text == ONE_LINE_PAGE  # a dropped document keeps its text, for the exclusion writer


@pytest.mark.parametrize("choice", ["keep", "drop"])
def test_ray_stage_keeps_a_page_on_one_line_and_names_it(caplog: pytest.LogCaptureFixture, choice: str) -> None:
    stage = CleanBatch(model=SHIPPED_MODEL, short_dumps=choice)
    texts = [label_texts(1)[0], ONE_LINE_PAGE]
    with caplog.at_level(logging.WARNING, logger="cleaner.integrations.batches"):
        out = stage({"id": ["a", "one-line"], "text": texts})
    expected = [clean_batch(texts[:1], SHIPPED_MODEL)[0].text, ONE_LINE_PAGE if choice == "keep" else ""]
    assert list(out["text"]) == expected
    (message,) = caplog.messages
    assert "1 page with too few lines to clean line by line" in message
    assert ("kept whole" if choice == "keep" else "emptied") in message and "'one-line'" in message


@pytest.mark.parametrize("value", ["Keep", "", None, True])
def test_a_short_dumps_choice_other_than_keep_or_drop_is_refused_where_it_is_given(value: object) -> None:
    """A typo would otherwise keep or drop in silence."""
    pytest.importorskip("datatrove", reason="pip install -e '.[dev]' installs cleaner[datatrove]")
    from cleaner.integrations.datatrove import CleanerFilter

    calls = [
        lambda: clean_batch(["text"], SHIPPED_MODEL, short_dumps=value),
        lambda: load_model(SHIPPED_MODEL).clean("text", short_dumps=value),
        lambda: CleanerFilter(model=SHIPPED_MODEL, short_dumps=value),
        lambda: CleanBatch(model=SHIPPED_MODEL, short_dumps=value),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"^short_dumps: expected 'keep' .* or 'drop' .*; got "):
            call()


@pytest.mark.parametrize(("choice", "tag"), [("keep", "C"), ("drop", "B")])
def test_the_label_format_of_a_page_on_one_line_says_its_tags_are_the_rules(
    tmp_path: Path, choice: str, tag: str
) -> None:
    """--format labels wrote every line C for a page kept whole (the rule, not the model's verdict:
    the shipped model scores it boilerplate) without saying so; the tags agree with what the text
    output keeps, and the note says they are the rule's."""
    page = tmp_path / "one.txt"
    page.write_text(ONE_LINE_PAGE, encoding="utf-8")
    result = CliRunner().invoke(app, ["predict", str(page), "--format", "labels", "--short-dumps", choice])
    assert result.exit_code == 0, result.output
    assert {line.split("\t")[0] for line in result.stdout.splitlines() if line} == {tag}
    assert f"its labels are the rule's (every line {tag}), not the model's: correct them" in result.stderr
    text = CliRunner().invoke(app, ["predict", str(page), "--short-dumps", choice])
    assert "its labels are" not in text.stderr

"""cleaner.classifier.windows: a long document predicted a window of lines at a time gets, bit for
bit, the scores of the whole document in one batch; and the memory it takes, for the CLI."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import Labelled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_features_vectorised import DOCUMENT

from cleaner.classifier import windows
from cleaner.classifier.format import load_model
from cleaner.classifier.predictor import Predictor
from cleaner.features.batch import LineBatch
from cleaner.features.context import STACK_SHAPE
from cleaner.features.shape import shape_feature_names, shape_matrix
from cleaner.features.unwrap import rejoin
from cleaner.training.fault_runs import Cleaner, peak_mb
from cleaner.training.labels import read_label_file

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def loaded(model_path: Path) -> Predictor:
    return load_model(model_path)


def whole(predictor: Predictor, lines: list[str]) -> np.ndarray:
    """The document predicted in one batch, as every document was before windows."""
    return predictor._predict_batch([lines])[0]


@PROPERTY
@given(DOCUMENT, st.integers(1, 5))
def test_windows_of_any_size_give_the_scores_of_the_whole(loaded: Predictor, lines: list[str], window: int) -> None:
    assert np.array_equal(windows.predict_long(loaded, lines, window=window), whole(loaded, lines))


def test_long_pages_in_windows_score_as_whole(loaded: Predictor, seed_documents: list[Labelled]) -> None:
    """Real pages (headlines over prose, teaser runs, repeated titles, slugs, image lines), joined
    into documents long enough that every long-range feature crosses many window boundaries."""
    pages = [doc.lines for doc in seed_documents]
    joined = [line for page in pages for line in page]
    for lines in [*pages, joined, joined[::-1] * 2]:
        expected = whole(loaded, lines)
        for window in (3, 50, 333):
            assert np.array_equal(windows.predict_long(loaded, lines, window=window), expected), window


def test_a_long_document_goes_through_windows(
    loaded: Predictor, seed_documents: list[Labelled], monkeypatch: pytest.MonkeyPatch
) -> None:
    """predict_proba_nonblank sends a document longer than a window through the windows, and
    batches the others in groups of bounded lines: same scores either way."""
    documents = [doc.lines for doc in seed_documents] * 2
    expected = loaded._predict_batch(documents)
    used = []
    original = windows.predict_long
    monkeypatch.setattr(windows, "WINDOW", 60)
    monkeypatch.setattr(windows, "predict_long", lambda *args: used.append(1) or original(*args, window=60))
    monkeypatch.setattr("cleaner.classifier.predictor.BATCH_LINES", 150)
    got = loaded.predict_proba_nonblank(documents)
    assert used and len(used) == sum(len(doc) > 60 for doc in documents)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))


MARKDOWN_PAGES = ("written-en-quarterly-01", "written-vi-nhipcau-04", "written-en-gazette-03")


def test_markdown_pages_in_windows_score_as_whole(loaded: Predictor, labels_dir: Path) -> None:
    """Pages with Markdown links, emphasis and list items: the long-range columns (repeats, first
    words, slugs, lengths) read the lines without their markup in windows as in a batch."""
    pages = [read_label_file(labels_dir / f"{name}.tsv")[0] for name in MARKDOWN_PAGES]
    assert all(any("](" in line for line in page) for page in pages)
    for lines in [*pages, [line for page in pages for line in page]]:
        expected = whole(loaded, lines)
        for window in (3, 50):
            assert np.array_equal(windows.predict_long(loaded, lines, window=window), expected), window


def test_a_long_hard_wrapped_document_scores_as_whole(
    loaded: Predictor, seed_documents: list[Labelled], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hard-wrapped dump long enough for windows even once its paragraphs are rejoined: the
    predictor rejoins them before it chooses windows or a batch (cleaner.features.unwrap), so
    windows and the whole document give every line the same score, its paragraph's."""
    lines = [piece for doc in seed_documents for line in doc.lines for piece in textwrap.wrap(line, 78) or [""]]
    rejoined = rejoin([lines])
    assert rejoined is not None and len(rejoined.documents[0]) < len(lines)
    expected = loaded.predict_proba_nonblank([lines])[0]  # the whole document in one batch
    used = []
    original = windows.predict_long
    monkeypatch.setattr(windows, "WINDOW", 60)
    monkeypatch.setattr(windows, "predict_long", lambda *args: used.append(1) or original(*args, window=60))
    got = loaded.predict_proba_nonblank([lines])[0]
    assert used, "the rejoined document went through the windows"
    assert np.array_equal(got, expected)
    paragraph_of = rejoined.source
    for paragraph in np.unique(paragraph_of).tolist():
        assert len(set(got[paragraph_of == paragraph].tolist())) == 1


def test_the_byte_columns_hold_zeros_and_ones_only(loaded: Predictor, seed_documents: list[Labelled]) -> None:
    """windows keeps these STACK_SHAPE columns in a byte a line: they must be 0/1 features."""
    shape = shape_matrix(LineBatch([doc.lines for doc in seed_documents]), loaded.stopwords)
    names = shape_feature_names()
    assert set(STACK_SHAPE) >= windows.BOOLEAN
    for name in windows.BOOLEAN:
        assert set(np.unique(shape[:, names.index(name)]).tolist()) <= {0.0, 1.0}, name


def short_lines(path: Path, size: int, seed_documents: list[Labelled]) -> Path:
    """A dump of ``size`` bytes of short lines (one to four words): the most lines per byte a
    page has, the worst case for memory."""
    rng = np.random.default_rng(0)
    words = [word for doc in seed_documents for line in doc.lines for word in line.split()]
    lines, total = [], 0
    while total < size:
        line = " ".join(words[i] for i in rng.integers(0, len(words), rng.integers(1, 5)))
        lines.append(line)
        total += len(line.encode()) + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "wait4"), reason="peak memory from wait4")
@pytest.mark.parametrize("model", ["seeds", "shipped"])
def test_memory_of_a_dump_of_short_lines(
    cleaner_exe: Path, model_path: Path, seed_documents: list[Labelled], tmp_path: Path, model: str
) -> None:
    """The documented bound: a process takes at most 20 MB and 20 times its largest document beyond
    what it takes for one page (the issue's 9.7 MB dump of short lines took 1.2 GB, 120 times), with
    a model fitted on the seeds and with the shipped one, whose context stages read more per line."""
    environment = {key: value for key, value in os.environ.items() if key != "CLEANER_MODEL"}
    if model == "seeds":
        environment["CLEANER_MODEL"] = str(model_path)
    cleaner = Cleaner(str(cleaner_exe), environment)
    page = tmp_path / "page.txt"
    page.write_text(seed_documents[0].text, encoding="utf-8")
    base = peak_mb(cleaner, "predict", str(page), "-j", "1")
    dump = short_lines(tmp_path / "short.txt", 3_000_000, seed_documents)
    peak = peak_mb(cleaner, "predict", str(dump), "-j", "1")
    assert peak - base <= 20.0 + 20.0 * 3.0, (peak, base)

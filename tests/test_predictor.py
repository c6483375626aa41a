"""cleaner.classifier.predictor: the numpy predictor gives what scikit-learn's fitted objects give (to
a few ulps: sums run in other orders), and predicting imports neither scikit-learn nor scipy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import Labelled, fit_on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import expit as scipy_expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from test_features_vectorised import DOCUMENTS

from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.format import load_model
from cleaner.classifier.predictor import Predictor
from cleaner.classifier.stacking import stage_layers
from cleaner.features.batch import LineBatch
from cleaner.features.context import context_probability, context_rows, expit, row_dot
from cleaner.features.cuewords import SparseRows
from cleaner.features.shape import markup_rows, shape_matrix
from cleaner.features.unwrap import rejoin

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sklearn_reference(model: LineClassifier, documents: list[list[str]]) -> list[np.ndarray]:
    """P(content) computed with scikit-learn's and scipy's objects: the scaler's ``transform``, a
    scipy sparse product for the cue words, and the context stages' ``predict_proba``; on the
    paragraphs of hard-wrapped documents, as the predictor (cleaner.features.unwrap), each line
    composed (NFC), as the predictor reads it."""
    documents = [[unicodedata.normalize("NFC", line) for line in doc] for doc in documents]
    rejoined = rejoin(documents)
    batch = LineBatch(rejoined.documents if rejoined is not None else documents)
    shape = shape_matrix(batch, model.stopwords_)
    offsets, markup = batch.bounds, markup_rows(shape, batch)
    first = model.first_stage_
    weights = first.classifier_.coef_[0]
    n_shape = shape.shape[1]
    probabilities = np.zeros(0)
    if len(shape):
        score = first.scaler_.transform(shape) @ weights[:n_shape] + first.classifier_.intercept_[0]
        score += (first.cue_words_.rows(batch).to_csr() @ weights[n_shape:]) * first.word_weight
        probabilities = 1.0 / (1.0 + np.exp(-score))
    if (~markup).any():
        for stage in model.context_stages_:
            probabilities[~markup] = stage.predict_proba(context_rows(probabilities, shape, offsets, markup))[:, 1]
    probabilities[markup] = 0.0
    scores = [probabilities[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    return rejoined.spread(scores) if rejoined is not None else scores


# How far the predictor's P(content) may be from scikit-learn's: sums run in other orders, and the
# logistic function is numpy's, whose exp may round the last bit otherwise than the C library's.
ULPS = 1e-12


def assert_same(actual: list[np.ndarray], expected: list[np.ndarray]) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert a.shape == e.shape
        assert np.allclose(a, e, rtol=0, atol=ULPS), np.abs(a - e).max()


@pytest.fixture(scope="module")
def loaded(model_path: Path) -> Predictor:
    return load_model(model_path)


def test_loaded_predictor_equals_the_model_on_labelled_pages(
    loaded: Predictor, trained_model: LineClassifier, seed_documents: list[Labelled]
) -> None:
    documents = [doc.lines for doc in seed_documents]
    expected = sklearn_reference(trained_model, documents)
    assert_same(loaded.predict_proba_nonblank(documents), expected)
    assert_same(trained_model.predict_proba_nonblank(documents), expected)
    for doc in documents[:3]:  # one document at a time, as the worker retries a failed chunk
        assert_same(loaded.predict_proba_nonblank([doc]), sklearn_reference(trained_model, [doc]))
    assert loaded.threshold == trained_model.threshold_


def test_logistic_context_stages_save_and_predict_as_scikit_learn(
    seed_documents: list[Labelled], tmp_path: Path
) -> None:
    """``stack_hidden=0``: the context stages are logistic regressions, one layer each in the file."""
    model = fit_on(seed_documents, stack_hidden=0)
    assert [type(stage).__name__ for stage in model.context_stages_] == ["LogisticRegression"] * 2
    model.save(tmp_path / "linear.npz")
    loaded = load_model(tmp_path / "linear.npz")
    assert [len(layers) for layers in loaded.context_stages] == [1, 1]
    documents = [doc.lines for doc in seed_documents]
    assert_same(loaded.predict_proba_nonblank(documents), sklearn_reference(model, documents))


@PROPERTY
@given(DOCUMENTS)
def test_loaded_predictor_equals_the_model(
    loaded: Predictor, trained_model: LineClassifier, documents: list[list[str]]
) -> None:
    assert_same(loaded.predict_proba_nonblank(documents), sklearn_reference(trained_model, documents))


@PROPERTY
@given(DOCUMENTS)
def test_a_document_scores_the_same_in_any_batch(loaded: Predictor, documents: list[list[str]]) -> None:
    """What must stay exact: a page's scores do not depend on the pages batched with it (so output
    is the same whatever --jobs and the chunk size)."""
    together = loaded.predict_proba_nonblank(documents)
    for doc, scores in zip(documents, together):
        assert np.array_equal(loaded.predict_proba_nonblank([doc])[0], scores)


@PROPERTY
@given(
    st.integers(1, 60), st.integers(0, 59), st.integers(0, 7), st.sampled_from([1, 2, 32]), st.integers(0, 2**32 - 1)
)
def test_row_dot_gives_a_row_the_same_product_anywhere(rows: int, at: int, shift: int, outputs: int, seed: int) -> None:
    """A row's product with a context stage's weights is the same bits alone, at any place in a
    matrix of any height, and at any alignment in memory (what keeps a page's scores independent
    of its batch); and it is the product, to rounding."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, 36)) * rng.uniform(0.0, 100.0, size=(rows, 1))
    weights = rng.normal(size=(36, outputs))
    products = row_dot(matrix, weights)
    assert np.allclose(products, matrix @ weights, rtol=1e-12, atol=1e-12)
    row = at % rows
    buffer = np.empty(36 + shift)  # the row alone, moved by `shift` doubles in memory
    alone = buffer[shift:].reshape(1, 36)
    alone[:] = matrix[row]
    assert np.array_equal(row_dot(alone, weights)[0], products[row])


SPARSE = st.lists(
    st.lists(st.floats(1e-3, 1e3, allow_nan=False), max_size=40), min_size=1, max_size=30
)  # rows of positive values, some empty, some long


@PROPERTY
@given(SPARSE, st.integers(0, 2**32 - 1))
def test_sparse_rows_product_equals_scipy(rows: list[list[float]], seed: int) -> None:
    """SparseRows @ weights is scipy's product, to rounding; each row is summed on its own."""
    indptr = np.cumsum([0, *map(len, rows)]).astype(np.int32)
    rng = np.random.default_rng(seed)
    indices = np.concatenate([np.sort(rng.choice(40, len(row), replace=False)) for row in rows]).astype(np.int32)
    data = np.asarray([value for row in rows for value in row], dtype=np.float64)
    weights = rng.normal(size=40)
    sparse = SparseRows(indptr, indices, data, 40)
    assert np.allclose(sparse @ weights, sparse.to_csr() @ weights, rtol=1e-12, atol=1e-9)
    assert sparse.to_csr().shape == (len(rows), 40)
    for i in range(len(rows)):
        a, b = indptr[i], indptr[i + 1]
        alone = SparseRows(np.array([0, b - a]), indices[a:b], data[a:b], 40)
        assert (alone @ weights)[0] == (sparse @ weights)[i]
    assert isinstance(sparse.to_csr(), sp.csr_matrix)


def test_expit_equals_scipy_without_warnings() -> None:
    rng = np.random.default_rng(0)
    extremes = [0.0, -0.0, 1e-300, -1e-300, 36.0, -36.0, 708.0, -708.0, 710.0, -710.0, 745.0, -746.0, 1e308, -1e308]
    x = np.concatenate([
        rng.normal(scale=5.0, size=100_000), rng.uniform(-800.0, 800.0, 100_000), np.linspace(-50, 50, 100_001),
        extremes, [np.inf, -np.inf],
    ])  # fmt: skip
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        ours = expit(x)
    assert np.all(np.abs(ours - scipy_expit(x)) <= 1e-15)
    assert ours[-2] == 1.0 and ours[-1] == 0.0


@pytest.mark.parametrize(
    "stage",
    [LogisticRegression(), MLPClassifier(hidden_layer_sizes=(16,), alpha=0.1, max_iter=50, random_state=0)],
    ids=["logistic-regression", "network"],
)
def test_context_probability_equals_predict_proba(stage: LogisticRegression | MLPClassifier) -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(500, 30)), rng.integers(0, 2, 500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a network fitted briefly is still a network
        stage.fit(x, y)
    expected = stage.predict_proba(x)[:, 1]
    assert np.allclose(context_probability(x, stage_layers(stage)), expected, rtol=0, atol=1e-15)


def test_a_lines_context_score_does_not_depend_on_its_batch() -> None:
    """The hidden layer is a product of matrices: each row's, however many rows share it."""
    rng = np.random.default_rng(1)
    layers = [(rng.normal(size=(30, 16)), rng.normal(size=16)), (rng.normal(size=(16, 1)), rng.normal(size=1))]
    rows = rng.normal(size=(3000, 30))
    whole = context_probability(rows, layers)
    pieces = np.concatenate([context_probability(rows[i : i + 7], layers) for i in range(0, 3000, 7)])
    assert np.array_equal(whole, pieces)


# --- The Python API's input checks ---


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda m: m.predict_lines("a whole dump\nas one string"), "list of lines"),
        (lambda m: m.predict_proba_lines(b"bytes"), "list of lines"),
        (lambda m: m.predict_lines(["ok", 3]), r"line 2 of 2 \(index 1\) is int"),
        (lambda m: m.predict("one string"), "list of documents"),
        (lambda m: m.clean(b"bytes"), "decode"),
        (lambda m: m.clean(None), "str"),
        (lambda m: m.clean("x", threshold=2), "threshold"),
    ],
)
def test_wrong_inputs_say_what_was_expected(loaded: Predictor, call, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((TypeError, ValueError), match=expected):
        call(loaded)


def test_every_input_error_names_its_item_from_1_with_its_index(loaded: Predictor) -> None:
    """clean_batch counted texts from 0 ("text 0 is bytes") and LineClassifier.fit documents from 0,
    while predict_lines counted lines from 1 ("line 1 is bytes"): each now names both."""
    from cleaner import LineClassifier, clean_batch

    calls = [
        (lambda: clean_batch([b"x", "y"], loaded), r"^clean_batch: text 1 of 2 \(index 0\) is bytes"),  # type: ignore[list-item]
        (lambda: loaded.predict_lines([b"x"]), r"^lines: line 1 of 1 \(index 0\) is bytes"),  # type: ignore[list-item]
        (
            lambda: loaded.predict([["a"], ["b", 3]]),  # type: ignore[list-item]
            r"^documents: document 2 of 2 \(index 1\): line 2 of 2 \(index 1\) is int",
        ),
        (
            lambda: LineClassifier().fit([["a"], ["b", "c"]], [["content"], ["content"]]),
            r"^document 2 of 2 \(index 1\): 2 lines but 1 labels",
        ),
    ]
    for call, expected in calls:
        with pytest.raises((TypeError, ValueError), match=expected):
            call()


NOT_A_STR = st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.booleans(), st.tuples(st.text()))
NOT_LINES = st.one_of(
    NOT_A_STR.filter(lambda value: not isinstance(value, tuple)),
    st.text(),
    st.lists(NOT_A_STR.filter(lambda value: not isinstance(value, tuple)), min_size=1).map(lambda bad: ["ok", *bad]),
    st.dictionaries(st.text(), st.text(), max_size=2),
)


@PROPERTY
@given(NOT_LINES)
def test_anything_but_lines_is_refused_with_what_was_expected(loaded: Predictor, value: object) -> None:
    """Never an AttributeError from deep inside, nor a string taken character by character."""
    for call in (loaded.predict_lines, loaded.predict_proba_lines):
        with pytest.raises(TypeError, match=r"expected a list of lines|not str"):
            call(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"expected a list of|not str"):
        loaded.predict([value])  # type: ignore[list-item]


@pytest.mark.parametrize("given", [["ok", "a\nb"], ["ok", "a\r\nb"], ["ok", "a\rb"], ["ok", "ends\n"]])
def test_a_line_holding_a_line_break_is_refused_by_its_index(loaded: Predictor, given: list[str]) -> None:
    """predict_lines(["a\\nb"]) scored two lines as one without a word: a line with a line break
    is refused, named by its index, with what to split the text with."""
    expected = r"line 2 of 2 \(index 1\) holds a (newline|carriage return) .*split_lines .*str\.splitlines"
    for call in (loaded.predict_lines, loaded.predict_proba_lines):
        with pytest.raises(ValueError, match=expected):
            call(given)
    with pytest.raises(ValueError, match=r"document 1 of 1 \(index 0\): " + expected):
        loaded.predict([given])
    with pytest.raises(ValueError, match=expected):
        LineClassifier().fit([given], [["content", "boilerplate"]])


@PROPERTY
@given(NOT_A_STR)
def test_clean_refuses_anything_but_a_str(loaded: Predictor, value: object) -> None:
    with pytest.raises(TypeError, match="expected the dump as a str"):
        loaded.clean(value)  # type: ignore[arg-type]


# --- No scikit-learn on the prediction path ---


def without_sklearn_env(model_path: Path) -> dict[str, str]:
    return {**os.environ, "CLEANER_MODEL": str(model_path)}


def test_load_model_imports_neither_scikit_learn_nor_scipy(model_path: Path) -> None:
    code = (
        "import sys; from cleaner import load_model; load_model().clean('a\\nb'); "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')], 'imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=without_sklearn_env(model_path), capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()


def imported(stderr: bytes) -> set[str]:
    """The modules a process imported, from Python's ``-X importtime`` lines on its stderr."""
    lines = stderr.decode(errors="replace").splitlines()
    return {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:") and "|" in line}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_predict_imports_neither_scikit_learn_nor_scipy(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path, jobs: str
) -> None:
    """`cleaner predict` in-process and in a pool (its fork server and workers) never imports
    scikit-learn; PYTHONPROFILEIMPORTTIME makes every process list its imports on stderr."""
    corpus = tmp_path / "corpus.jsonl"
    record = json.dumps({"text": sample_document.text}, ensure_ascii=False)
    corpus.write_text((record + "\n") * 300, encoding="utf-8")  # three chunks: a pool for --jobs 2
    env = {**without_sklearn_env(model_path), "PYTHONPROFILEIMPORTTIME": "1"}
    command = [str(cleaner_exe), "predict", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--jobs", jobs]
    result = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    modules = imported(result.stderr)
    assert "cleaner.classifier.predictor" in modules  # the check sees the process that predicted
    assert not [m for m in modules if m.split(".")[0] in ("sklearn", "scipy", "joblib")]
    assert not [m for m in modules if m.startswith("cleaner.training")]


def test_a_line_longer_than_a_paragraph_is_read_in_part(loaded: Predictor) -> None:
    """A whole page on one line (5 MB) took 270 MB: features cost about 40 bytes a character, and
    windows bound a document's lines, not a line's length. Read up to MAX_LINE_CHARS, such a line
    costs what a long paragraph does, scores as its first part does, and is kept or deleted whole."""
    import tracemalloc

    from cleaner.classifier.predictor import MAX_LINE_CHARS

    sentence = "The council voted on Tuesday to repair the old bridge over the river next spring. "
    huge = sentence * (3_000_000 // len(sentence))
    lines = ["Home | News | Contact", "Bridge to be repaired", huge, "A second paragraph, like prose.", "© 2025"]
    tracemalloc.start()
    try:
        scores = loaded.predict_proba_lines(lines)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40e6, f"{peak / 1e6:.0f} MB traced for a 3 MB line"
    cut = [*lines[:2], huge[:MAX_LINE_CHARS].strip(), *lines[3:]]
    assert scores == loaded.predict_proba_lines(cut)
    kept = [line for line in loaded.clean("\n".join(lines)).split("\n") if line]
    assert huge in kept  # the prose line scores as content, and is kept whole
    assert all(line in lines for line in kept)


def test_a_long_line_of_spaces_stays_blank_and_one_with_a_word_does_not(loaded: Predictor) -> None:
    from cleaner.classifier.predictor import MAX_LINE_CHARS

    spaces = " " * (2 * MAX_LINE_CHARS)
    scores = loaded.predict_proba_lines(["Title of the page", spaces, spaces + "word", "Last line."])
    assert scores[1] is None
    assert scores[2] is not None


@pytest.mark.parametrize("value", [5, -0.1, 1.5, float("nan"), float("inf"), None, "0.5", True])
def test_a_threshold_out_of_range_set_on_the_model_is_refused_when_used(
    model_path: Path, sample_document: Labelled, value: object
) -> None:
    """``m = load_model(); m.threshold = 5`` was taken, and cleaning then dropped every line without
    a word (NaN too; -1 kept every line). As scikit-learn does with its parameters, setting it is
    free, and every use checks it: a ValueError naming it and its range, at each entry point."""
    from cleaner import clean_batch
    from cleaner.corpus.worker import Cleaner, Settings

    model = load_model(model_path)
    model.threshold = value  # type: ignore[assignment]
    uses = {
        "clean": lambda: model.clean(sample_document.text),
        "predict_lines": lambda: model.predict_lines(sample_document.lines),
        "predict": lambda: model.predict([sample_document.lines]),
        "clean_batch": lambda: clean_batch([sample_document.text], model),
        "the corpus worker": lambda: Cleaner(Settings(str(model_path), None), model),
    }
    for name, use in uses.items():
        with pytest.raises(ValueError, match=r"^threshold: expected a number from 0 to 1 \(the model's own"):
            use()
            pytest.fail(f"{name} took threshold {value!r}")
    assert model.clean(sample_document.text, threshold=0.0)  # a threshold given to the call is the one used
    assert model.predict_proba_lines(sample_document.lines)  # no threshold: nothing to check


def test_a_threshold_in_range_set_on_the_model_is_used(model_path: Path, sample_document: Labelled) -> None:
    """The check refuses nothing it should take: 0 and 1 are in range, and the model's threshold,
    set, is the cut that every entry point uses."""
    model = load_model(model_path)
    for value in (0, 1, 0.3, np.float32(0.7)):
        model.threshold = value  # type: ignore[assignment]
        assert model.clean(sample_document.text) == model.clean(sample_document.text, threshold=float(value))

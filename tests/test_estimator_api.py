"""The prediction API (the Predictor that load_model returns and LineClassifier predicts through), and
LineClassifier's scikit-learn conventions: shapes, alignment, validation, fitted state."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Labelled, fit_on
from sklearn.base import clone
from support import non_blank, output_lines

from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.format import load_model
from cleaner.classifier.predictor import Predictor
from cleaner.labels import BOILERPLATE, CONTENT
from cleaner.text import is_blank, split_lines


@pytest.fixture(scope="module")
def model(trained_model: LineClassifier) -> Predictor:
    return trained_model.predictor_


MIXED = ["Trang chủ | Đăng nhập", "", "Tiêu đề bài viết", "  ", "\t", "Nội dung chính của bài viết.", ""]


def test_predict_is_aligned_with_lines(model: Predictor, seed_documents: list[Labelled]) -> None:
    documents = [doc.lines for doc in seed_documents] + [MIXED, [], ["", " "]]
    predictions = model.predict(documents)
    assert len(predictions) == len(documents)
    for lines, labels in zip(documents, predictions):
        assert len(labels) == len(lines)
        for line, label in zip(lines, labels):
            assert (label is None) == is_blank(line)
            assert label in (None, CONTENT, BOILERPLATE)


def test_predict_proba_is_aligned_and_bounded(model: Predictor) -> None:
    (scores,) = model.predict_proba([MIXED])
    assert len(scores) == len(MIXED)
    for line, score in zip(MIXED, scores):
        if is_blank(line):
            assert score is None
        else:
            assert isinstance(score, float)
            assert 0.0 <= score <= 1.0


def test_predict_follows_proba_and_threshold(model: Predictor, sample_document: Labelled) -> None:
    assert 0.0 <= model.threshold <= 1.0
    scores = model.predict_proba_lines(sample_document.lines)
    labels = model.predict_lines(sample_document.lines)
    for score, label in zip(scores, labels):
        if score is not None:
            assert label == (CONTENT if score >= model.threshold else BOILERPLATE)


def test_explicit_threshold(model: Predictor, sample_document: Labelled) -> None:
    assert set(model.predict_lines(sample_document.lines, threshold=0.0)) <= {CONTENT, None}
    assert model.predict_lines(MIXED, threshold=0.0).count(CONTENT) == len(non_blank(MIXED))


def test_single_document_helpers_match_batch(model: Predictor, sample_document: Labelled) -> None:
    lines = sample_document.lines
    assert model.predict_lines(lines) == model.predict([lines])[0]
    assert model.predict_proba_lines(lines) == model.predict_proba([lines])[0]
    assert model.predict_lines(tuple(lines)) == model.predict_lines(lines)


def test_documents_do_not_influence_each_other(model: Predictor, seed_documents: list[Labelled]) -> None:
    together = model.predict_proba([doc.lines for doc in seed_documents[:3]])
    for doc, scores in zip(seed_documents[:3], together):
        assert scores == pytest.approx(model.predict_proba_lines(doc.lines))


def test_clean_keeps_exactly_the_predicted_content(model: Predictor, sample_document: Labelled) -> None:
    text = sample_document.text
    labels = model.predict_lines(split_lines(text))
    cleaned = output_lines(model.clean(text))
    expected = [line for line, label in zip(split_lines(text), labels) if label == CONTENT]
    assert non_blank(cleaned) == expected
    assert 0 < len(expected) < len(non_blank(sample_document.lines))


def test_clean_threshold(model: Predictor, sample_document: Labelled) -> None:
    cleaned = output_lines(model.clean(sample_document.text, threshold=0.0))
    assert non_blank(cleaned) == non_blank(sample_document.lines)


@pytest.mark.parametrize("text", ["", "\n", "  \n\t\n", "\r\n\r\n"])
def test_clean_of_blank_dumps(model: Predictor, text: str) -> None:
    assert model.clean(text) == ""


def test_threshold_parameter_is_used(seed_documents: list[Labelled]) -> None:
    small = seed_documents[1:3]
    model = LineClassifier(n_splits=2, threshold=0.8).fit([d.lines for d in small], [d.labels for d in small])
    assert model.threshold_ == pytest.approx(0.8)


def test_fit_is_deterministic(seed_documents: list[Labelled]) -> None:
    small = seed_documents[1:3]

    def fitted() -> LineClassifier:
        return LineClassifier(n_splits=2).fit(
            [d.lines for d in small], [d.labels for d in small], groups=[d.name for d in small]
        )

    first, second = fitted(), fitted()
    probe = [doc.lines for doc in seed_documents]
    assert first.predict_proba(probe) == second.predict_proba(probe)
    assert first.threshold_ == second.threshold_


def test_inner_folds_in_parallel_fit_the_same_model(seed_documents: list[Labelled], tmp_path: Path) -> None:
    """n_jobs runs the out-of-fold fits inside fit at once: it says how to fit, not what, so the
    file saved is the same byte for byte (and does not record it)."""
    files = []
    for n_jobs in (1, 2):
        model = fit_on(seed_documents, char_ngrams=(4, 4), reprinted=0.5, records=0.5, n_jobs=n_jobs)
        files.append(tmp_path / f"jobs{n_jobs}.npz")
        model.save(files[-1])
    assert len(model.context_stages_) == 2
    assert files[0].read_bytes() == files[1].read_bytes()
    assert "n_jobs" not in load_model(files[1]).manifest["estimator"]["params"]


def test_verbose_says_each_stage_of_the_fit_and_fits_the_same_model(
    seed_documents: list[Labelled], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A fit of minutes said nothing (cleaner train --plus-shipped: 8 min 47 s silent): verbose=1
    prints a line on stderr as each stage starts, as scikit-learn's estimators do, and says how
    to fit, not what: the file saved is the same byte for byte, and does not record it."""
    files, said = [], []
    for verbose in (0, 1):
        model = fit_on(seed_documents, records=0.5, verbose=verbose)
        files.append(tmp_path / f"verbose{verbose}.npz")
        model.save(files[-1])
        out, err = capfd.readouterr()
        assert out == ""
        said.append(err.splitlines())
    assert files[0].read_bytes() == files[1].read_bytes()
    assert "verbose" not in load_model(files[1]).manifest["estimator"]["params"]
    assert said[0] == []
    pages = len(seed_documents)
    assert said[1][0].startswith(f"cleaner: fitting the first stage on {pages} pages, and "), said[1]
    assert said[1][1] == "cleaner: fitting 2 first stages on sites left out, for the context stages to learn from"
    assert said[1][2:] == [
        f"cleaner: fitting context stage {n} of 2 (and 2 more on sites left out, for the next stage and the threshold)"
        for n in (1, 2)
    ]


def test_the_shipped_configuration_is_one_call_away() -> None:
    """LineClassifier()'s defaults are not the shipped model's configuration, and nothing said how
    to get that one: LineClassifier.shipped() is it, as the shipped model's manifest records it and
    as make train fits it (make_estimator)."""
    from cleaner.training.train import make_estimator

    shipped = LineClassifier.shipped().get_params()
    recorded = load_model().manifest["estimator"]["params"]
    assert {name: value for name, value in shipped.items() if name not in ("n_jobs", "verbose")} == {
        name: tuple(value) if isinstance(value, list) else value for name, value in recorded.items()
    }
    assert make_estimator().get_params() == shipped
    assert shipped != LineClassifier().get_params()  # the defaults stay as they were
    assert LineClassifier.shipped(context_rounds=1).get_params() == {**shipped, "context_rounds": 1}
    assert clone(LineClassifier.shipped()).get_params() == shipped


@pytest.mark.parametrize(
    "check",
    [
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_parameters_default_constructible",
        "check_no_attributes_set_in_init",
        "check_get_params_invariance",
        "check_set_params",
        "check_do_not_raise_errors_in_init_or_set_params",
    ],
)
@pytest.mark.parametrize("params", [{}, {"n_splits": 2, "C": 0.5, "char_ngrams": (3, 5), "random_state": None}])
def test_is_a_scikit_learn_estimator(check: str, params: dict[str, object]) -> None:
    """scikit-learn's own checks of the conventions that need no numeric data (the others feed
    arrays of numbers, which are not documents); clone copies the parameters as given."""
    from sklearn.utils import estimator_checks

    getattr(estimator_checks, check)("LineClassifier", LineClassifier(**params))
    assert clone(LineClassifier(**params)).get_params() == LineClassifier(**params).get_params()


def test_fit_leaves_the_parameters_as_given(seed_documents: list[Labelled]) -> None:
    """fit changes no parameter, not even a list given as one, nor the documents, labels, groups and
    weights (the augmenters add documents to copies); a RandomState is the same object after it."""
    import copy

    import numpy as np

    small = seed_documents[:3]
    stream = np.random.RandomState(2)
    model = LineClassifier(
        n_splits=2, context_rounds=1, stopword_languages=["vi"], char_ngrams=[4, 4], records=0.5, random_state=stream
    )
    before = copy.deepcopy({k: v for k, v in model.get_params().items() if k != "random_state"})
    data = ([d.lines for d in small], [d.labels for d in small], [d.site for d in small], [1.0, 2.0, 1.0])
    given = copy.deepcopy(data)
    model.fit(data[0], data[1], groups=data[2], sample_weight=data[3])
    assert {k: v for k, v in model.get_params().items() if k != "random_state"} == before
    assert model.get_params()["random_state"] is stream
    assert data == given


# Every augmenter and the context stage draw from the seed (a records and a reprinted fit crashed
# with random_state=None: their generators were seeded with [random_state, n]).
SEEDED = {"records": 0.75, "reprinted": 0.1, "trimmed": 0.2, "augment": 0.3, "context_rounds": 1}


@pytest.mark.parametrize("form", ["int", "None", "RandomState"])
def test_random_state_takes_every_form_scikit_learn_takes(
    form: str, seed_documents: list[Labelled], tmp_path: Path
) -> None:
    """None and a RandomState give the fit one int seed, used as an int is: the file records it,
    and refitting with that int gives the same file byte for byte."""
    import numpy as np

    small = seed_documents[:3]
    given = {"int": 11, "None": None, "RandomState": np.random.RandomState(5)}[form]
    fitted = fit_on(small, random_state=given, **SEEDED)
    assert len(fitted.context_stages_) == 1
    fitted.save(tmp_path / "given.npz")
    seed = load_model(tmp_path / "given.npz").manifest["estimator"]["params"]["random_state"]
    assert isinstance(seed, int) and (seed == 11 if form == "int" else 0 <= seed < 2**31)
    fit_on(small, random_state=seed, **SEEDED).save(tmp_path / "again.npz")
    assert (tmp_path / "given.npz").read_bytes() == (tmp_path / "again.npz").read_bytes()
    assert fitted.get_params()["random_state"] is given  # the parameter itself is left as given


def test_a_random_state_instance_draws_its_seed_from_its_stream(seed_documents: list[Labelled]) -> None:
    """Two RandomStates of one seed fit the same model; one RandomState fits twice, two draws."""
    import numpy as np

    small = seed_documents[:3]
    probe = [doc.lines for doc in seed_documents]
    first, second = (fit_on(small, random_state=np.random.RandomState(5), **SEEDED) for _ in range(2))
    assert first.predict_proba(probe) == second.predict_proba(probe)
    stream = np.random.RandomState(5)
    fit_on(small, random_state=stream, **SEEDED)
    assert fit_on(small, random_state=stream, **SEEDED)._seed != first._seed


@pytest.mark.parametrize(
    ("documents", "labels"),
    [
        ([["a", "b"]], []),  # fewer label lists than documents
        ([["a", "b"]], [["content"], ["boilerplate"]]),  # more label lists
        ([["a", "b"]], [["content"]]),  # fewer labels than lines
        ([["a", "b"]], [["content", "boilerplate", None]]),  # more labels than lines
        ([["a", "", "b"]], [["content", "boilerplate", "content"]]),  # a label on a blank line
        ([["a", "b", "c"]], [["content", None, "boilerplate"]]),  # None on a non-blank line
    ],
)
def test_fit_rejects_misaligned_labels(documents: list[list[str]], labels: list[list[str | None]]) -> None:
    with pytest.raises(ValueError):
        LineClassifier(n_splits=2).fit(documents, labels)


def test_fit_needs_both_classes() -> None:
    with pytest.raises(
        ValueError,
        match=r"^training data needs both content and boilerplate lines; all 3 labelled lines are 'content'$",
    ):
        LineClassifier(n_splits=2).fit([["a", "b"], ["c"]], [[CONTENT, CONTENT], [CONTENT]])


DOCS = [["Home", "", "A paragraph of the article."], ["Menu", "Another paragraph."]]
LABELS = [[BOILERPLATE, None, CONTENT], [BOILERPLATE, CONTENT]]
TAGGED = [["B", None, "C"], ["B", "C"]]


@pytest.mark.parametrize(
    ("documents", "labels", "error", "expected"),
    [
        # The label files' tags: taken for boilerplate ("needs both content and boilerplate lines").
        (
            DOCS,
            TAGGED,
            ValueError,
            r"^labels: document 1 of 2 \(index 0\), line 1 of 3 \(index 0\): got 'B' \(str\); "
            r"labels are 'content' or 'boilerplate' per line, None for a blank line: "
            r"C and B are the label files' tags; "
            r"map C to 'content' and B to 'boilerplate' \(cleaner.labels.parse_label_text reads a label file so\)$",
        ),
        # Documents as strings: read character by character ("document 0: 30 lines but 3 labels").
        (
            ["\n".join(doc) for doc in DOCS],
            LABELS,
            TypeError,
            r"^documents: document 1 of 2 \(index 0\) is a str, not a "
            r"list of lines: split each dump into its lines \(cleaner.text.split_lines\(text\)\), one label per line$",
        ),
        # Numbers: "blank lines and only blank lines take the label None".
        (
            DOCS,
            [[0, None, 1], [0, 1]],
            ValueError,
            r"^labels: .*: got 0 \(int\); labels are 'content' or 'boilerplate' "
            r"per line, None for a blank line, not numbers or booleans$",
        ),
        (DOCS, [[False, None, True], [False, True]], ValueError, r": got False \(bool\); .*, not numbers or booleans$"),
        (
            DOCS,
            [[BOILERPLATE, None, "Content"], LABELS[1]],
            ValueError,
            r"line 3 of 3 \(index 2\): got 'Content' \(str\); ",
        ),
        (
            DOCS,
            [[BOILERPLATE, CONTENT, CONTENT], LABELS[1]],
            ValueError,
            r"line 2 of 3 \(index 1\): a blank line labelled ",
        ),
        (DOCS, [[None, None, CONTENT], LABELS[1]], ValueError, r"the non-blank line 'Home' labelled None; "),
        (
            DOCS,
            ["BC", "BC"],
            TypeError,
            r"^labels: document 1 of 2 \(index 0\): expected a list of labels, one per line",
        ),
        ([[b"Home"], ["Menu"]], [[BOILERPLATE], [CONTENT]], TypeError, r"line 1 of 1 \(index 0\) is bytes, not str$"),
        ("one dump", LABELS, TypeError, r"^documents: expected a list with a list of lines per document; got str$"),
    ],
)
def test_fit_says_what_was_given_and_what_is_expected(
    documents: object, labels: object, error: type[Exception], expected: str
) -> None:
    """Checked in fit, as scikit-learn checks: a wrong kind of input is a TypeError, wrong values a
    ValueError, and each message says what was given and what is expected."""
    with pytest.raises(error, match=expected):
        LineClassifier(n_splits=2, context_rounds=0).fit(documents, labels)  # type: ignore[arg-type]


def test_fit_takes_documents_and_labels_as_any_iterables() -> None:
    """Tuples, generators and numpy arrays are lists of lines and labels too."""
    import numpy as np

    model = LineClassifier(n_splits=2, context_rounds=0)
    model.fit((tuple(doc) for doc in DOCS), [np.array(labels, dtype=object) for labels in LABELS])
    assert len(model.predict(DOCS)[0]) == 3


def test_the_estimator_predicts_through_its_predictor(trained_model: LineClassifier, model: Predictor) -> None:
    documents = [MIXED, ["Một dòng", "", "Another line."]]
    assert trained_model.predict_proba(documents) == model.predict_proba(documents)
    assert trained_model.predict(documents, threshold=0.3) == model.predict(documents, threshold=0.3)


def test_save_writes_the_parameters_the_model_was_fitted_with(seed_documents: list[Labelled], tmp_path: Path) -> None:
    """set_params after fit changes the parameters, not the model: the file described the model by
    the new ones (C=7.0, no character n-gram block it had)."""
    fitted = fit_on(seed_documents[:3], context_rounds=0, char_ngrams=(4, 4), stopword_languages=["vi"])
    before = load_model_params(fitted, tmp_path / "before.npz")
    languages = fitted.get_params()["stopword_languages"]
    fitted.set_params(C=7.0, word_weight=1.0, char_ngrams=None, random_state=3)
    languages.append("en")  # a list given as a parameter, changed in place
    after = load_model_params(fitted, tmp_path / "after.npz")
    assert after == before
    assert after["C"] == 0.03 and after["char_ngrams"] == [4, 4] and after["stopword_languages"] == ["vi"]
    assert after["random_state"] == 0 and after["word_weight"] == 20.0


def load_model_params(fitted: LineClassifier, path: Path) -> dict[str, object]:
    fitted.save(path)
    params: dict[str, object] = load_model(path).manifest["estimator"]["params"]
    return params


def test_an_unfitted_estimator_says_so() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LineClassifier().predict([MIXED])
    with pytest.raises(NotFittedError):
        LineClassifier().save("/nonexistent/never-written.npz")


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"C": 0}, "C"),
        ({"n_splits": 1}, "n_splits"),
        ({"threshold": 1.5}, "threshold"),
        ({"min_documents": 0}, "min_documents"),
        ({"context_rounds": -1}, "context_rounds"),
        ({"use_words": "yes"}, "use_words"),
        ({"char_ngrams": (5, 3)}, "char_ngrams"),
        ({"char_ngrams": (0, 3)}, "char_ngrams"),
        ({"char_ngrams": (3,)}, "char_ngrams"),
        ({"char_ngrams": "3,5"}, "char_ngrams"),
        ({"char_min_documents": 0}, "char_min_documents"),
        ({"char_weight": 0}, "char_weight"),
        ({"stack_solver": "newton"}, "stack_solver"),  # was taken, and unused with stack_hidden > 0
        ({"stack_solver": "newton", "stack_hidden": 0}, "stack_solver"),  # failed in the context stages
    ],
)
def test_parameters_are_validated_when_fitting(
    params: dict[str, object], name: str, seed_documents: list[Labelled]
) -> None:
    doc = seed_documents[0]
    with pytest.raises(ValueError, match=f"'{name}' parameter of LineClassifier"):
        LineClassifier(**params).fit([doc.lines], [doc.labels])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("item", "name"),
    [
        ("char_ngrams=[5, 3]", "char_ngrams"),
        ("char_ngrams=[0, 3]", "char_ngrams"),
        ("stack_solver=newton", "stack_solver"),
    ],
)
def test_cleaner_train_set_refuses_every_parameter_the_fit_would_refuse(item: str, name: str) -> None:
    """`cleaner train --set char_ngrams=[5,3]` passed the check made before any fit (the
    constraints) and failed when the fit began: char_ngrams is checked with them now."""
    from cleaner.training.commands.common import estimator_overrides

    with pytest.raises(ValueError, match=f"^--set: The '{name}' parameter of LineClassifier must be"):
        estimator_overrides([item])
    assert estimator_overrides(["char_ngrams=[3, 5]", "stack_solver=newton-cholesky"]) == {
        "char_ngrams": [3, 5],
        "stack_solver": "newton-cholesky",
    }


def test_its_tags_say_what_it_takes() -> None:
    """Documents are lists of lines (str), not a 2-D array of numbers, and fit needs the labels; not
    a classifier to scikit-learn's tools, as it has no classes_ (see the docstring); its score is
    the content char F1 (a test below)."""
    from sklearn.base import is_classifier
    from sklearn.utils import get_tags

    tags = get_tags(LineClassifier())
    assert (tags.input_tags.two_d_array, tags.input_tags.string, tags.target_tags.required) == (False, True, True)
    assert tags.estimator_type is None and not is_classifier(LineClassifier())
    assert hasattr(LineClassifier, "score") and not hasattr(LineClassifier, "classes_")


def test_one_site_warns_that_the_context_stages_are_skipped(seed_documents: list[Labelled]) -> None:
    small = seed_documents[:2]
    says = r"context stages .*; fitting the first stage only, and the threshold is 0\.5 \(not chosen by cross-valid"
    with pytest.warns(UserWarning, match=says):
        fitted = LineClassifier().fit([d.lines for d in small], [d.labels for d in small], groups=["a", "a"])
    assert fitted.context_stages_ == []
    assert fitted.threshold_ == 0.5


def test_without_context_stages_the_threshold_is_one_half_or_the_one_given(seed_documents: list[Labelled]) -> None:
    """threshold=None chooses the cut from the context stages' held-out probabilities: with none
    fitted (context_rounds=0, documented) it is 0.5, and a threshold given is not said to be 0.5."""
    assert fit_on(seed_documents[:3], context_rounds=0).threshold_ == 0.5
    small = seed_documents[:2]
    with pytest.warns(UserWarning, match=r"fitting the first stage only$"):
        fitted = LineClassifier(threshold=0.3).fit(
            [d.lines for d in small], [d.labels for d in small], groups=["a"] * 2
        )
    assert fitted.threshold_ == 0.3


def test_a_site_of_one_class_only_skips_the_context_stages_with_a_warning(seed_documents: list[Labelled]) -> None:
    """The context stages learn from first stages fitted with a site left out: when the other sites
    hold content lines only, that fit is impossible, and fit ended in scikit-learn's "needs samples
    of at least 2 classes". It fits the first stage only, and says why."""
    mixed = seed_documents[0]
    content = [line for line, label in zip(mixed.lines, mixed.labels) if label == CONTENT]
    documents, labels = [mixed.lines, content], [mixed.labels, [CONTENT] * len(content)]
    says = (
        r"groups other than mixed\.vn hold content lines only; fitting the first stage only, and the threshold is 0\.5 "
    )
    with pytest.warns(UserWarning, match=says):
        fitted = LineClassifier().fit(documents, labels, groups=["mixed.vn", "content.vn"])
    assert fitted.context_stages_ == [] and fitted.threshold_ == 0.5
    assert len(fitted.predict([mixed.lines])[0]) == len(mixed.lines)


def test_score_is_the_content_char_f1_that_cleaner_evaluate_reports(
    trained_model: LineClassifier, seed_documents: list[Labelled]
) -> None:
    """It had no score: cross_val_score without a scoring raised TypeError."""
    from cleaner.training.evaluate import score

    documents = seed_documents[:3]
    lines, labels = [doc.lines for doc in documents], [doc.labels for doc in documents]
    evaluated = score("cleaner", [_labelled(doc) for doc in documents], trained_model.predict(lines))
    assert trained_model.score(lines, labels) == pytest.approx(evaluated.overall.scores()["char_f1"])
    assert trained_model.score(lines, labels, sample_weight=[1.0, 1.0, 1.0]) == trained_model.score(lines, labels)


def _labelled(doc: Labelled) -> object:
    from cleaner.training.labels import LabelledDocument

    return LabelledDocument(doc.name, doc.lines, doc.labels, site=doc.site)


def test_predict_takes_what_fit_takes_and_cross_val_score_routes_groups(
    trained_model: LineClassifier, seed_documents: list[Labelled]
) -> None:
    """fit took a numpy object array of documents, predict refused it, and cross_val_score gave
    [nan nan] with a traceback per fold; groups reach fit through params= (README)."""
    import numpy as np
    from sklearn.model_selection import GroupKFold, cross_val_score

    documents = seed_documents[:4]
    X = np.empty(len(documents), dtype=object)
    X[:] = [doc.lines for doc in documents]
    y = np.empty(len(documents), dtype=object)
    y[:] = [doc.labels for doc in documents]
    assert trained_model.predict(X) == trained_model.predict([doc.lines for doc in documents])
    groups = [doc.site for doc in documents]
    estimator = LineClassifier(n_splits=2, context_rounds=0)
    scores = cross_val_score(estimator, X, y, groups=groups, cv=GroupKFold(2), params={"groups": groups})
    assert len(scores) == 2 and all(0.0 <= value <= 1.0 for value in scores), scores

"""Scores per language and per kind of page, grouped k-fold cross-validation that never scores a
page with a model trained on its site, leave-one-language-out, and jusText's stoplist choice.

A stub estimator (keep lines longer than a length learnt from nothing) stands in for the model:
these tests check who trains on what and how counts are summed, not what the model learns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from cleaner.labels import BOILERPLATE, CONTENT
from cleaner.training.baselines import justext_stoplist_name
from cleaner.training.evaluate import (
    UNSPECIFIED,
    cross_validated_predictions,
    cv_folds,
    cv_scheme,
    language_out_split,
    languages_to_leave_out,
    leave_one_language_out,
    score,
)
from cleaner.training.labels import LabelledDocument, TooFewLabels
from cleaner.training.metrics import Counts

C, B = CONTENT, BOILERPLATE


def _doc(name: str, site: str, language: str = "en", kind: str = "") -> LabelledDocument:
    lines = [f"Menu {name}", "A long line of article text, with a full stop.", "", "Share"]
    return LabelledDocument(name, lines, [B, C, None, B], site=site, language=language, kind=kind)


def test_counts_per_language_and_kind_are_summed_over_their_pages() -> None:
    documents = [
        _doc("a", "a.example", "de", "recipe"),
        _doc("b", "b.example", "de", "news"),
        _doc("c", "c.example", "fr", "news"),
        _doc("d", "d.example", "fr"),
    ]
    # a: all right; b: keeps "Menu b" (fp 6 chars); c: drops the content line (fn); d: all right.
    predictions = [[B, C, None, B], [C, C, None, B], [B, B, None, B], [B, C, None, B]]
    evaluation = score("system", documents, predictions)
    body = len("A long line of article text, with a full stop.")
    assert evaluation.per_language["de"] == Counts(tp=2, fp=1, fn=0, tp_chars=2 * body, fp_chars=6, fn_chars=0)
    assert evaluation.per_language["fr"] == Counts(tp=1, fp=0, fn=1, tp_chars=body, fp_chars=0, fn_chars=body)
    assert evaluation.per_kind["news"] == Counts(tp=1, fp=1, fn=1, tp_chars=body, fp_chars=6, fn_chars=body)
    assert evaluation.per_kind[UNSPECIFIED] == Counts(tp=1, tp_chars=body)  # the manifest's kind is optional
    assert evaluation.pages_per_language == {"de": 2, "fr": 2}
    assert evaluation.pages_per_kind == {"recipe": 1, "news": 2, UNSPECIFIED: 1}
    groups = evaluation.as_dict()
    assert groups["per_language"]["de"]["pages"] == 2
    assert groups["per_kind"]["news"]["line_p"] == pytest.approx(0.5)
    assert groups["per_kind"]["news"]["line_r"] == pytest.approx(0.5)
    assert groups["overall"]["line_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1), abs=1e-4)


def test_pages_are_counted_per_site_too() -> None:
    """The per-site tables had an empty pages column."""
    documents = [_doc("a", "a.example"), _doc("b", "a.example"), _doc("c", "c.example")]
    evaluation = score("system", documents, [[B, C, None, B]] * 3)
    assert evaluation.pages_per_site == {"a.example": 2, "c.example": 1}
    assert evaluation.as_dict()["per_site"]["a.example"]["pages"] == 2


class RecordingEstimator:
    """Remembers the sites it was trained on; keeps lines of 20 characters or more."""

    trained_on: ClassVar[list[set[str]]] = []

    def fit(self, documents: Sequence[list[str]], labels: Sequence[list[str | None]], groups: Sequence[str]):
        self.sites = set(groups)
        RecordingEstimator.trained_on.append(self.sites)
        return self

    def predict(self, documents: Sequence[list[str]]) -> list[list[str | None]]:
        return [[None if not line.strip() else (C if len(line) >= 20 else B) for line in doc] for doc in documents]


@pytest.fixture
def recording():
    RecordingEstimator.trained_on = []
    return RecordingEstimator


def test_grouped_folds_never_train_on_the_site_they_score(recording, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [_doc(f"p{i}", f"site{i % 13}.example") for i in range(30)]
    scored: list[tuple[set[str], set[str]]] = []
    original_predict = RecordingEstimator.predict

    def predict(self, lines):
        sites = {doc.site for doc in documents if doc.lines in lines}
        scored.append((self.sites, sites))
        return original_predict(self, lines)

    monkeypatch.setattr(RecordingEstimator, "predict", predict)
    predictions = cross_validated_predictions(documents, RecordingEstimator, n_jobs=1, folds=10)
    assert len(recording.trained_on) == 10
    assert all(prediction == [B, C, None, B] for prediction in predictions)
    for trained, tested in scored:
        assert not trained & tested
    assert set().union(*(tested for _, tested in scored)) == {f"site{i}.example" for i in range(13)}


def test_the_scheme_names_the_folds_and_what_is_left_out() -> None:
    many = [_doc(f"p{i}", f"site{i}.example") for i in range(40)]
    assert cv_scheme(many) == "10-fold, whole sites left out"
    assert cv_scheme(many, folds=5) == "5-fold, whole sites left out"
    few = many[:3]
    assert cv_folds(few) == 3 and cv_scheme(few) == "3-fold, whole sites left out"
    one_site = [_doc(f"p{i}", "only.example") for i in range(4)]
    assert cv_scheme(one_site) == "4-fold, whole documents left out"


def test_languages_left_out_need_five_pages() -> None:
    documents = [_doc(f"de{i}", f"de{i}.example", "de") for i in range(6)]
    documents += [_doc(f"ja{i}", f"ja{i}.example", "ja") for i in range(5)]
    documents += [_doc(f"th{i}", f"th{i}.example", "th") for i in range(4)]
    assert languages_to_leave_out(documents) == ["de", "ja"]


def test_a_bilingual_site_is_left_out_of_training_with_the_language() -> None:
    documents = [
        _doc("de1", "shared.example", "de"),
        _doc("en1", "shared.example", "en"),
        _doc("en2", "other.example", "en"),
        _doc("de2", "de.example", "de"),
    ]
    train, test = language_out_split(documents, "de")
    assert [documents[i].name for i in test] == ["de1", "de2"]
    assert [documents[i].name for i in train] == ["en2"]


def test_leave_one_language_out_trains_without_the_language(recording) -> None:
    documents = [_doc(f"de{i}", f"de{i}.example", "de") for i in range(5)]
    documents += [_doc(f"fr{i}", f"fr{i}.example", "fr") for i in range(6)]
    documents += [_doc("ko0", "ko0.example", "ko")]
    results = leave_one_language_out(documents, RecordingEstimator, n_jobs=1)
    assert [r.language for r in results] == ["fr", "de"]  # ko has 1 page: trained on, never scored
    assert sorted(map(sorted, recording.trained_on)) == sorted(
        [
            sorted({f"de{i}.example" for i in range(5)} | {"ko0.example"}),
            sorted({f"fr{i}.example" for i in range(6)} | {"ko0.example"}),
        ]
    )
    row = results[0].as_dict()
    assert row["pages"] == 6 and row["training_documents"] == 6 and row["char_f1"] == 1.0


def test_a_language_whose_training_part_holds_one_class_is_refused_before_any_fit(recording) -> None:
    """The other languages' pages, labelled content only: the fit without de reached the estimator,
    which failed with its generic "training data needs both content and boilerplate lines"."""
    documents = [_doc(f"de{i}", f"de{i}.example", "de") for i in range(5)]
    for i in range(5):
        page = _doc(f"fr{i}", f"fr{i}.example", "fr")
        documents.append(LabelledDocument(page.name, page.lines[1:3], [C, None], site=page.site, language="fr"))
    with pytest.raises(TooFewLabels) as raised:
        leave_one_language_out(documents, RecordingEstimator, n_jobs=1)
    assert str(raised.value) == (
        "10 labelled pages, but the leave-one-language-out fit that leaves out de (its pages and sites) "
        "would train on content lines only, and a fit needs boilerplate lines too"
    )
    assert recording.trained_on == []


JUSTEXT = {"English", "German", "Portuguese", "Vietnamese", "Norwegian_Bokmal"}


@pytest.mark.parametrize(
    ("language", "stoplist"),
    [
        ("de", "German"),
        ("vi", "Vietnamese"),
        ("pt-BR", "Portuguese"),
        ("no", "Norwegian_Bokmal"),
        ("German", "German"),  # already a stoplist name
        ("zh", None),  # jusText has none: its language-independent mode
        ("", None),
        ("fr", None),  # a stoplist this jusText does not ship
    ],
)
def test_justext_stoplist_for_a_language(language: str, stoplist: str | None) -> None:
    assert justext_stoplist_name(language, JUSTEXT) == stoplist


class WeighingEstimator(RecordingEstimator):
    """Remembers, for each fit, the weight each training page was given (None: none given)."""

    weighed: ClassVar[list[dict[str, float] | None]] = []

    def fit(self, documents, labels, groups, sample_weight=None):  # type: ignore[no-untyped-def]
        first_lines = [doc[0] for doc in documents]
        WeighingEstimator.weighed.append(None if sample_weight is None else dict(zip(first_lines, sample_weight)))
        return super().fit(documents, labels, groups)


def test_cross_validation_weighs_each_training_page_as_the_final_fit_does() -> None:
    """``cleaner train --user-weight`` weighed the user's pages in the final fit only, so the
    cross-validated scores it recorded were an unweighted model's."""
    documents = [_doc(f"p{i}", f"site{i % 4}.example") for i in range(8)]
    weights = [3.0 if i % 4 == 0 else 1.0 for i in range(8)]
    WeighingEstimator.weighed = []
    cross_validated_predictions(documents, WeighingEstimator, n_jobs=1, folds=4, weights=weights)
    assert len(WeighingEstimator.weighed) == 4
    for weighed in WeighingEstimator.weighed:
        assert weighed is not None
        assert weighed == {f"Menu p{i}": weights[i] for i in range(8) if f"Menu p{i}" in weighed}
        assert len(weighed) == 6  # the pages of the three sites left in
    WeighingEstimator.weighed = []
    cross_validated_predictions(documents, WeighingEstimator, n_jobs=1, folds=4)
    assert WeighingEstimator.weighed == [None] * 4


def test_leaving_a_language_out_weighs_each_training_page_as_the_final_fit_does() -> None:
    """``cleaner evaluate --user-weight``: the languages left out are scored by models whose
    training pages weigh what they weigh in the model trained."""
    documents = [_doc(f"p{i}", f"site{i}.example", "de" if i < 5 else "fr") for i in range(10)]
    weights = [4.0 if i in (1, 7) else 1.0 for i in range(10)]
    WeighingEstimator.weighed = []
    leave_one_language_out(documents, WeighingEstimator, n_jobs=1, weights=weights)
    assert WeighingEstimator.weighed == [
        {f"Menu p{i}": weights[i] for i in range(5, 10)},  # de left out: trained on fr
        {f"Menu p{i}": weights[i] for i in range(5)},
    ]

"""The classifier learns: trained on the seed labels, it predicts them back well."""

from __future__ import annotations

import itertools

import numpy as np
from conftest import Labelled
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.thresholds import NEAR_BEST_F1, THRESHOLD_RANGE, best_threshold, near_best_cuts
from cleaner.labels import BOILERPLATE, CONTENT


def counts(model: LineClassifier, documents: list[Labelled]) -> dict[tuple[str, str], int]:
    table = {(gold, guess): 0 for gold in (CONTENT, BOILERPLATE) for guess in (CONTENT, BOILERPLATE)}
    for doc, predicted in zip(documents, model.predict([d.lines for d in documents])):
        for gold, guess in zip(doc.labels, predicted):
            if gold is not None:
                table[gold, guess] += 1
    return table


def test_training_set_accuracy(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    table = counts(trained_model, seed_documents)
    correct = table[CONTENT, CONTENT] + table[BOILERPLATE, BOILERPLATE]
    assert correct / sum(table.values()) > 0.9


def test_keeps_most_content_and_drops_most_boilerplate(
    trained_model: LineClassifier, seed_documents: list[Labelled]
) -> None:
    table = counts(trained_model, seed_documents)
    content_recall = table[CONTENT, CONTENT] / (table[CONTENT, CONTENT] + table[CONTENT, BOILERPLATE])
    dropped = table[BOILERPLATE, BOILERPLATE] / (table[BOILERPLATE, BOILERPLATE] + table[BOILERPLATE, CONTENT])
    assert content_recall > 0.8
    assert dropped > 0.8


def test_every_seed_document_keeps_content(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    for doc in seed_documents:
        cleaned = trained_model.predictor_.clean(doc.text)
        kept_content = [line for line, label in zip(doc.lines, doc.labels) if label == CONTENT and line in cleaned]
        assert len(kept_content) >= 0.7 * doc.labels.count(CONTENT), doc.name


def test_content_scores_above_boilerplate(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    """Independently of the chosen threshold, P(content) ranks content lines above boilerplate."""
    gold, scores = [], []
    for doc, probabilities in zip(seed_documents, trained_model.predict_proba([d.lines for d in seed_documents])):
        for label, score in zip(doc.labels, probabilities):
            if label is not None:
                gold.append(label == CONTENT)
                scores.append(score)
    assert roc_auc_score(gold, scores) > 0.9


def weighted_f1(kept: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    true_positive = float((weights * (kept & (y == 1))).sum())
    wrong = float((weights * (kept != (y == 1))).sum())
    return 2 * true_positive / max(2 * true_positive + wrong, 1e-9)


# Held-out lines as (P(content), label, characters): few distinct P, so that ties are common.
SCORED_LINES = st.lists(
    st.tuples(st.sampled_from([0.05, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95]), st.integers(0, 1), st.integers(1, 400)),
    min_size=2,
    max_size=40,
)


def columns(lines: list[tuple[float, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The probabilities, 0/1 labels and character weights of ``lines``."""
    probabilities, y, weights = (np.asarray(column) for column in zip(*lines))
    return probabilities, y.astype(np.int8), weights.astype(float)


@settings(max_examples=200, deadline=None)
@given(SCORED_LINES)
def test_the_threshold_is_the_best_cut_for_character_weighted_f1(lines: list[tuple[float, int, int]]) -> None:
    """Every line weighs its characters: no cut on P scores a higher weighted F1 than the chosen one
    (lines of equal P stay on the same side of it)."""
    probabilities, y, weights = columns(lines)
    chosen = weighted_f1(probabilities >= best_threshold(probabilities, y, weights), y, weights)
    cuts = [*np.unique(probabilities), 1.1]
    assert chosen >= max(weighted_f1(probabilities >= cut, y, weights) for cut in cuts) - 1e-12


@settings(max_examples=200, deadline=None)
@given(SCORED_LINES)
def test_the_near_best_cuts_hold_the_best_one_and_score_near_it(lines: list[tuple[float, int, int]]) -> None:
    """The range of near-best cuts holds the chosen cut; its two ends score within NEAR_BEST_F1 of
    the best F1, and every cut outside it scores less than that."""
    probabilities, y, weights = columns(lines)
    low, high = near_best_cuts(probabilities, y, weights)
    best_cut = best_threshold(probabilities, y, weights)
    assert low <= best_cut <= high
    best = weighted_f1(probabilities >= best_cut, y, weights)
    for end in (low, high):
        assert weighted_f1(probabilities >= end, y, weights) >= best - NEAR_BEST_F1 - 1e-12
    levels = np.unique(probabilities)
    for cut in [(a + b) / 2 for a, b in itertools.pairwise(levels)] + [levels[0] / 2]:  # each keeps a line or more
        if cut < low or cut > high:
            assert weighted_f1(probabilities >= cut, y, weights) < best - NEAR_BEST_F1 + 1e-12


def test_a_flat_top_gives_a_wide_range_of_near_best_cuts() -> None:
    """Two lines whose class hardly changes F1 either way: keeping or dropping them scores within
    the tolerance, so the range spans the cuts on both sides of them."""
    probabilities = np.array([0.9, 0.7, 0.4, 0.1])
    y = np.array([1, 1, 0, 0], dtype=np.int8)
    weights = np.array([1000, 1000, 1, 1000], dtype=float)
    low, high = near_best_cuts(probabilities, y, weights)
    assert (low, high) == (0.25, 0.55)
    assert near_best_cuts(probabilities, y, weights, tolerance=0.0) == (0.55, 0.55)


def test_long_lines_outweigh_many_short_ones() -> None:
    """Two long content lines at P 0.6 outweigh eight short boilerplate lines at P 0.7: by
    characters, the best cut keeps them all; by lines, it keeps the first line alone."""
    probabilities = np.array([0.9, *[0.7] * 8, 0.6, 0.6, 0.1])
    y = np.array([1, *[0] * 8, 1, 1, 0], dtype=np.int8)
    weights = np.array([300, *[10] * 8, 500, 500, 20], dtype=float)
    assert 0.1 < best_threshold(probabilities, y, weights) <= 0.6
    assert best_threshold(probabilities, y, np.ones(12)) > 0.7


def test_the_chosen_cut_stays_in_its_range(trained_model: LineClassifier) -> None:
    """The cut is the character-F1 optimum when that lies in THRESHOLD_RANGE, else the range's
    nearest end: never above 0.5, where the context stage is undecided."""
    low, high = THRESHOLD_RANGE
    assert high == 0.5
    assert trained_model.threshold_ == min(max(trained_model.f1_threshold_, low), high)
    assert trained_model.predictor_.threshold == trained_model.threshold_


def test_train_reports_a_clipped_threshold_only_when_the_optimum_lies_outside_its_range() -> None:
    # The manifest keeps the optimum rounded to 4 places: a cut inside the range that differs from
    # it only by that rounding was reported as "beyond the range".
    from cleaner.training.train import threshold_note

    inside = threshold_note({"threshold": 0.4223222811305857, "f1_threshold": 0.4223})
    assert inside == "threshold 0.422"
    above = threshold_note({"threshold": 0.5, "f1_threshold": 0.5101})
    assert above.startswith("threshold 0.500; the character-F1 optimum, 0.510, lies beyond")
    assert threshold_note({"threshold": 0.5}) == "threshold 0.500"
    near = threshold_note({"threshold": 0.398, "f1_threshold": 0.398, "near_best_cuts": [0.3751, 0.6012]})
    assert near == "threshold 0.398; cuts from 0.375 to 0.601 score within 0.002 of its held-out F1"

"""The cut on P(content) that ``LineClassifier.fit`` chooses from held-out probabilities: the one
that maximises the content class's character-weighted F1, the range it may fall in, and how wide the
near-best cuts are (how firmly the data choose it). Plain numpy, apart from the estimator, so that
the choice can be tested and reported on its own.
"""

from __future__ import annotations

import numpy as np

# Where the cut chosen by cross-validation may fall. Not above 0.5: with logistic-regression context
# stages (balanced class weights) the character-F1 optimum on held-out sites lay at 0.716 (298 pages,
# 2026-12-03) and gained 0.008 of held-out F1 there, by dropping the lines the model was least sure
# of, most often a page's headline and the article of a script it knows least: a Vietnamese seed
# page lost its headline and a Chinese test page 63% of its article (tests/test_seed_acceptance.py,
# tests/test_unspaced_scripts.py). A lost line is lost for good; a kept one can still be filtered.
# With network stages the optimum is about 0.51. ``--threshold`` sets another cut at prediction.
THRESHOLD_RANGE = (0.25, 0.5)


# How far below its best a cut's held-out F1 may be and still count as as good (near_best_cuts):
# about the run-to-run spread of that F1 between fits that differ in their last bits.
NEAR_BEST_F1 = 0.002


def _f1_by_cut(probabilities: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each possible cut on held-out P(content) (the midpoint between a line and the next less likely
    one) and the character-weighted F1 of the content class it gives: the lines sorted by P, most
    likely content first, each cut keeps a prefix of them. A cut between lines of equal P is no cut
    (a threshold keeps both): its F1 is -1."""
    order = np.argsort(-probabilities, kind="stable")
    weights = np.asarray(weights, dtype=float)[order]
    true_positive = np.cumsum(weights * y[order])
    kept = np.cumsum(weights)
    precision = true_positive / np.maximum(kept, 1e-9)
    recall = true_positive / max(float(true_positive[-1]), 1e-9)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    ranked = probabilities[order]
    f1[:-1][ranked[:-1] == ranked[1:]] = -1.0
    cuts = (ranked + np.append(ranked[1:], 0.0)) / 2
    return cuts, f1


def best_threshold(probabilities: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    """The cut on held-out P(content) that maximises character-weighted F1 of the content class."""
    cuts, f1 = _f1_by_cut(probabilities, y, weights)
    return float(cuts[int(np.argmax(f1))])


def near_best_cuts(
    probabilities: np.ndarray, y: np.ndarray, weights: np.ndarray, tolerance: float = NEAR_BEST_F1
) -> tuple[float, float]:
    """The lowest and highest cut whose held-out F1 is within ``tolerance`` of the best one's.

    The best cut is the argmax of a curve that is often flat at the top: a wide range says that the
    threshold is one draw among equally good ones, and that fits differing in their last bits
    (another seed, a label added) may choose a cut anywhere in it."""
    cuts, f1 = _f1_by_cut(probabilities, y, weights)
    near = cuts[f1 >= f1.max() - tolerance]
    return float(near.min()), float(near.max())

"""The cut on P(content): the one ``LineClassifier.fit`` chooses from held-out probabilities (the
one that maximises the content class's character-weighted F1, the range it may fall in, and how
wide the near-best cuts are: how firmly the data choose it), and the check of a cut where it is
used (:func:`threshold_value`, :func:`model_threshold`). Plain numpy, apart from the estimator, so
that the choice can be tested and reported on its own.

numpy is imported where a cut is chosen, not at the top: the checks are imported with
:mod:`.cleaned` by ``cleaner --help`` and by ``cleaner predict``'s main process, which never
predict, and numpy would add a tenth of a second to their start.
"""

from __future__ import annotations

from numbers import Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from .cleaned import Scorer

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
    import numpy as np

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
    import numpy as np

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


def threshold_value(threshold: object, whose: str = "") -> float:
    """A threshold from 0 to 1, or a ValueError that says so (NaN, compared, is neither below 0 nor
    above 1: it is refused as not ``0 <= t <= 1``); ``whose``: where the value came from, if not
    from the ``threshold`` argument."""
    # Real, not (int, float): a numpy float32 (an array's element) is a number too.
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"threshold: expected a number from 0 to 1{whose}, got {threshold!r}")
    return float(threshold)


def model_threshold(model: Scorer) -> float:
    """The model's own threshold, checked where it is used, as scikit-learn checks parameters (not
    when set): ``model.threshold = 5`` was taken, and cleaning then dropped every line without a
    word (NaN too; -1 kept every line)."""
    return threshold_value(model.threshold, " (the model's own, model.threshold)")

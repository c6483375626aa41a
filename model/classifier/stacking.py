"""The context stages of :class:`~cleaner.classifier.estimator.LineClassifier`: stacked models that
read the previous stage's probabilities in a window around each line, each fitted on out-of-fold
probabilities of the stage before (folds leave whole sites out), so that it learns how that stage
errs on unseen sites rather than how it fits the sites it was trained on; and the held-out
probabilities of the last one, from which the threshold is chosen.

The functions take the estimator, whose parameters they read and whose fitted attributes they set;
``LineClassifier.fit`` calls them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from ..features.batch import LineBatch
from ..features.context import Layers, context_rows, with_extra_inputs
from ..features.headers import IN_MAIN_BLOCK, header_echo
from ..features.lines import BASE_FEATURES
from ..features.topics import page_words, topic_overlap
from .first_stage import Labels
from .thresholds import THRESHOLD_RANGE, best_threshold, near_best_cuts

if TYPE_CHECKING:
    from .estimator import LineClassifier

T = TypeVar("T")


def new_context_stage(estimator: LineClassifier) -> MLPClassifier | LogisticRegression:
    """A new context stage of the estimator's parameters: a small network, or a logistic regression
    with ``stack_hidden=0``."""
    if estimator.stack_hidden:
        return MLPClassifier(
            hidden_layer_sizes=(estimator.stack_hidden,),
            alpha=estimator.stack_alpha,
            max_iter=300,
            random_state=estimator._seed,
        )
    return LogisticRegression(
        C=estimator.stack_C, solver=estimator.stack_solver, max_iter=5000, class_weight="balanced"
    )


def fit_context_stages(
    estimator: LineClassifier,
    documents: list[list[str]],
    labels: Labels,
    groups: list[str],
    n_splits: int,
    batch: LineBatch,
    shape: np.ndarray,
    y: np.ndarray,
    markup: np.ndarray,
    weights: np.ndarray | None = None,
    page_of: list[int] | None = None,
) -> None:
    """Fit ``estimator``'s context stages (appended to its ``context_stages_``), each on the
    held-out probabilities of the stage before, and, when its ``threshold`` is None, choose the cut
    from the last stage's held-out probabilities (``threshold_``, ``f1_threshold_``,
    ``near_best_cuts_``). The arguments are what :meth:`LineClassifier.fit` made of its data."""
    offsets = batch.bounds
    oof = np.zeros(len(y))
    cues = np.zeros(len(y))  # the cue blocks' part of each held-out logit (cue_logit)

    def rows(docs: np.ndarray) -> np.ndarray:
        return np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in docs])

    def held_out_first_stage(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The test documents' first-stage probabilities and cue logits, from a first stage
        fitted on the others."""
        train_rows, test_rows = rows(train), rows(test)
        train_docs = [documents[i] for i in train]
        model = estimator._fit_first_stage(
            train_docs,
            [labels[i] for i in train],
            LineBatch(train_docs),
            shape[train_rows],
            y[train_rows],
            None if weights is None else weights[train_rows],
            None if page_of is None else [page_of[i] for i in train],
        )
        return test_rows, *model.predict_parts(LineBatch([documents[i] for i in test]), shape[test_rows])

    estimator._say(f"fitting {n_splits} first stages on sites left out, for the context stages to learn from")
    folds = GroupKFold(n_splits=n_splits).split(documents, groups=groups)
    for test_rows, probabilities, cue_logits in Parallel(n_jobs=estimator.n_jobs)(
        delayed(in_one_thread(held_out_first_stage))(train, test) for train, test in folds
    ):
        oof[test_rows] = probabilities
        cues[test_rows] = cue_logits
    # Image markup is boilerplate by definition (see is_markup_only): the context stages neither
    # learn from it nor see it in a line's context, so a photo between two paragraphs does not
    # make them look like the end of the article.
    text = ~markup
    line_groups = np.repeat(groups, np.diff(offsets))[text]
    chars = np.expm1(shape[text, BASE_FEATURES.index("chars_log")])
    text_weights = None if weights is None else weights[text]
    if text_weights is not None:
        chars = chars * text_weights
    words = page_words(batch) if estimator.topic_overlap else None
    headers = header_echo(batch, shape[:, IN_MAIN_BLOCK])[text] if estimator.header_echo else None
    for round_ in range(estimator.context_rounds):
        estimator._say(
            f"fitting context stage {round_ + 1} of {estimator.context_rounds} "
            f"(and {n_splits} more on sites left out, for the next stage and the threshold)"
        )
        topics = topic_overlap(np.where(markup, 0.0, oof), words)[text] if words is not None else None
        stacked = context_rows(oof, shape, offsets, markup, page=estimator.span_share)
        stacked = with_extra_inputs(stacked, headers, topics, cues[text] if estimator.cue_logit else None)
        with warnings.catch_warnings():
            # A network trains for at most max_iter epochs, a budget chosen by held-out F1 (the
            # model card's parameters); that Adam's loss still moves at the end is no failure.
            warnings.simplefilter("ignore", ConvergenceWarning)
            stage = new_context_stage(estimator).fit(stacked, y[text], sample_weight=text_weights)
            # Held-out probabilities of this round: the next round's input and the threshold's basis.
            held_out = held_out_stage(estimator, stacked, y[text], text_weights, line_groups, n_splits)
        estimator.context_stages_.append(stage)
        oof = np.zeros(len(y))
        oof[text] = held_out
    if estimator.threshold is None:
        estimator.f1_threshold_ = best_threshold(oof[text], y[text], chars)
        estimator.near_best_cuts_ = near_best_cuts(oof[text], y[text], chars)
        estimator.threshold_ = float(np.clip(estimator.f1_threshold_, *THRESHOLD_RANGE))


def held_out_stage(
    estimator: LineClassifier,
    rows: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None,
    groups: np.ndarray,
    n_splits: int,
) -> np.ndarray:
    """Each row's P(content) from a context stage fitted without its group (scikit-learn's
    ``cross_val_predict`` with ``GroupKFold``, its folds in one thread each; see
    :func:`in_one_thread`)."""

    def fold(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        extra = {} if weights is None else {"sample_weight": weights[train]}
        stage = new_context_stage(estimator).fit(rows[train], y[train], **extra)
        return test, stage.predict_proba(rows[test])[:, 1]

    held_out = np.zeros(len(y))
    folds = GroupKFold(n_splits=n_splits).split(rows, groups=groups)
    for test, probabilities in Parallel(n_jobs=estimator.n_jobs)(
        delayed(in_one_thread(fold))(train, test) for train, test in folds
    ):
        held_out[test] = probabilities
    return held_out


def in_one_thread(function: Callable[..., T]) -> Callable[..., T]:
    """``function`` run with one BLAS thread, in this process or in a joblib worker (which would
    get its share of the machine's cores): floating-point sums then add up in one order, so a fit
    is the same to the last bit whatever ``n_jobs`` and the number of cores. With as many BLAS
    threads as cores, the context stages' weights of ``n_jobs=1`` and ``2`` differed by up to
    6e-10. The products of a fit are small; threads did not make them faster."""

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> T:
        with threadpool_limits(1):
            return function(*args, **kwargs)

    return run


def one_class_fold(
    groups: list[str], offsets: np.ndarray, y: np.ndarray, text: np.ndarray, n_splits: int
) -> tuple[list[str], str] | None:
    """The groups left out by a fold, of the two grouped cross-validations the context stages run
    (first stages on whole documents, then each stage on the lines that are not image markup),
    whose training part holds lines of one class only, and that class ("no" for none); None when
    every fold holds both. scikit-learn cannot fit such a part: "needs samples of at least 2 classes"."""
    line_groups = np.repeat(groups, np.diff(offsets))
    document_of = np.repeat(np.arange(len(groups)), np.diff(offsets))
    trainings = [~np.isin(document_of, test) for _, test in GroupKFold(n_splits=n_splits).split(groups, groups=groups)]
    text_rows = np.flatnonzero(text)
    for _, test in GroupKFold(n_splits=n_splits).split(text_rows, groups=line_groups[text]):
        training = text.copy()
        training[text_rows[test]] = False
        trainings.append(training)
    for training in trainings:
        held = set(y[training].tolist())
        if len(held) < 2:
            left_out = set(line_groups[~training].tolist()) - set(line_groups[training].tolist())
            return sorted(left_out), "content" if held == {1} else "boilerplate" if held == {0} else "no"
    return None


def stage_layers(stage: MLPClassifier | LogisticRegression) -> Layers:
    """A fitted context stage as the predictor's layers (see :data:`cleaner.features.context.Layers`)."""
    if isinstance(stage, LogisticRegression):
        return [(stage.coef_.T, stage.intercept_)]
    return list(zip(stage.coefs_, stage.intercepts_))

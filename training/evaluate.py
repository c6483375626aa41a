"""Grouped cross-validation, leave-one-language-out, and scoring of held-out dumps.

Evaluation never sees what it trained on: cross-validation leaves out whole sites (whole documents
when the data has a single site), leave-one-language-out leaves out a language and every site that
has a page in it, and ``--test`` scores directories the model was not trained on.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from joblib import Parallel, delayed
from sklearn.model_selection import GroupKFold

from ..classifier.estimator import LineClassifier
from ..labels import BOILERPLATE, CONTENT
from ..text import listed, plural
from .devset import SnippetPage
from .labels import LabelledDocument, TooFewLabels
from .metrics import Counts, SnippetCounts, count, count_snippets, total, total_snippets

EstimatorFactory = Callable[[], LineClassifier]
Say = Callable[[str], None]  # where a line of progress goes (cleaner train: stderr)
Predictions = list[list[str | None]]
DEFAULT_FOLDS = 10
# Leave-one-language-out scores a language only when it has this many labelled pages: fewer say
# more about the pages than about the language.
MIN_LANGUAGE_PAGES = 5
# The group of a document whose manifest row has no kind (the column is optional) or no language.
UNSPECIFIED = "(unspecified)"

T = TypeVar("T")


def rounded(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in scores.items()}


def _grouped(counts: dict[str, T]) -> dict[str, T]:
    return dict(sorted(counts.items()))


@dataclass
class Evaluation:
    """Scores of one system on documents with per-line gold: overall, and per document, site,
    language and kind of page (the manifest's optional ``kind``)."""

    system: str
    overall: Counts
    per_document: dict[str, Counts] = field(default_factory=dict)
    per_site: dict[str, Counts] = field(default_factory=dict)
    per_language: dict[str, Counts] = field(default_factory=dict)
    per_kind: dict[str, Counts] = field(default_factory=dict)
    pages_per_language: dict[str, int] = field(default_factory=dict)
    pages_per_kind: dict[str, int] = field(default_factory=dict)
    pages_per_site: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def table(groups: dict[str, Counts], pages: dict[str, int] | None = None) -> dict[str, Any]:
            return {
                name: {**({"pages": pages[name]} if pages else {}), **rounded(c.scores())}
                for name, c in _grouped(groups).items()
            }

        return {
            "system": self.system,
            "overall": rounded(self.overall.scores()),
            "per_language": table(self.per_language, self.pages_per_language),
            "per_kind": table(self.per_kind, self.pages_per_kind),
            "per_site": table(self.per_site, self.pages_per_site),
            "per_document": table(self.per_document),
            "failed": list(self.failed),
        }


def score(
    system: str,
    documents: Sequence[LabelledDocument],
    predictions: Sequence[Sequence[str | None]],
    failed: Sequence[str] = (),
) -> Evaluation:
    """Score predicted labels against the documents' gold labels, summing lines and characters
    over the documents of each group (micro-averages)."""
    evaluation = Evaluation(system, Counts(), failed=list(failed))
    for doc, predicted in zip(documents, predictions):
        counts = count(doc.lines, doc.labels, predicted)
        language, kind, site = doc.language or UNSPECIFIED, doc.kind or UNSPECIFIED, doc.site or doc.name
        evaluation.per_document[doc.name] = counts
        for groups, name in (
            (evaluation.per_site, site),
            (evaluation.per_language, language),
            (evaluation.per_kind, kind),
        ):
            groups[name] = groups.get(name, Counts()) + counts
        evaluation.pages_per_language[language] = evaluation.pages_per_language.get(language, 0) + 1
        evaluation.pages_per_kind[kind] = evaluation.pages_per_kind.get(kind, 0) + 1
        evaluation.pages_per_site[site] = evaluation.pages_per_site.get(site, 0) + 1
    evaluation.overall = total(evaluation.per_document.values())
    return evaluation


def kept_text(lines: Sequence[str], predicted: Sequence[str | None]) -> str:
    """The cleaned dump a system's labels give: its content lines joined by newlines."""
    return "\n".join(line for line, label in zip(lines, predicted) if label == CONTENT)


@dataclass
class SnippetEvaluation:
    """Snippet scores of one system on a snippet-annotated set: overall, per language, per page."""

    system: str
    overall: SnippetCounts
    per_language: dict[str, SnippetCounts] = field(default_factory=dict)
    per_document: dict[str, SnippetCounts] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def table(groups: dict[str, SnippetCounts]) -> dict[str, Any]:
            return {name: snippet_scores(c) for name, c in _grouped(groups).items()}

        return {
            "system": self.system,
            "overall": snippet_scores(self.overall),
            "per_language": table(self.per_language),
            "per_document": table(self.per_document),
            "failed": list(self.failed),
        }


def snippet_scores(counts: SnippetCounts) -> dict[str, Any]:
    """P/R/F1 with the counts they come from, for the JSON results."""
    return {**rounded(counts.scores()), "tp": counts.tp, "fp": counts.fp, "fn": counts.fn, "tn": counts.tn,
            "pages": counts.pages}  # fmt: skip


def score_snippets(
    system: str,
    pages: Sequence[SnippetPage],
    predictions: Sequence[Sequence[str | None]],
    failed: Sequence[str] = (),
) -> SnippetEvaluation:
    """Each page's snippet tests on the lines the system kept, summed over pages (micro-average),
    overall and per page language. A page in ``failed`` must come with no kept line (see
    :func:`predict_each`): it counts as an empty output, as the devset's README says."""
    evaluation = SnippetEvaluation(system, SnippetCounts(), failed=list(failed))
    for page, predicted in zip(pages, predictions):
        counts = count_snippets(kept_text(page.document.lines, predicted), page.with_snippets, page.without_snippets)
        evaluation.per_document[page.name] = counts
        language = page.language or UNSPECIFIED
        evaluation.per_language[language] = evaluation.per_language.get(language, SnippetCounts()) + counts
    evaluation.overall = total_snippets(evaluation.per_document.values())
    return evaluation


SystemPredict = Callable[[Sequence[LabelledDocument]], Sequence[Sequence[str | None]]]


def predict_each(predict: SystemPredict, documents: Sequence[LabelledDocument]) -> tuple[Predictions, list[str]]:
    """``predict(documents)``, and the names of the documents it failed on.

    All at once first (fast); if that raises, one document at a time, and a document whose
    prediction raises gets no content line (an empty output) instead of ending the evaluation: a
    peer's crash on one page is part of its score, not a reason to drop the page for everyone."""
    try:
        predictions = [list(labels) for labels in predict(documents)]
        if len(predictions) == len(documents):
            return predictions, []
    except Exception:
        pass
    predictions, failed = [], []
    for doc in documents:
        try:
            (labels,) = predict([doc])
            predictions.append(list(labels))
        except Exception:
            predictions.append([None] * len(doc.lines))
            failed.append(doc.name)
    return predictions, failed


def cv_groups(documents: Sequence[LabelledDocument]) -> list[str]:
    """Group by site when there are at least two sites, else by document."""
    sites = [doc.site or doc.name for doc in documents]
    return sites if len(set(sites)) >= 2 else [doc.name for doc in documents]


def fit_by_site(estimator: Any, documents: Sequence[LabelledDocument], weights: Sequence[float] | None = None) -> Any:
    """``estimator`` fitted on labelled documents grouped as :func:`cv_groups` says (so that its
    context stages learn from sites left out), each document weighted as ``weights`` says (one per
    document). Unweighted, no ``sample_weight`` is passed: any estimator with ``fit(X, y, groups)``
    will do. Every fit on labelled documents (a fold, a curve point, the shipped model) goes here."""
    extra = {} if weights is None else {"sample_weight": list(weights)}
    return estimator.fit(
        [doc.lines for doc in documents], [doc.labels for doc in documents], groups=cv_groups(documents), **extra
    )


def cv_folds(documents: Sequence[LabelledDocument], folds: int = DEFAULT_FOLDS) -> int:
    """The number of folds actually used: ``folds``, or one per group when there are fewer groups."""
    return min(folds, len(set(cv_groups(documents))))


def cv_scheme(documents: Sequence[LabelledDocument], folds: int = DEFAULT_FOLDS) -> str:
    """How cross-validation splits these documents, in the words the reports and the manifest use,
    e.g. ``10-fold, whole sites left out``."""
    unit = "sites" if len({doc.site or doc.name for doc in documents}) >= 2 else "documents"
    return f"{cv_folds(documents, folds)}-fold, whole {unit} left out"


def _run_with_progress(
    tasks: Sequence[Callable[[], T]],
    n_jobs: int,
    description: str,
    unit: str,
    say: Say | None = None,
    quiet: bool = False,
) -> Iterator[T]:
    """Run ``tasks`` on ``n_jobs`` processes, yielding results as they finish, with a bar on stderr
    when it is a terminal (each task is a model fit of a minute or two), else a line to ``say`` as
    each ends (``cleaner train`` into a log said nothing for minutes); ``quiet``: neither. The bar
    is drawn before the first task starts: with one process, joblib runs it inside the call that
    starts them, and the bar made after that call showed nothing for the first fit's minute."""
    from tqdm import tqdm

    with tqdm(total=len(tasks), desc=description, unit=unit, disable=True if quiet else None, leave=False) as bar:
        results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(delayed(task)() for task in tasks)
        for done, result in enumerate(results, 1):
            bar.update()
            if bar.disable and say is not None and not quiet:  # no bar (no terminal): a line, as a log keeps it
                say(f"{description}: {done} of {plural(len(tasks), unit)} done")
            yield result


FoldPredictions = list[tuple[int, list[str | None]]]


@dataclass
class _Fold:
    """Fit on some documents and predict others (a picklable task for the worker processes)."""

    documents: Sequence[LabelledDocument]
    make_estimator: EstimatorFactory
    train: Sequence[int]
    test: Sequence[int]
    weights: Sequence[float] | None = None  # per document, as the final fit weighs them

    def __call__(self) -> tuple[FoldPredictions, list[Warning]]:
        """The predictions, and the warnings of the fit: raised in a worker process, they would be
        printed there, where the command cannot show them its own way (:func:`_run_folds`)."""
        train = [self.documents[i] for i in self.train]
        weights = None if self.weights is None else [self.weights[i] for i in self.train]
        with warnings.catch_warnings(record=True) as caught:
            model = fit_by_site(self.make_estimator(), train, weights)
        predicted = model.predict([self.documents[i].lines for i in self.test])
        return list(zip(self.test, predicted)), [w.message for w in caught if isinstance(w.message, Warning)]


def _run_folds(
    tasks: Sequence[_Fold], n_jobs: int, description: str, unit: str, say: Say | None = None, quiet: bool = False
) -> Iterator[FoldPredictions]:
    """Each fold's predictions as it finishes; then the folds' warnings, raised again here once each."""
    raised: dict[tuple[type[Warning], str], Warning] = {}
    for predicted, caught in _run_with_progress(tasks, n_jobs, description, unit, say, quiet):
        raised.update(((type(w), str(w)), w) for w in caught)
        yield predicted
    for warning in raised.values():
        warnings.warn(warning, stacklevel=2)


def cross_validation_folds(
    documents: Sequence[LabelledDocument],
    make_estimator: EstimatorFactory,
    folds: int = DEFAULT_FOLDS,
    weights: Sequence[float] | None = None,
) -> list[_Fold]:
    """The folds of :func:`cross_validated_predictions`, unfitted; raises :class:`TooFewLabels`
    when they cannot be fitted (fewer than 2 groups, a fold that trains on one class). Cheap (no
    fit), so that a report can check before it prints a heading: ``cleaner evaluate`` on one page
    printed "1-fold" cross-validation, then refused."""
    groups = cv_groups(documents)
    if len(set(groups)) < 2:
        raise TooFewLabels(
            f"{plural(len(documents), 'labelled page')}, but cross-validation needs at least 2", cross_validation=True
        )
    splitter = GroupKFold(n_splits=cv_folds(documents, folds))
    splits = splitter.split(documents, groups=groups)
    tasks = [_Fold(documents, make_estimator, train, test, weights) for train, test in splits]
    for task in tasks:  # before any fit: each takes a minute or two, and would end in scikit-learn's words
        lacking = lacking_class(documents[i] for i in task.train)
        if lacking is not None:
            left_out = listed(sorted({groups[i] for i in task.test}))
            raise TooFewLabels(
                f"{plural(len(documents), 'labelled page')}, but the cross-validation fold that leaves out "
                f"{left_out} would train on {lacking}",
                cross_validation=True,
            )
    return tasks


def cross_validated_predictions(
    documents: Sequence[LabelledDocument],
    make_estimator: EstimatorFactory,
    n_jobs: int = 1,
    folds: int = DEFAULT_FOLDS,
    weights: Sequence[float] | None = None,
    say: Say | None = None,
    quiet: bool = False,
) -> Predictions:
    """Predict every document with a model trained without its group (its site), each training
    document weighted as ``weights`` says (one per document; None: all alike). Progress: a bar on a
    terminal, else a line to ``say`` per fold done; ``quiet``: neither.

    Grouped k-fold (scikit-learn's ``GroupKFold``, which balances the folds' sizes) rather than
    leaving one site out: with ~150 sites and a fit of a minute or two, one fit per site would take
    hours, and 10 folds still never train on a page of a site they score."""
    tasks = cross_validation_folds(documents, make_estimator, folds, weights)
    if say is not None and not quiet:  # once the folds are known to fit: a refusal is the only line
        say(f"cross-validating ({cv_scheme(documents, folds)})")
    predictions: Predictions = [[] for _ in documents]
    for fold in _run_folds(tasks, n_jobs, "cross-validation", "fold", say, quiet):
        for index, predicted in fold:
            predictions[index] = predicted
    return predictions


def lacking_class(documents: Iterable[LabelledDocument]) -> str | None:
    """What the lines of ``documents`` lack for a fit (content and boilerplate lines both), said as
    what a fit on them would have, or None when they hold both."""
    held = {label for doc in documents for label in doc.labels if label is not None}
    missing = {CONTENT, BOILERPLATE} - held
    if not missing:
        return None
    if not held:
        return "no labelled line, and a fit needs content and boilerplate lines"
    return f"{held.pop()} lines only, and a fit needs {missing.pop()} lines too"


@dataclass
class LanguageOut:
    """One language scored by a model that never saw it (nor any site with a page in it)."""

    language: str
    training_documents: int
    training_sites: int
    evaluation: Evaluation

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "pages": sum(self.evaluation.pages_per_language.values()),
            "sites": len(self.evaluation.per_site),
            "training_documents": self.training_documents,
            "training_sites": self.training_sites,
            **rounded(self.evaluation.overall.scores()),
        }


def languages_to_leave_out(documents: Sequence[LabelledDocument], min_pages: int = MIN_LANGUAGE_PAGES) -> list[str]:
    """Languages with at least ``min_pages`` labelled pages, most pages first."""
    pages: dict[str, int] = {}
    for doc in documents:
        if doc.language:
            pages[doc.language] = pages.get(doc.language, 0) + 1
    return [language for language, n in sorted(pages.items(), key=lambda item: (-item[1], item[0])) if n >= min_pages]


def language_out_split(documents: Sequence[LabelledDocument], language: str) -> tuple[list[int], list[int]]:
    """(training, test) indices: test is the language's pages; training is every page of another
    language whose site has no page in it (a bilingual site's chrome would otherwise leak)."""
    test = [i for i, doc in enumerate(documents) if doc.language == language]
    sites = {documents[i].site or documents[i].name for i in test}
    train = [i for i, doc in enumerate(documents) if doc.language != language and (doc.site or doc.name) not in sites]
    return train, test


def language_out_splits(
    documents: Sequence[LabelledDocument], min_pages: int = MIN_LANGUAGE_PAGES
) -> tuple[dict[str, tuple[list[int], list[int]]], dict[str, str]]:
    """The (training, test) split of each language to score, most pages first, and why each other
    language is not scored, for the report to say so (fewer than ``min_pages`` pages, or no page to
    train on). Raises :class:`TooFewLabels` when a training part holds lines of one class: the
    estimator would refuse it in its own words, at its fit, after a cross-validation's worth of fits."""
    splits: dict[str, tuple[list[int], list[int]]] = {}
    skipped: dict[str, str] = {}
    for language in languages_to_leave_out(documents, min_pages=1):
        train, test = language_out_split(documents, language)
        if len(test) < min_pages:
            skipped[language] = f"{plural(len(test), 'labelled page')} (a language is scored from {min_pages})"
        elif not train:
            skipped[language] = f"no page to train on (pages in other languages, on sites without a page in {language})"
        elif (lacking := lacking_class(documents[i] for i in train)) is not None:
            raise TooFewLabels(
                f"{plural(len(documents), 'labelled page')}, but the leave-one-language-out fit that leaves out "
                f"{language} (its pages and sites) would train on {lacking}"
            )
        else:
            splits[language] = (train, test)
    return splits, skipped


class NoLanguageToLeaveOut(ValueError):
    """No language can be left out for ``--leave-one-language-out``: a usage error, said before any fit."""


def require_language_to_leave_out(
    documents: Sequence[LabelledDocument], min_pages: int = MIN_LANGUAGE_PAGES
) -> dict[str, str]:
    """Why each language that :func:`leave_one_language_out` does not score is not scored, or
    :class:`NoLanguageToLeaveOut` when it would score none. Checked before the cross-validation:
    said after it, "no language has 5 pages and others" came with exit 0 after all its fits (13
    minutes on labels/)."""
    splits, skipped = language_out_splits(documents, min_pages)
    if not splits:
        reasons = [f"{language} has {why}" for language, why in skipped.items()] or ["no page has a language"]
        raise NoLanguageToLeaveOut(
            f"no language to leave out: {listed(reasons)}; --leave-one-language-out needs a language with "
            f"{min_pages} or more labelled pages and pages in other languages, on other sites, to train on: "
            "label pages in more languages, or drop --leave-one-language-out"
        )
    return skipped


def leave_one_language_out(
    documents: Sequence[LabelledDocument],
    make_estimator: EstimatorFactory,
    n_jobs: int = 1,
    min_pages: int = MIN_LANGUAGE_PAGES,
    weights: Sequence[float] | None = None,
) -> list[LanguageOut]:
    """For each language with at least ``min_pages`` pages, train on the others (each document
    weighted as ``weights`` says, as in :func:`cross_validated_predictions`) and score it: how the
    model does on a language it has never been trained on."""
    splits, _ = language_out_splits(documents, min_pages)  # the report says what is skipped, and why
    tasks = [_Fold(documents, make_estimator, train, test, weights) for train, test in splits.values()]
    predictions: Predictions = [[] for _ in documents]
    for fold in _run_folds(tasks, n_jobs, "leave one language out", "language"):
        for index, predicted in fold:
            predictions[index] = predicted
    results = []
    for language, (train, test) in splits.items():
        evaluation = score(language, [documents[i] for i in test], [predictions[i] for i in test])
        trained_sites = {documents[i].site or documents[i].name for i in train}
        results.append(LanguageOut(language, len(train), len(trained_sites), evaluation))
    return results

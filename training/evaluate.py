"""Grouped cross-validation and scoring of held-out dumps.

Evaluation never sees what it trained on: cross-validation leaves out whole sites (whole documents
when the data has a single site), and ``--test`` scores a directory the model was not trained on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from joblib import Parallel, delayed
from sklearn.model_selection import LeaveOneGroupOut

from cleaner.classifier.estimator import LineClassifier
from cleaner.training.labels import LabelledDocument
from cleaner.training.metrics import Counts, count, total

EstimatorFactory = Callable[[], LineClassifier]


@dataclass
class Evaluation:
    """Scores of one system on a set of documents: overall, and per document and per site."""

    system: str
    overall: Counts
    per_document: dict[str, Counts] = field(default_factory=dict)
    per_site: dict[str, Counts] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "system": self.system,
            "overall": rounded(self.overall.scores()),
            "per_site": {site: rounded(c.scores()) for site, c in sorted(self.per_site.items())},
            "per_document": {name: rounded(c.scores()) for name, c in sorted(self.per_document.items())},
        }


def rounded(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in scores.items()}


def score(
    system: str, documents: Sequence[LabelledDocument], predictions: Sequence[Sequence[str | None]]
) -> Evaluation:
    """Score predicted labels against the documents' gold labels."""
    per_document: dict[str, Counts] = {}
    per_site: dict[str, Counts] = {}
    for doc, predicted in zip(documents, predictions):
        counts = count(doc.lines, doc.labels, predicted)
        per_document[doc.name] = counts
        per_site[doc.site or doc.name] = per_site.get(doc.site or doc.name, Counts()) + counts
    return Evaluation(system, total(per_document.values()), per_document, per_site)


def cv_groups(documents: Sequence[LabelledDocument]) -> list[str]:
    """Leave one site out when there are at least two sites, else one document."""
    sites = [doc.site or doc.name for doc in documents]
    return sites if len(set(sites)) >= 2 else [doc.name for doc in documents]


def cross_validated_predictions(
    documents: Sequence[LabelledDocument],
    make_estimator: EstimatorFactory,
    n_jobs: int = 1,
) -> list[list[str | None]]:
    """Predict every document with a model trained without its group (its site)."""
    groups = cv_groups(documents)
    if len(set(groups)) < 2:
        raise ValueError("cross-validation needs at least two labelled documents")
    splits = list(LeaveOneGroupOut().split(documents, groups=groups))

    def run(train: Sequence[int], test: Sequence[int]) -> list[tuple[int, list[str | None]]]:
        model = make_estimator().fit(
            [documents[i].lines for i in train],
            [documents[i].labels for i in train],
            groups=[groups[i] for i in train],
        )
        predicted = model.predict([documents[i].lines for i in test])
        return list(zip(test, predicted))

    from tqdm import tqdm

    results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
        delayed(run)(train, test) for train, test in splits
    )
    predictions: list[list[str | None]] = [[] for _ in documents]
    # A bar on stderr when it is a terminal (disable=None): cross-validation takes minutes.
    for fold in tqdm(results, total=len(splits), desc="cross-validation", unit="fold", disable=None, leave=False):
        for index, predicted in fold:
            predictions[index] = predicted
    return predictions


def format_table(evaluations: Sequence[Evaluation], by: str = "overall") -> str:
    """A plain-text table of content-class scores; ``by`` is overall, site or document."""
    header = f"{'system':<34} {'group':<28} {'C lines':>7} {'char P':>7} {'char R':>7} {'char F1':>7} {'line F1':>7}"
    rows = [header, "-" * len(header)]
    for evaluation in evaluations:
        groups: dict[str, Counts]
        if by == "site":
            groups = evaluation.per_site
        elif by == "document":
            groups = evaluation.per_document
        else:
            groups = {"(all)": evaluation.overall}
        for name, counts in sorted(groups.items()):
            s = counts.scores()
            n = counts.tp + counts.fn
            rows.append(
                f"{evaluation.system:<34} {name[:28]:<28} {n:>7} {s['char_p']:>7.3f} {s['char_r']:>7.3f} "
                f"{s['char_f1']:>7.3f} {s['line_f1']:>7.3f}"
            )
    return "\n".join(rows)


def format_side_by_side(evaluations: Sequence[Evaluation], by: str = "site") -> str:
    """One row per site (or document), one column per system: content char F1 / line F1."""
    header = f"{by:<30}" + "".join(f" {e.system[:22]:>22}" for e in evaluations)
    rows = [header, f"{'':<30}" + "".join(f" {'char F1 / line F1':>22}" for _ in evaluations), "-" * len(header)]
    groups = sorted(evaluations[0].per_site if by == "site" else evaluations[0].per_document)
    for name in groups:
        cells = []
        for evaluation in evaluations:
            counts = (evaluation.per_site if by == "site" else evaluation.per_document)[name]
            s = counts.scores()
            cell = f"{s['char_f1']:.3f} / {s['line_f1']:.3f}"
            cells.append(f" {cell:>22}")
        rows.append(f"{name[:30]:<30}" + "".join(cells))
    return "\n".join(rows)

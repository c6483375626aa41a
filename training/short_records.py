"""Short records by site: ``make eval-short`` (``python -m cleaner.training.short_records``).

Corpora hold short records as well as whole pages: a forum post, a product blurb, a JSONL field
with one paragraph between two chrome lines. Labelled pages are whole pages, so this cuts excerpts
from them (:func:`cleaner.classifier.augment.excerpts`, half led by an article line and half by a
chrome line) and scores them by cross-validation: each fold's model, trained without the site,
cleans the excerpts of that site's pages. It prints, for the shipped configuration and for the
same without training excerpts, character P/R/F1 of the content class over the excerpts, how many
excerpts holding article text came out empty, and the share of chrome-only excerpts' characters
kept. Whole pages are scored too, as ``cleaner evaluate`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from joblib import Parallel, delayed
from sklearn.model_selection import GroupKFold

from ..classifier.augment import excerpts
from ..cli.help_format import WidthAwareCommand
from ..labels import CONTENT
from .evaluate import DEFAULT_FOLDS, cv_folds, cv_groups, score
from .labels import LabelledDocument
from .metrics import count, total
from .report_options import JOBS, JobsOption, LabelsOption, SetOption, report_inputs
from .script_app import script_app
from .train import fit_documents, make_estimator

PER_PAGE = 3
SEED = 7


def _fold(
    documents: Sequence[LabelledDocument], train: Sequence[int], test: Sequence[int], params: dict[str, Any]
) -> tuple[list[tuple[int, list[str | None]]], list[tuple[list[str], list[str | None], list[str | None]]]]:
    """Fit without the test sites; predict their pages and excerpts of them."""
    fitted = [documents[i] for i in train]
    model = fit_documents(fitted, make_estimator().set_params(**params))
    tested = [documents[i] for i in test]
    pages = model.predict([doc.lines for doc in tested])
    _, lines, labels = excerpts(
        [doc.lines for doc in tested], [doc.labels for doc in tested], PER_PAGE * len(tested), SEED, chrome_share=0.5
    )
    return list(zip(test, pages)), list(zip(lines, labels, model.predict(lines)))


def measure(documents: Sequence[LabelledDocument], params: dict[str, Any], n_jobs: int = 1) -> dict[str, Any]:
    """Whole-page and excerpt figures of one configuration, by grouped cross-validation."""
    groups = cv_groups(documents)
    splitter = GroupKFold(n_splits=cv_folds(documents, DEFAULT_FOLDS))
    folds = Parallel(n_jobs=n_jobs)(
        delayed(_fold)(documents, train, test, params) for train, test in splitter.split(documents, groups=groups)
    )
    pages: list[list[str | None]] = [[] for _ in documents]
    records = []
    for page_predictions, excerpt_predictions in folds:
        for index, predicted in page_predictions:
            pages[index] = predicted
        records.extend(excerpt_predictions)
    with_article = [r for r in records if CONTENT in r[1]]
    chrome = [r for r in records if CONTENT not in r[1]]
    chrome_chars = sum(len(line) for lines, _, _ in chrome for line in lines)
    chrome_kept = sum(len(line) for lines, _, kept in chrome for line, k in zip(lines, kept) if k == CONTENT)
    return {
        "pages": score("pages", documents, pages).overall.scores(),
        "excerpts": total(count(*record) for record in records).scores(),
        "excerpts with article text": len(with_article),
        "emptied": sum(CONTENT not in kept for _, _, kept in with_article),
        "chrome-only excerpts": len(chrome),
        "chrome chars kept": chrome_kept / chrome_chars if chrome_chars else 0.0,
    }


app = script_app()


@app.command(cls=WidthAwareCommand, help=__doc__.split("\n\n")[0])
def main(labels: LabelsOption = None, jobs: JobsOption = JOBS, overrides: SetOption = None) -> None:
    documents, params = report_inputs(labels, overrides)
    shipped = "shipped" if not params else "shipped with --set " + ", ".join(f"{k}={v}" for k, v in params.items())
    for name, changed in ((shipped, {}), ("without training excerpts", {"excerpts": 0.0})):
        found = measure(documents, {**params, **changed}, jobs)
        pages, short = found["pages"], found["excerpts"]
        print(
            f"{name}: pages char F1 {pages['char_f1']:.3f}; excerpts char P/R/F1"
            f" {short['char_p']:.3f}/{short['char_r']:.3f}/{short['char_f1']:.3f},"
            f" emptied {found['emptied']} of {found['excerpts with article text']} with article text,"
            f" {found['chrome chars kept']:.0%} of chrome-only excerpts' characters kept"
        )


if __name__ == "__main__":
    app()

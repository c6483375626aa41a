"""Pages inside more chrome, or less: ``make eval-surrounded`` (``python -m cleaner.training.surroundings``).

The pages of ``labels/`` are two to three times shorter than real dumps (a median of 67 to 97
non-blank lines, against 155 to 178 in ``../shared/devset``): real sites print longer menus, more
teaser lists and longer footers. On short pages the document's edges and the chrome coincide, so a
model may learn "chrome sits at the edges" instead of what chrome is, and keep a page's own menu or
footer once more chrome lies beyond it.

This measures that on the labelled pages alone, by cross-validation grouped by site: each fold's
model, trained without the site, cleans every test page as it is and surrounded, with the chrome of
up to :data:`DONORS` other test pages (another site, the same language where one is at hand; chrome
is everything above a page's first content line and below its last) above it, below it, or both.
A fold whose test pages are all of one site (few sites in all) borrows its donors from the training
pages, whose chrome the model has seen; a page with no other site at all stays as it is. Both
counts are printed with the figures.
Only the page's own lines are scored, so the added chrome is neither counted nor counted twice:
the same lines with the same labels, in other company. It prints the content class's character
P/R/F1 and the characters of the page's own boilerplate kept, for each surrounding.

The other way round, many dumps begin or end at the article: a record cut short, an extractor's
output with some chrome left, a field holding the article and what follows it. So each page is also
cleaned with its own chrome above its first content line cut off, below its last, or both (the
article alone, with whatever boilerplate lies inside it), and its remaining lines scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import GroupKFold

from ..classifier.augment import split_page, without_chrome
from ..cli.help_format import WidthAwareCommand
from .evaluate import DEFAULT_FOLDS, cv_folds, cv_groups
from .labels import LabelledDocument
from .metrics import Counts, count, total
from .report_options import JOBS, JobsOption, LabelsOption, SetOption, report_inputs
from .script_app import script_app
from .train import fit_documents, make_estimator

DONORS = 2
SEED = 11
# On one side of the page, instead of donors' chrome: the page's own chrome cut off.
CUT = -1
# Where the donors' chrome goes: (donor tops above the page, donor bottoms below it), or CUT.
SURROUNDINGS = {
    "as it is": (0, 0),
    "chrome above": (DONORS, 0),
    "chrome below": (0, DONORS),
    "both": (DONORS, DONORS),
    "no chrome above": (CUT, 0),
    "no chrome below": (0, CUT),
    "the article alone": (CUT, CUT),
}


def surround(
    page: LabelledDocument, donors: Sequence[LabelledDocument], above: int, below: int
) -> tuple[list[str], list[str | None], slice]:
    """``page`` with the chrome tops of the first ``above`` donors before it and the chrome
    bottoms of the first ``below`` after it, or with its own chrome on that side cut off where
    ``above`` or ``below`` is :data:`CUT`: the lines, labels, and where the page's own lines lie."""
    lines: list[str] = []
    labels: list[str | None] = []
    for donor in donors[: max(above, 0)]:
        top = split_page(donor.lines, donor.labels)[0]
        lines += donor.lines[top]
        labels += donor.labels[top]
    kept = without_chrome(page.lines, page.labels, above == CUT, below == CUT)
    own = slice(len(lines), len(lines) + len(page.lines[kept]))
    lines += page.lines[kept]
    labels += page.labels[kept]
    for donor in donors[: max(below, 0)]:
        bottom = split_page(donor.lines, donor.labels)[2]
        lines += donor.lines[bottom]
        labels += donor.labels[bottom]
    return lines, labels, own


def pick_donors(
    page: LabelledDocument, candidates: Sequence[LabelledDocument], rng: np.random.Generator
) -> list[LabelledDocument]:
    """Up to :data:`DONORS` pages of other sites among ``candidates``, of the page's language if
    any are."""
    others = [doc for doc in candidates if doc.site != page.site]
    same_language = [doc for doc in others if doc.language == page.language]
    pool = same_language or others
    if not pool:
        return []
    return [pool[i] for i in rng.choice(len(pool), size=min(DONORS, len(pool)), replace=False)]


def _fold(
    documents: Sequence[LabelledDocument], train: Sequence[int], test: Sequence[int], params: dict[str, Any]
) -> tuple[dict[str, Counts], int, int]:
    """Fit without the test sites; count each test page's own lines in every surrounding. Also
    returns how many test pages borrowed their donors from the training pages, and how many found
    none (no page of another site)."""
    fitted = [documents[i] for i in train]
    model = fit_documents(fitted, make_estimator().set_params(**params))
    tested = [documents[i] for i in test]
    rng = np.random.default_rng([SEED, *sorted(test)[:1]])
    counts: dict[str, list[Counts]] = {name: [] for name in SURROUNDINGS}
    borrowed = alone = 0
    for page in tested:
        donors = pick_donors(page, tested, rng)
        if not donors:
            donors = pick_donors(page, fitted, rng)
            borrowed += bool(donors)
            alone += not donors
        for name, (above, below) in SURROUNDINGS.items():
            lines, labels, own = surround(page, donors, above, below)
            predicted = model.predict([lines])[0][own]
            counts[name].append(count(lines[own], labels[own], predicted))
    return {name: total(found) for name, found in counts.items()}, borrowed, alone


def measure(
    documents: Sequence[LabelledDocument], params: dict[str, Any], n_jobs: int = 1
) -> tuple[dict[str, Counts], int, int]:
    """Per surrounding, the counts of the pages' own lines, summed over the folds; how many pages
    were surrounded by training pages' chrome, and how many by none (see the module's docstring)."""
    splitter = GroupKFold(n_splits=cv_folds(documents, DEFAULT_FOLDS))
    folds = Parallel(n_jobs=n_jobs)(
        delayed(_fold)(documents, train, test, params)
        for train, test in splitter.split(documents, groups=cv_groups(documents))
    )
    found = {name: total(counts[name] for counts, _, _ in folds) for name in SURROUNDINGS}
    return found, sum(fold[1] for fold in folds), sum(fold[2] for fold in folds)


app = script_app()


@app.command(cls=WidthAwareCommand, help=__doc__.split("\n\n")[0])
def main(labels: LabelsOption = None, jobs: JobsOption = JOBS, overrides: SetOption = None) -> None:
    documents, params = report_inputs(labels, overrides)
    found, borrowed, alone = measure(documents, params, jobs)
    print(
        f"{len(documents)} pages; {borrowed} surrounded by chrome of training pages (their fold had one site),"
        f" {alone} left as they are (no page of another site)"
    )
    base = found["as it is"].fp_chars
    for name, counts in found.items():
        scores = counts.scores()
        added = CUT not in SURROUNDINGS[name]  # the same own boilerplate as the page as it is
        ratio = f" ({counts.fp_chars / base:.2f}x as it is)" if base and added else ""
        print(
            f"{name}: the pages' own lines, char P/R/F1 {scores['char_p']:.3f}/{scores['char_r']:.3f}/"
            f"{scores['char_f1']:.3f}; own boilerplate kept: {counts.fp_chars:,} characters{ratio}"
        )


if __name__ == "__main__":
    app()

"""The evaluation reports' plain-text tables: scores per system and group, systems side by side,
leave-one-language-out, and the devset's snippet scores (:mod:`cleaner.training.evaluate` computes
what they show)."""

from __future__ import annotations

from collections.abc import Sequence

from .evaluate import Evaluation, LanguageOut, SnippetEvaluation
from .metrics import Counts


def format_table(evaluations: Sequence[Evaluation], by: str = "overall") -> str:
    """A plain-text table of content-class scores; ``by`` is overall, site, document, language or kind.
    The group column is as wide as its longest name (at least 28 characters): cut to 28, two sites
    of one long domain read alike."""
    grouped = [(evaluation, *_groups(evaluation, by)) for evaluation in evaluations]
    width = max([28, *(len(name) for _, groups, _ in grouped for name in groups)])
    systems = _system_width(evaluations)
    header = (
        f"{'system':<{systems}} {'group':<{width}} {'pages':>5} {'C lines':>7} {'char P':>7} {'char R':>7} "
        f"{'char F1':>7} {'line P':>7} {'line R':>7} {'line F1':>7}"
    )
    rows = [header, "-" * len(header)]
    for evaluation, groups, pages in grouped:
        for name, counts in sorted(groups.items()):
            s = counts.scores()
            n = counts.tp + counts.fn
            # Precision of a system that keeps nothing is undefined: "-", where 1.000 read as perfect.
            char_p = _score(s["char_p"], counts.tp_chars + counts.fp_chars)
            line_p = _score(s["line_p"], counts.tp + counts.fp)
            rows.append(
                f"{evaluation.system:<{systems}} {name:<{width}} {pages.get(name, ''):>5} {n:>7} "
                f"{char_p:>7} {s['char_r']:>7.3f} {s['char_f1']:>7.3f} "
                f"{line_p:>7} {s['line_r']:>7.3f} {s['line_f1']:>7.3f}"
            )
    return "\n".join(rows)


def _score(value: float, kept: int) -> str:
    """A precision as a table shows it: three decimals, or "-" when nothing was kept (undefined)."""
    return f"{value:.3f}" if kept else "-"


def _column(evaluations: Sequence[Evaluation | SnippetEvaluation], least: int = 22) -> int:
    """A system's column in a side-by-side table: as wide as the longest system name, at least
    ``least`` (cut to 22, "C4 line rule (datatrove)" read "C4 line rule (datatrov")."""
    return max([least, *(len(evaluation.system) for evaluation in evaluations)])


def _system_width(evaluations: Sequence[Evaluation | SnippetEvaluation]) -> int:
    """The system column's width: its longest name, at least 34 (cut to 34, the ablations' names
    lost what they changed: "with one context stage instead of")."""
    return max([34, *(len(evaluation.system) for evaluation in evaluations)])


def _groups(evaluation: Evaluation, by: str) -> tuple[dict[str, Counts], dict[str, int]]:
    if by == "site":
        return evaluation.per_site, evaluation.pages_per_site
    if by == "document":
        return evaluation.per_document, {}
    if by == "language":
        return evaluation.per_language, evaluation.pages_per_language
    if by == "kind":
        return evaluation.per_kind, evaluation.pages_per_kind
    return {"(all)": evaluation.overall}, {"(all)": len(evaluation.per_document)}


def format_side_by_side(evaluations: Sequence[Evaluation], by: str = "site") -> str:
    """One row per site (or document), one column per system: content char F1 / line F1."""
    column = _column(evaluations)
    header = f"{by:<30}" + "".join(f" {e.system:>{column}}" for e in evaluations)
    rows = [header, f"{'':<30}" + "".join(f" {'char F1 / line F1':>{column}}" for _ in evaluations), "-" * len(header)]
    for name in sorted(_groups(evaluations[0], by)[0]):
        cells = []
        for evaluation in evaluations:
            s = _groups(evaluation, by)[0][name].scores()
            cell = f"{s['char_f1']:.3f} / {s['line_f1']:.3f}"
            cells.append(f" {cell:>{column}}")
        rows.append(f"{name[:30]:<30}" + "".join(cells))
    return "\n".join(rows)


def format_language_out(results: Sequence[LanguageOut]) -> str:
    """The leave-one-language-out table: language, pages, char and line P/R/F1."""
    header = (
        f"{'language':<10} {'pages':>5} {'sites':>5} {'trained on':>10} {'char P':>7} {'char R':>7} {'char F1':>7} "
        f"{'line P':>7} {'line R':>7} {'line F1':>7}"
    )
    rows = [header, "-" * len(header)]
    for result in results:
        row = result.as_dict()
        rows.append(
            f"{result.language:<10} {row['pages']:>5} {row['sites']:>5} {row['training_documents']:>10} "
            f"{row['char_p']:>7.3f} {row['char_r']:>7.3f} {row['char_f1']:>7.3f} "
            f"{row['line_p']:>7.3f} {row['line_r']:>7.3f} {row['line_f1']:>7.3f}"
        )
    return "\n".join(rows)


def format_snippet_table(evaluations: Sequence[SnippetEvaluation], by: str = "overall") -> str:
    """Snippet P/R/F1 per system, overall or per language (``by``), with the counts behind them."""
    systems = _system_width(evaluations)
    names = [name for e in evaluations for name in (e.per_language if by == "language" else {"(all)": 0})]
    width = max([14, *(len(name) for name in names)])
    header = (
        f"{'system':<{systems}} {'group':<{width}} {'pages':>5} {'tp':>5} {'fp':>5} {'fn':>5} {'tn':>5} "
        f"{'P':>6} {'R':>6} {'F1':>6} {'failed':>6}"
    )
    rows = [header, "-" * len(header)]
    for evaluation in evaluations:
        groups = evaluation.per_language if by == "language" else {"(all)": evaluation.overall}
        for name, c in sorted(groups.items()):
            s = c.scores()
            failed = len(evaluation.failed) if by != "language" else ""
            rows.append(
                f"{evaluation.system:<{systems}} {name:<{width}} {c.pages:>5} {c.tp:>5} {c.fp:>5} {c.fn:>5} {c.tn:>5} "
                f"{s['p']:>6.3f} {s['r']:>6.3f} {s['f1']:>6.3f} {failed:>6}"
            )
    return "\n".join(rows)


def format_snippet_side_by_side(evaluations: Sequence[SnippetEvaluation]) -> str:
    """One row per language, one column per system: snippet F1."""
    column = _column(evaluations)
    width = max([10, *(len(name) for name in evaluations[0].per_language)])
    header = f"{'language':<{width}} {'pages':>5}" + "".join(f" {e.system:>{column}}" for e in evaluations)
    rows = [header, f"{'':<{width + 6}}" + "".join(f" {'F1':>{column}}" for _ in evaluations), "-" * len(header)]
    for name, counts in sorted(evaluations[0].per_language.items()):
        cells = "".join(f" {e.per_language[name].scores()['f1']:>{column}.3f}" for e in evaluations)
        rows.append(f"{name:<{width}} {counts.pages:>5}" + cells)
    return "\n".join(rows)

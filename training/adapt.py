"""``cleaner evaluate --adapt``: how many labelled pages of a new site does it take to clean that site?

The promise of a trainable cleaner is that a user can teach it their own sites. This measures it on
``labels/``: for every site with at least ``min_pages`` labelled pages, a model is trained on all
the other sites plus ``k`` pages of that site (k = 0, 1, 2, 3) and scores that site's remaining
pages. The pages scored are the same at every k (those after the first ``max(ks)`` of a fixed
shuffle of the site's pages), so that the curve compares like with like: only what the model was
taught changes along it, never the test.

Each (site, k) is one full fit of the shipped configuration, the cost that dominates: at 71 pages
a fit takes about 20 s on one core, at about 240 pages one to two minutes. So the work is bounded:
only sites with enough pages, k up to 3, ``sites`` to sample fewer of them, ``n_jobs`` fits at
once; the cost (fits, CPU and wall seconds) is reported with the curve.

The site's own pages are weighted ``weight`` times in the fit (they play the part of the pages a
user labels of their own site: see ``user_weight`` in :mod:`cleaner.training.train`), so one run
can measure the curve with and without that weight.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .evaluate import fit_by_site, score
from .extras import install_hint
from .labels import LabelledDocument
from .metrics import Counts, total
from .outputs import save_figure

TARGET = 0.98
KS = (0, 1, 2, 3)
MIN_PAGES = 4
Echo = Callable[[str], None]


class NoSiteToAdapt(ValueError):
    """No site has enough labelled pages for ``--adapt``: a usage error, said before any fit."""


def require_eligible_site(documents: Sequence[LabelledDocument], min_pages: int = MIN_PAGES) -> None:
    """:class:`NoSiteToAdapt` when no site of ``documents`` has ``min_pages`` pages. Checked before
    the cross-validation: said after it, the error came tens of minutes late with --plus-shipped."""
    if not eligible_sites(documents, min_pages):
        raise NoSiteToAdapt(
            f"no site has {min_pages} or more labelled pages; --adapt needs at least one (it teaches a site "
            f"1 to {min_pages - 1} of its pages and scores the rest): label more pages of a site, or drop --adapt"
        )


def eligible_sites(documents: Sequence[LabelledDocument], min_pages: int = MIN_PAGES) -> list[str]:
    """Sites with at least ``min_pages`` labelled pages, sorted."""
    pages: dict[str, int] = {}
    for doc in documents:
        pages[doc.site] = pages.get(doc.site, 0) + 1
    return sorted(site for site, n in pages.items() if n >= min_pages)


def plan(
    documents: Sequence[LabelledDocument],
    ks: Sequence[int] = KS,
    min_pages: int = MIN_PAGES,
    sites: int | None = None,
    random_state: int = 0,
) -> dict[str, tuple[list[int], list[int]]]:
    """Per chosen site: (its pages in teaching order, the pages scored), as indices of ``documents``.

    The site's pages are shuffled once (seeded); the first ``max(ks)`` are taught in that order (k = 1
    teaches the first, k = 2 the first two...), the rest are scored at every k. ``sites`` samples that
    many of the eligible sites (seeded), for a cheaper run.
    """
    if min_pages <= max(ks):
        raise ValueError(f"sites need more pages ({min_pages}) than the largest k ({max(ks)}) to leave one to score")
    rng = np.random.default_rng(random_state)
    chosen = eligible_sites(documents, min_pages)
    if sites is not None and sites < len(chosen):
        chosen = sorted(rng.choice(chosen, size=sites, replace=False).tolist())
    result = {}
    for site in chosen:
        pages = [i for i, doc in enumerate(documents) if doc.site == site]
        order = [pages[i] for i in rng.permutation(len(pages))]
        result[site] = (order[: max(ks)], order[max(ks) :])
    return result


def _fit_and_score(
    documents: Sequence[LabelledDocument],
    site: str,
    taught: list[int],
    scored: list[int],
    make_estimator: Callable[[], Any],
    weight: float,
) -> dict[str, Any]:
    """One point of the curve: train on every other site plus ``taught``, score ``scored``."""
    started, cpu = time.perf_counter(), time.process_time()
    train = [doc for doc in documents if doc.site != site] + [documents[i] for i in taught]
    weights = [weight if doc.site == site else 1.0 for doc in train] if weight != 1.0 else None
    model = fit_by_site(make_estimator(), train, weights)
    test = [documents[i] for i in scored]
    predictions = model.predict([doc.lines for doc in test])
    evaluation = score("adapt", test, predictions)
    return {
        "site": site,
        "k": len(taught),
        "counts": evaluation.overall,
        "errors": seen_errors([documents[i] for i in taught], test, predictions),
        "pages": {name: counts.scores()["char_f1"] for name, counts in evaluation.per_document.items()},
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
    }


def seen_errors(
    taught: Sequence[LabelledDocument], test: Sequence[LabelledDocument], predictions: Sequence[Sequence[str | None]]
) -> dict[str, int]:
    """The wrong lines of the scored pages, and how many of them (and of their characters) occur
    word for word in the taught pages of the site: the share a memory of the site's repeated lines
    (menus, footers, recurring lists) could fix at best."""
    seen = {line.strip() for doc in taught for line, label in zip(doc.lines, doc.labels) if label is not None}
    errors = {"lines": 0, "chars": 0, "seen_lines": 0, "seen_chars": 0}
    for doc, predicted in zip(test, predictions):
        for line, gold, guess in zip(doc.lines, doc.labels, predicted):
            if gold is None or gold == guess:
                continue
            chars = len(line.strip())
            errors["lines"] += 1
            errors["chars"] += chars
            if line.strip() in seen:
                errors["seen_lines"] += 1
                errors["seen_chars"] += chars
    return errors


def adaptation_curve(
    documents: Sequence[LabelledDocument],
    make_estimator: Callable[[], Any],
    ks: Sequence[int] = KS,
    min_pages: int = MIN_PAGES,
    sites: int | None = None,
    weight: float = 1.0,
    n_jobs: int = 1,
    random_state: int = 0,
    echo: Echo = print,
) -> dict[str, Any]:
    """The adaptation curve: per site and k, the content char/line F1 of the site's scored pages.

    Returns ``{"ks", "weight", "per_site": {site: {k: scores}}, "mean": {k: ...}, "cost": ...}`` where
    ``mean`` averages the sites' char F1 (each site counts once, however many pages it has) and counts
    the sites at or above :data:`TARGET`.
    """
    from joblib import Parallel, delayed

    require_eligible_site(documents, min_pages)
    chosen = plan(documents, ks, min_pages, sites, random_state)
    jobs = [(site, taught[:k], scored) for site, (taught, scored) in chosen.items() for k in ks]
    echo(
        f"{len(chosen)} sites with >= {min_pages} pages, k = {', '.join(map(str, ks))}: {len(jobs)} fits "
        f"({n_jobs} at once), site pages weighted {weight:g}"
    )
    started = time.perf_counter()
    results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
        delayed(_fit_and_score)(documents, site, taught, scored, make_estimator, weight)
        for site, taught, scored in jobs
    )
    per_site: dict[str, dict[int, dict[str, Any]]] = {site: {} for site in chosen}
    fit_seconds = []
    for done, result in enumerate(results, 1):
        scores = result["counts"].scores()
        per_site[result["site"]][result["k"]] = {
            "char_f1": scores["char_f1"],
            "line_f1": scores["line_f1"],
            "char_p": scores["char_p"],
            "char_r": scores["char_r"],
            "pages": result["pages"],
            "counts": result["counts"].astuple(),
            "errors": result["errors"],
        }
        fit_seconds.append(result["cpu_seconds"])
        echo(
            f"[{done}/{len(jobs)}] {result['site']} k={result['k']}: char F1 {scores['char_f1']:.3f} "
            f"({result['seconds']:.0f} s)"
        )
    wall = time.perf_counter() - started
    mean = {}
    for k in ks:
        f1 = [per_site[site][k]["char_f1"] for site in chosen]
        pooled = total(Counts(*per_site[site][k]["counts"]) for site in chosen).scores()
        mean[k] = {
            "char_f1": float(np.mean(f1)),
            "char_f1_min": float(np.min(f1)),
            "line_f1": float(np.mean([per_site[site][k]["line_f1"] for site in chosen])),
            "pooled_char_f1": pooled["char_f1"],
            "sites_at_target": int(sum(value >= TARGET for value in f1)),
            "error_lines": sum(per_site[site][k]["errors"]["lines"] for site in chosen),
            "error_lines_seen": sum(per_site[site][k]["errors"]["seen_lines"] for site in chosen),
        }
    return {
        "ks": list(ks),
        "weight": weight,
        "min_pages": min_pages,
        "sites": len(chosen),
        "eligible_sites": len(eligible_sites(documents, min_pages)),
        "scored_pages": {site: [documents[i].name for i in scored] for site, (_, scored) in chosen.items()},
        "per_site": {site: {str(k): v for k, v in rows.items()} for site, rows in per_site.items()},
        "mean": {str(k): v for k, v in mean.items()},
        "cost": {
            "fits": len(jobs),
            "jobs": n_jobs,
            "wall_seconds": round(wall, 1),
            "cpu_seconds_per_fit": round(float(np.mean(fit_seconds)), 1),
        },
    }


def format_adaptation(curve: dict[str, Any]) -> str:
    """A plain-text table: one row per site, one column per k (char F1 of its scored pages)."""
    ks = curve["ks"]
    header = f"{'site':<32}" + "".join(f" {'k=' + str(k):>7}" for k in ks)
    rows = [header, "-" * len(header)]
    for site, by_k in curve["per_site"].items():
        rows.append(f"{site[:32]:<32}" + "".join(f" {by_k[str(k)]['char_f1']:>7.3f}" for k in ks))
    rows.append("-" * len(header))
    rows.append(f"{'mean of sites (char F1)':<32}" + "".join(f" {curve['mean'][str(k)]['char_f1']:>7.3f}" for k in ks))
    rows.append(f"{'worst site':<32}" + "".join(f" {curve['mean'][str(k)]['char_f1_min']:>7.3f}" for k in ks))
    rows.append(
        f"{'sites >= ' + str(TARGET):<32}"
        + "".join(f" {curve['mean'][str(k)]['sites_at_target']:>4}/{curve['sites']:<2}" for k in ks)
    )
    rows.append(
        f"{'wrong lines (seen in taught pages)':<32}"
        + "".join(
            f" {curve['mean'][str(k)]['error_lines']:>3}({curve['mean'][str(k)]['error_lines_seen']:>2})" for k in ks
        )
    )
    cost = curve["cost"]
    rows.append(
        f"cost: {cost['fits']} fits, {cost['cpu_seconds_per_fit']} CPU s per fit, {cost['wall_seconds']} s wall "
        f"with {cost['jobs']} at once"
    )
    return "\n".join(rows)


def plot_adaptation(curves: dict[str, dict[str, Any]], path: Path) -> str | None:
    """Mean char F1 of the sites against k, one line per curve (e.g. with and without the weight),
    the target dotted, whole or not at all (NotWritten if the disk refuses); returns why not when
    matplotlib (the ``plot`` extra) is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return f"matplotlib is not installed ({install_hint('plot')}); table only"
    figure, axes = plt.subplots(figsize=(8.5, 4), dpi=100)
    for label, curve in curves.items():
        ks = curve["ks"]
        mean = [curve["mean"][str(k)]["char_f1"] for k in ks]
        worst = [curve["mean"][str(k)]["char_f1_min"] for k in ks]
        line = axes.plot(ks, mean, marker="o", label=f"{label}: mean of sites")[0]
        axes.plot(ks, worst, marker=".", linestyle=":", color=line.get_color(), label=f"{label}: worst site")
    axes.axhline(TARGET, color="grey", linestyle="--", linewidth=1, label=f"target {TARGET}")
    axes.set_xticks(list(next(iter(curves.values()))["ks"]))
    axes.set_xlabel("labelled pages of the site in training (k)")
    axes.set_ylabel("char F1 of its other pages (content)")
    axes.set_title("Site adaptation: other sites + k pages of the site")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
    figure.tight_layout()
    try:
        save_figure(figure, path)  # its folder made if missing
    finally:
        plt.close(figure)
    return None


def run_adaptation(
    documents: Sequence[LabelledDocument],
    make_estimator: Callable[[], Any],
    weights: Sequence[float] | None = None,
    sites: int | None = None,
    n_jobs: int = 1,
    plot: Path | None = None,
    echo: Echo = print,
) -> dict[str, Any]:
    """``cleaner evaluate --adapt``: the curve once per site-page weight in ``weights`` (the same
    sites and pages each time), printed, plotted to ``plot``; the results for the JSON and the card."""
    from .train import USER_WEIGHT

    curves = {}
    for weight in weights or [USER_WEIGHT]:
        echo("")
        echo(f"== site adaptation: other sites + k pages of the site (weighted {weight:g}), its other pages scored")
        curve = adaptation_curve(documents, make_estimator, sites=sites, weight=weight, n_jobs=n_jobs, echo=echo)
        echo(format_adaptation(curve))
        curves[f"weight {weight:g}"] = curve
    result: dict[str, Any] = {"curves": curves, "target": TARGET}
    if plot is not None:
        problem = plot_adaptation(curves, plot)
        echo(problem or f"wrote {plot}")
        if problem is None:
            result["plot"] = plot.name
    return result


def adaptation_section(results: dict[str, Any]) -> list[str]:
    """The model card's section on site adaptation (empty without ``--adapt``): the curve per
    weight as a table, the plot, how far k = 1 is from the target, and the cost."""
    adaptation = results.get("adaptation")
    if not adaptation:
        return []
    lines = ["", "## Site adaptation: how many labelled pages of a new site?", ""]
    lines += [
        "For every site with at least 4 labelled pages: trained on all other sites plus k pages of that site, "
        "scored on the site's remaining pages (the same pages at every k). Content char F1, the mean of the "
        "sites (each site counts once), the worst site, and the sites at the target "
        f"({adaptation['target']}). `weight` is how many pages each of the site's own pages counts as in training.",
        "",
    ]
    if adaptation.get("plot"):
        lines += [f"![site adaptation]({adaptation['plot']})", ""]
    for label, curve in adaptation["curves"].items():
        ks = curve["ks"]
        lines += [
            f"**{label}** ({curve['sites']} of {curve['eligible_sites']} eligible sites):",
            "",
            "| site | " + " | ".join(f"k={k}" for k in ks) + " |",
            "|---|" + "---|" * len(ks),
        ]
        for site, by_k in curve["per_site"].items():
            lines.append(f"| {site} | " + " | ".join(f"{by_k[str(k)]['char_f1']:.3f}" for k in ks) + " |")
        mean = curve["mean"]
        lines.append("| **mean of sites** | " + " | ".join(f"**{mean[str(k)]['char_f1']:.3f}**" for k in ks) + " |")
        lines.append("| worst site | " + " | ".join(f"{mean[str(k)]['char_f1_min']:.3f}" for k in ks) + " |")
        lines.append(
            f"| sites >= {adaptation['target']} | "
            + " | ".join(f"{mean[str(k)]['sites_at_target']}/{curve['sites']}" for k in ks)
            + " |"
        )
        lines.append(
            "| wrong lines (of them seen word for word in the taught pages) | "
            + " | ".join(f"{mean[str(k)]['error_lines']} ({mean[str(k)]['error_lines_seen']})" for k in ks)
            + " |"
        )
        cost = curve["cost"]
        one = mean[str(1)]["char_f1"] if "1" in mean else None
        gap = ""
        if one is not None:
            short = adaptation["target"] - one
            gap = f" At k = 1 the mean is {one:.3f}: " + (
                f"{short:.3f} below the target." if short > 0 else "on target."
            )
        lines += [
            "",
            f"Cost: {cost['fits']} fits, {cost['wall_seconds']} s wall with {cost['jobs']} at once.{gap}",
            "",
        ]
    return lines

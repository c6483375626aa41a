"""``cleaner evaluate --learning-curve``: held-out F1 against the number of labelled training sites.

It answers the labelling question "would more sites help?": train on 1, 2, 4, ... sites (a few
random draws each), score pages the model has not seen (the ``--test`` directories, or else the
labelled sites left out of that draw), and plot the mean.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .evaluate import fit_by_site, score
from .extras import install_hint
from .labels import LabelledDocument
from .outputs import save_figure


def site_counts(n_sites: int) -> list[int]:
    """1, 2, 4, ... and finally all sites."""
    counts, k = [], 1
    while k < n_sites:
        counts.append(k)
        k *= 2
    return [*counts, n_sites]


def learning_curve(
    documents: Sequence[LabelledDocument],
    held_out: Sequence[LabelledDocument],
    make_estimator: Callable[[], Any],
    repeats: int = 3,
    random_state: int = 0,
    echo: Callable[[str], None] = print,
) -> list[dict[str, float]]:
    """Mean and spread of held-out content F1 per number of training sites.

    With no ``held_out`` pages, each draw is scored on the labelled sites it did not train on.
    """
    rng = np.random.default_rng(random_state)
    sites = sorted({doc.site for doc in documents})
    rows = []
    for count in site_counts(len(sites)):
        scores = []
        for _ in range(1 if count == len(sites) else repeats):
            chosen = set(rng.choice(sites, size=count, replace=False).tolist())
            train = [doc for doc in documents if doc.site in chosen]
            test = list(held_out) or [doc for doc in documents if doc.site not in chosen]
            if not test or not any(label == "content" for doc in train for label in doc.labels):
                continue
            model = fit_by_site(make_estimator(), train)
            scores.append(score("curve", test, model.predict([doc.lines for doc in test])).overall.scores())
        if not scores:
            continue
        char_f1 = [s["char_f1"] for s in scores]
        line_f1 = [s["line_f1"] for s in scores]
        row = {
            "sites": count,
            "draws": len(scores),
            "char_f1": float(np.mean(char_f1)),
            "char_f1_std": float(np.std(char_f1)),
            "line_f1": float(np.mean(line_f1)),
        }
        echo(
            f"{count:>5} sites  {len(scores)} draws  char F1 {row['char_f1']:.3f} ± {row['char_f1_std']:.3f}  "
            f"line F1 {row['line_f1']:.3f}"
        )
        rows.append(row)
    return rows


def plot_learning_curve(rows: Sequence[dict[str, float]], path: Path, title: str) -> str | None:
    """Write the curve as a PNG, whole or not at all (:class:`~cleaner.training.outputs.NotWritten`
    if the disk refuses); returns why not when matplotlib (the ``plot`` extra) is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return f"matplotlib is not installed ({install_hint('plot')}); table only"
    figure, axes = plt.subplots(figsize=(6, 4), dpi=100)
    x = [row["sites"] for row in rows]
    mean = np.array([row["char_f1"] for row in rows])
    spread = np.array([row["char_f1_std"] for row in rows])
    axes.plot(x, mean, marker="o", label="char F1 (content)")
    axes.fill_between(x, mean - spread, mean + spread, alpha=0.2)
    axes.plot(x, [row["line_f1"] for row in rows], marker="s", linestyle="--", label="line F1 (content)")
    axes.set_xscale("log", base=2)
    axes.set_xticks(x, [str(v) for v in x])
    axes.set_xlabel("labelled training sites")
    axes.set_ylabel("held-out F1")
    axes.set_ylim(0, 1)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    try:
        save_figure(figure, path)  # its folder made if missing
    finally:
        plt.close(figure)
    return None

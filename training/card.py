"""``model/MODEL_CARD.md``, written from one evaluation run's results (never by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cleaner.features.context import stack_feature_names
from cleaner.features.shape import shape_feature_names
from cleaner.training.adapt import adaptation_section

KNOWN_WEAKNESSES = """\
- A related-news box inside the body with no header line (just two or three headline-shaped lines
  between paragraphs) is often kept: nothing but its shape tells it from in-body subheadings.
- Teaser blocks directly below the article, before any header such as `Tin liên quan`, can be kept
  for the same reason. Three or more title + one-sentence summary pairs in a row are recognised as a
  list (`teaser_run`); one or two pairs, or pairs with a date line or a longer summary between the
  titles, read like the article's subheadings and paragraphs and are often kept.
- Headlines and subheadings are shaped like teaser titles. How much prose a heading-like line
  introduces before the next one (`heading_prose_after_log`) tells a heading over paragraphs from a
  teaser title over one summary, but a headline over a short lead, or one whose lead the page sets
  apart with widgets, captions or a table, is still sometimes dropped.
- A cue word is learnt only if it appears in at least 3 training pages (`min_documents`): a label
  line such as `Advertisement` inside the body is kept while too few labelled pages have one.
- Short lines in site chrome that look like article text (phone numbers, addresses, a date line
  between the headline and the lead) are sometimes kept.
- Training pages come from few sites, most of them written by this project; a layout unlike all of
  them (forums, live blogs, galleries) is out of distribution. Label a few pages of such sites
  (`labels/README.md`) and retrain.
- The gold of `../shared/devset/en` follows other benchmarks' conventions (e.g. no captions), so
  part of the English gap is a difference of definition, not an error.
"""


def _row(name: str, scores: dict[str, float], extra: str = "") -> str:
    return (
        f"| {name} | {scores['char_p']:.3f} | {scores['char_r']:.3f} | {scores['char_f1']:.3f} "
        f"| {scores['line_p']:.3f} | {scores['line_r']:.3f} | {scores['line_f1']:.3f} |{extra}"
    )


HEADER = "| | char P | char R | char F1 | line P | line R | line F1 |"
RULE = "|---|---|---|---|---|---|---|"


def render_model_card(results: dict[str, Any]) -> str:
    data = results["training_data"]
    lines = [
        "# Model card: cleaner's line classifier",
        "",
        f"Written by `{results['command']}` (run by `make eval-dev`) on {results['date']}; "
        "regenerate it, do not edit it. Scores are for the content class.",
        "",
        "## Training data",
        "",
        f"`{data['directory']}`: {data['documents']} labelled dumps from {data['sites']} sites "
        f"({data['labelled_lines']} labelled lines, {data['content_lines']} of them content); languages "
        + ", ".join(f"{k} {v}" for k, v in sorted(data["languages"].items()))
        + "; origins "
        + ", ".join(f"{k} {v}" for k, v in sorted(data["origins"].items()))
        + f". Data sha256 `{data['sha256'][:16]}...`. The devset is never trained on.",
        "",
        "## Model",
        "",
        f"A two-stage logistic regression over the non-blank lines of a dump (parameters: `{results['estimator']}`):",
        "",
        "1. First stage: scaled shape features of the line and its neighbours, and cue-word TF-IDF "
        "(word 1-2-grams occurring in at least `min_documents` training pages). Shape features: "
        + ", ".join(f"`{name}`" for name in shape_feature_names()[:40])
        + ", ... (all in `model/features/`).",
        "2. Context stages (`context_rounds` of them): the previous stage's out-of-fold probabilities "
        "in a window, their local and before/after means, the most likely article span, and a few "
        "own-line facts: " + ", ".join(f"`{name}`" for name in stack_feature_names()) + ".",
        "3. Threshold on P(content) chosen by grouped cross-validation to maximise character F1.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + ".",
        "",
        "## Leave-one-site-out cross-validation on labels/",
        "",
        HEADER,
        RULE,
        _row("overall", results["cross_validation"]["overall"]),
    ]
    lines += [_row(site, s) for site, s in results["cross_validation"]["per_site"].items()]
    for directory, test in results.get("tests", {}).items():
        lines += [
            "",
            f"## Held out: `{directory}` ({test['documents']} pages, never trained on)",
            "",
            HEADER + " MB/s |",
            RULE + "---|",
        ]
        for system in test["systems"]:
            speed = test["mb_per_s"].get(system["system"])
            lines.append(_row(system["system"], system["overall"], f" {speed:.2f} |" if speed else " - |"))
        for name, reason in test.get("skipped", {}).items():
            lines.append(f"| {name} | skipped: {reason} | | | | | | |")
        lines += ["", "Per site, this model:", "", HEADER, RULE]
        lines += [_row(site, s) for site, s in test["systems"][0]["per_site"].items()]
        weak = [site for site, s in test["systems"][0]["per_site"].items() if s["char_f1"] < 0.85]
        if weak:
            lines += ["", "Sites below 0.85 char F1: " + ", ".join(weak) + "."]
        if test.get("ablations"):
            lines += ["", "What each part adds (same training data, same pages):", "", HEADER, RULE]
            lines += [_row(name, scores) for name, scores in test["ablations"].items()]
    if results.get("learning_curve"):
        lines += ["", "## Learning curve", "", "![learning curve](learning_curve.png)", ""]
        lines += ["| training sites | held-out char F1 |", "|---|---|"]
        lines += [f"| {row['sites']} | {row['char_f1']:.3f} |" for row in results["learning_curve"]]
    lines += adaptation_section(results)
    lines += ["", "## Known weaknesses", "", KNOWN_WEAKNESSES]
    return "\n".join(lines)


def write_model_card(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_model_card(results), encoding="utf-8")

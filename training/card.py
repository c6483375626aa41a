"""``model/data/MODEL_CARD.md``, written from one evaluation run's results (never by hand): the
card shows no number that the results JSON does not hold, so it cannot drift from what was measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..features.context import PAGE_FEATURES, stack_feature_names
from ..features.headers import HEADER_FEATURES
from ..features.shape import shape_feature_names
from ..text import plural
from .adapt import adaptation_section
from .evaluate import UNSPECIFIED
from .outputs import write_output

# The command `make eval-dev` runs (the Makefile's recipe, with its DEVSET): the card it writes says
# so; a card written by another command (another labels folder, other options) does not.
EVAL_DEV = (
    "cleaner evaluate --labels labels --test ../shared/devset/vi --test ../shared/devset/en "
    "--test ../shared/devset/multi --baselines --leave-one-language-out --learning-curve "
    "--plot model/data/learning_curve.png --json model/data/eval-dev.json --card model/data/MODEL_CARD.md "
    "--adapt --sites 6 --adapt-plot model/data/adaptation.png"
)

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
- Short records (a post or a blurb between two chrome lines) are learnt from excerpts of the
  labelled pages; cross-validated by site (`make eval-short`), about one in nine such records with
  article text still comes out empty, and about a third of the characters of chrome-only records
  are kept.
- A dump that begins or ends at the article (an extractor's output, a record cut short) loses
  article lines at its edges, where labelled pages keep their menus and footers: held out by site,
  recall 0.865 when the chrome below the article is cut off and 0.824 for the article alone, against
  0.939 for whole pages (`make eval-surrounded`). Training with `--set trimmed=0.3` mends those and
  costs whole pages (the README's "Pages inside more chrome, or less").
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


def _grouped_rows(groups: dict[str, dict[str, Any]]) -> list[str]:
    """Rows of a per-language or per-kind table: the group, its pages, its scores."""
    return [_row(f"{name} | {s.get('pages', '')}", s) for name, s in groups.items()]


HEADER = "| | char P | char R | char F1 | line P | line R | line F1 |"
RULE = "|---|---|---|---|---|---|---|"
GROUP_HEADER = "| {} | pages | char P | char R | char F1 | line P | line R | line F1 |"
GROUP_RULE = "|---|---|---|---|---|---|---|---|"
SNIPPET_HEADER = "| system | P | R | F1 | tp | fp | fn | tn | pages failed | MB/s |"
SNIPPET_RULE = "|---|---|---|---|---|---|---|---|---|---|"
# The per-language target on snippet sets applies to languages with at least this many pages.
SNIPPET_TARGET_PAGES = 5


def _details(summary: str, rows: list[str]) -> list[str]:
    """A collapsed block (long per-site tables would bury the rest of the card)."""
    return ["", "<details>", f"<summary>{summary}</summary>", "", *rows, "", "</details>"]


def _cross_validation(cv: dict[str, Any], data: dict[str, Any]) -> list[str]:
    scheme = cv.get("scheme", "grouped by site")
    trained_on = f"{data['directory']}/" + (" and the shipped pages" if data.get("shipped") else "")
    lines = [
        "",
        f"## Cross-validation on {trained_on} ({scheme})",
        "",
        "Each page is predicted by a model trained without any page of its site.",
        "",
        HEADER,
        RULE,
        _row("overall", cv["overall"]),
    ]
    for group, title in (("per_language", "language"), ("per_kind", "kind of page")):
        if cv.get(group):
            lines += ["", f"Per {title}:", "", GROUP_HEADER.format(title), GROUP_RULE, *_grouped_rows(cv[group])]
    lines += _details(
        f"Per site ({len(cv['per_site'])} sites)",
        [HEADER, RULE] + [_row(site, s) for site, s in cv["per_site"].items()],
    )
    return lines


def _language_out(section: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Leave one language out",
        "",
        f"For each language with at least {section['min_pages']} labelled pages: a model {section['scheme']}, "
        "scored on that language's pages (how the model does on a language it has never seen).",
        "",
    ]
    if not section["languages"]:
        return [*lines, f"No language has {section['min_pages']} pages while others remain to train on."]
    lines += [
        "| language | pages | sites | training pages | char P | char R | char F1 | line P | line R | line F1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['language']} | {r['pages']} | {r['sites']} | {r['training_documents']} | {r['char_p']:.3f} "
        f"| {r['char_r']:.3f} | {r['char_f1']:.3f} | {r['line_p']:.3f} | {r['line_r']:.3f} | {r['line_f1']:.3f} |"
        for r in section["languages"]
    ]
    return lines


def _gold_test(directory: str, test: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"## Held out: `{directory}` ({test['documents']} pages with per-line gold, never trained on)",
        "",
        HEADER + " MB/s |",
        RULE + "---|",
    ]
    for system in test["systems"]:
        speed = test["mb_per_s"].get(system["system"])
        lines.append(_row(system["system"], system["overall"], f" {speed:.2f} |" if speed else " - |"))
    for name, reason in test.get("skipped", {}).items():
        lines.append(f"| {name} | skipped: {reason} | | | | | | |")
    lines += _failures(test["systems"])
    lines += ["", "Per site, this model:", "", HEADER, RULE]
    lines += [_row(site, s) for site, s in test["systems"][0]["per_site"].items()]
    weak = [site for site, s in test["systems"][0]["per_site"].items() if s["char_f1"] < 0.85]
    if weak:
        lines += ["", "Sites below 0.85 char F1: " + ", ".join(weak) + "."]
    if test.get("ablations"):
        lines += ["", "What each part adds (same training data, same pages):", "", HEADER, RULE]
        lines += [_row(name, scores) for name, scores in test["ablations"].items()]
    return lines


def _failures(systems: list[dict[str, Any]]) -> list[str]:
    lines = []
    for system in systems:
        if system.get("failed"):
            lines += [
                "",
                f"{system['system']} failed on {plural(len(system['failed']), 'page')}, scored as empty output.",
            ]
    return lines


def _snippet_row(name: str, s: dict[str, Any], extra: str = " - | - |") -> str:
    return (
        f"| {name} | {s['p']:.3f} | {s['r']:.3f} | {s['f1']:.3f} | {s['tp']} | {s['fp']} | {s['fn']} | {s['tn']} "
        f"|{extra}"
    )


def _snippet_test(directory: str, test: dict[str, Any]) -> list[str]:
    systems = test["systems"]
    lines = [
        "",
        f"## Held out: `{directory}` ({test['pages']} pages, {test['snippets']} snippets, never trained on)",
        "",
        "Scored by snippets, as the set's README says: the kept lines joined by newlines, whitespace runs "
        "made one space; a `with` snippet found (case-sensitive) is a true positive, a `without` snippet found "
        "a false positive; counts summed over pages; a page a system fails on counts as an empty output.",
        "",
        SNIPPET_HEADER,
        SNIPPET_RULE,
    ]
    for system in systems:
        speed = test["mb_per_s"].get(system["system"])
        lines.append(
            _snippet_row(
                system["system"],
                system["overall"],
                f" {len(system['failed'])} | {speed:.2f} |" if speed else " - | - |",
            )
        )
    for name, reason in test.get("skipped", {}).items():
        lines.append(f"| {name} | skipped: {reason} | | | | | | | | |")
    quoted = test.get("quoted", {})
    if "missing" in quoted:
        lines += ["", f"Not quoted: {quoted['missing']}."]
    elif quoted:
        lines.append(
            f"| {quoted['system']} (quoted from `{quoted['source']}`, not run here) | {quoted['p']:.3f} "
            f"| {quoted['r']:.3f} | {quoted['f1']:.3f} | | | | | - | - |"
        )
        lines += [
            "",
            f"The last row is quoted from the set's README ({quoted.get('section') or 'its table'}), parsed when this "
            "card was written: that system reads the original HTML, which the devset does not hold.",
        ]
    names = [system["system"] for system in systems]
    model = systems[0]
    lines += [
        "",
        "Per language (F1 of every system; P and R of this model):",
        "",
        "| language | pages | " + " | ".join(f"{name} F1" for name in names) + f" | {names[0]} P | {names[0]} R |",
        "|---|---|" + "---|" * (len(names) + 2),
    ]
    for language, s in model["per_language"].items():
        cells = " | ".join(f"{system['per_language'][language]['f1']:.3f}" for system in systems)
        lines.append(f"| {language} | {s['pages']} | {cells} | {s['p']:.3f} | {s['r']:.3f} |")
    below = [
        f"{language} {s['f1']:.3f}"
        for language, s in model["per_language"].items()
        if s["pages"] >= SNIPPET_TARGET_PAGES and s["f1"] < 0.88
    ]
    if below:
        lines += [
            "",
            f"Languages with >= {SNIPPET_TARGET_PAGES} pages below 0.88 F1 (this model): " + ", ".join(below) + ".",
        ]
    if test.get("justext_stoplists"):
        lines += [
            "",
            "jusText's stoplist per page language: "
            + "; ".join(f"{language}: {name}" for language, name in test["justext_stoplists"].items())
            + ".",
        ]
    lines += _failures(systems)
    if test.get("ablations"):
        lines += ["", "What each part adds (same training data, same pages):", "", SNIPPET_HEADER, SNIPPET_RULE]
        lines += [_snippet_row(name, scores) for name, scores in test["ablations"].items()]
    return lines


def _extra_inputs(params: dict[str, Any]) -> str:
    """What the context stages read besides the window and the own-line facts, as the model's
    parameters say, in the order of their inputs: the page's span shares, the post headers, each
    line's topic overlap, the cue blocks' part of its first-stage logit."""
    extra = []
    if params.get("span_share"):
        extra.append("the page's span shares (" + ", ".join(f"`{name}`" for name in PAGE_FEATURES) + ")")
    if params.get("header_echo"):
        extra.append("the post headers (" + ", ".join(f"`{name}`" for name in HEADER_FEATURES) + ")")
    if params.get("topic_overlap"):
        extra.append("each line's topic overlap (`features/topics.py`)")
    if params.get("cue_logit"):
        extra.append("the part of each line's first-stage logit that its cue blocks give (`cue_logit`)")
    return "; then " + " and ".join(extra) if extra else ""


def _character_block(estimator: dict[str, Any]) -> str:
    """The first stage's character n-gram block, in words, when the estimator has one."""
    sizes = estimator.get("char_ngrams")
    if not sizes:
        return ""
    low, high = sizes
    size = f"{low}" if low == high else f"{low}-{high}"
    return (
        f", and TF-IDF of the character {size}-grams inside words (occurring in at least "
        "`char_min_documents` training pages, scaled by `char_weight` against the word block), so "
        "that a cue learnt from one spelling also counts for its inflections and compounds (in scripts "
        "written without spaces, each letter is a word of this block)"
    )


def _held_out_sets(results: dict[str, Any]) -> str:
    """What the card says of the --test sets: that they are never trained on (a test page among the
    training pages is refused before any fit), or nothing when there are none."""
    directories = list(dict.fromkeys([*results.get("tests", {}), *results.get("snippet_tests", {})]))
    if not directories:
        return ""
    named = ", ".join(f"`{directory}`" for directory in directories)
    return f" The held-out sets below ({named}) are never trained on."


def render_model_card(results: dict[str, Any]) -> str:
    """The card as markdown, from one run's results alone: every number in it is in ``results``,
    and every sentence says what this run did (a card run by hand on other labels said "run by
    `make eval-dev`", "Cross-validation on labels/" and "The devset is never trained on")."""
    data = results["training_data"]
    run_by = " (run by `make eval-dev`)" if results["command"].split() == EVAL_DEV.split() else ""
    lines = [
        "# Model card: cleaner's line classifier",
        "",
        f"Written by `{results['command']}`{run_by} on {results['date']}; "
        "regenerate it, do not edit it. Scores are for the content class.",
        "",
        "## Training data",
        "",
        f"`{data['directory']}`: {data['documents']} labelled dumps from {data['sites']} sites "
        f"({data['labelled_lines']} labelled lines, {data['content_lines']} of them content); languages "
        + ", ".join(f"{k} {v}" for k, v in sorted(data["languages"].items()))
        + "; origins "
        + ", ".join(f"{k} {v}" for k, v in sorted(data["origins"].items()))
        + (
            "; kinds " + ", ".join(f"{k or UNSPECIFIED} {v}" for k, v in sorted(data["kinds"].items()))
            if data.get("kinds")
            else ""
        )
        + f". Data sha256 `{data['sha256'][:16]}...`.{_held_out_sets(results)}",
        "",
        "## Model",
        "",
        "A logistic regression over the non-blank lines of a dump, then context stages, each a small neural "
        f"network (parameters: `{results['estimator']}`):",
        "",
        "1. First stage: scaled shape features of the line and its neighbours, and cue-word TF-IDF "
        "(word 1-2-grams occurring in at least `min_documents` training pages)"
        + _character_block(results["estimator"])
        + ". Shape features: "
        + ", ".join(f"`{name}`" for name in shape_feature_names()[:40])
        + ", ... (all in `model/features/`).",
        "2. Context stages (`context_rounds` of them, each one hidden layer of `stack_hidden` ReLU units, or a "
        "logistic regression when it is 0): the previous stage's out-of-fold probabilities "
        "in a window, their local and before/after means, the most likely article span, and a few "
        "own-line facts: "
        + ", ".join(f"`{name}`" for name in stack_feature_names())
        + _extra_inputs(results["estimator"])
        + ".",
        "3. Threshold on P(content) chosen by grouped cross-validation to maximise character F1, "
        "within 0.25-0.5 (see `THRESHOLD_RANGE` in `classifier/thresholds.py`).",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + ".",
    ]
    lines += _cross_validation(results["cross_validation"], data)
    if results.get("leave_one_language_out"):
        lines += _language_out(results["leave_one_language_out"])
    for directory, test in results.get("tests", {}).items():
        lines += _gold_test(directory, test)
    for directory, test in results.get("snippet_tests", {}).items():
        lines += _snippet_test(directory, test)
    if results.get("learning_curve"):
        lines += ["", "## Learning curve", ""]
        if results.get("learning_curve_plot"):  # the plot written, beside the card (as the adaptation's)
            lines += [f"![learning curve]({results['learning_curve_plot']})", ""]
        lines += ["| training sites | held-out char F1 |", "|---|---|"]
        lines += [f"| {row['sites']} | {row['char_f1']:.3f} |" for row in results["learning_curve"]]
    lines += adaptation_section(results)
    lines += ["", "## Known weaknesses", "", KNOWN_WEAKNESSES]
    return "\n".join(lines)


def write_model_card(path: Path, results: dict[str, Any]) -> None:
    """Write the card whole or not at all: it ends hours of fitting, and a half-written card would
    stand in the repository as the model's description."""
    write_output(path, render_model_card(results).encode())  # its folder made if missing

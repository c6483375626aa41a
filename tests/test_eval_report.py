"""``cleaner evaluate`` end to end on small made-up data: cross-validation per language and kind,
leave-one-language-out, a per-line gold set and a snippet set, the results JSON and the model card
rendered from it (quoting the snippet set's README at run time).

A stub estimator replaces the model (and the ablations are off) so that this runs in a second: the
scoring is tested elsewhere; here, what is run on what and what lands in the card."""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.labels import BOILERPLATE, CONTENT
from cleaner.training import report
from cleaner.training.card import render_model_card, write_model_card


class LengthRule:
    """Keeps lines of 30 characters or more; has the estimator methods run_evaluation calls."""

    def set_params(self, **params: Any) -> LengthRule:
        return self

    def get_params(self) -> dict[str, Any]:
        return {"rule": "length >= 30"}

    def fit(self, documents: Sequence[list[str]], labels: Sequence[list[str | None]], groups: Sequence[str]):
        assert len(documents) == len(labels) == len(groups)
        return self

    def predict(self, documents: Sequence[list[str]]) -> list[list[str | None]]:
        return [
            [None if not line.strip() else (CONTENT if len(line) >= 30 else BOILERPLATE) for line in doc]
            for doc in documents
        ]


BODY = {
    "en": "The council approved the new harbour budget on Monday.",
    "de": "Der Gemeinderat hat den neuen Haushalt am Montag beschlossen.",
}


def _labels(directory: Path) -> Path:
    directory.mkdir()
    rows = ["name,site,language,origin,source,kind"]
    for language, sites in (("en", ("a.example", "b.example", "c.example")), ("de", ("d.example", "e.example"))):
        for i in range(5):
            name = f"{language}-{i}"
            kind = "news" if i % 2 else "recipe"
            rows.append(f"{name},{sites[i % len(sites)]},{language},written,,{kind}")
            body = f"{BODY[language]} ({i})"
            (directory / f"{name}.tsv").write_text(f"B\tMenu\nC\t{body}\n\nB\tShare this\n", encoding="utf-8")
    (directory / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return directory


README = """# multi

| system | P | R | F1 |
|---|---|---|---|
| trafilatura 2.3.1 on the original HTML | 0.813 | 0.954 | 0.877 |
"""


def _snippet_set(directory: Path) -> Path:
    directory.mkdir()
    records = [
        {"id": "s1", "site": "s1.example", "lang": "de", "with": ["Gemeinderat hat"], "without": ["Teilen"]},
        {"id": "s2", "site": "s2.example", "lang": "fr", "with": ["Le conseil"], "without": ["Partager"]},
    ]
    (directory / "meta.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (directory / "s1.txt").write_text(f"Teilen\n{BODY['de']}\n", encoding="utf-8")
    (directory / "s2.txt").write_text("Partager\nLe conseil\n", encoding="utf-8")  # its content line is short
    (directory / "README.md").write_text(README, encoding="utf-8")
    return directory


def _gold_set(directory: Path) -> Path:
    directory.mkdir()
    (directory / "g1.txt").write_text(f"Menu\n{BODY['en']}\n", encoding="utf-8")
    (directory / "g1.gold").write_text("B\nC\n", encoding="utf-8")
    return directory


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(report, "make_estimator", LengthRule)
    monkeypatch.setattr(report, "ABLATIONS", {})
    output: list[str] = []
    found = report.run_evaluation(
        _labels(tmp_path / "labels"),
        [_gold_set(tmp_path / "en"), _snippet_set(tmp_path / "multi"), tmp_path / "absent"],
        baselines=False,
        by="site",
        jobs=1,
        json_out=tmp_path / "out" / "eval.json",
        card=tmp_path / "out" / "CARD.md",
        echo=output.append,
        language_out=True,
    )
    found["_printed"] = "\n".join(output)
    found["_card"] = (tmp_path / "out" / "CARD.md").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "out" / "eval.json").read_text(encoding="utf-8"))["command"] == found["command"]
    return found


def test_cross_validation_by_language_and_kind(results: dict[str, Any]) -> None:
    cv = results["cross_validation"]
    assert cv["scheme"] == "5-fold, whole sites left out" and cv["folds"] == 5
    assert set(cv["per_language"]) == {"de", "en"} and cv["per_language"]["en"]["pages"] == 5
    assert {kind: s["pages"] for kind, s in cv["per_kind"].items()} == {"news": 4, "recipe": 6}
    assert cv["overall"]["char_f1"] == 1.0
    assert "5-fold, whole sites left out" in results["_printed"]


def test_leave_one_language_out(results: dict[str, Any]) -> None:
    rows = results["leave_one_language_out"]["languages"]
    assert [(r["language"], r["pages"], r["training_documents"]) for r in rows] == [("de", 5, 5), ("en", 5, 5)]


def test_snippet_set_is_scored_overall_and_per_language(results: dict[str, Any]) -> None:
    test = results["snippet_tests"][str(Path(results["training_data"]["directory"]).parent / "multi")]
    [model] = test["systems"]
    # s1 keeps its body (tp) and drops "Teilen" (tn); s2 drops its short content line (fn) and "Partager" (tn).
    assert model["overall"] == {"p": 1.0, "r": 0.5, "f1": 0.6667, "tp": 1, "fp": 0, "fn": 1, "tn": 2, "pages": 2}
    assert model["per_language"]["fr"]["f1"] == 0.0 and model["per_language"]["de"]["f1"] == 1.0
    assert test["quoted"]["f1"] == 0.877
    assert "not measured here" in results["_printed"]


def test_a_directory_is_scored_by_what_it_holds(results: dict[str, Any]) -> None:
    assert [Path(d).name for d in results["tests"]] == ["en"]
    assert [Path(d).name for d in results["snippet_tests"]] == ["multi"]
    assert "absent: not found" in results["_printed"]


def test_the_card_shows_the_run_and_quotes_the_readme(results: dict[str, Any]) -> None:
    card = results["_card"]
    for heading in (
        f"## Cross-validation on {results['training_data']['directory']}/ (5-fold, whole sites left out)",
        "| kind of page | pages |",
        "| language | pages |",
        "## Leave one language out",
        "pages with per-line gold",
        "2 pages, 4 snippets",
    ):
        assert heading in card
    assert "| de | 5 | 2 | 5 | 1.000 |" in card  # the leave-one-language-out row
    assert "| trafilatura 2.3.1 on the original HTML (quoted from" in card and "| 0.877 |" in card
    assert card == render_model_card(json.loads(json.dumps(results)))


def test_the_card_says_when_the_readme_is_absent(results: dict[str, Any]) -> None:
    changed = json.loads(json.dumps(results))
    [test] = changed["snippet_tests"].values()
    test["quoted"] = {"source": "x/README.md", "missing": "x/README.md not found: trafilatura's figure is not quoted"}
    assert "Not quoted: x/README.md not found" in render_model_card(changed)


def test_a_baseline_failing_on_one_page_is_said_in_the_singular() -> None:
    """evaluate printed "failed on 1 page(s)", and the model card said it too."""
    from cleaner.training.card import _failures
    from cleaner.training.evaluate import Counts, Evaluation

    printed: list[str] = []
    report._echo_failures([Evaluation("justext", Counts(), failed=["a"])], printed.append)
    assert printed == ["justext failed on 1 page, scored as empty output: a"]
    printed.clear()
    report._echo_failures([Evaluation("justext", Counts(), failed=[f"p{n}" for n in range(12)])], printed.append)
    assert printed == [
        "justext failed on 12 pages, scored as empty output: p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 and 2 more"
    ]
    assert _failures([{"system": "justext", "failed": ["a"]}]) == [
        "",
        "justext failed on 1 page, scored as empty output.",
    ]


def test_languages_not_scored_are_named_with_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave-one-language-out skipped a language of too few pages, or with no page to train on
    without it and its sites, without a word."""
    monkeypatch.setattr(report, "make_estimator", LengthRule)
    labels = _labels(tmp_path / "labels")
    rows = ["ko-0,a.example,ko,written,,news"]  # one page: too few
    rows += [f"vi-{i},{'abcde'[i]}.example,vi,written,,news" for i in range(5)]  # on every site of en and de
    for row in rows:
        name = row.split(",")[0]  # each page of its own text: a duplicate is refused before any fit
        (labels / f"{name}.tsv").write_text(f"B\tMenu\nC\tA long line of the body text ({name}).\n")
    with (labels / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.write("\n".join(rows) + "\n")
    printed: list[str] = []
    found = report.run_evaluation(
        labels, [], baselines=False, by="none", jobs=1, json_out=None, card=None, echo=printed.append, language_out=True
    )
    skipped = {
        "vi": "no page to train on (pages in other languages, on sites without a page in vi)",
        "ko": "1 labelled page (a language is scored from 5)",
    }
    assert found["leave_one_language_out"]["skipped"] == skipped
    lines = "\n".join(printed).splitlines()
    assert [line for line in lines if ": skipped, " in line] == [
        f"{name}: skipped, {why}" for name, why in skipped.items()
    ]
    assert [row["language"] for row in found["leave_one_language_out"]["languages"]] == ["de", "en"]


def test_evaluate_options() -> None:
    runner = CliRunner()
    help_text = runner.invoke(app, ["evaluate", "--help"], env={"COLUMNS": "200"}).stdout
    for option in ("--folds", "--leave-one-language-out", "--test"):
        assert option in help_text
    assert runner.invoke(app, ["evaluate", "--folds", "1"]).exit_code == 2
    assert "--folds" in runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"}).stdout


def test_train_records_the_cross_validation_scheme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cleaner train` cross-validates as `cleaner evaluate` does and says so in the model manifest."""
    from cleaner.training import train

    saved: dict[str, Any] = {}

    class Saving(LengthRule):
        def save(self, path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
            saved.update(manifest)
            return manifest

    monkeypatch.setattr(train, "make_estimator", Saving)
    train.train(_labels(tmp_path / "labels"), tmp_path / "model.npz", folds=4)
    assert saved["cross_validation"]["scheme"] == "4-fold, whole sites left out"
    assert set(saved["cross_validation"]["per_kind"]) == {"news", "recipe"}
    assert saved["training_data"]["kinds"] == {"news": 4, "recipe": 6}


def test_the_card_describes_the_character_block_only_when_the_model_has_one(results: dict[str, Any]) -> None:
    """The card's model section is written from the estimator's parameters: a first stage with
    character n-grams says so (and their sizes), one without says nothing of them."""
    changed = json.loads(json.dumps(results))
    assert "grams inside words" not in render_model_card(changed)
    changed["estimator"]["char_ngrams"] = [4, 4]
    assert "TF-IDF of the character 4-grams inside words" in render_model_card(changed)
    changed["estimator"]["char_ngrams"] = [3, 5]
    assert "character 3-5-grams" in render_model_card(changed)


def test_card_is_written_whole_or_not_at_all(results: dict[str, Any], tmp_path: Path) -> None:
    """A disk that fills while the card is written leaves the card before it, not half a card."""
    folder = tmp_path / "card"
    folder.mkdir()
    card = folder / "MODEL_CARD.md"
    card.write_text("the card before\n", encoding="utf-8")
    real_write = os.write

    def write_half(fd: int, data: bytes) -> int:
        if len(data) > 100:
            return real_write(fd, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    found = {key: value for key, value in results.items() if not key.startswith("_")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "write", write_half)
        with pytest.raises(OSError):
            write_model_card(card, found)
    assert card.read_text(encoding="utf-8") == "the card before\n"
    assert [path.name for path in folder.iterdir()] == ["MODEL_CARD.md"]
    write_model_card(card, found)
    assert card.read_text(encoding="utf-8") == results["_card"]


def test_the_card_names_the_context_stages_extra_inputs_only_when_the_model_reads_them(results: dict[str, Any]) -> None:
    changed = json.loads(json.dumps(results))
    assert "span_p_share" not in render_model_card(changed) and "topic overlap" not in render_model_card(changed)
    changed["estimator"]["span_share"] = True
    assert "the page's span shares (`span_p_share`, `span_lines_share`)" in render_model_card(changed)
    changed["estimator"]["topic_overlap"] = True
    assert "span_lines_share`) and each line's topic overlap" in render_model_card(changed)


def test_a_long_system_name_is_printed_whole_and_the_columns_stay_in_line() -> None:
    """Names were cut to 34 characters: the ablations read "with one context stage instead of"."""
    from cleaner.training.evaluate import score
    from cleaner.training.labels import LabelledDocument
    from cleaner.training.tables import format_table

    doc = LabelledDocument("p", ["Menu", "Body text."], ["boilerplate", "content"], site="a.example", language="en")
    long = "cleaner with one context stage instead of 3 (ablation)"
    table = format_table([score("cleaner", [doc], [["boilerplate", "content"]]), score(long, [doc], [[None, None]])])
    header, rule, *rows = table.splitlines()
    assert rows[1].startswith(long + " ")
    assert len({len(line) for line in (header, rule, *rows)}) == 1  # every row as wide as the header
    assert header.index("group") == rows[0].index("(all)") == rows[1].index("(all)")


def test_a_system_keeping_nothing_has_no_precision_and_names_are_never_cut() -> None:
    """A baseline that kept nothing showed char P 1.000 (read as perfect); side-by-side headers cut
    system names to 22 characters ("C4 line rule (datatrov") and languages to 10 ("(unspecifi")."""
    from cleaner.training.devset import SnippetPage
    from cleaner.training.evaluate import score, score_snippets
    from cleaner.training.labels import LabelledDocument
    from cleaner.training.tables import format_side_by_side, format_snippet_side_by_side, format_table

    doc = LabelledDocument("p", ["Menu", "Body text."], ["boilerplate", "content"], site="a.example", language="en")
    nothing = score("C4 line rule (datatrove)", [doc], [["boilerplate", "boilerplate"]])
    _, _, row = format_table([nothing]).splitlines()
    cells = row.split()
    assert cells[-6] == "-" and cells[-3] == "-", row  # char P, line P
    assert "C4 line rule (datatrove)" in format_side_by_side([nothing]).splitlines()[0]
    page = SnippetPage(LabelledDocument("q", ["Body text."], [None], language=""), ["Body"], [])
    snippets = score_snippets("single-line TF-IDF (seeds)", [page], [["content"]], [])
    table = format_snippet_side_by_side([snippets])
    assert "single-line TF-IDF (seeds)" in table and "(unspecified)" in table, table


def test_evaluate_says_its_progress_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """evaluate --plus-shipped --folds 2 printed one header, then nothing on stderr for 7.5 minutes
    (train says each stage): each fold done is a line on stderr where no bar is drawn."""
    monkeypatch.setattr(report, "make_estimator", LengthRule)
    labels = _labels(tmp_path / "labels")
    result = CliRunner().invoke(app, ["evaluate", "--labels", str(labels), "--folds", "2", "--by", "none"])
    assert result.exit_code == 0, result.output
    assert "cleaner: cross-validating (2-fold" in result.stderr, result.stderr
    assert "cleaner: cross-validation: 2 of 2 folds done" in result.stderr, result.stderr
    assert "cross-validating" not in result.stdout


def _full_for(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The training outputs' writes of the file ``name`` fail as on a full disk, naming the hidden
    temporary as the real error does; the others are written."""
    from cleaner.training import outputs

    real = outputs.write_atomic

    def write(path: Path, data: bytes) -> None:
        if path.name == name:
            raise OSError(errno.ENOSPC, "No space left on device", str(path.parent / f".{name}.abcdefgh.tmp"))
        real(path, data)

    monkeypatch.setattr(outputs, "write_atomic", write)


@pytest.mark.parametrize("refused", ["e.json", "c.md"])
def test_evaluate_on_a_full_disk_names_the_file_and_what_was_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    """--json or --card on a full disk ended in "[Errno 28] No space left on device" with no file
    named (or the hidden temporary's name). Now the option and file, why, and what was not written
    after it; exit 1."""
    monkeypatch.setattr(report, "make_estimator", LengthRule)
    _full_for(monkeypatch, refused)
    labels = _labels(tmp_path / "labels")
    json_out, card = tmp_path / "out" / "e.json", tmp_path / "out" / "c.md"
    args = ["evaluate", "--labels", str(labels), "--folds", "2", "--by", "none", "--json", str(json_out)]
    result = CliRunner().invoke(app, [*args, "--card", str(card)])
    assert result.exit_code == 1, result.output
    said = [line for line in result.stderr.splitlines() if "folds done" not in line and "cross-validating" not in line]
    if refused == "e.json":
        assert said == [f"cleaner: --json {json_out} was not written: No space left on device; nor was --card {card}"]
        assert not json_out.parent.exists() or not any(json_out.parent.iterdir())
    else:
        assert said == [f"cleaner: --card {card} was not written: No space left on device"]
        assert f"wrote {json_out}" in result.stdout and sorted(p.name for p in json_out.parent.iterdir()) == ["e.json"]


def test_a_plot_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """A plot went straight onto its path (matplotlib's savefig): a full disk left half a PNG."""
    from cleaner.training.outputs import NotWritten, save_figure

    class Figure:
        def savefig(self, target: Any, format: str | None = None) -> None:
            target.write(b"\x89PNG" + bytes(300))

    before = tmp_path / "lc.png"
    before.write_bytes(b"the plot before")
    real_write = os.write

    def write_half(fd: int, data: bytes) -> int:
        if len(data) > 100:
            return real_write(fd, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "write", write_half)
        with pytest.raises(NotWritten, match=f"^cannot write {before}: No space left on device$"):
            save_figure(Figure(), before)
    assert before.read_bytes() == b"the plot before" and [p.name for p in tmp_path.iterdir()] == ["lc.png"]
    save_figure(Figure(), tmp_path / "new" / "lc.png")
    assert (tmp_path / "new" / "lc.png").read_bytes().startswith(b"\x89PNG")


def test_leave_one_language_out_with_no_language_to_leave_out_is_refused_before_any_fit(
    tmp_path: Path, no_fit: None
) -> None:
    """On pages of one language (or languages of too few pages), --leave-one-language-out ran the
    whole cross-validation, then said "no language has 5 pages and others", exit 0; --adapt on
    labels it cannot use is refused at once. Now so is this, saying what would qualify."""
    labels = _labels(tmp_path / "labels")
    manifest = labels / "manifest.csv"
    rows = manifest.read_text(encoding="utf-8").splitlines()
    kept = [rows[0]] + [row for row in rows[1:] if row.startswith("en-")]  # English only
    manifest.write_text("\n".join(kept) + "\n", encoding="utf-8")
    for page in labels.glob("de-*.tsv"):
        page.unlink()
    result = CliRunner().invoke(app, ["evaluate", "--labels", str(labels), "--leave-one-language-out"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "cleaner: no language to leave out: en has no page to train on (pages in other languages, on sites "
        "without a page in en); --leave-one-language-out needs a language with 5 or more labelled pages and pages "
        "in other languages, on other sites, to train on: label pages in more languages, or drop "
        "--leave-one-language-out\n"
    )


@pytest.mark.parametrize(
    "options",
    [
        ["--learning-curve", "--plot", "{tmp}/lc.png"],
        ["--learning-curve", "--plot", "{tmp}/lc.png", "--adapt", "--adapt-plot", "{tmp}/ad.png"],
        ["--adapt", "--adapt-plot", "{tmp}/ad.png"],
    ],
    ids=["plot", "both", "adapt-plot"],
)
def test_a_plot_named_without_matplotlib_is_refused_before_any_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_fit: None, options: list[str]
) -> None:
    """--plot lc.png without matplotlib: the table after all the fits, then "matplotlib is not
    installed ...; table only", exit 0, no lc.png. The file was asked for by name: refused at once."""
    import sys

    from cleaner.training.extras import install_hint

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    labels = _labels(tmp_path / "labels")
    args = [option.format(tmp=tmp_path) for option in options]
    result = CliRunner().invoke(app, ["evaluate", "--labels", str(labels), *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    named = [f"{option} {tmp_path}/{name}" for option, name in (("--plot", "lc.png"), ("--adapt-plot", "ad.png"))]
    named = [option for option in named if option.split()[0] in args]
    s = "s" if len(named) > 1 else ""
    dropped = " and ".join(option.split()[0] for option in named)
    assert result.stderr == (
        f"cleaner: {', '.join(named)}: matplotlib is not installed ({install_hint('plot')}); install it to draw "
        f"the plot{s}, or drop {dropped} for the table{s} only\n"
    )


def test_a_default_plot_without_matplotlib_is_a_note_before_the_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_fit: None
) -> None:
    """Without --plot, the curve's table is what was asked for, and no option turns the default plot
    off: a note at once (it came after all the fits), and the evaluation goes on."""
    import sys

    from conftest import Fitted

    from cleaner.training.extras import install_hint

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = CliRunner().invoke(app, ["evaluate", "--labels", str(_labels(tmp_path / "labels")), "--learning-curve"])
    assert isinstance(result.exception, Fitted), result.output  # it went on to the fits
    assert result.stderr == (
        f"cleaner: note: matplotlib is not installed ({install_hint('plot')}): the table only, without "
        "learning_curve.png\n"
    )


def test_the_card_says_what_was_run_not_what_make_eval_dev_runs(results: dict[str, Any]) -> None:
    """`cleaner evaluate --card card.md` run by hand on small_labels wrote "(run by `make
    eval-dev`)", "Cross-validation on labels/" and "The devset is never trained on." in a card with
    no devset: each now follows the run."""
    from cleaner.training.card import EVAL_DEV

    by_hand = json.loads(json.dumps(results))
    by_hand["command"] = "cleaner evaluate --labels small_labels --card card.md"
    by_hand["training_data"]["directory"] = "small_labels"
    by_hand["tests"], by_hand["snippet_tests"] = {}, {}
    card = render_model_card(by_hand)
    assert "Written by `cleaner evaluate --labels small_labels --card card.md` on " in card
    assert "make eval-dev" not in card and "devset" not in card.split("## Model")[0]
    assert "never trained on" not in card
    assert "## Cross-validation on small_labels/ (5-fold" in card
    shipped = json.loads(json.dumps(by_hand))
    shipped["training_data"]["shipped"] = {"documents": 378}
    assert "## Cross-validation on small_labels/ and the shipped pages (5-fold" in render_model_card(shipped)

    made = json.loads(json.dumps(results))
    made["command"] = EVAL_DEV
    card = render_model_card(made)
    assert f"Written by `{EVAL_DEV}` (run by `make eval-dev`) on " in card
    sets = ", ".join(f"`{directory}`" for directory in [*results["tests"], *results["snippet_tests"]])
    assert f"The held-out sets below ({sets}) are never trained on." in card


def test_the_card_shows_the_learning_curve_plot_only_when_it_was_written(results: dict[str, Any]) -> None:
    """The card linked learning_curve.png whatever --plot named, and when matplotlib drew nothing."""
    curve = json.loads(json.dumps(results))
    curve["learning_curve"] = [{"sites": 1, "draws": 1, "char_f1": 0.9, "char_f1_std": 0.0, "line_f1": 0.8}]
    assert "## Learning curve" in render_model_card(curve) and "![learning curve]" not in render_model_card(curve)
    curve["learning_curve_plot"] = "lc.png"
    assert "![learning curve](lc.png)" in render_model_card(curve)


def test_the_card_knows_the_command_make_eval_dev_runs() -> None:
    """The card says "run by `make eval-dev`" when its command is the Makefile's recipe: the two agree."""
    from cleaner.training.card import EVAL_DEV

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\neval-dev:", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    devset = re.search(r"^DEVSET := (\S+)$", makefile, re.MULTILINE)
    assert devset is not None
    command = recipe.split("$(BIN)/cleaner ", 1)[1].replace("$(DEVSET)", devset.group(1))
    assert ["cleaner", *command.split()] == EVAL_DEV.split()

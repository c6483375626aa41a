"""Snippet scoring of sets without per-line gold (devset/multi): hand-computed examples of the
normalisation, the case-sensitive substring test, the micro-average, and a failed page counted as
an empty output; reading such a set; and quoting a published figure from its README."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.labels import BOILERPLATE, CONTENT, LabelFormatError
from cleaner.training.devset import (
    SnippetPage,
    load_gold_dir,
    load_snippet_dir,
    parse_reference_row,
    quote_reference,
)
from cleaner.training.evaluate import kept_text, predict_each, score_snippets
from cleaner.training.labels import LabelledDocument
from cleaner.training.metrics import SnippetCounts, count_snippets, normalise_whitespace

C, B = CONTENT, BOILERPLATE
MULTI = Path(__file__).resolve().parent.parent.parent / "shared" / "devset" / "multi"


def test_whitespace_runs_become_one_space_then_strip() -> None:
    assert normalise_whitespace("  Ein\t kurzer\n\n  Satz. \u00a0") == "Ein kurzer Satz."
    assert normalise_whitespace("\n \t") == ""


def test_a_snippet_spanning_two_kept_lines_is_found() -> None:
    """The kept lines are joined by a newline, which normalises to the snippet's space."""
    counts = count_snippets("Die Lebensdauer von\nBauteilen erhöht sich.", ["von Bauteilen  erhöht"], [])
    assert counts == SnippetCounts(tp=1, pages=1)


def test_the_substring_test_is_case_sensitive() -> None:
    kept = "Newsletter abonnieren\nDas Bukett präsentiert sich fruchtig."
    counts = count_snippets(kept, ["das Bukett", "Das Bukett"], ["newsletter", "Newsletter"])
    # with: "das Bukett" missed (fn), "Das Bukett" found (tp); without: "newsletter" absent (tn),
    # "Newsletter" present (fp).
    assert counts == SnippetCounts(tp=1, fn=1, fp=1, tn=1, pages=1)


def test_scores_from_hand_counts() -> None:
    """tp 3, fp 1, fn 2: P = 3/4, R = 3/5, F1 = 2*3 / (2*3 + 1 + 2) = 2/3."""
    scores = SnippetCounts(tp=3, fp=1, fn=2, tn=5, pages=2).scores()
    assert scores["p"] == pytest.approx(0.75)
    assert scores["r"] == pytest.approx(0.6)
    assert scores["f1"] == pytest.approx(2 / 3)


def _page(name: str, lines: list[str], with_: list[str], without: list[str], language: str = "de") -> SnippetPage:
    document = LabelledDocument(name, lines, [None] * len(lines), site=f"{name}.example", language=language)
    return SnippetPage(document, with_, without)


PAGES = [
    # Kept: lines 0 and 2. with: both found; without: "Menü" dropped, "Teilen" kept.
    _page("a", ["Erster Absatz.", "Menü", "Zweiter Absatz. Teilen"], ["Erster Absatz.", "Zweiter"], ["Menü", "Teilen"]),
    # Kept: line 1 only. with: "Body" found, "Title" missed; without: "Footer" dropped.
    _page("b", ["Title", "Body text here.", "Footer"], ["Title", "Body text"], ["Footer"], language="en"),
]
PREDICTIONS = [[C, B, C], [B, C, B]]


def test_kept_text_joins_the_content_lines() -> None:
    assert kept_text(["a", "b", "", "c"], [C, B, None, C]) == "a\nc"


def test_micro_average_over_pages_and_per_language() -> None:
    evaluation = score_snippets("system", PAGES, PREDICTIONS)
    assert evaluation.per_document["a"] == SnippetCounts(tp=2, fp=1, fn=0, tn=1, pages=1)
    assert evaluation.per_document["b"] == SnippetCounts(tp=1, fp=0, fn=1, tn=1, pages=1)
    assert evaluation.overall == SnippetCounts(tp=3, fp=1, fn=1, tn=2, pages=2)
    # Summed counts, not a mean of the pages' F1 (0.8 and 2/3): 2*3 / (2*3 + 1 + 1) = 0.75.
    assert evaluation.overall.scores()["f1"] == pytest.approx(0.75)
    assert evaluation.per_language == {"de": evaluation.per_document["a"], "en": evaluation.per_document["b"]}


def test_a_page_the_system_fails_on_counts_as_empty_output() -> None:
    def fails_on_b(documents):
        if any(doc.name == "b" for doc in documents):
            raise RuntimeError("cannot parse this page")
        return [[C] * len(doc.lines) for doc in documents]

    predictions, failed = predict_each(fails_on_b, [page.document for page in PAGES])
    assert failed == ["b"]
    assert predictions[1] == [None, None, None]
    evaluation = score_snippets("fragile", PAGES, predictions, failed)
    # Page b kept nothing: both with snippets missed, the without snippet correctly absent.
    assert evaluation.per_document["b"] == SnippetCounts(tp=0, fp=0, fn=2, tn=1, pages=1)
    assert evaluation.overall == SnippetCounts(tp=2, fp=2, fn=2, tn=1, pages=2)
    assert evaluation.as_dict()["failed"] == ["b"]


def test_predict_each_keeps_a_working_system_batched() -> None:
    calls = []

    def keep_all(documents):
        calls.append(len(documents))
        return [[C] * len(doc.lines) for doc in documents]

    predictions, failed = predict_each(keep_all, [page.document for page in PAGES])
    assert failed == [] and calls == [2] and predictions == [[C, C, C], [C, C, C]]


def _write_set(directory: Path, records: list[dict], dumps: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "meta.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for name, text in dumps.items():
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
    return directory


def test_load_snippet_dir(tmp_path: Path) -> None:
    directory = _write_set(
        tmp_path / "multi",
        [
            {"id": "p1", "site": "one.example", "lang": "fr", "with": ["Texte"], "without": ["Partager"]},
            {"id": "p2", "site": "two.example", "lang": "es", "with": [], "without": ["Compartir"]},
        ],
        {"p1": "Partager\r\nTexte de l'article.\n", "p2": "Compartir\n\nCuerpo.\n"},
    )
    pages = load_snippet_dir(directory)
    assert [(p.name, p.language, p.document.site) for p in pages] == [
        ("p1", "fr", "one.example"),
        ("p2", "es", "two.example"),
    ]
    assert pages[0].document.lines == ["Partager", "Texte de l'article."]
    assert pages[1].document.lines == ["Compartir", "", "Cuerpo."]
    assert pages[0].with_snippets == ["Texte"] and pages[1].without_snippets == ["Compartir"]
    assert load_gold_dir(directory) == []  # no .gold: nothing to score line by line


def test_a_record_without_its_dump_is_an_error(tmp_path: Path) -> None:
    directory = _write_set(tmp_path / "multi", [{"id": "gone", "with": ["x"], "without": []}], {})
    with pytest.raises(LabelFormatError, match=r"meta.jsonl:1: no dump gone.txt"):
        load_snippet_dir(directory)


def test_a_snippet_list_must_be_strings(tmp_path: Path) -> None:
    directory = _write_set(tmp_path / "multi", [{"id": "p", "with": "Text", "without": []}], {"p": "Text\n"})
    with pytest.raises(LabelFormatError, match="'with' is not a list of strings"):
        load_snippet_dir(directory)


def test_gold_records_are_not_snippet_pages(tmp_path: Path) -> None:
    directory = _write_set(tmp_path / "vi", [{"id": "a", "site": "a.vn"}], {"a": "Menu\nBody.\n"})
    (directory / "a.gold").write_text("B\nC\n", encoding="utf-8")
    assert load_snippet_dir(directory) == []
    [document] = load_gold_dir(directory)
    assert document.language == "vi" and document.labels == [B, C]


README = """\
# a set

| system | vi char F1 | en char F1 |
|---|---|---|
| trafilatura 2.3.1 (same `<p>` wrapping) | 0.561 | 0.578 |

## Reference figures on these exact pages (2026-12-03)

| system | P | R | F1 |
|---|---|---|---|
| keep every line | 0.537 | 1.000 | 0.699 |
| Trafilatura 9.9 on the original HTML | 0.891 | 0.954 | 0.922 |

## Rules
"""


def test_parse_reference_row_takes_the_table_with_p_r_f1() -> None:
    """The first table names trafilatura too but has no P/R/F1 columns; the match ignores case."""
    row = parse_reference_row(README, "trafilatura")
    assert row == {
        "system": "Trafilatura 9.9 on the original HTML",
        "p": 0.891,
        "r": 0.954,
        "f1": 0.922,
        "section": "Reference figures on these exact pages (2026-12-03)",
    }
    assert parse_reference_row(README, "boilerpipe") is None
    assert parse_reference_row("no tables here", "trafilatura") is None


def test_quote_reference_says_when_the_readme_or_row_is_absent(tmp_path: Path) -> None:
    missing = quote_reference(tmp_path)
    assert "not found" in missing["missing"] and "not quoted" in missing["missing"]
    (tmp_path / "README.md").write_text("| system | P | R | F1 |\n|---|---|---|---|\n| other | 0.1 | 0.2 | 0.3 |\n")
    assert "no table row naming trafilatura" in quote_reference(tmp_path)["missing"]
    (tmp_path / "README.md").write_text(README)
    assert quote_reference(tmp_path)["f1"] == 0.922


def test_the_devset_readme_quotes_trafilatura() -> None:
    """The real devset/multi README parses (its table is what the model card quotes)."""
    if not (MULTI / "README.md").is_file():
        pytest.skip(f"{MULTI}/README.md not found (the devset is not part of the repository)")
    quoted = quote_reference(MULTI)
    assert "missing" not in quoted, quoted
    assert "trafilatura" in quoted["system"].lower()
    assert 0 < quoted["p"] <= 1 and 0 < quoted["r"] <= 1 and 0 < quoted["f1"] <= 1


@pytest.mark.parametrize(
    ("record", "said"),
    [
        ({"id": "p", "with": ["Text"], "witout": ["Menu"]}, r"meta.jsonl:1: key 'witout' .* write 'without'"),
        ({"id": "p", "With": ["Text"]}, r"meta.jsonl:1: key 'With' .* write 'with'"),
        ({"id": "p", "with": ["Text"], "without": [""]}, r"meta.jsonl:1: an empty snippet in 'without'.*remove it"),
        ({"id": "p", "with": ["  "], "without": []}, r"meta.jsonl:1: an empty snippet in 'with'"),
    ],
)
def test_slips_in_a_snippet_record_are_refused(tmp_path: Path, record: dict, said: str) -> None:
    """A misspelt key left its snippets unscored, and an empty snippet is in every page: each gave a
    plausible, wrong score without a word (walk5a #2)."""
    directory = _write_set(tmp_path / "multi", [record], {"p": "Text\nMenu\n"})
    with pytest.raises(LabelFormatError, match=said):
        load_snippet_dir(directory)


def test_an_id_given_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    records = [{"id": "p", "with": ["Text"], "without": []}, {"id": "p", "with": [], "without": ["Menu"]}]
    directory = _write_set(tmp_path / "multi", records, {"p": "Text\nMenu\n"})
    with pytest.raises(LabelFormatError, match=r"meta.jsonl:2: id 'p' again \(line 1\); give each page one record"):
        load_snippet_dir(directory)


def test_a_bom_in_meta_jsonl_is_read_past(tmp_path: Path) -> None:
    directory = _write_set(tmp_path / "multi", [{"id": "p", "with": ["Text"], "without": []}], {"p": "Text\n"})
    meta = directory / "meta.jsonl"
    meta.write_bytes(b"\xef\xbb\xbf" + meta.read_bytes())
    assert [page.name for page in load_snippet_dir(directory)] == ["p"]


def test_evaluate_names_a_dump_without_a_record_and_refuses_slips_as_usage_errors(tmp_path: Path) -> None:
    """A .txt with no record was left out of the score without a note; a fault on the second record
    stopped the run with status 1 after work, one on the first with status 2 before any."""
    from typer.testing import CliRunner

    from cleaner.cli import app

    runner = CliRunner()
    records = [{"id": "p", "with": ["Text"], "without": []}]
    directory = _write_set(tmp_path / "multi", records, {"p": "Text\n", "q": "Other\n"})
    result = runner.invoke(app, ["evaluate", "--test", str(directory), "--model", "default"])
    assert result.exit_code == 0, result.output
    assert f"{directory}: 1 dump without a .gold or a meta.jsonl record, not scored: q.txt" in result.stderr
    assert "trafilatura" not in result.output  # the devset's README quotes it; a user's set has none
    for bad in ({"id": "q", "with": [""]}, "not an object"):
        _write_set(directory, [*records, bad], {})
        result = runner.invoke(app, ["evaluate", "--test", str(directory), "--model", "default"])
        assert result.exit_code == 2 and "meta.jsonl:2:" in result.stderr

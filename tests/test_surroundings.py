"""``make eval-surrounded``: a labelled page inside other pages' chrome, scored on its own lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import record_estimators
from typer.testing import CliRunner

from cleaner.labels import BOILERPLATE, CONTENT
from cleaner.training import surroundings
from cleaner.training.labels import LabelledDocument, load_labelled_dir
from cleaner.training.surroundings import CUT, DONORS, SURROUNDINGS, app, measure, pick_donors, surround
from cleaner.training.train import make_estimator


def _page(name: str, site: str, language: str, tags: str) -> LabelledDocument:
    labels = [CONTENT if tag == "C" else BOILERPLATE if tag == "B" else None for tag in tags]
    lines = [f"{name} line {i}" if label else "" for i, label in enumerate(labels)]
    return LabelledDocument(name=name, lines=lines, labels=labels, site=site, language=language)


def test_surround_adds_only_the_donors_chrome_around_the_page_unchanged() -> None:
    page = _page("page", "a.example", "en", "BB-CCBC-B")
    donors = [_page("d1", "b.example", "en", "BBCCB"), _page("d2", "c.example", "en", "B-BCB-B")]
    lines, labels, own = surround(page, donors, above=2, below=1)
    assert lines[own] == page.lines and labels[own] == page.labels
    added = lines[: own.start] + lines[own.stop :]
    assert added == ["d1 line 0", "d1 line 1", "d2 line 0", "", "d2 line 2", "d1 line 4"]
    assert set(labels[: own.start] + labels[own.stop :]) == {BOILERPLATE, None}


def test_cut_leaves_the_page_from_or_to_its_article_and_adds_nothing() -> None:
    page = _page("page", "a.example", "en", "BB-CCBC-B")
    donors = [_page("d1", "b.example", "en", "BBCCB")]
    article = ["page line 3", "page line 4", "page line 5", "page line 6"]  # first to last content line
    for above, below, expected in (
        (CUT, 0, [*article, "", "page line 8"]),
        (0, CUT, ["page line 0", "page line 1", "", *article]),
        (CUT, CUT, article),
    ):
        lines, labels, own = surround(page, donors, above, below)
        assert lines == lines[own] == expected
        assert labels[own] == page.labels[page.lines.index(expected[0]) :][: len(expected)]


def test_donors_come_from_other_sites_and_the_same_language_when_there_is_one() -> None:
    page = _page("page", "a.example", "vi", "BCB")
    candidates = [
        page,
        _page("same-site", "a.example", "vi", "BCB"),
        _page("other-language", "b.example", "en", "BCB"),
        *(_page(f"vi-{i}", f"v{i}.example", "vi", "BCB") for i in range(3)),
    ]
    donors = pick_donors(page, candidates, np.random.default_rng(0))
    assert len(donors) == DONORS
    assert all(d.site != page.site and d.language == "vi" for d in donors)
    alone = pick_donors(page, candidates[:3], np.random.default_rng(0))
    assert [d.name for d in alone] == ["other-language"]


def test_eval_surrounded_scores_the_pages_own_lines_in_every_surrounding(
    labels_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the seed pages (three sites): each surrounding scores exactly the pages' own lines, with
    models of the shipped configuration (it once fitted LineClassifier's defaults instead)."""
    built = record_estimators(monkeypatch, surroundings)
    seeds = [doc for doc in load_labelled_dir(labels_dir) if doc.origin == "seed"]
    found, borrowed, alone = measure(seeds, {"n_splits": 2})
    shipped = make_estimator().set_params(n_splits=2).get_params()
    assert built and all(estimator.get_params() == shipped for estimator in built)
    assert set(found) == set(SURROUNDINGS)
    content = sum(label == CONTENT for doc in seeds for label in doc.labels)
    for counts in found.values():
        assert counts.tp + counts.fn == content  # every own content line scored once, none added
    assert found["as it is"].scores()["char_f1"] > 0.5
    # One site per fold: every page borrows its donors from the training pages, and is surrounded.
    assert (borrowed, alone) == (len(seeds), 0)
    assert found["both"] != found["as it is"]


def test_a_labels_directory_without_manifest_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--labels", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}/manifest.csv: no manifest" in result.stderr


def test_a_site_alone_is_scored_as_it_is_and_counted() -> None:
    """One site only: no chrome of another site to borrow, so every surrounding that adds chrome is
    the page as it is (those that cut the page's own are not)."""
    pages = [_page(f"p{i}", "a.example", "en", "BBCCCCB" * 3) for i in range(3)]
    found, borrowed, alone = measure(pages, {"n_splits": 2})
    assert (borrowed, alone) == (0, 3)
    added = [counts for name, counts in found.items() if CUT not in SURROUNDINGS[name]]
    assert len(set(added)) == 1 and found["the article alone"] != found["as it is"]


class Measured(Exception):
    """Raised where the report would start its cross-validation."""


def test_set_changes_the_configuration_the_report_fits(labels_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--set`` (repeatable) measures a variant of the shipped configuration with the committed
    command (as ``cleaner evaluate --set`` does); a key the estimator does not have is a usage error."""
    asked: list[tuple[dict[str, object], int]] = []

    def measured(documents: object, params: dict[str, object], n_jobs: int = 1) -> None:
        asked.append((params, n_jobs))
        raise Measured

    monkeypatch.setattr(surroundings, "measure", measured)
    result = CliRunner().invoke(app, ["--labels", str(labels_dir), "--set", "trimmed=0.3", "--jobs", "1"])
    assert isinstance(result.exception, Measured), result.output
    result = CliRunner().invoke(app, ["--labels", str(labels_dir), "--set", "trimmed=0.3", "--set", "C=0.1"])
    assert isinstance(result.exception, Measured), result.output
    (params, jobs), (both, default_jobs) = asked
    assert (jobs, params) == (1, {"trimmed": 0.3})
    assert make_estimator().set_params(**params).trimmed == 0.3
    assert (default_jobs, both) == (2, {"trimmed": 0.3, "C": 0.1})
    result = CliRunner().invoke(app, ["--labels", str(labels_dir), "--set", "trimed=0.3"])
    assert result.exit_code == 2
    assert "--set trimed: no such estimator parameter" in result.stderr

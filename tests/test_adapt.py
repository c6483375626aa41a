"""cleaner evaluate --adapt: which pages each point of the curve trains on and scores, and the
curve itself on a few seed pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from label_support import seeded_labels

from cleaner.training.adapt import (
    adaptation_curve,
    adaptation_section,
    eligible_sites,
    format_adaptation,
    plan,
    seen_errors,
)
from cleaner.training.labels import LabelledDocument, load_labelled_dir
from cleaner.training.train import make_estimator


def pages(site: str, n: int) -> list[LabelledDocument]:
    return [LabelledDocument(f"{site}-{i}", [f"line {i}"], ["content"], site=site) for i in range(n)]


def test_plan_teaches_nested_pages_and_scores_the_same_ones_at_every_k() -> None:
    documents = pages("a.vn", 4) + pages("b.vn", 6) + pages("c.vn", 3)
    chosen = plan(documents, ks=(0, 1, 2, 3), min_pages=4)
    assert sorted(chosen) == ["a.vn", "b.vn"] == eligible_sites(documents)
    for site, (taught, scored) in chosen.items():
        assert len(taught) == 3 and set(taught).isdisjoint(scored)
        assert {documents[i].site for i in taught + scored} == {site}
        assert len(taught) + len(scored) == sum(doc.site == site for doc in documents)
    assert plan(documents) == plan(documents)
    assert len(plan(documents, sites=1)) == 1
    with pytest.raises(ValueError, match="more pages"):
        plan(documents, ks=(0, 1, 2, 3), min_pages=3)


def test_seen_errors_counts_wrong_lines_the_taught_pages_hold() -> None:
    taught = [LabelledDocument("t", ["Menu", "Article one."], ["boilerplate", "content"])]
    test = [LabelledDocument("s", ["Menu", "Article two.", ""], ["boilerplate", "content", None])]
    errors = seen_errors(taught, test, [["content", "boilerplate", None]])
    assert errors == {"lines": 2, "chars": 16, "seen_lines": 1, "seen_chars": 4}


@pytest.mark.slow
def test_the_curve_on_seed_sites(tmp_path: Path) -> None:
    labels = seeded_labels(
        tmp_path / "labels",
        ["seed-thoidai-000", "seed-thoidai-001", "seed-baoquocte-003", "seed-baoquocte-004", "seed-kinhtedothi-002"],
    )
    documents = load_labelled_dir(labels)
    lines: list[str] = []
    curve = adaptation_curve(
        documents, lambda: make_estimator().set_params(n_splits=2), ks=(0, 1), min_pages=2, echo=lines.append
    )
    assert curve["sites"] == 2 and curve["cost"]["fits"] == 4
    for site, by_k in curve["per_site"].items():
        assert set(by_k) == {"0", "1"}
        assert all(0.0 <= point["char_f1"] <= 1.0 for point in by_k.values())
        assert list(by_k["0"]["pages"]) == list(by_k["1"]["pages"]) == curve["scored_pages"][site]
    table = format_adaptation(curve)
    assert "thoidai.com.vn" in table and "mean of sites" in table
    section = "\n".join(adaptation_section({"adaptation": {"curves": {"weight 1": curve}, "target": 0.98}}))
    assert "| k=0 | k=1 |" in section and "At k = 1 the mean is" in section


def test_adapt_without_a_site_of_four_pages_is_refused_before_any_fit(tmp_path: Path, no_fit: None) -> None:
    """It was said after the whole cross-validation (tens of minutes with --plus-shipped), exit 2."""
    from typer.testing import CliRunner

    from cleaner.cli import app

    labels = seeded_labels(tmp_path / "labels", ["seed-thoidai-000", "seed-thoidai-001", "seed-kinhtedothi-002"])
    result = CliRunner().invoke(app, ["evaluate", "--labels", str(labels), "--adapt"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert "no site has 4 or more labelled pages; --adapt needs at least one" in result.stderr

"""cleaner label's saving: label files and manifest rows that `cleaner labels check` accepts, written
whole, and never outside labels/ whatever name a page or a URL proposes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import Labelled

from cleaner.training.check import check_labels
from cleaner.training.labelling.pages import site_of_url, slug
from cleaner.training.labelling.store import Row, SaveError, UnsafeName, label_path, safe_name, save_page
from cleaner.training.labels import load_labelled_dir

HEADER = "name,site,language,origin,source\n"


def tags_of(doc: Labelled) -> list[str | None]:
    return [None if label is None else ("C" if label == "content" else "B") for label in doc.labels]


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    directory = tmp_path / "repo" / "labels"
    directory.mkdir(parents=True)
    (directory / "manifest.csv").write_text(HEADER + "other,other.vn,vi,seed,\n", encoding="utf-8")
    (directory / "other.tsv").write_text("C\tAn article.\nB\tMenu\n", encoding="utf-8")
    return directory


def test_a_saved_page_passes_labels_check(labels: Path, sample_document: Labelled) -> None:
    path = save_page(labels, Row("my-page", "Example.COM", "VI"), sample_document.lines, tags_of(sample_document), None)
    assert path == labels / "my-page.tsv"
    assert check_labels(labels, echo=lambda _: None) == []
    documents = {doc.name: doc for doc in load_labelled_dir(labels)}
    saved = documents["my-page"]
    assert (saved.site, saved.language, saved.origin) == ("example.com", "vi", "user")
    assert saved.labels == sample_document.labels
    assert saved.lines == [line if line.strip() else "" for line in sample_document.lines]
    assert "other" in documents  # the other rows are kept


def test_saving_again_replaces_the_row_and_a_new_name_moves_the_file(labels: Path, sample_document: Labelled) -> None:
    tags = tags_of(sample_document)
    save_page(labels, Row("first", "example.com", "vi"), sample_document.lines, tags, None)
    flipped = ["B" if tag == "C" and i > 10 else tag for i, tag in enumerate(tags)]
    save_page(labels, Row("renamed", "example.com", "vi"), sample_document.lines, flipped, "first")
    assert not (labels / "first.tsv").exists()
    rows = list(csv.DictReader((labels / "manifest.csv").open(encoding="utf-8")))
    assert [row["name"] for row in rows] == ["other", "renamed"]
    assert check_labels(labels, echo=lambda _: None) == []


def test_another_pages_file_is_never_overwritten(labels: Path, sample_document: Labelled) -> None:
    before = (labels / "other.tsv").read_bytes()
    with pytest.raises(SaveError, match="already exists"):
        save_page(labels, Row("other", "example.com", "vi"), sample_document.lines, tags_of(sample_document), None)
    assert (labels / "other.tsv").read_bytes() == before


@pytest.mark.parametrize(
    "name",
    ["../escape", "/etc/passwd", "..", ".", "a/b", "a\\b", "", ".hidden", "x" * 101, "nul\0byte", "tab\tname", "é"],
)
def test_names_that_could_leave_labels_are_refused(labels: Path, name: str, sample_document: Labelled) -> None:
    before = sorted(p.relative_to(labels.parent) for p in labels.parent.rglob("*"))
    with pytest.raises(SaveError):
        save_page(labels, Row(name, "example.com", "vi"), sample_document.lines, tags_of(sample_document), None)
    assert sorted(p.relative_to(labels.parent) for p in labels.parent.rglob("*")) == before
    with pytest.raises(UnsafeName):
        safe_name(name)


def test_a_symlinked_label_file_is_refused(labels: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.tsv"
    outside.write_text("C\tx\n")
    (labels / "link.tsv").symlink_to(outside)
    with pytest.raises(SaveError):
        label_path(labels, "link")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.BaoQuocTe.vn/path/to/page.html", "baoquocte.vn"),
        ("http://example.com:8080/x", "example.com"),
        ("https://cdn.harbourpost.example.com/a.jpg", "harbourpost.example.com"),
        ("https://m.vnexpress.net/x", "vnexpress.net"),
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("not a url", None),
        ("file:///etc/passwd", None),
        ("page.txt", None),
    ],
)
def test_sites_from_urls(url: str, expected: str | None) -> None:
    assert site_of_url(url) == expected


@pytest.mark.parametrize(
    "text", ["../../etc/passwd", "https://example.com/a/../../b?c=d", "Đọc nhiều: tin/mới", "..", "", "\0"]
)
def test_slugs_are_safe_names(text: str) -> None:
    assert safe_name(slug(text)) == slug(text)


@pytest.mark.parametrize(
    ("tags", "problem"),
    [
        (lambda n: ["C"] * (n - 1), "labels for"),
        (lambda n: ["X"] * n, "label 'X'"),
        (lambda n: ["B"] * n, "no content line"),
    ],
)
def test_bad_labels_are_refused(labels: Path, sample_document: Labelled, tags, problem: str) -> None:
    lines = [line for line in sample_document.lines if line.strip()]
    with pytest.raises(SaveError, match=problem):
        save_page(labels, Row("page", "example.com", "vi"), lines, tags(len(lines)), None)
    assert not (labels / "page.tsv").exists()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (Row("p", "", "vi"), "site"),
        (Row("p", "a,b.com", "vi"), "site"),
        (Row("p", "example.com\nx", "vi"), "site"),
        (Row("p", "example.com", "vietnamese"), "language"),
        (Row("p", "example.com", "vi", kind="novel"), "kind"),
    ],
)
def test_manifest_fields_that_would_corrupt_it_are_refused(labels: Path, row: Row, problem: str) -> None:
    with pytest.raises(SaveError, match=problem):
        save_page(labels, row, ["Body text."], ["C"], None)


def test_a_kind_adds_the_column_and_keeps_the_other_rows(labels: Path) -> None:
    save_page(labels, Row("recipe", "example.com", "en", kind="recipe"), ["200 g flour"], ["C"], None)
    rows = list(csv.DictReader((labels / "manifest.csv").open(encoding="utf-8")))
    assert rows[0]["name"] == "other" and rows[0]["kind"] == ""
    assert rows[1]["kind"] == "recipe"
    assert check_labels(labels, echo=lambda _: None) == []


def test_a_new_labels_directory_gets_a_manifest(tmp_path: Path) -> None:
    directory = tmp_path / "labels"
    save_page(directory, Row("p", "example.com", "en"), ["Body text.", "", "Menu"], ["C", None, "B"], None)
    assert check_labels(directory, echo=lambda _: None) == []
    assert not list(directory.glob(".*.tmp"))  # written through a temporary file, renamed into place


def test_a_second_label_file_of_the_same_text_is_refused(labels: Path, sample_document: Labelled) -> None:
    """The same dump saved under two names (read from two inputs, or offered again after a
    restart) made two label files of one text: `labels check` refused the directory, while
    Retrain trained on the page twice and scored it with its twin in training."""
    tags = tags_of(sample_document)
    save_page(labels, Row("first", "example.com", "vi"), sample_document.lines, tags, None)
    with pytest.raises(SaveError, match=r"saved already, as first\.tsv"):
        save_page(labels, Row("second", "example.com", "vi"), sample_document.lines, tags, None)
    assert not (labels / "second.tsv").exists()
    save_page(labels, Row("first", "example.com", "vi"), sample_document.lines, tags, "first")  # its own file: fine
    assert check_labels(labels, echo=lambda _: None) == []


def test_a_save_never_renames_away_another_pages_label_file(labels: Path) -> None:
    """A save that names as its previous file one that holds another page's text (a tab left open
    across a restart of the server) deleted that page's labels and wrote its own text in their place."""
    other = (labels / "other.tsv").read_bytes()
    manifest = (labels / "manifest.csv").read_bytes()
    for name in ("mine", "other"):  # a rename away from other.tsv, and an overwrite of it
        with pytest.raises(SaveError, match=r"other\.tsv .* holds another page's text now"):
            save_page(labels, Row(name, "example.vn", "en"), ["Another text.", "Menu"], ["C", "B"], "other")
        assert (labels / "other.tsv").read_bytes() == other
        assert (labels / "manifest.csv").read_bytes() == manifest
        assert not (labels / "mine.tsv").exists()
    # Its own previous file, holding its own text, is replaced as before.
    save_page(labels, Row("mine", "example.vn", "en"), ["An article.", "Menu"], ["C", "C"], "other")
    assert not (labels / "other.tsv").exists()
    assert (labels / "mine.tsv").read_text(encoding="utf-8") == "C\tAn article.\nC\tMenu\n"

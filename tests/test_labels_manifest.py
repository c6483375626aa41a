"""cleaner.training.labels: read_manifest and load_labelled_dir."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from cleaner.labels import CONTENT, LabelFormatError
from cleaner.training import labels as labels_module
from cleaner.training.labels import load_labelled_dir, read_label_file, read_labelled, read_manifest

HEADER = "name,site,language,origin,source\n"
GOOD_TSV = "C\tHeadline of the article\nB\tLogin | Subscribe\n\nC\tBody text.\n"


def write_dir(directory: Path, manifest: str, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifest.csv").write_text(manifest, encoding="utf-8")
    for name, text in files.items():
        (directory / f"{name}.tsv").write_text(text, encoding="utf-8")
    return directory


def error_of(call, *args) -> str:
    with pytest.raises(LabelFormatError) as info:
        call(*args)
    return str(info.value)


def test_read_manifest(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + "a,a.example,en,written,\nb, b.example ,vi,seed,../shared/seeds/b.txt\n")
    rows = read_manifest(path)
    assert [row["name"] for row in rows] == ["a", "b"]
    assert rows[0]["source"] == ""
    assert rows[1]["site"] == "b.example"
    assert rows[1]["source"] == "../shared/seeds/b.txt"


def test_source_column_is_optional(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text("name,site,language,origin\na,a.example,en,user\n")
    assert read_manifest(path)[0]["source"] == ""


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text("name,site,origin\na,a.example,user\n")
    message = error_of(read_manifest, path)
    assert message.startswith(f"{path}:1: ")
    assert "language" in message


@pytest.mark.parametrize(
    ("rows", "line", "what"),
    [
        ("a,a.example,en,written,\nb,b.example,en,scraped,\n", 3, "origin"),
        ("a,,en,written,\n", 2, "site"),
        ("a,a.example,,written,\n", 2, "language"),
        ("a,a.example,en,written,\n,b.example,en,user,\n", 3, "name"),
        ("a,a.example,en\n", 2, "origin"),
    ],
)
def test_bad_rows_name_their_line(tmp_path: Path, rows: str, line: int, what: str) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + rows)
    message = error_of(read_manifest, path)
    assert message.startswith(f"{path}:{line}: "), message
    assert what in message


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    """A blank line between rows (easy to leave when editing by hand) must not shift the
    reported line: the message should point at the file line holding the bad row."""
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + "a,a.example,en,written,\n\nb,b.example,en,bogus,\n")
    bad_line = path.read_text().splitlines().index("b,b.example,en,bogus,") + 1
    assert error_of(read_manifest, path).startswith(f"{path}:{bad_line}: ")


def test_load_labelled_dir(tmp_path: Path) -> None:
    directory = write_dir(
        tmp_path / "labels",
        HEADER + "second,b.example,vi,user,\nfirst,a.example,en,written,\n",
        {"first": GOOD_TSV, "second": "B\tMenu\nC\tNội dung.\n"},
    )
    documents = load_labelled_dir(directory)
    assert [doc.name for doc in documents] == ["second", "first"]  # manifest order
    second, first = documents
    assert (second.site, second.language, second.origin) == ("b.example", "vi", "user")
    assert second.lines == ["Menu", "Nội dung."]
    assert second.labels == ["boilerplate", CONTENT]
    assert first.lines == ["Headline of the article", "Login | Subscribe", "", "Body text."]
    assert first.path == directory / "first.tsv"


def test_load_seed_subset(tmp_path: Path, labels_dir: Path) -> None:
    names = ["seed-thoidai-001", "seed-kinhtedothi-002"]
    directory = tmp_path / "labels"
    directory.mkdir()
    for name in names:
        shutil.copy(labels_dir / f"{name}.tsv", directory)
    (directory / "manifest.csv").write_text(
        HEADER + "".join(f"{name},{name.split('-')[1]}.vn,vi,seed,\n" for name in names)
    )
    documents = load_labelled_dir(directory)
    for doc, name in zip(documents, names):
        assert (doc.lines, doc.labels) == read_label_file(labels_dir / f"{name}.tsv")
        assert CONTENT in doc.labels


# A problem of the manifest as a whole: path: what is wrong, with no line number (it was manifest.csv:0:).
MANIFEST_PREFIX = re.compile(r"^.*manifest\.csv: ")


def test_unlisted_file_is_rejected(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, HEADER + "a,a.example,en,user,\n", {"a": GOOD_TSV, "stray": GOOD_TSV})
    message = error_of(load_labelled_dir, directory)
    assert MANIFEST_PREFIX.match(message), message
    assert "stray" in message


def test_row_without_file_is_rejected_at_its_line(tmp_path: Path) -> None:
    """A problem of one row is said at the row's line (it was manifest.csv: 'ghost' has no file, of
    the manifest as a whole), as train and evaluate read the labels."""
    directory = write_dir(tmp_path, HEADER + "a,a.example,en,user,\n\nghost,a.example,en,user,\n", {"a": GOOD_TSV})
    assert error_of(load_labelled_dir, directory) == (
        f"{directory / 'manifest.csv'}:4: 'ghost' has no file ghost.tsv; add the label file, or remove the row"
    )


def test_bad_origin_is_rejected(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, HEADER + "a,a.example,en,crawled,\n", {"a": GOOD_TSV})
    message = error_of(load_labelled_dir, directory)
    assert message.startswith(f"{directory / 'manifest.csv'}:2: ")


def test_missing_manifest_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text(GOOD_TSV)
    assert MANIFEST_PREFIX.match(error_of(load_labelled_dir, tmp_path))


def test_malformed_label_file_names_its_line(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, HEADER + "a,a.example,en,user,\n", {"a": "C\tok\nB\tok\nno tab here\n"})
    assert error_of(load_labelled_dir, directory).startswith(f"{directory / 'a.tsv'}:3: ")


def test_label_file_that_is_not_utf8(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, HEADER + "a,a.example,en,user,\n", {})
    (directory / "a.tsv").write_bytes(b"C\tok\nC\tcaf\xe9\n")
    assert error_of(load_labelled_dir, directory).startswith(f"{directory / 'a.tsv'}:2: ")


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (
            "a,a.example,en,user,,news,extra\n",
            "2: 7 fields, but the header has 5; a row is name,site,language,origin,source,kind "
            "(a row without its line break joins the next one)",
        ),
        # labels/README.md's recipe, `echo 'mypage,...' >> labels/manifest.csv`, on a manifest whose
        # last row has no line break: the two rows became one, and the new page "had no row".
        (
            "a,a.example,en,user,mypage,mysite.example,vi,user,\n",
            "2: 9 fields, but the header has 5; a row is name,site,language,origin,source,kind",
        ),
        ("a,a.example\n", "2: 2 fields; a row needs name,site,language,origin (then source and kind, or nothing)"),
        ("a,a.example,en,user,\nb,b.example,en,user,\na,c.example,en,user,\n", "4: 'a' is listed again (line 2)"),
        ("a,a.example,VI,user,\n", "2: language 'VI': give an ISO 639-1 code in lower case, such as vi or en"),
        ("a,a.example,Vietnamese,user,\n", "2: language 'Vietnamese': give an ISO 639-1 code in lower case"),
        ("a,https://A.example/news,en,user,\n", "2: site 'https://A.example/news': give the site's domain in lower"),
    ],
    ids=["extra-field", "joined-rows", "few-fields", "listed-twice", "upper-case-language", "language-name", "url"],
)
def test_a_row_that_would_mislead_training_is_refused(tmp_path: Path, rows: str, says: str) -> None:
    """Such rows were read without a word: extra fields dropped, a page listed twice trained on twice
    (in two folds, under two sites), 'VI' and 'vi' scored as two languages, a URL made a site of
    its own (its pages in other folds than the site's)."""
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + rows)
    assert error_of(read_manifest, path).startswith(f"{path}:{says}")


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text("name,site,language,origin,source,kind\na,a.example,en,user,,newz\n")
    assert error_of(read_manifest, path) == (
        f"{path}:2: kind 'newz': give one of news, blog, recipe, product, forum, docs, institutional, event, "
        "encyclopedia, or leave it empty"
    )


def test_the_shipped_manifest_is_read(labels_dir: Path) -> None:
    assert len(read_manifest(labels_dir / "manifest.csv")) > 200


def test_the_data_hash_names_the_bytes_parsed_even_if_a_file_changes_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The labelling page saves while a retrain reads labels/: a hash made from a second read would
    # name the new labels in a model trained on the old ones.
    directory = write_dir(tmp_path / "labels", HEADER + "first,a.example,en,written,\n", {"first": GOOD_TSV})
    read_before = labels_module.read_label_file

    def read_then_save(path: Path, data: bytes | None = None):
        parsed = read_before(path, data)
        path.write_text(GOOD_TSV.replace("C\tBody", "B\tBody"), encoding="utf-8")  # a save, just after the read
        return parsed

    monkeypatch.setattr(labels_module, "read_label_file", read_then_save)
    documents, sha256 = read_labelled(directory)
    assert documents[0].labels[-1] == CONTENT  # parsed before the save
    parsed_bytes = hashlib.sha256(b"name,site,language,origin,source\nfirst,a.example,en,written,\n")
    parsed_bytes.update(b"first\0" + GOOD_TSV.encode())
    assert sha256 == parsed_bytes.hexdigest()
    monkeypatch.undo()
    assert read_labelled(directory).sha256 != sha256  # the saved file is other data

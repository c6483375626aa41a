"""cleaner.training.check.check_labels: every problem a label directory can have."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from cleaner.training.check import check_labels

HEADER = "name,site,language,origin,source\n"
DUMP = ["Headline of the article", "Login | Subscribe", "   ", "Body text of the article."]
TSV = "C\tHeadline of the article\nB\tLogin | Subscribe\n\nC\tBody text of the article.\n"


def make_repo(tmp_path: Path, rows: str, files: dict[str, str]) -> Path:
    """repo/labels with the given manifest rows and label files; returns the labels directory."""
    directory = tmp_path / "repo" / "labels"
    directory.mkdir(parents=True)
    (directory / "manifest.csv").write_text(HEADER + rows, encoding="utf-8")
    for name, text in files.items():
        (directory / f"{name}.tsv").write_text(text, encoding="utf-8")
    return directory


def run(directory: Path) -> tuple[list[str], list[str]]:
    said: list[str] = []
    return check_labels(directory, echo=said.append), said


def test_good_directory(tmp_path: Path) -> None:
    other = "C\tAnother article.\nB\tFooter\n"
    directory = make_repo(tmp_path, "a,a.example,en,written,\nb,b.example,vi,user,\n", {"a": TSV, "b": other})
    problems, said = run(directory)
    assert problems == []
    report = "\n".join(said)
    assert "a.example" in report
    assert "b.example" in report


def test_duplicate_text(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,\nb,a.example,en,user,\n", {"a": TSV, "b": TSV})
    problems, _ = run(directory)
    assert len(problems) == 1
    assert "b.tsv" in problems[0]
    assert "a.tsv" in problems[0] or "'a'" in problems[0]


def test_name_listed_twice(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,\na,a.example,en,user,\n", {"a": TSV})
    problems, _ = run(directory)
    assert any("'a'" in problem and "manifest.csv" in problem for problem in problems)


def test_file_without_row(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,\n", {"a": TSV, "stray": "C\tx\n"})
    problems, _ = run(directory)
    assert len(problems) == 1
    assert "stray.tsv" in problems[0]


def test_row_without_file(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,\nghost,a.example,en,user,\n", {"a": TSV})
    problems, _ = run(directory)
    assert len(problems) == 1
    assert "ghost" in problems[0]


def test_bad_manifest(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,found-online,\n", {"a": TSV})
    problems, _ = run(directory)
    assert len(problems) == 1
    assert problems[0].startswith(f"{directory / 'manifest.csv'}:2: ")


def test_missing_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text(TSV)
    problems, _ = run(tmp_path)
    assert len(problems) == 1
    assert "manifest.csv" in problems[0]


def test_missing_directory(tmp_path: Path) -> None:
    """A folder that is not there is said to be missing, not to lack a manifest (nor an OS error)."""
    (tmp_path / "file").write_text("")
    for directory, says in ((tmp_path / "nope", "no such directory"), (tmp_path / "file", "not a directory")):
        problems, _ = run(directory)
        assert problems == [
            f"{directory}: {says}; give the directory of labelled dumps and their manifest.csv "
            "(see cleaner labels --help)"
        ]


def test_malformed_label_file(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,\n", {"a": "C\tfine\nZ\tbad tag\n"})
    problems, _ = run(directory)
    assert len(problems) == 1
    assert problems[0].startswith(f"{directory / 'a.tsv'}:2: ")


def test_no_content_line(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,\n", {"a": "B\tMenu\nB\tFooter\n"})
    problems, _ = run(directory)
    assert len(problems) == 1
    assert "a.tsv" in problems[0]


def with_source(tmp_path: Path, dump: bytes) -> Path:
    directory = make_repo(tmp_path, "a,a.example,en,seed,../shared/a.txt\n", {"a": TSV})
    source = tmp_path / "shared" / "a.txt"  # repo/../shared/a.txt: relative to the repository root
    source.parent.mkdir()
    source.write_bytes(dump)
    return directory


def test_source_that_matches(tmp_path: Path) -> None:
    problems, _ = run(with_source(tmp_path, "\n".join(DUMP).encode()))
    assert problems == []


def test_source_with_bom_and_crlf_matches(tmp_path: Path) -> None:
    problems, _ = run(with_source(tmp_path, b"\xef\xbb\xbf" + "\r\n".join(DUMP).encode() + b"\r\n"))
    assert problems == []


def test_source_with_a_changed_line(tmp_path: Path) -> None:
    """Named at its line, as every problem of one line is (it said "a.tsv:0: line 4 differs"), with
    both versions quoted so that a trailing tab or space shows."""
    changed = [*DUMP[:3], "Body text of the article!"]
    directory = with_source(tmp_path, "\n".join(changed).encode())
    problems, _ = run(directory)
    source = (tmp_path / "shared" / "a.txt").resolve()
    assert problems == [
        f"{directory / 'a.tsv'}:4: differs from its source {source}:4 "
        "(here 'Body text of the article.', there 'Body text of the article!')"
    ]


def test_problems_of_a_whole_file_have_no_line_number(tmp_path: Path) -> None:
    """A problem of a whole file (or of the manifest as a whole) is said as path: what is wrong; it
    was path:0:, a line 0 that no editor can go to."""
    rows = "".join(f"{name},{name}.example,en,user,\n" for name in ("a", "b", "c", "d", "ghost"))
    files = {"a": TSV, "b": TSV, "c": "", "d": "B\tMenu\n", "stray": "C\tx\n"}
    directory = make_repo(tmp_path, rows, files)
    problems, _ = run(directory)
    manifest = directory / "manifest.csv"
    assert sorted(problems) == sorted(
        [
            f"{directory / 'stray.tsv'}: no row in manifest.csv",
            f"{directory / 'b.tsv'}: same text as a.tsv (a duplicate, trained on twice); remove one of them "
            "and its manifest row",
            f"{directory / 'c.tsv'}: empty file; write the page's labels in it (cleaner predict DUMP --format labels), "
            "or remove it and its manifest row",
            f"{directory / 'd.tsv'}: no content line; is the whole page boilerplate? Tag its content lines C, "
            "or remove it and its manifest row",
            f"{manifest}:6: 'ghost' has no file ghost.tsv; add the label file, or remove the row",
        ]
    )
    assert not any(":0:" in problem for problem in problems)


def test_a_problem_of_one_manifest_row_is_said_at_its_line(tmp_path: Path) -> None:
    """labels check said `manifest.csv: 'ghost' has no file ghost.tsv`, as of the whole manifest,
    since the rows it read kept no line number; the row's line now comes first, as for a row that
    cannot be read (a blank line and a quoted field over two lines count as the lines they are)."""
    rows = 'a,a.example,en,user,\n\n"b",b.example,en,user,"x\ny"\nghost,g.example,en,user,\n'
    directory = make_repo(tmp_path, rows, {"a": TSV, "b": "C\tOther text.\n"})
    problems, _ = run(directory)
    assert problems == [
        f"{directory / 'manifest.csv'}:6: 'ghost' has no file ghost.tsv; add the label file, or remove the row"
    ]


def test_source_with_more_lines(tmp_path: Path) -> None:
    problems, _ = run(with_source(tmp_path, "\n".join([*DUMP, "Copyright 2025"]).encode()))
    assert len(problems) == 1
    assert "a.tsv" in problems[0]


def test_source_not_found_is_only_a_note(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,seed,../shared/missing.txt\n", {"a": TSV})
    problems, said = run(directory)
    assert problems == []
    assert any("missing.txt" in line for line in said)


def test_seed_label_files_match_their_dumps(tmp_path: Path, labels_dir: Path, seeds_dir: Path) -> None:
    """The labelled seeds are the user's dumps verbatim (the check reads ../shared/seeds)."""
    with (labels_dir / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["name"].startswith("seed-")]
    assert rows
    directory = make_repo(
        tmp_path, "".join(f"{r['name']},{r['site']},{r['language']},seed,{r['source']}\n" for r in rows), {}
    )
    for row in rows:
        assert row["source"].startswith("../shared/seeds/")
        shutil.copy(labels_dir / f"{row['name']}.tsv", directory)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "seeds").symlink_to(seeds_dir, target_is_directory=True)
    problems, said = run(directory)
    assert problems == []
    assert not any(line.startswith("note:") for line in said)


def test_a_missing_manifest_says_what_to_write(tmp_path: Path) -> None:
    """It was `manifest.csv:0: [Errno 2] No such file or directory: ...`; train said what to do."""
    (tmp_path / "a.tsv").write_text(TSV)
    problems, _ = run(tmp_path)
    assert problems == [
        f"{tmp_path / 'manifest.csv'}: no manifest; create it with the header name,site,language,origin,source,kind"
    ]


def test_a_manifest_without_its_header_says_which_header_to_write(tmp_path: Path) -> None:
    """A manifest whose first line is a row was "missing columns ['name', 'site', 'language',
    'origin']" (a Python list), without saying that the header was missing or what it is."""
    write = "name,site,language,origin,source,kind (source and kind may be left out)"
    cases = {
        "a,a.example,en,user,\n": (
            "no header: the first line (a,a.example,en,user,) names none of the columns name, site, language, "
            f"origin; write the header {write} above the rows"
        ),
        "name,site,origin\na,a.example,user\n": f"the header lacks the column language; the header is {write}",
        "name,site\na,a.example\n": f"the header lacks the columns language, origin; the header is {write}",
        "": f"the manifest is empty; write the header {write} as its first line, then one row per label file",
    }
    for manifest, says in cases.items():
        (tmp_path / "a.tsv").write_text(TSV)
        (tmp_path / "manifest.csv").write_text(manifest, encoding="utf-8")
        problems, _ = run(tmp_path)
        assert problems == [f"{tmp_path / 'manifest.csv'}:1: {says}"]


def test_a_row_listed_twice_is_not_called_a_copy_of_itself(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,\na,a.example,en,user,\n", {"a": TSV})
    problems, _ = run(directory)
    assert problems == [f"{directory / 'manifest.csv'}:3: 'a' is listed again (line 2); give each label file one row"]


def test_an_empty_label_file_is_called_empty(tmp_path: Path) -> None:
    """It was "no content line; is the whole page boilerplate?", of a file with no line at all."""
    directory = make_repo(tmp_path, "a,a.example,en,user,\n", {"a": ""})
    problems, _ = run(directory)
    assert problems == [
        f"{directory / 'a.tsv'}: empty file; write the page's labels in it (cleaner predict DUMP --format labels), "
        "or remove it and its manifest row"
    ]


def test_every_problem_is_said_in_one_run(tmp_path: Path) -> None:
    """A manifest row listed twice, a row of an unknown origin, a row without its file and a file
    with four bad lines: each run said only the first of them, so fixing a directory took five
    rounds. Now one run says all of them, each at its place; the file of the bad row is not also
    said to have no row."""
    bad = "C\tHeadline\nB Login\n\nX\tMenu\nC\tBody.\nB\t \nCBody again.\n"
    rows = "a,a.example,en,user,\na,a.example,en,user,\nb,b.example,vi,alien,\nghost,g.example,en,user,\n"
    directory = make_repo(tmp_path, rows, {"a": bad, "b": TSV})
    problems, _ = run(directory)
    manifest = directory / "manifest.csv"
    assert problems == [
        f"{manifest}:3: 'a' is listed again (line 2); give each label file one row",
        f"{manifest}:4: origin 'alien' is not one of seed, written, user",
        f"{directory / 'a.tsv'}:2: no tab after the tag; expected 'C<TAB>text', 'B<TAB>text' or an empty line",
        f"{directory / 'a.tsv'}:4: unknown tag 'X'; use C (content) or B (boilerplate)",
        f"{directory / 'a.tsv'}:6: tag B on a blank line; blank dump lines are written as empty lines",
        f"{directory / 'a.tsv'}:7: no tab after the tag; expected 'C<TAB>text', 'B<TAB>text' or an empty line",
        f"{manifest}:5: 'ghost' has no file ghost.tsv; add the label file, or remove the row",
    ]


def test_a_file_of_untagged_lines_is_said_in_ten_lines_and_a_count(tmp_path: Path) -> None:
    """A dump saved without its tags is wrong on every line: ten are named, then how many more."""
    directory = make_repo(tmp_path, "a,a.example,en,user,\n", {"a": "".join(f"line {n}\n" for n in range(25))})
    problems, _ = run(directory)
    assert len(problems) == 11
    assert problems[9].startswith(f"{directory / 'a.tsv'}:10: no tab after the tag")
    assert problems[10] == f"{directory / 'a.tsv'}: and 15 more problems like these"


def test_long_names_are_printed_whole_and_in_line(tmp_path: Path) -> None:
    """Names longer than the columns pushed their row's counts out of line (and score tables cut them)."""
    long_site = "a-very-long-subdomain.of-an-imagined-site.example.com"
    long_name = "a-page-name-longer-than-thirty-four-characters"
    rows = f"{long_name},{long_site},en,user,\nb,b.example,vi,user,\n"
    directory = make_repo(tmp_path, rows, {long_name: TSV, "b": "C\tAnother article.\nB\tFooter\n"})
    problems, said = run(directory)
    assert problems == []
    table = [line for line in said if line.startswith(("file", long_name, "b "))]
    assert len(table) == 3 and long_site in table[1]
    assert len({len(line) for line in table}) == 1  # every row as wide as the header


def test_the_table_stays_in_line_with_wide_characters(tmp_path: Path) -> None:
    """Columns were padded by len(): a Chinese name (two terminal columns a character) pushed its
    row's counts out of line with the others."""
    from cleaner.text import columns

    name = "新闻页面一" * 8  # 40 characters, 80 columns: wider than the column's 34 either way
    other = "C\tAnother article.\nB\tFooter\n"
    directory = make_repo(tmp_path, f"{name},xinwen.example,zh,user,\nb,b.example,vi,user,\n", {name: TSV, "b": other})
    problems, said = run(directory)
    assert problems == []
    header, *rows = [line for line in said if line.startswith(("file", name, "b "))]
    assert len(rows) == 2
    assert {columns(line) for line in (header, *rows)} == {columns(header)}
    assert columns(name) == 80 and columns("e\u0301") == 1


def test_an_empty_folder_and_a_hidden_name_are_problems(tmp_path: Path) -> None:
    """An empty labels folder passed ("0 files", exit 0) and train then failed; a page named .tsv
    (.tsv.tsv, a hidden file the label page refuses to write) passed."""
    empty = make_repo(tmp_path / "e", "", {})
    assert run(empty)[0] == [
        f"{empty / 'manifest.csv'}: lists no label file; label pages into {empty} (cleaner label, or cleaner "
        "predict DUMP --format labels and a manifest row each)"
    ]
    hidden = make_repo(tmp_path / "h", ".tsv,a.example,en,user,\n", {".tsv": TSV})
    (problem,) = run(hidden)[0]
    assert problem.startswith(f"{hidden / 'manifest.csv'}:2: name '.tsv' starts with a dot"), problem


def test_a_source_not_found_is_noted_apart_saying_where_it_looked(tmp_path: Path) -> None:
    directory = make_repo(tmp_path, "a,a.example,en,user,../dumps/a.txt\n", {"a": TSV})
    noted: list[str] = []
    problems = check_labels(directory, echo=lambda line: None, note=noted.append)
    assert problems == []
    assert noted == [
        f"note: a.tsv: source ../dumps/a.txt not found (looked relative to {directory.parent.resolve()}, the "
        "labels folder's parent); text not compared"
    ]

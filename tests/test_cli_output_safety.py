"""``cleaner predict -o``: an output never replaces an input, and a run never reads its own outputs.

Each of these lost or doubled data before: ``-o`` naming the input folder or JSONL file replaced the
pages with their cleaned text; an output folder inside the input folder was cleaned again on the
next run (``clean/clean/...``); ``-o out/`` with ``--format jsonl`` wrote a file named ``out``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest
import zstandard
from conftest import Labelled
from corpus_support import done_before
from test_cli_inputs import PAGE_A, PAGE_B, invoke
from typer.testing import CliRunner


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _dumps(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (folder / "b.txt").write_text(PAGE_B, encoding="utf-8")
    return folder


def test_output_folder_that_is_the_input_folder_is_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = _dumps(tmp_path / "in")
    before = _tree(source)
    for output in (str(source), str(source) + "/", str(tmp_path / "in" / ".." / "in")):
        result = invoke(runner, model_path, str(source), "-o", output)
        assert result.exit_code == 2, result.output
        assert "is the input" in result.stderr
    assert _tree(source) == before


def test_output_file_that_is_the_input_jsonl_is_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate((PAGE_A, PAGE_B))))
    before = source.read_bytes()
    for extra in ([], ["--resume"], ["-f", "jsonl"]):
        result = invoke(runner, model_path, str(source), "-o", str(source), *extra)
        assert result.exit_code == 2, result.output
        assert "is the input" in result.stderr
    assert source.read_bytes() == before


def test_output_text_file_that_is_the_input_is_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    result = invoke(runner, model_path, str(page), "-o", str(page))
    assert result.exit_code == 2
    assert page.read_text(encoding="utf-8") == PAGE_A


def test_output_folder_holding_an_input_is_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    out = _dumps(tmp_path / "out")
    before = _tree(out)
    for named in (str(out / "a.txt"), str(out)):
        result = invoke(runner, model_path, named, str(tmp_path / "other.txt"), "-o", str(tmp_path))
        assert result.exit_code == 2, result.output
        assert "holds the input" in result.stderr
    assert _tree(out) == before


def test_output_folder_inside_the_input_folder_is_not_read_again(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    source = _dumps(tmp_path / "in")
    out = source / "clean"
    first = invoke(runner, model_path, str(source), "-o", str(out))
    assert first.exit_code == 0, first.output
    written = _tree(out)
    assert sorted(written) == ["a.txt", "b.txt"]
    again = invoke(runner, model_path, str(source), "-o", str(out))
    assert again.exit_code == 0, again.output
    assert _tree(out) == written  # no clean/clean/a.txt: the outputs were not inputs
    assert "this run's output" in again.stderr


def test_output_jsonl_inside_the_input_folder_is_not_read_again(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.jsonl").write_text(json.dumps({"id": "a", "text": PAGE_A}) + "\n", encoding="utf-8")
    out = source / "cleaned.jsonl"
    for _ in range(2):
        result = invoke(runner, model_path, str(source), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a"]


def test_trailing_slash_names_a_directory(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    result = invoke(runner, model_path, str(page), "-f", "jsonl", "-o", str(tmp_path / "records") + "/")
    assert result.exit_code == 2
    assert "not a directory" in result.stderr
    assert not (tmp_path / "records").exists()
    result = invoke(runner, model_path, str(page), "-o", str(tmp_path / "made") + "/")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "made" / "page.txt").is_file()


def test_label_files_under_an_output_folder_are_named_tsv(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """``-f labels -o DIR`` wrote label files named ``*.txt``; labels/ holds ``*.tsv``."""
    source = _dumps(tmp_path / "in")
    (source / "sub").mkdir()
    (source / "sub" / "c.txt").write_text(PAGE_A, encoding="utf-8")
    out = tmp_path / "pre-labelled"
    result = invoke(runner, model_path, str(source), "-f", "labels", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(_tree(out)) == ["a.tsv", "b.tsv", "sub/c.tsv"]
    again = invoke(runner, model_path, str(source), "-f", "labels", "-o", str(out), "--resume")
    assert again.exit_code == 0, again.output
    assert sorted(_tree(out)) == ["a.tsv", "b.tsv", "sub/c.tsv"]
    assert done_before(again.stderr) == (0, 3, 3)  # --resume finds them under their new names


def test_a_new_directory_named_like_a_file_is_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """``cleaner predict a.txt b.txt -o x.csv`` (or one JSONL input with ``-o out.json``) made a
    FOLDER named x.csv: -o is a directory unless its name says JSONL or one text file."""
    source = _dumps(tmp_path / "in")
    records = tmp_path / "pages.jsonl"
    records.write_text(json.dumps({"id": 1, "text": PAGE_A}) + "\n", encoding="utf-8")
    cases = [
        ([str(source / "a.txt"), str(source / "b.txt")], "x.csv"),
        ([str(source)], "cleaned.txt.bak"),
        ([str(records)], "out.json"),
    ]
    for inputs, name in cases:
        output = tmp_path / name
        result = invoke(runner, model_path, *inputs, "-o", str(output))
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"cleaner: -o {output}: this run writes a directory (one output per input), and {name} would be a new "
            f"directory named like a file; name a directory (a trailing / keeps this name: -o {output}/), or write "
            "one file: -o NAME.jsonl (a record per document) or -f jsonl (a record per line)\n"
        )
        assert not output.exists()
    result = invoke(runner, model_path, str(source / "a.txt"), "-o", str(tmp_path / "a.csv"))
    assert result.exit_code == 2, result.output
    assert "or write one file: -o NAME.txt (this one input), -o NAME.jsonl" in result.stderr
    assert not (tmp_path / "a.csv").exists()
    made = invoke(runner, model_path, str(source), "-o", str(tmp_path / "x.csv") + "/")
    assert made.exit_code == 0, made.output
    assert sorted(_tree(tmp_path / "x.csv")) == ["a.txt", "b.txt"]
    again = invoke(runner, model_path, str(source), "-o", str(tmp_path / "x.csv"), "--resume")  # it exists now
    assert again.exit_code == 0, again.output
    records_out = invoke(runner, model_path, str(source), "-f", "jsonl", "-o", str(tmp_path / "lines.csv"))
    assert records_out.exit_code == 0, records_out.output
    assert (tmp_path / "lines.csv").is_file()


@pytest.mark.parametrize(
    ("source", "output", "made"),
    [
        ("in/a.txt", "new/deep/out.txt", "new/deep"),
        ("in", "new/deep/", "new/deep"),
        ("in/a.txt", "new/out.jsonl", "new"),
    ],
    ids=["text-file", "folder", "jsonl-file"],
)
def test_predict_says_which_folder_it_made_for_its_output(
    runner: CliRunner,
    model_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    output: str,
    made: str,
) -> None:
    """-o in folders that are not there makes them, without a word before (a mistyped folder held the
    outputs where nobody looked); now stderr names the folder once, as train's does (`cleaner:
    created folder new/deep`), and a second run into the folder, now there, does not. -q says
    nothing of it: `-q` printed "created folder" where it printed no other note."""
    monkeypatch.chdir(tmp_path)
    _dumps(tmp_path / "in")
    result = invoke(runner, model_path, source, "-o", output)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("created folder") == 1 and f"cleaner: created folder {made}\n" in result.stderr
    assert (tmp_path / made).is_dir()
    again = invoke(runner, model_path, source, "-o", output)
    assert again.exit_code == 0, again.output
    assert "created folder" not in again.stderr
    quiet = invoke(runner, model_path, source, "-o", f"quiet/{output}", "-q")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    assert (tmp_path / "quiet" / made).is_dir()


def test_output_that_standard_input_reads_is_refused(cleaner_exe: Path, model_path: Path, tmp_path: Path) -> None:
    """`cleaner predict - -o a.txt < a.txt` replaced a.txt with its cleaned text (exit 0): the page
    was lost. (Through a pipe, `cat a.txt | ...`, nothing tells where the bytes come from.)"""
    page = tmp_path / "a.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    with page.open("rb") as stdin:
        result = subprocess.run(
            [str(cleaner_exe), "predict", "-", "-o", str(page), "--model", str(model_path)],
            stdin=stdin,
            capture_output=True,
            text=True,
        )
    assert result.returncode == 2, result.stderr
    assert f"-o {page} is the file standard input reads" in result.stderr
    assert page.read_text(encoding="utf-8") == PAGE_A
    with page.open("rb") as stdin:  # another output of the same input is fine
        other = subprocess.run(
            [str(cleaner_exe), "predict", "-", "-o", str(tmp_path / "b.txt"), "--model", str(model_path)],
            stdin=stdin,
            capture_output=True,
        )
    assert other.returncode == 0 and (tmp_path / "b.txt").exists()


def test_records_to_a_text_file_are_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """`-o one.txt` with a JSONL input wrote JSONL records into a .txt file (exit 0), where `-o`
    documents a .txt file as the cleaned dump of one text input."""
    source = tmp_path / "pages.jsonl"
    source.write_text(json.dumps({"id": "a", "text": PAGE_A}) + "\n", encoding="utf-8")
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "one.txt"))
    assert result.exit_code == 2, result.output
    assert "write them to -o NAME.jsonl" in result.stderr
    assert not (tmp_path / "one.txt").exists()


def test_label_files_to_a_jsonl_name_say_what_to_name(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """`-f labels -o new.jsonl` was refused with a message proposing `-o NAME.jsonl`, the very thing given."""
    page = tmp_path / "a.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    result = invoke(runner, model_path, str(page), "-f", "labels", "-o", str(tmp_path / "new.jsonl"))
    assert result.exit_code == 2, result.output
    assert "-o NAME.tsv for one input or -o DIR for several" in result.stderr
    assert "NAME.jsonl" not in result.stderr


@pytest.mark.parametrize(
    ("inputs", "name", "options", "expected"),
    [
        (
            ["page.txt"], "z.txt", ["--format", "labels"],
            "-o {o}: --format labels writes a label file, and a .txt name is for the cleaned text; name a .tsv file "
            "(-o {stem}.tsv), or drop --format labels to write the cleaned text",
        ),
        (
            ["page.txt"], "z.txt", ["--format", "jsonl"],
            "-o {o}: --format jsonl writes JSON records (one per line), and a .txt name is for the cleaned text; "
            "name a JSONL file (-o {stem}.jsonl), or drop --format jsonl to write the cleaned text",
        ),
        (
            ["dumps"], "z.txt", ["--output-format", "jsonl"],
            "-o {o}: --output-format jsonl writes JSON records (one per document), and a .txt name is for the "
            "cleaned text; name a JSONL file (-o {stem}.jsonl)",
        ),
        (
            ["page.txt"], "z.TSV", [],
            "-o {o}: this run writes the cleaned text, and a .TSV name is for a label file; name a .txt file "
            "(-o {stem}.txt), or pass --format labels to write a label file",
        ),
        (
            ["page.txt"], "z.tsv", ["--output-format", "jsonl"],
            "-o {o}: --output-format jsonl writes JSON records (one per document), and a .tsv name is for a label "
            "file; name a JSONL file (-o {stem}.jsonl), or drop --output-format jsonl and pass --format labels to "
            "write a label file",
        ),
        (
            ["dumps"], "z.tsv", ["--format", "jsonl"],
            "-o {o}: --format jsonl writes JSON records (one per line), and a .tsv name is for a label file; name a "
            "JSONL file (-o {stem}.jsonl)",
        ),
    ],
    ids=["labels-to-txt", "line-records-to-txt", "records-to-txt", "text-to-tsv", "records-to-tsv", "lines-to-tsv"],
)  # fmt: skip
def test_an_output_named_for_other_content_is_refused(
    runner: CliRunner, model_path: Path, tmp_path: Path, inputs: list[str], name: str, options: list[str], expected: str
) -> None:
    """``predict dumps/ -o z.txt --output-format jsonl`` wrote JSON records into z.txt, ``page.txt -f
    labels -o z.txt`` a label file (exit 0): -o's suffix names the content, and the run refuses a name
    whose suffix says another, naming the suffix that fits and the option to drop."""
    _dumps(tmp_path / "dumps")
    (tmp_path / "page.txt").write_text(PAGE_A, encoding="utf-8")
    output = tmp_path / name
    result = invoke(runner, model_path, *(str(tmp_path / i) for i in inputs), "-o", str(output), *options)
    assert result.exit_code == 2, result.output
    assert result.stderr == "cleaner: " + expected.format(o=output, stem=tmp_path / "z") + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dumps", "page.txt"]


def test_an_output_named_for_its_content_is_written(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """The names that say what is written in them stay accepted: a label file as .tsv, a cleaned
    dump as .txt, records as .jsonl, and line records under a name -o gives no meaning to."""
    page = tmp_path / "page.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    written = {"a.tsv": ["-f", "labels"], "b.txt": [], "c.jsonl": ["--output-format", "jsonl"], "d": ["-f", "jsonl"]}
    for name, options in written.items():
        result = invoke(runner, model_path, str(page), "-o", str(tmp_path / name), *options)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a.tsv").read_text(encoding="utf-8").startswith(("C\t", "B\t"))
    assert json.loads((tmp_path / "c.jsonl").read_text(encoding="utf-8"))["id"] == str(page)


def test_compressed_dumps_are_written_uncompressed_under_their_plain_names(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """`-o out/` wrote the cleaned text of page.txt.gz, plain, as out/page.txt.gz, which neither
    cleaner ("its name says gzip, its bytes do not") nor zcat could read back. Now out/page.txt, as
    a .jsonl.gz input's records go to a .jsonl; label files are page.tsv; and a dump beside its
    compressed copy (both named) comes to the same name, which is refused for the second."""
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(PAGE_A.encode()))
    (tmp_path / "other.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(PAGE_B.encode()))
    named = [str(tmp_path / "page.txt.gz"), str(tmp_path / "other.txt.zst")]
    out = tmp_path / "out"
    result = invoke(runner, model_path, *named, "-o", f"{out}/", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(_tree(out)) == ["other.txt", "page.txt"]
    for name, page in (("page", PAGE_A), ("other", PAGE_B)):
        alone = invoke(runner, model_path, "-", stdin=page.encode())
        assert (out / f"{name}.txt").read_bytes() == alone.stdout_bytes  # plain text, cleaned
        again = invoke(runner, model_path, str(out / f"{name}.txt"))
        assert again.exit_code == 0, again.output  # and readable back
    labels = invoke(runner, model_path, *named, "-f", "labels", "-o", f"{tmp_path / 'labels'}/", "-q")
    assert labels.exit_code == 0, labels.output
    assert sorted(_tree(tmp_path / "labels")) == ["other.tsv", "page.tsv"]
    (tmp_path / "page.txt").write_text(PAGE_B, encoding="utf-8")
    both = invoke(
        runner, model_path, str(tmp_path / "page.txt"), str(tmp_path / "page.txt.gz"), "-o", f"{tmp_path / 'both'}/"
    )
    assert both.exit_code == 1
    assert (
        f"cleaner: {tmp_path / 'page.txt.gz'}: its output {tmp_path / 'both' / 'page.txt'} would overwrite that of "
        f"{tmp_path / 'page.txt'}" in both.stderr
    )
    assert _tree(tmp_path / "both") == {"page.txt": (out / "other.txt").read_bytes()}  # the first one's: PAGE_B


def test_a_folder_gives_its_compressed_dumps_and_one_of_nothing_known_is_an_error_without_resume_advice(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """A folder of *.txt.gz and *.txt.zst dumps was not read (a note named them, and the closing
    line advised --resume though nothing was cut short): they are dumps as *.txt are, each cleaned
    to a .txt of the same name, as the file named alone is. A folder of nothing known is an error,
    with no --resume advice and no input counted "not read whole"."""
    folder = tmp_path / "gz"
    folder.mkdir()
    (folder / "page.txt.gz").write_bytes(gzip.compress(PAGE_A.encode()))
    (folder / "other.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(PAGE_B.encode()))
    (folder / "notes.md").write_text("# notes\n", encoding="utf-8")
    result = invoke(runner, model_path, str(folder), "-o", str(tmp_path / "out") + "/", "-q")
    assert result.exit_code == 0, result.output
    alone = invoke(runner, model_path, str(folder / "page.txt.gz"), "-o", str(tmp_path / "one") + "/", "-q")
    assert alone.exit_code == 0
    assert _tree(tmp_path / "out")["page.txt"] == (tmp_path / "one" / "page.txt").read_bytes()
    assert sorted(_tree(tmp_path / "out")) == ["other.txt", "page.txt"]
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "notes.md").write_text("# notes\n", encoding="utf-8")
    for output in ("out2/", "out.jsonl"):
        result = invoke(runner, model_path, str(empty), "-o", str(tmp_path / output))
        assert result.exit_code == 1
        assert f"cleaner: {empty}: 1 file of no known kind not read ({empty / 'notes.md'})" in result.stderr
        assert f"cleaner: {empty}: directory has no *.txt[.gz|.zst]," in result.stderr
        assert (
            result.stderr.splitlines()[-1] == "cleaner: 1 input or record could not be cleaned; no document was cleaned"
        )
        assert "--resume" not in result.stderr and "not read whole" not in result.stderr


def test_usage_errors_name_the_options_given(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """Three refusals (exit 2) described another command than the one typed: `-f labels
    --output-format jsonl` (no -o) said "pass -o DIR, not a .jsonl file"; `-o z.jsonl --output-format
    text` proposed -o NAME.jsonl, the very thing given; `-o jj.jsonl/` said "-o jj.jsonl is a
    directory" of a folder not there, named so by its trailing /. Each now names what conflicts."""
    page = tmp_path / "a.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    other = tmp_path / "b.txt"  # several inputs (one file named twice is refused before these checks)
    other.write_text(PAGE_A, encoding="utf-8")
    records = tmp_path / "j.jsonl"
    records.write_text('{"text": "a"}\n', encoding="utf-8")
    cases = [
        (
            [str(page), "-f", "labels", "--output-format", "jsonl"],
            "cleaner: --format labels and --output-format jsonl ask for two formats (label files, and a JSON record "
            "per document): drop --output-format jsonl for label files, or --format labels for records",
        ),
        (
            [str(page), "-o", str(tmp_path / "z.jsonl"), "--output-format", "text"],
            f"cleaner: -o {tmp_path / 'z.jsonl'} names a JSONL file, and --output-format text writes plain-text "
            f"dumps: drop --output-format text to write a record per document to {tmp_path / 'z.jsonl'}, or name a "
            "text file (-o NAME.txt) or a directory (-o DIR/)",
        ),
        (
            [str(page), str(other), "-o", str(tmp_path / "z.jsonl"), "--output-format", "text"],
            f"cleaner: -o {tmp_path / 'z.jsonl'} names a JSONL file, and --output-format text writes plain-text "
            f"dumps: drop --output-format text to write a record per document to {tmp_path / 'z.jsonl'}, or name a "
            "directory (-o DIR/)",
        ),
        (
            [str(records), "-o", f"{tmp_path / 'jj.jsonl'}/"],
            f"cleaner: -o {tmp_path / 'jj.jsonl'}/ names a folder (the trailing / does), and a name ending in .jsonl "
            f"is for one file of JSON records: for that file, write -o {tmp_path / 'jj.jsonl'} without the /; for "
            "one output per input, name a folder that is not named like a JSONL file (-o DIR/)",
        ),
        (
            [str(page), "-o", f"{tmp_path / 'new'}/", "--output-format", "jsonl"],
            f"cleaner: -o {tmp_path / 'new'}/ names a folder (the trailing / does), and --output-format jsonl writes "
            "one file of JSON records: name that file (-o NAME.jsonl), or leave out -o for standard output",
        ),
    ]
    for args, message in cases:
        result = invoke(runner, model_path, *args)
        assert result.exit_code == 2, result.output
        assert result.stderr == message + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "j.jsonl"]  # nothing written
    for args in (["-o", str(tmp_path / "z.jsonl")], ["-o", str(tmp_path / "jj.jsonl")], ["-o", f"{tmp_path / 'dir'}/"]):
        assert invoke(runner, model_path, str(records), *args, "-q").exit_code == 0  # what the messages propose


@pytest.mark.parametrize("kind", ["text", "jsonl"])
def test_dash_output_is_standard_output(
    runner: CliRunner,
    model_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sample_document: Labelled,
    kind: str,
) -> None:
    """`-o -` made a folder named `-` (`created folder -`) and wrote the output into it; it is now
    standard output, as no -o is: the same bytes, and no folder."""
    monkeypatch.chdir(tmp_path)
    name = "page.txt" if kind == "text" else "page.jsonl"
    text = sample_document.text
    data = text if kind == "text" else json.dumps({"id": 1, "text": text}) + "\n"
    (tmp_path / name).write_text(data, encoding="utf-8")
    plain = invoke(runner, model_path, name)
    dashed = invoke(runner, model_path, name, "-o", "-")
    assert dashed.exit_code == 0 == plain.exit_code, dashed.output
    assert dashed.stdout == plain.stdout and dashed.stdout
    assert "created folder" not in dashed.stderr
    assert not (tmp_path / "-").exists()


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="needs /dev/null")
def test_output_to_a_device_is_refused_with_the_redirection_to_use(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """`-o /dev/null` was refused as "a file; -o takes a directory...", which it is not. It is a
    device: outputs are written to a temporary file and renamed over their name, so it is refused
    (exit 2, nothing written) with the redirection that does what was meant."""
    (tmp_path / "page.txt").write_text(PAGE_A, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "page.txt"), "-o", "/dev/null")
    assert result.exit_code == 2, result.output
    assert "-o /dev/null is a device or a pipe, not a file or a folder" in result.stderr
    assert "-q > /dev/null" in result.stderr
    assert Path("/dev/null").is_char_device()

"""File names that are not plain text: bytes that are not UTF-8, a newline. A text dump's id in
output records is its path, and a message names a file by it."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from conftest import Labelled
from corpus_support import PAGE, read_jsonl
from typer.testing import CliRunner

from cleaner.cli import app


def _invoke(runner: CliRunner, model_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)])


@pytest.fixture
def latin1_name(tmp_path: Path) -> Path:
    """A dump whose name holds the byte 0xe9 (é in Latin-1), as old archives have them."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    path = folder / os.fsdecode(b"lat\xe9n.txt")
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_a_name_that_is_not_utf8_gives_an_id_every_json_reader_takes(
    runner: CliRunner, model_path: Path, tmp_path: Path, latin1_name: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id was the name as Python holds it, with a lone surrogate, written as "\\udce9": orjson,
    datatrove's reader and jq refuse the line, and the record was lost downstream; and every other
    character of that record, its whole text, was written as an escape."""
    monkeypatch.chdir(tmp_path)
    result = _invoke(runner, model_path, "dumps", "-o", "out.jsonl")
    assert result.exit_code == 0, result.stderr
    line = (tmp_path / "out.jsonl").read_bytes()
    record = orjson.loads(line)
    assert record["id"] == "dumps/lat\\xe9n.txt"
    again = _invoke(runner, model_path, "dumps", "-o", "out.jsonl", "--resume")
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == line  # its id is found again: skipped, not written twice


def test_text_kept_with_surrogateescape_is_escaped_alone(
    runner: CliRunner, model_path: Path, tmp_path: Path, seed_documents: list[Labelled]
) -> None:
    """--errors surrogateescape keeps a byte that is not UTF-8 as a lone surrogate, which JSON writes
    as an escape; the record's other non-ASCII characters stay as they are (they were all escaped)."""
    page = seed_documents[0]
    content = next(line for line, label in zip(page.lines, page.labels) if label == "content" and len(line) > 200)
    dump = tmp_path / "page.txt"
    dump.write_bytes(page.text.encode("utf-8").replace(content.encode(), content.encode() + b" \xff", 1))
    result = _invoke(runner, model_path, str(dump), "--errors", "surrogateescape", "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 0, result.stderr
    [record] = read_jsonl(tmp_path / "o.jsonl")
    line = (tmp_path / "o.jsonl").read_bytes()
    assert "\udcff" in record["text"] and b"\\udcff" in line
    assert content[:30].encode("utf-8") in line  # Vietnamese letters as they are, not \\u escapes


def test_a_name_with_a_newline_is_shown_on_one_line(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """A newline in a file name split its `file:LINE:` message in two."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "b\nad.txt").write_bytes(b"\xff\xfe not utf-8\n")
    result = _invoke(runner, model_path, str(folder), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    [message] = [line for line in result.stderr.splitlines() if "not valid utf-8" in line]
    assert f"{folder}/b\\nad.txt:1: byte 0xff" in message


def test_two_dumps_of_one_folder_with_one_output_name_are_told_apart(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """page.txt and page.txt.gz in one folder are both written as page.txt: the advice was to pass
    their common parent directory, which is what had been passed."""
    import gzip

    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "page.txt").write_text(PAGE, encoding="utf-8")
    (folder / "page.txt.gz").write_bytes(gzip.compress(PAGE.encode("utf-8")))
    result = _invoke(runner, model_path, str(folder), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "would overwrite that of" in result.stderr
    assert "common parent directory" not in result.stderr
    assert "both are in one folder and take one output name there" in result.stderr


def test_a_byte_and_its_escape_in_two_names_give_two_ids(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name holding the byte 0xFF and one holding the four characters \\xff got one id, so
    --resume refused the run, showing one name as a raw surrogate ("a\\udcff.txt") and advising
    --id-field, which cannot change a text file's id (its path). Now the backslash is doubled."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / os.fsdecode(b"a\xff.txt")).write_text(PAGE, encoding="utf-8")
    (folder / "a\\xff.txt").write_text(PAGE, encoding="utf-8")
    result = _invoke(runner, model_path, "odd", "-o", "out.jsonl", "--resume")
    assert result.exit_code == 0, result.stderr
    ids = [record["id"] for record in read_jsonl(tmp_path / "out.jsonl")]
    assert sorted(ids) == ["odd/a\\\\xff.txt", "odd/a\\xff.txt"]
    # A record whose id is a text file's: refused, the file named as messages name it, no --id-field.
    (tmp_path / "r.jsonl").write_text('{"id": "odd/a\\\\xff.txt", "text": "x"}\n', encoding="utf-8")
    repeat = _invoke(runner, model_path, "r.jsonl", "odd/" + os.fsdecode(b"a\xff.txt"), "-o", "two.jsonl", "--resume")
    assert repeat.exit_code == 2
    assert repeat.stderr.startswith('cleaner: odd/a\\xff.txt: id "odd/a\\\\xff.txt" repeats that of r.jsonl:1')
    assert "\\udc" not in repeat.stderr and "--id-field" not in repeat.stderr


def test_a_looping_link_is_one_error_whatever_its_name(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """A link to itself named loopy.txt was an error ("a symbolic link loop"), one named self was
    listed among the "files of no known kind not read", as was a dangling link without a suffix."""
    folder = tmp_path / "loops"
    folder.mkdir()
    (folder / "a.txt").write_text(PAGE, encoding="utf-8")
    for name in ("loopy.txt", "self"):
        (folder / name).symlink_to(name)
    (folder / "gone").symlink_to("nowhere")
    result = _invoke(runner, model_path, str(folder), "-o", str(tmp_path / "out") + "/", "-q")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert f"cleaner: {folder}/self: a symbolic link loop" in errors
    assert f"cleaner: {folder}/loopy.txt: a symbolic link loop" in errors
    assert f"cleaner: {folder}/gone: a dangling symbolic link (to nowhere, which does not exist)" in errors
    assert "no known kind" not in result.stderr
    assert (tmp_path / "out" / "a.txt").is_file()

"""``cleaner predict`` inputs: stdin, directories, -o, several files, missing files, bad bytes, BOM, CR."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Labelled
from corpus_support import read_jsonl
from support import assert_clean_shape, non_blank, output_lines
from typer.testing import CliRunner

from cleaner.classifier.estimator import LineClassifier
from cleaner.cli import app
from cleaner.text import decode, split_lines

PAGE_A = "Trang chủ | Đăng nhập\n\nTiêu đề bài viết\nNội dung chính của bài viết, đủ dài để là văn xuôi.\n"
PAGE_B = "Menu\nA body paragraph that reads like prose and ends with a full stop.\n"


def invoke(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)], input=stdin)


def test_stdin(runner: CliRunner, model_path: Path, trained_model: LineClassifier, sample_document: Labelled) -> None:
    result = invoke(runner, model_path, "-", stdin=sample_document.text.encode())
    assert result.exit_code == 0, result.output
    assert result.stdout == trained_model.predictor_.clean(sample_document.text)


def test_directory_needs_an_output_directory(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(PAGE_A, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "in"))
    assert result.exit_code == 2
    assert "-o" in result.stderr


def test_a_folder_to_stdout_says_it_is_several_inputs(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """A folder is several inputs even with one dump in it (a second one must not break the command);
    the message says so and names the lone dump, which can be cleaned to stdout by its name."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(PAGE_A, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "in"))
    assert result.exit_code == 2
    assert f"cleaner: {tmp_path / 'in'} is a folder, cleaned as several inputs: pass -o DIR" in result.stderr
    assert f"name its one dump ({tmp_path / 'in' / 'a.txt'})" in result.stderr
    assert invoke(runner, model_path, str(tmp_path / "in" / "a.txt")).exit_code == 0


def test_an_empty_folder_to_stdout_says_it_has_no_dumps(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """As under -o: the folder has nothing to clean, which is what to fix, not where outputs go."""
    (tmp_path / "empty").mkdir()
    result = invoke(runner, model_path, str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert f"cleaner: {tmp_path / 'empty'}: directory has no *.txt" in result.stderr
    assert "several inputs" not in result.stderr and result.stdout == ""


def test_several_inputs_without_output_is_a_usage_error(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    for name, text in (("a.txt", PAGE_A), ("b.txt", PAGE_B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    for fmt in ("text", "labels"):
        result = invoke(runner, model_path, str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-f", fmt)
        assert result.exit_code == 2
        assert "-o" in result.stderr
        assert result.stdout == ""


def _overlapping_tree(tmp_path: Path) -> Path:
    """dumps/{a.txt, sub/b.txt, link.txt -> sub/b.txt, inner -> sub, meta.jsonl, notes}, and a page
    outside it that dumps/away links to."""
    dumps = tmp_path / "dumps"
    (dumps / "sub").mkdir(parents=True)
    (dumps / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (dumps / "sub" / "b.txt").write_text(PAGE_B, encoding="utf-8")
    (dumps / "link.txt").symlink_to(dumps / "sub" / "b.txt")
    (dumps / "inner").symlink_to(dumps / "sub")
    (dumps / "meta.jsonl").write_text(json.dumps({"id": "a", "text": PAGE_A}) + "\n", encoding="utf-8")
    (dumps / "notes").write_text(PAGE_B, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.txt").write_text(PAGE_B, encoding="utf-8")
    (dumps / "away").symlink_to(tmp_path / "elsewhere")
    return dumps


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["dumps", "dumps/a.txt"], "dumps/a.txt is inside dumps, which gives it too"),
        (["dumps/sub/b.txt", "dumps"], "dumps/sub/b.txt is inside dumps, which gives it too"),
        (["dumps", "dumps/inner/b.txt"], "dumps/inner/b.txt is inside dumps, which gives it too"),
        (["dumps/sub", "dumps/link.txt"], "dumps/link.txt is inside dumps/sub, which gives it too"),
        (["dumps", "dumps/sub"], "dumps/sub is inside dumps, which gives its files too"),
        (["dumps/inner", "dumps"], "dumps/inner is inside dumps, which gives its files too"),
        (["dumps", "dumps/./"], "dumps and dumps/./ are one folder, whose files would be cleaned twice; name it once"),
    ],
    ids=["file-in-folder", "file-first", "through-linked-folder", "linked-file", "nested", "linked-nested", "same"],
)
def test_an_input_inside_a_named_folder_is_refused(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: list[str], message: str
) -> None:
    """``cleaner predict dumps/ dumps/a.txt -o all.jsonl`` cleaned a.txt twice and wrote its record
    twice (exit 0); so did two nested folders, or one folder named twice. Refused now, as one file
    named twice is, before anything is read or written: the paths' real folders are compared."""
    _overlapping_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, model_path, *names, "-o", "all.jsonl")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"cleaner: {message}"), result.stderr
    assert "name either, not both" in result.stderr or "name it once" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not list(tmp_path.glob("all.jsonl*"))


@pytest.mark.parametrize(
    ("names", "cleaned"),
    [
        (["dumps", "dumps/meta.jsonl"], 4),  # a.txt, sub/b.txt, link.txt, then meta.jsonl's record
        (["dumps", "dumps/notes"], 4),  # a file of no known kind is read only when named
        (["dumps", "dumps/away/c.txt"], 4),  # a linked folder is not walked into
        (["dumps", "elsewhere"], 4),
        (["dumps/sub", "dumps/a.txt"], 2),
        (["dumps/a.txt", "elsewhere/c.txt"], 2),
    ],
    ids=["metadata", "no-known-kind", "linked-folder", "beside", "sibling", "files"],
)
def test_an_input_no_named_folder_gives_is_cleaned_once(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: list[str], cleaned: int
) -> None:
    """What a folder's walk leaves out (metadata beside dumps, a file of no known kind, a linked
    folder) is read when named: naming it beside its folder repeats nothing, and is not refused."""
    _overlapping_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, model_path, *names, "-o", "all.jsonl", "-q")
    assert result.exit_code == 0, result.output
    assert len(read_jsonl(tmp_path / "all.jsonl")) == cleaned


def test_directory_recursion_into_output_dir(
    runner: CliRunner, model_path: Path, trained_model: LineClassifier, tmp_path: Path
) -> None:
    source = tmp_path / "dumps"
    (source / "sub" / "deeper").mkdir(parents=True)
    files = {"a.txt": PAGE_A, "sub/b.txt": PAGE_B, "sub/deeper/c.txt": PAGE_A + PAGE_B}
    for name, text in files.items():
        (source / name).write_text(text, encoding="utf-8")
    (source / "notes.md").write_text("# not a dump\n", encoding="utf-8")
    out = tmp_path / "cleaned"
    result = invoke(runner, model_path, str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(files)
    for name, text in files.items():
        assert (out / name).read_text(encoding="utf-8") == trained_model.predictor_.clean(text)


def test_several_files_into_output_dir(
    runner: CliRunner, model_path: Path, trained_model: LineClassifier, tmp_path: Path
) -> None:
    (tmp_path / "x").mkdir()
    a, b = tmp_path / "x" / "a.txt", tmp_path / "b.txt"
    a.write_text(PAGE_A, encoding="utf-8")
    b.write_text(PAGE_B, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(runner, model_path, str(a), str(b), "-o", str(out), "-f", "labels")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a.tsv", "b.tsv"]  # label files, as labels/ names them
    assert (out / "b.tsv").read_text(encoding="utf-8").count("\n") == len(PAGE_B.splitlines())


def test_missing_input_is_reported_and_others_processed(
    runner: CliRunner, model_path: Path, trained_model: LineClassifier, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(PAGE_B, encoding="utf-8")
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"
    result = invoke(runner, model_path, str(missing), str(good), "-o", str(out))
    assert result.exit_code == 1
    assert str(missing) in result.stderr
    assert "Traceback" not in result.output
    assert (out / "good.txt").read_text(encoding="utf-8") == trained_model.predictor_.clean(PAGE_B)


def test_missing_input_with_jsonl_to_stdout(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(PAGE_B, encoding="utf-8")
    result = invoke(runner, model_path, str(good), str(tmp_path / "nope.txt"), "-f", "jsonl")
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr
    assert len(result.stdout.splitlines()) == len(PAGE_B.splitlines())


def test_invalid_utf8_names_file_and_line(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Headline\nSecond line\ncaf\xe9 au lait\n")
    result = invoke(runner, model_path, str(bad))
    assert result.exit_code == 1
    assert f"{bad}:3" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_utf8_line_in_a_cr_dump(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """CR-only dumps are split on CR, so the error must name the CR-separated line."""
    bad = tmp_path / "old-mac.txt"
    bad.write_bytes(b"Headline\rSecond line\rcaf\xe9 au lait\r")
    result = invoke(runner, model_path, str(bad))
    assert result.exit_code == 1
    assert f"{bad}:3" in result.stderr


def test_invalid_utf8_in_a_batch_loses_only_that_file(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.txt").write_bytes(b"\xff\xfe broken\n")
    (tmp_path / "in" / "good.txt").write_text(PAGE_A, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "bad.txt:1" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["good.txt"]


def test_errors_replace(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"A long enough line of body text with a bad byte \xe9 in the middle of it.\n")
    result = invoke(runner, model_path, str(bad), "--errors", "replace", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    assert "\ufffd" in result.stdout


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode(),
        lambda text: text.replace("\n", "\r\n").encode(),
        lambda text: text.replace("\n", "\r").encode(),
        lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
    ],
    ids=["bom", "crlf", "cr", "bom-crlf"],
)
def test_bom_and_line_endings(
    runner: CliRunner, model_path: Path, sample_document: Labelled, tmp_path: Path, encode
) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(encode(sample_document.text))
    result = invoke(runner, model_path, str(path), "--threshold", "0")
    assert result.exit_code == 0, result.output
    assert "\ufeff" not in result.stdout
    assert non_blank(output_lines(result.stdout)) == non_blank(sample_document.lines)
    default = invoke(runner, model_path, str(path))
    plain = invoke(runner, model_path, "-", stdin=sample_document.text.encode())
    assert default.stdout == plain.stdout


JSON_LINES = '{"id": "a", "text": "A body paragraph that reads like prose."}\n{"id": "b", "text": "Menu"}\n'


def test_json_lines_in_a_dump_are_refused_only_when_guessed(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """A .txt whose lines are JSON objects is likely JSONL misnamed, hence the hint; but
    --input-format text says to read it (or a .jsonl, or stdin) as text, so it is."""
    dump = tmp_path / "records.txt"
    dump.write_text(JSON_LINES, encoding="utf-8")
    guessed = invoke(runner, model_path, str(dump))
    assert guessed.exit_code == 1 and "pass --input-format jsonl" in guessed.stderr
    named = tmp_path / "records.jsonl"
    named.write_text(JSON_LINES, encoding="utf-8")
    for args, stdin in (([str(dump)], None), ([str(named)], None), (["-"], JSON_LINES.encode())):
        result = invoke(runner, model_path, *args, "--input-format", "text", stdin=stdin)
        assert result.exit_code == 0, result.output
        assert "--input-format jsonl" not in result.stderr
        assert set(result.stdout.splitlines()) <= set(JSON_LINES.splitlines())


JSON_FIRST = '{"name": "example", "version": 1}\n' + PAGE_A + PAGE_B
READ_AS_JSONL = (
    "it was read as JSONL because its first line is a JSON object: if it is a text dump, pass --input-format text"
)


def test_a_dump_read_as_jsonl_by_its_first_line_says_why(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """Piped, a dump whose first line is a JSON object is read as JSONL: every line was an error
    ("record has no 'text' field", then "not valid JSON"), and nothing said why, while the same file
    named .txt cleaned. Its first errors say why now, and that --input-format text reads it; a file
    named .jsonl, or read with --input-format jsonl, was not guessed: its errors do not say so."""
    unnamed = tmp_path / "dump"
    unnamed.write_text(JSON_FIRST, encoding="utf-8")
    for args, stdin, where in ((["-"], JSON_FIRST.encode(), "-"), ([str(unnamed)], None, str(unnamed))):
        result = invoke(runner, model_path, *args, stdin=stdin)
        assert result.exit_code == 1 and result.stdout == "", result.output
        errors = [line for line in result.stderr.splitlines() if line.startswith(f"cleaner: {where}:")]
        assert errors[0] == (
            f"cleaner: {where}:1: record has no 'text' field; pass --text-field NAME for the field with the page "
            f"text; {READ_AS_JSONL}"
        )
        assert errors[1].startswith(f"cleaner: {where}:2: not valid JSON (") and errors[1].endswith(READ_AS_JSONL)
        assert not any(READ_AS_JSONL in error for error in errors[2:])  # said twice, not on every line
        text = invoke(runner, model_path, *args, "--input-format", "text", "--threshold", "0", stdin=stdin)
        assert text.exit_code == 0, text.output
        assert text.stdout.splitlines()[0] == JSON_FIRST.splitlines()[0]
    named = tmp_path / "dump.jsonl"
    named.write_text(JSON_FIRST, encoding="utf-8")
    for args, stdin in (([str(named)], None), (["-", "--input-format", "jsonl"], JSON_FIRST.encode())):
        result = invoke(runner, model_path, *args, stdin=stdin)
        assert result.exit_code == 1 and "record has no 'text' field" in result.stderr, result.output
        assert "--input-format text" not in result.stderr


def test_a_dump_whose_first_line_is_warc_says_both_readings(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """A .txt dump whose first line is WARC/1.0 was refused with "pass --input-format warc", which
    fails on a dump; the advice gives both readings now. Piped, it is read as WARC, and its error
    (damaged) said "get a good copy of it" only; now also why it was read as WARC, and that no
    record follows (reading goes on from the next record of a damaged WARC file)."""
    text = "WARC/1.0\n" + PAGE_A + PAGE_B
    dump = tmp_path / "page.txt"
    dump.write_text(text, encoding="utf-8")
    result = invoke(runner, model_path, str(dump))
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert (
        f"cleaner: {dump}: this starts with a WARC/ line, as a WARC file does, not a text dump; pass "
        "--input-format warc to clean its records, or --input-format text if it is a text dump\n" in result.stderr
    )
    piped = invoke(runner, model_path, "-", stdin=text.encode())
    assert piped.exit_code == 1 and piped.stdout == "", piped.output
    assert piped.stderr.startswith(
        "cleaner: -:record 1: the file is damaged at byte 0 (record 1 has a header line without a colon); no record "
        f"follows it: bytes 0 to {len(text.encode())}, the end of the file, are not read; get a good copy of it; it "
        "was read as WARC because its first line is WARC/: if it is a text dump, pass --input-format text\n"
    ), piped.stderr
    assert "no WET conversion" not in piped.stderr  # one error: the file is damaged, not a raw WARC
    for args, stdin in (([str(dump)], None), (["-"], text.encode())):
        result = invoke(runner, model_path, *args, "--input-format", "text", "--threshold", "0", stdin=stdin)
        assert result.exit_code == 0 and result.stdout.startswith("WARC/1.0\n"), result.output
    headed = invoke(runner, model_path, "-", stdin=b"WARC/1.0\nTitle: a page\n\n" + PAGE_B.encode())
    assert "(record 1 has no valid Content-Length)" in headed.stderr, headed.stderr  # was "record record 1"


def test_stdin_to_output_dir(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    result = invoke(runner, model_path, "-", "-o", str(tmp_path / "out"), stdin=PAGE_B.encode())
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["stdin.txt"]


def test_empty_input(runner: CliRunner, model_path: Path) -> None:
    result = invoke(runner, model_path, "-", stdin=b"")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_kept_lines_are_input_lines(runner: CliRunner, model_path: Path, sample_document: Labelled) -> None:
    result = invoke(runner, model_path, "-", stdin=sample_document.text.encode())
    kept = non_blank(output_lines(result.stdout))
    assert kept
    assert set(kept) <= set(sample_document.lines)


def test_raw_seed_dumps(runner: CliRunner, model_path: Path, seeds_dir: Path, tmp_path: Path) -> None:
    """The user's own dumps, as downloaded, clean by deletion only."""
    out = tmp_path / "out"
    result = invoke(runner, model_path, str(seeds_dir), "-o", str(out))
    assert result.exit_code == 0, result.output
    sources = sorted(seeds_dir.rglob("*.txt"))
    assert sources
    for source in sources:
        cleaned = (out / source.relative_to(seeds_dir)).read_text(encoding="utf-8")
        assert_clean_shape(output_lines(cleaned), split_lines(decode(source.read_bytes())))


def test_files_of_no_known_kind_in_a_folder_are_named(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """A dump without an extension in a folder was skipped without a word."""
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (source / "sub" / "page").write_text(PAGE_B, encoding="utf-8")
    (source / "notes.md").write_text("# notes\n", encoding="utf-8")
    (source / ".hidden").write_text("x\n", encoding="utf-8")
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file()) == ["a.txt"]
    (note,) = [line for line in result.stderr.splitlines() if "no known kind" in line]
    assert "2 files of no known kind" in note and str(source / "sub" / "page") in note and "notes.md" in note
    assert ".hidden" not in note
    named = invoke(runner, model_path, str(source / "sub" / "page"))  # named, it is read by its content
    assert named.exit_code == 0, named.output


@contextlib.contextmanager
def fifo(path: Path, data: bytes) -> Iterator[Path]:
    """A named pipe (``mkfifo``) at ``path`` that a thread writes ``data`` into once a reader opens it;
    if none does, the writer is let go (opening the pipe for reading unblocks it) when the block ends."""
    os.mkfifo(path)

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), open(path, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield path
    finally:
        if writer.is_alive():
            with contextlib.suppress(OSError):
                os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=10)


RECORDS = '{"id": "a", "text": "Menu\\nA body paragraph that reads like prose and ends with a full stop."}\n'


@pytest.mark.parametrize(
    ("name", "data", "args"),
    [
        ("pipe", PAGE_A.encode(), []),  # text, told from its content as stdin's is
        ("pipe", RECORDS.encode(), []),  # JSONL, likewise
        ("pipe.jsonl", RECORDS.encode(), []),  # by its name
        ("pipe", PAGE_A.encode(), ["-o", "out/"]),
    ],
    ids=["text", "jsonl-by-content", "jsonl-by-name", "into-a-folder"],
)
def test_a_named_pipe_is_read_as_stdin_is(
    runner: CliRunner, model_path: Path, tmp_path: Path, name: str, data: bytes, args: list[str]
) -> None:
    """``cleaner predict <(zcat a.gz)``, ``cat a | cleaner predict /dev/stdin`` and a FIFO were
    refused ("not a regular file or directory"); a pipe is now read as - is: once, its kind told
    from its first bytes unless its name says it, and it gives what the same bytes piped into - give."""
    out = tmp_path / "out"
    args = [*args, "--threshold", "0"]
    piped = invoke(runner, model_path, "-", *[a.replace("out/", f"{out}-stdin/") for a in args], stdin=data)
    assert piped.exit_code == 0, piped.output
    with fifo(tmp_path / name, data) as pipe:
        result = invoke(runner, model_path, str(pipe), *[a.replace("out/", f"{out}/") for a in args])
    assert result.exit_code == 0, result.output
    assert result.stdout == piped.stdout, result.output
    if "-o" in args:  # its output is named as stdin's is: its name, with the .txt a folder gives
        assert (out / f"{name}.txt").read_text(encoding="utf-8") == (tmp_path / "out-stdin" / "stdin.txt").read_text()
        assert (out / f"{name}.txt").read_text(encoding="utf-8") == PAGE_A
    else:
        assert "A body paragraph" in result.stdout or "Nội dung chính" in result.stdout


def test_a_pipe_cleaned_into_a_folder_is_a_dump_that_folder_gives(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """`cleaner predict <(cat page.txt) -o o8/` wrote `o8/63`, a file of no known kind, which
    `cleaner predict o8/` then left unread; it writes `o8/63.txt` now (a pipe named like a dump keeps
    its name). Run again with --resume, the run of that one input said nothing and exited 0: it
    says now that it skipped it, and how to clean it again."""
    out = tmp_path / "o8"
    with fifo(tmp_path / "63", PAGE_A.encode()) as pipe:
        first = invoke(runner, model_path, str(pipe), "-o", f"{out}/", "--threshold", "0")
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.iterdir()) == ["63.txt"]
    again = invoke(runner, model_path, str(out), "--output-format", "jsonl", "--threshold", "0")
    assert again.exit_code == 0, again.output
    assert [r["text"] for r in read_jsonl_text(again.stdout)] == [PAGE_A]
    with fifo(tmp_path / "pipe.txt", PAGE_B.encode()) as pipe:
        named = invoke(runner, model_path, str(pipe), "-o", f"{out}/", "--threshold", "0")
    assert named.exit_code == 0, named.output
    assert (out / "pipe.txt").read_text(encoding="utf-8") == PAGE_B
    (tmp_path / "63").unlink()
    with fifo(tmp_path / "63", PAGE_B.encode()) as pipe:
        skipped = invoke(runner, model_path, str(pipe), "-o", f"{out}/", "--resume")
    assert skipped.exit_code == 0, skipped.output
    assert skipped.stderr == (
        f"cleaner: {pipe}: already done ({out}/63.txt exists), skipped (--resume); "
        "rerun without --resume to clean it again\n"
    )
    assert (out / "63.txt").read_text(encoding="utf-8") == PAGE_A


def test_one_input_skipped_by_resume_says_so(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """`cleaner predict OTHER.txt -o sres.txt --resume`, sres.txt written earlier from another input,
    exited 0 without a word while sres.txt still held the other page; it says it skipped the input."""
    (tmp_path / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(PAGE_B, encoding="utf-8")
    target = tmp_path / "sres.txt"
    assert invoke(runner, model_path, str(tmp_path / "a.txt"), "-o", str(target)).exit_code == 0
    before = target.read_bytes()
    result = invoke(runner, model_path, str(tmp_path / "b.txt"), "-o", str(target), "--resume", "-q")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'b.txt'}: already done ({target} exists), skipped (--resume)" in result.stderr
    assert target.read_bytes() == before


def read_jsonl_text(text: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in text.splitlines()]


def test_a_pipe_of_records_cannot_be_resumed_as_stdin_cannot(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """A first run with --resume reads the pipe as it reads stdin (no id check beforehand, which
    would read it twice); continuing a .partial from a pipe is refused as from stdin (exit 2)."""
    target = tmp_path / "out.jsonl"
    args = ["-o", str(target), "--resume", "--id-field", "id"]
    with fifo(tmp_path / "first", RECORDS.encode()) as pipe:
        result = invoke(runner, model_path, str(pipe), *args)
    assert result.exit_code == 0, result.output
    assert [record["id"] for record in read_jsonl(target)] == ["a"]
    with fifo(tmp_path / "again", RECORDS.encode()) as pipe:
        result = invoke(runner, model_path, str(pipe), *args)
    assert result.exit_code == 2, result.output
    assert f"--resume cannot continue {target} from the pipe {pipe}: " in result.stderr


def test_suggest_reads_a_named_pipe(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    with fifo(tmp_path / "pipe", (PAGE_A + PAGE_B).encode()) as pipe:
        result = runner.invoke(app, ["suggest", str(pipe), "--model", str(model_path)])
    assert result.exit_code == 0, result.output
    assert str(pipe) in result.stdout


def test_a_socket_is_refused_with_what_to_do(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """What is neither a file, a folder nor a pipe (a socket) is refused, saying what it takes."""
    socket_path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(socket_path))
        result = invoke(runner, model_path, str(socket_path))
    assert result.exit_code == 1, result.output
    assert (
        f"cleaner: {socket_path}: not a regular file, directory, pipe or character device; pipe it into - "
        "instead\n" in result.stderr
    )


CONTROLLED = [
    {
        "id": "1",
        "text": f"Home | News\nA body paragraph that reads like prose,{control}and ends with a full stop.\nMenu",
    }
    for control in ("\t", "\x00", "\x01", "\x1f")
]


@pytest.mark.parametrize("record", CONTROLLED, ids=["tab", "nul", "soh", "us"])
def test_records_with_raw_control_characters_are_cleaned_as_records(
    runner: CliRunner, model_path: Path, tmp_path: Path, record: dict[str, str]
) -> None:
    """JSONL whose first record held a raw tab, NUL or other control character inside a string was
    sniffed as text when piped or named without an extension: the whole input was cleaned as one
    page, its records deleted as boilerplate lines, exit 0 and not a word. Each record is cleaned."""
    second = {"id": "2", "text": "Menu\nA second body paragraph that reads like prose and ends with a stop."}
    data = (json.dumps(record, ensure_ascii=False) + "\n" + json.dumps(second) + "\n").encode()
    raw = data.replace(b"\\t", b"\t").replace(b"\\u0000", b"\x00").replace(b"\\u0001", b"\x01")
    raw = raw.replace(b"\\u001f", b"\x1f")
    assert b"\\u" not in raw and b"\\t" not in raw  # the control characters are raw bytes in the input
    unnamed = tmp_path / "shard-00"
    unnamed.write_bytes(raw)
    for args, stdin in ((["-"], raw), ([str(unnamed)], None)):
        result = invoke(runner, model_path, *args, "--threshold", "0", stdin=stdin)
        assert result.exit_code == 0, result.output
        out = [json.loads(line, strict=False) for line in result.stdout.splitlines()]
        assert [r["id"] for r in out] == ["1", "2"], result.stdout
        assert [r["text"] for r in out] == [record["text"], second["text"]]  # threshold 0: every line kept
        cleaned = invoke(runner, model_path, *args, stdin=stdin)
        assert cleaned.exit_code == 0, cleaned.output
        assert [json.loads(line, strict=False)["id"] for line in cleaned.stdout.splitlines()] == ["1", "2"]

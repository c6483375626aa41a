"""Bad input never loses good input: one error line per bad document, counted, the rest cleaned."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from corpus_support import PAGE, PAGE_EN, done_before, jsonl, read_jsonl
from typer.testing import CliRunner

from cleaner.classifier.format import ModelError
from cleaner.cli import app
from cleaner.corpus.items import CleanedDocument, InputError, Raw
from cleaner.corpus.readers.jsonl import KIND as JSONL
from cleaner.corpus.readers.text import KIND as TEXT
from cleaner.corpus.worker import Cleaner, Settings

GOOD = {"id": "good", "text": PAGE_EN}


def invoke(runner: CliRunner, model_path: Path, *args: str):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)])


def errors_of(stderr: str) -> list[str]:
    """The per-document error lines (not the summary or the closing count)."""
    return [line for line in stderr.splitlines() if line.startswith("cleaner: ") and ": " in line[9:]]


def run_jsonl(runner: CliRunner, model_path: Path, tmp_path: Path, lines: bytes, *args: str):
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([GOOD]) + lines + jsonl([GOOD | {"id": "after"}]))
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target), "--id-field", "id", *args)
    return source, target, result


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b'{"id": 1, "text": "caf\xe9"}\n', "byte 0xe9 at column 23 is not valid utf-8"),  # not "at line 1": line 2
        (b"this is not JSON\n", "not valid JSON"),
        (b'{"id": 1, "body": "no text field"}\n', "has no 'text' field"),
        (b'{"id": 1, "text": null}\n', "field 'text' is JSON null, not a string"),
        (b'{"id": 1, "text": ["a list"]}\n', "field 'text' is a JSON array, not a string"),
        (b'{"id": 1, "text": {"a": 1}}\n', "field 'text' is a JSON object, not a string"),
        (b'{"id": 1, "text": 12}\n', "field 'text' is a JSON number, not a string"),
        (b'{"id": 1, "text": false}\n', "field 'text' is JSON false, not a string"),
        (b'"a JSON string"\n', ": the line is a JSON string, not an object; each line must be one JSON object"),
        (b"null\n", ": the line is JSON null, not an object"),
        (b"true\n", ": the line is JSON true, not an object"),
        (b"[1, 2]\n", ": the line is a JSON array, not an object"),
        (b"3.5\n", ": the line is a JSON number, not an object"),
    ],
    ids=[
        "undecodable",
        "not-json",
        "no-text-field",
        "text-null",
        "text-list",
        "text-object",
        "text-number",
        "text-false",
        "not-an-object",
        "null",
        "true",
        "array",
        "number",
    ],
)
def test_bad_record_is_one_error_line(
    runner: CliRunner, model_path: Path, tmp_path: Path, line: bytes, says: str
) -> None:
    source, target, result = run_jsonl(runner, model_path, tmp_path, line)
    assert result.exit_code == 1
    (error,) = errors_of(result.stderr)
    assert error.startswith(f"cleaner: {source}:2: ")
    assert says in error
    assert "; " in error  # what is wrong; what to do
    assert [r["id"] for r in read_jsonl(target)] == ["good", "after"]
    assert "1 error," in result.stderr
    assert "Traceback" not in result.output


def test_undecodable_text_file_names_the_line(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(b"Headline\nBody \xff here\n")
    (tmp_path / "in" / "b.txt").write_text(PAGE, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    (error,) = errors_of(result.stderr)
    assert f"{tmp_path / 'in' / 'a.txt'}:2: " in error
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [str(tmp_path / "in" / "b.txt")]


BINARY = bytes(range(256)) * 4  # a program or an image: NUL bytes, and bytes that are not UTF-8


def test_a_binary_file_is_named_as_such_and_skipped(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """It was "byte 0xd0 at line 1, column 25 is not valid utf-8; pass --encoding ..." (or, with
    --errors replace, "27% of its bytes are not valid utf-8"), for a file that is no text at all."""
    says = (
        "it looks like a binary file, not text: it holds NUL bytes and bytes that are not valid utf-8; "
        "move it out of the inputs, or pass --encoding if it is text in another encoding"
    )
    named = tmp_path / "x.txt"
    named.write_bytes(BINARY)
    for args in ([], ["--errors", "replace"]):
        result = invoke(runner, model_path, str(named), *args)
        assert result.exit_code == 1, result.output
        assert errors_of(result.stderr) == [f"cleaner: {named}: {says}"]
        assert result.stdout == ""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(BINARY)
    (tmp_path / "in" / "b.txt").write_text(PAGE, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(tmp_path / "out/"))
    assert result.exit_code == 1, result.output
    assert errors_of(result.stderr) == [f"cleaner: {tmp_path / 'in' / 'a.txt'}: {says}"]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["b.txt"]  # the run went on
    result = runner.invoke(app, ["predict", "-", "--model", str(model_path)], input=BINARY)
    assert errors_of(result.stderr) == [f"cleaner: -: {says}"]


# The head of a program (an ELF file, as `head -c 3000 /usr/bin/env` gives it): mostly NUL bytes,
# symbol names, and a few bytes that are not UTF-8 (1.2%: far under the 10% that says "not UTF-8").
PROGRAM = b"\x7fELF\x02\x01\x01" + (b"\0" * 40 + b"\xe8\x05" + b"__libc_start_main\n" + b"\0" * 20) * 40
SAYS_BINARY = (
    "it looks like a binary file, not text: it holds NUL bytes and bytes that are not valid utf-8; "
    "move it out of the inputs, or pass --encoding if it is text in another encoding"
)


@pytest.mark.parametrize("errors", ["replace", "ignore", "surrogateescape"])
def test_a_program_is_binary_with_errors_replace(
    runner: CliRunner, model_path: Path, tmp_path: Path, errors: str
) -> None:
    """Without --errors, NUL bytes and bytes that are not UTF-8 make a binary file; with --errors
    replace only more than 10% undecodable bytes did, so a program (mostly NUL bytes, 1% bad ones)
    was cleaned and its bytes printed, exit 0. The two together say binary with any --errors now,
    on a file, stdin or a JSONL record; a NUL alone, or a bad byte alone, is still text."""
    named = tmp_path / "env.txt"
    named.write_bytes(PROGRAM)
    for args, stdin, where in (([str(named)], None, str(named)), (["-"], PROGRAM, "-")):
        result = runner.invoke(app, ["predict", *args, "--errors", errors, "--model", str(model_path)], input=stdin)
        assert result.exit_code == 1 and result.stdout == "", result.output
        assert errors_of(result.stderr) == [f"cleaner: {where}: {SAYS_BINARY}"]
    record = b'{"id": 1, "text": "' + PROGRAM.replace(b"\n", b" ").replace(b"\x05", b" ") + b'"}\n'
    source, target, result = run_jsonl(runner, model_path, tmp_path, record, "--errors", errors)
    assert errors_of(result.stderr) == [f"cleaner: {source}:2: {SAYS_BINARY}"]
    assert [r["id"] for r in read_jsonl(target)] == ["good", "after"]
    text = tmp_path / "text.txt"
    for data in (b"Head\x00line\n\nA body paragraph\x00 with a NUL in it.\n", b"Head line\n\nA body \xe9 byte.\n"):
        text.write_bytes(data)
        result = invoke(runner, model_path, str(text), "--errors", errors, "--threshold", "0")
        assert result.exit_code == 0 and result.stdout, result.output


def test_nul_bytes_are_text(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """NUL is a character like any other: the document is cleaned, the NUL kept where its line is."""
    text_file = tmp_path / "nul.txt"
    text_file.write_bytes(b"Head\x00line\n\nA body paragraph\x00 with a NUL in it.\n")
    result = invoke(runner, model_path, str(text_file), "--threshold", "0")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Head\x00line\n\nA body paragraph\x00 with a NUL in it.\n"
    records = b'{"text": "raw \x00 NUL in a JSON string"}\n{"text": "escaped \\u0000 NUL"}\n'
    _, target, result = run_jsonl(runner, model_path, tmp_path, records, "--threshold", "0")
    assert result.exit_code == 0, result.output
    assert [r["text"] for r in read_jsonl(target)][1:3] == ["raw \x00 NUL in a JSON string", "escaped \x00 NUL"]


# The first 64 bytes of a PNG (signature, IHDR, the start of a chunk), then compressed-looking bytes.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000003200000025808060000009a76820e"
    "0000000970485973000016250000162501495224f00000200049444154789cec9d"
) + bytes((i * 167 + 13) % 256 for i in range(4000))
ADVICE = "move it out of the inputs, or pass --encoding if it is text in another encoding"


@pytest.mark.parametrize(
    ("encoding", "args"),
    [
        ("latin-1", []),
        ("iso-8859-15", []),
        ("koi8-r", []),
        ("mac-roman", []),
        ("cp1252", ["--errors", "replace"]),
        ("cp1258", ["--errors", "replace"]),
    ],
)
@pytest.mark.parametrize("content", [BINARY, PNG], ids=["all-bytes", "png"])
def test_a_binary_file_is_skipped_in_an_encoding_that_decodes_every_byte(
    runner: CliRunner, model_path: Path, tmp_path: Path, encoding: str, args: list[str], content: bytes
) -> None:
    """In latin-1 every byte decodes, so the binary check of utf-8 (NUL bytes in a file that does not
    decode) never fired: an image was "cleaned", its bytes written out as text, exit 0. It is now
    told by its NUL bytes and its control characters, in any encoding, and skipped."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(content)
    (tmp_path / "in" / "b.txt").write_text(PAGE_EN, encoding=encoding)
    result = invoke(
        runner, model_path, str(tmp_path / "in"), "-o", str(tmp_path / "out/"), "--encoding", encoding, *args
    )
    assert result.exit_code == 1, result.output
    (error,) = errors_of(result.stderr)
    assert error.startswith(
        f"cleaner: {tmp_path / 'in' / 'a.txt'}: it looks like a binary file, not text: it holds NUL bytes and "
        "control or private-use characters ("
    ), error
    assert error.endswith(f" of its text in {encoding}); {ADVICE}"), error
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["b.txt"]  # the run went on
    named = invoke(runner, model_path, str(tmp_path / "in" / "a.txt"), "--encoding", encoding, *args)
    assert named.exit_code == 1 and named.stdout == ""


@pytest.mark.parametrize("encoding", ["latin-1", "cp1258", "koi8-r"])
def test_nul_bytes_are_text_in_any_8_bit_encoding(
    runner: CliRunner, model_path: Path, tmp_path: Path, encoding: str
) -> None:
    """The binary check of 8-bit encodings leaves text with a NUL in it alone, as utf-8's does."""
    text_file = tmp_path / "nul.txt"
    text_file.write_bytes(b"Head\x00line\n\nA body paragraph\x00 with a NUL in it.\n")
    result = invoke(runner, model_path, str(text_file), "--threshold", "0", "--encoding", encoding)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Head\x00line\n\nA body paragraph\x00 with a NUL in it.\n"


def test_utf16_is_told_by_nul_characters_not_nul_bytes(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """UTF-16 spells ASCII with NUL bytes: a UTF-16 page with one bad code unit was called a binary
    file; now its bad byte is named, as in any text. A binary file read as UTF-16 is still one, by
    its NUL characters (with --errors replace its bytes decode, to private-use characters)."""
    page = tmp_path / "page.txt"
    page.write_bytes("Xin chào\nmột trang\n".encode("utf-16-le") + b"\x00\xd8" + "\nthe end\n".encode("utf-16-le"))
    result = invoke(runner, model_path, str(page), "--encoding", "utf-16-le")
    assert errors_of(result.stderr) == [
        f"cleaner: {page}:3: byte 0x00 at line 3, column 1 is not valid utf-16-le; "
        "pass --encoding if the file is in another encoding, or --errors replace to substitute undecodable bytes"
    ]
    image = tmp_path / "image.txt"
    image.write_bytes(PNG)
    for args in ([], ["--errors", "replace"]):
        result = invoke(runner, model_path, str(image), "--encoding", "utf-16", *args)
        assert result.exit_code == 1 and result.stdout == "", result.output
        (error,) = errors_of(result.stderr)
        assert error.startswith(
            f"cleaner: {image}: it looks like a binary file, not text: it holds NUL characters and "
        )
        assert error.endswith(ADVICE)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("tail", [b"", b"!"])  # an even and an odd number of bytes
def test_a_utf8_page_read_as_utf16_is_named_utf8(
    runner: CliRunner, model_path: Path, tmp_path: Path, encoding: str, tail: bytes
) -> None:
    """Read as UTF-16, the bytes of a UTF-8 page decode two to a character, into CJK nonsense that
    was cleaned and written out (exit 0). It holds no NUL byte, which any UTF-16 page does (its
    spaces and line ends): it is named UTF-8, with and without --errors replace."""
    page = tmp_path / "page.txt"
    page.write_bytes(PAGE.encode("utf-8") + tail)
    for args in ([], ["--errors", "replace"]):
        result = invoke(runner, model_path, str(page), "--encoding", encoding, *args)
        assert result.exit_code == 1 and result.stdout == "", result.output
        assert errors_of(result.stderr) == [
            f"cleaner: {page}: the file is UTF-8, not {encoding}: it holds no NUL byte, which {encoding} text "
            "does; pass --encoding utf-8"
        ]


def test_random_bytes_read_as_utf16_are_binary(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """Random bytes read as UTF-16 seldom hold a NUL character, so the NUL check passed them: with
    --errors replace they were cleaned as text (exit 0). Their bad code units and private-use
    characters tell them, with or without --errors replace; a UTF-16 page still cleans."""
    noise = tmp_path / "noise.txt"
    noise.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes().replace(b"\0", b"x"))
    for args in ([], ["--errors", "replace"]):
        result = invoke(runner, model_path, str(noise), "--encoding", "utf-16", *args)
        assert result.exit_code == 1 and result.stdout == "", result.output
        (error,) = errors_of(result.stderr)
        assert error.startswith(
            f"cleaner: {noise}: it looks like a binary file, not text: it holds bytes that are not valid utf-16 "
            "and control or private-use characters ("
        ), error
        assert error.endswith(ADVICE)
    page = tmp_path / "page.txt"
    page.write_bytes(PAGE.encode("utf-16"))
    result = invoke(runner, model_path, str(page), "--encoding", "utf-16", "--threshold", "0")
    assert result.exit_code == 0, result.output
    assert result.stdout == PAGE


@pytest.mark.parametrize("encoding", ["latin-1", "cp1258"])
def test_a_utf16_page_read_in_an_8_bit_encoding_is_named_utf16(
    runner: CliRunner, model_path: Path, tmp_path: Path, encoding: str
) -> None:
    """Every byte of it decodes, the high bytes of its ASCII characters as NUL: it was cleaned into
    text with a NUL between every two letters. Now it is named, as utf-8 names it when it does not
    decode."""
    page = tmp_path / "page.txt"
    page.write_bytes(PAGE_EN.encode("utf-16-le"))
    result = invoke(runner, model_path, str(page), "--encoding", encoding)
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert errors_of(result.stderr) == [
        f"cleaner: {page}: the file is UTF-16, not {encoding}; pass --encoding utf-16-le"
    ]


def test_30_mb_single_line(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    huge = b"x" * 30_000_000
    source, target, result = run_jsonl(runner, model_path, tmp_path, b'{"id": 1, "text": "' + huge + b'"}\n')
    assert result.exit_code == 1
    (error,) = errors_of(result.stderr)
    assert error.startswith(f"cleaner: {source}:2: document of 30.0 MB")
    assert "--max-document-mb" in error
    assert [r["id"] for r in read_jsonl(target)] == ["good", "after"]
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "huge.txt").write_bytes(huge)
    (tmp_path / "dir" / "ok.txt").write_text(PAGE, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "dir"), "-o", str(tmp_path / "tree"))
    assert result.exit_code == 1
    assert len(errors_of(result.stderr)) == 1
    assert [p.name for p in (tmp_path / "tree").iterdir()] == ["ok.txt"]


def test_empty_documents_are_counted_not_errors(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "blank.txt").write_bytes(b"\n  \n")
    (tmp_path / "in" / "page.txt").write_text(PAGE, encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--threshold", "0")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "empty.txt").read_bytes() == b""
    assert (tmp_path / "out" / "blank.txt").read_bytes() == b""
    assert "3 documents (2 empty)" in result.stderr
    _, target, result = run_jsonl(runner, model_path, tmp_path, b'{"id": "e", "text": ""}\n')
    assert result.exit_code == 0, result.output
    empty = read_jsonl(target)[1]
    assert empty == {"id": "e", "text": "", "lines_total": 0, "lines_kept": 0, "chars_kept": 0, "mean_score": None}


def test_truncated_gzip_gets_no_output_and_resume_redoes_it(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """An input cut short is never presented as done: under -o DIR it gets no output file (the
    records before the cut are not enough), so --resume cleans it again once it is complete."""
    whole = gzip.compress(jsonl({"id": n, "text": PAGE} for n in range(300)))
    source = tmp_path / "cut.jsonl.gz"
    source.write_bytes(whole[:-30])
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 1
    (error,) = errors_of(result.stderr)
    assert error.startswith(f"cleaner: {source}:") and "the file is truncated" in error
    assert "--resume" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    source.write_bytes(whole)
    again = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out"), "-q", "--resume")
    assert again.exit_code == 0, again.output
    assert [r["id"] for r in read_jsonl(tmp_path / "out" / "cut.jsonl")] == list(range(300))


def test_fail_fast_stops_at_the_first_error(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    _, target, result = run_jsonl(runner, model_path, tmp_path, b"not json\n", "--fail-fast")
    assert result.exit_code == 1
    assert len(errors_of(result.stderr)) == 1
    assert result.stderr.splitlines()[-1].startswith("cleaner: stopped at the first error (--fail-fast)")
    assert not target.exists()  # never a half-written file under the final name
    partial = target.with_name("out.jsonl.partial")
    assert [r["id"] for r in read_jsonl(partial)] == ["good"]


def test_the_fail_fast_rerun_says_to_fix_the_input_first_and_echoes_numbers_as_typed(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """The last line said to rerun the same command to continue, which stops at the same bad record
    at once; and it echoed --max-document-mb 70 as 70.0."""
    _, _, result = run_jsonl(runner, model_path, tmp_path, b"not json\n", "--fail-fast", "--max-document-mb", "70")
    last = result.stderr.splitlines()[-1]
    assert "; fix or remove the input named above, then from the same directory" in last
    assert "--max-document-mb 70 --resume` to continue" in last


def test_resume_a_jsonl_output(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    records = [{"id": f"r{n}", "text": PAGE if n % 2 else PAGE_EN} for n in range(6)]
    source.write_bytes(jsonl(records))
    target = tmp_path / "out.jsonl"
    full = invoke(runner, model_path, str(source), "-o", str(target), "--id-field", "id")
    assert full.exit_code == 0, full.output
    expected = target.read_bytes()
    lines = expected.splitlines(keepends=True)
    # An interrupted run: two whole records and half of the third, and a stale record that must stay.
    target.unlink()
    target.with_name("out.jsonl.partial").write_bytes(lines[0] + lines[1] + lines[2][:15])
    result = invoke(runner, model_path, str(source), "-o", str(target), "--id-field", "id", "--resume")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == expected
    assert done_before(result.stderr)[1] == 2
    again = invoke(runner, model_path, str(source), "-o", str(target), "--id-field", "id", "--resume")
    assert again.exit_code == 0
    assert target.read_bytes() == expected
    assert done_before(again.stderr) == (0, 6, 6)


def test_resume_a_tree_skips_finished_inputs(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "in" / name).write_text(PAGE, encoding="utf-8")
    (tmp_path / "in" / "shards").mkdir()
    (tmp_path / "in" / "shards" / "c.jsonl").write_bytes(jsonl([{"text": PAGE}]))
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("finished earlier\n", encoding="utf-8")
    (out / ".b.txt.abc.tmp").write_text("left by a killed run", encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(out), "--resume")
    assert result.exit_code == 0, result.output
    assert (out / "a.txt").read_text(encoding="utf-8") == "finished earlier\n"
    assert (out / "b.txt").is_file()
    assert len(read_jsonl(out / "shards" / "c.jsonl")) == 1
    assert done_before(result.stderr) == (2, 1, 3)
    again = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(out), "--resume")
    assert again.exit_code == 0, again.output
    # A file of records skipped whole is counted as a file: how many documents it holds is not read.
    assert "0 documents cleaned now, 2 documents and 1 file of records done before, " in again.stderr


def test_no_temporary_files_left(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in" / "shards").mkdir(parents=True)
    (tmp_path / "in" / "shards" / "a.jsonl").write_bytes(jsonl([GOOD]) + b"broken\n")
    (tmp_path / "in" / "b.txt").write_bytes(b"\xff\xfe")
    result = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")) == [
        "shards",
        "shards/a.jsonl",
    ]


class ExplodingModel:
    """A model that fails on any batch holding a line with BOOM, as a model bug would."""

    threshold = 0.5

    def predict_proba_nonblank(self, documents: list[list[str]]) -> list[np.ndarray]:
        if any("BOOM" in line for doc in documents for line in doc):
            raise ValueError("boom")
        return [np.full(sum(1 for line in doc if line.strip()), 0.9) for doc in documents]


def test_a_document_that_breaks_the_model_loses_only_itself() -> None:
    cleaner = Cleaner(Settings("unused", None), ExplodingModel())
    chunk = [
        Raw(TEXT, "a.txt", b"Fine line.\n", ident="a.txt"),
        Raw(JSONL, "b.jsonl:1", json.dumps({"text": "BOOM here"}).encode()),
        Raw(JSONL, "b.jsonl:2", json.dumps({"text": "Also fine."}).encode()),
    ]
    first, second, third = cleaner.run(chunk)
    assert isinstance(first, CleanedDocument) and first.output == b"Fine line.\n"
    assert isinstance(second, InputError) and second.where == "b.jsonl:1"
    assert "please report" in second.message
    assert isinstance(third, CleanedDocument) and json.loads(third.output)["text"] == "Also fine."


def test_a_model_that_fails_on_everything_stops_the_run() -> None:
    cleaner = Cleaner(Settings("unused", None), ExplodingModel())
    chunk = [Raw(TEXT, f"{n}.txt", b"BOOM\n", ident=f"{n}.txt") for n in range(3)]
    with pytest.raises(ModelError, match="fails on every document"):
        cleaner.run(chunk)


def test_sizes_under_a_megabyte_are_not_printed_as_zero(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """With --max-document-mb 0.01, a 12 kB page said "document of 0.0 MB is over the limit of 0.01 MB"."""
    page = tmp_path / "page.txt"
    page.write_text("A line of a page that is long enough.\n" * 320, encoding="utf-8")  # 12,160 bytes
    result = invoke(runner, model_path, str(page), "--max-document-mb", "0.01")
    assert result.exit_code == 1
    (error,) = errors_of(result.stderr)
    assert "document of 12.2 kB is over the limit of 0.01 MB" in error
    small = tmp_path / "small"
    small.mkdir()
    for name in ("a.txt", "b.txt"):
        (small / name).write_text("Title\nA body paragraph that reads like prose.\n", encoding="utf-8")
    result = runner.invoke(
        app, ["predict", str(small), "-o", str(tmp_path / "out"), "--model", str(model_path), "--threshold", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "2 documents, 92 bytes, lines kept" in result.stderr  # the closing summary

"""A damaged WET record (a wrong Content-Length, a broken first line): it is one error, never
cleaned, and the records after it are read, plain or compressed; after the file is fixed,
``--resume`` gives what a fresh run gives.

A record whose Content-Length was 10 bytes short was cleaned cut mid-word, one 10 bytes long with
the next record's ``WARC/1.0`` as its last line, beside the error that called it damaged; the
records after it were neither read nor counted; and ``--resume`` after the fix kept the damaged
copy, since its id was written."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard
from corpus_support import lines_of, read_jsonl, record_id, warc_record
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus.items import InputDone, InputError, InputFile, Raw
from cleaner.corpus.readers import read_input
from cleaner.corpus.readers.warc import KIND as WARC

PAGES = [
    f"Page {n}: a headline\nA paragraph of page {n} that reads like prose and ends with a full stop.\n\n"
    f"Another paragraph of page {n}, after a blank line.\n"
    for n in range(1, 6)
]
WARCINFO = b"software: test\r\n"
HOWS = ["crlf", "lf", "gzip per record", "gzip", "zstd"]


def records(lengths: dict[int, int] | None = None, eol: bytes = b"\r\n") -> list[bytes]:
    """A warcinfo record (number 0), then one conversion record per page (numbered from 1);
    ``lengths``: a record's number -> its Content-Length, when it is not its body's."""
    lengths = lengths or {}
    made = [warc_record("warcinfo", WARCINFO, 0, length=lengths.get(0), eol=eol)]
    for n, page in enumerate(PAGES, 1):
        uri = f"https://site.example/{n}"
        made.append(warc_record("conversion", page.encode(), n, uri, length=lengths.get(n), eol=eol))
    return made


def built(made: list[bytes], how: str) -> tuple[bytes, str]:
    """The records as a file (bytes and suffix)."""
    plain = b"".join(made)
    if how == "gzip per record":
        return b"".join(gzip.compress(r, mtime=0) for r in made), ".warc.wet.gz"
    if how == "gzip":
        return gzip.compress(plain, mtime=0), ".wet.gz"
    if how == "zstd":
        return zstandard.ZstdCompressor().compress(plain), ".warc.wet.zst"
    return plain, ".wet"


def offset(made: list[bytes], number: int) -> int:
    """Where record ``number`` starts in the (decompressed) content."""
    return sum(len(r) for r in made[:number])


def body_length(number: int) -> int:
    return len(PAGES[number - 1].encode())


def read(tmp_path: Path, made: list[bytes], how: str = "crlf") -> tuple[Path, list]:
    data, suffix = built(made, how)
    path = tmp_path / f"crawl{suffix}"
    path.write_bytes(data)
    return path, list(read_input(InputFile(str(path), Path(path.name), WARC, len(data)), 10_000_000))


def kinds(items: list) -> list[str]:
    return [type(i).__name__ for i in items]


def pages(items: list) -> list[tuple[str | None, bytes]]:
    return [(i.ident, i.data) for i in items if isinstance(i, Raw)]


def expected(*numbers: int) -> list[tuple[str | None, bytes]]:
    return [(record_id(n), PAGES[n - 1].encode()) for n in numbers]


def continued(start: int, after: int) -> str:
    return (
        f"bytes {start} to {after} are passed over, and reading goes on from the next record, at byte {after}; "
        "get a good copy of it"
    )


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("delta", [-10, 10])
def test_a_wrong_content_length_is_an_error_and_the_records_after_it_are_read(
    tmp_path: Path, how: str, delta: int
) -> None:
    """10 bytes short (the record runs on past it) or 10 bytes long (the next record starts inside
    it), plain with CRLF or LF, gzipped per record or whole, zstd: records 1, 2, 4 and 5 come out
    whole, record 3 as one error in its place, with the offsets to cut around it."""
    eol = b"\n" if how == "lf" else b"\r\n"
    made = records({3: body_length(3) + delta}, eol)
    path, items = read(tmp_path, made, how)
    assert kinds(items) == ["Raw", "Raw", "InputError", "Raw", "Raw", "InputDone"]
    assert pages(items) == expected(1, 2, 4, 5)
    error = items[2]
    start, after = offset(made, 3), offset(made, 4)
    of = "" if how in ("crlf", "lf") else " of the decompressed content"
    wrong = (
        f"is shorter than its Content-Length of {body_length(3) + delta} bytes: the next record starts inside them"
        if delta > 0
        else f"is longer than its Content-Length of {body_length(3) + delta} bytes: no record end follows them"
    )
    assert error.where == f"{path}:{record_id(3)}"
    assert error.message == (
        f"the file is damaged at byte {start}{of} (record {record_id(3)} {wrong}); {continued(start, after)}"
    )
    assert error.incomplete and items[-1] == InputDone(Path(path.name), complete=False)


def test_a_content_length_that_ends_at_a_blank_line_of_the_page_is_no_end(tmp_path: Path) -> None:
    """The two line breaks that end a record are found inside a page at its blank line: the record
    ends only where the next record (or the end of the file) follows them."""
    cut = PAGES[2].encode().index(b"\n\n")
    made = records({3: cut})
    path, items = read(tmp_path, made)
    assert pages(items) == expected(1, 2, 4, 5)
    (error,) = [i for i in items if isinstance(i, InputError)]
    assert error.where == f"{path}:{record_id(3)}" and "is longer than its Content-Length of" in error.message


def test_a_content_length_long_by_the_next_record_takes_no_record_in(tmp_path: Path) -> None:
    """Too long by exactly the next record, the block ends where that record ends, as a record does:
    the record inside it is read, the damaged one is not."""
    made = records()
    made[3] = records({3: body_length(3) + len(made[4])})[3]
    path, items = read(tmp_path, made)
    assert pages(items) == expected(1, 2, 4, 5)
    (error,) = [i for i in items if isinstance(i, InputError)]
    assert "is shorter than its Content-Length" in error.message and error.where == f"{path}:{record_id(3)}"


def test_a_record_passed_over_that_takes_in_the_next_ones_start(tmp_path: Path) -> None:
    """A response record (passed over, not held) whose Content-Length takes in the next conversion
    record's first line: that record is read all the same."""
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>page</body></html>"
    made = records()
    made.insert(3, warc_record("response", response, 9, length=len(response) + 20))
    path, items = read(tmp_path, made, "gzip per record")
    assert pages(items) == expected(1, 2, 3, 4, 5)
    (error,) = [i for i in items if isinstance(i, InputError)]
    assert error.where == f"{path}:{record_id(9)}" and "is shorter than its Content-Length" in error.message


def test_a_record_whose_first_line_is_damaged(tmp_path: Path) -> None:
    made = records()
    made[3] = b"WXRC" + made[3][4:]
    path, items = read(tmp_path, made)
    assert pages(items) == expected(1, 2, 4, 5)
    (error,) = [i for i in items if isinstance(i, InputError)]
    start, after = offset(made, 3), offset(made, 4)
    assert error.where == f"{path}:after {record_id(2)}"
    assert error.message == (
        f"the file is damaged at byte {start} (record 4 does not start with a WARC/1.x line); {continued(start, after)}"
    )


def test_a_damaged_last_record_says_the_rest_is_not_read(tmp_path: Path) -> None:
    made = records({5: body_length(5) - 10})
    _, items = read(tmp_path, made)
    assert pages(items) == expected(1, 2, 3, 4)
    (error,) = [i for i in items if isinstance(i, InputError)]
    start, end = offset(made, 5), offset(made, 6)
    assert error.message.endswith(
        f"; no record follows it: bytes {start} to {end}, the end of the file, are not read; get a good copy of it"
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 5), st.integers(-400, 400).filter(bool), st.sampled_from(HOWS))
@example(0, -2, "crlf")  # the warcinfo record short by the CRLF it ends with
@example(3, 10, "lf")
def test_any_wrong_content_length_loses_no_other_record(tmp_path: Path, number: int, delta: int, how: str) -> None:
    """Whatever record's Content-Length is off, and by how much: every other page comes out whole,
    and the damaged one is an error, never a page cut or run on (only a Content-Length short by
    the line breaks a page ends with cannot be told from a right one: then the page comes out
    without them)."""
    length = (body_length(number) if number else len(WARCINFO)) + delta
    made = records({number: length}, b"\n" if how == "lf" else b"\r\n")
    _, items = read(tmp_path, made, how)
    damaged = record_id(number)
    assert [p for p in pages(items) if p[0] != damaged] == [p for p in expected(1, 2, 3, 4, 5) if p[0] != damaged]
    body = PAGES[number - 1].encode() if number else WARCINFO
    untold = delta < 0 and not body[delta:].strip(b"\r\n")
    given_back = [data for ident, data in pages(items) if ident == damaged]
    if given_back:
        assert untold and given_back == [body[:delta]]
    elif not untold:
        assert any(isinstance(i, InputError) and i.incomplete for i in items)


def invoke(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path), "-q"], input=stdin)


def test_a_damaged_record_is_not_in_the_output(runner: CliRunner, model_path: Path) -> None:
    """On standard output (piped in): the records before and after, not the damaged one."""
    data, _ = built(records({3: body_length(3) - 10}), "gzip per record")
    result = invoke(runner, model_path, "-", "--threshold", "0", stdin=data)
    assert result.exit_code == 1
    out = [json.loads(line) for line in lines_of(result.stdout)]
    assert [(r["id"], r["text"]) for r in out] == [(record_id(n), PAGES[n - 1]) for n in (1, 2, 4, 5)]
    assert f"cleaner: -:{record_id(3)}: the file is damaged at byte " in result.stderr


def test_two_damaged_records_are_two_errors_of_one_input(runner: CliRunner, model_path: Path) -> None:
    """Each is named; the summary counts one input not read whole, not two."""
    data, _ = built(records({2: body_length(2) + 10, 4: body_length(4) - 10}), "crlf")
    result = invoke(runner, model_path, "-", "--threshold", "0", stdin=data)
    assert result.exit_code == 1
    assert [r["id"] for r in map(json.loads, lines_of(result.stdout))] == [record_id(n) for n in (1, 3, 5)]
    assert result.stderr.count(": the file is damaged at byte ") == 2
    assert result.stderr.splitlines()[-1] == (
        "cleaner: 2 inputs or records could not be cleaned, 1 input of them not read whole; every other document "
        "was cleaned"
    )


@pytest.mark.parametrize("output", ["out.jsonl", "out"])
def test_resume_after_the_fix_gives_a_fresh_runs_output(
    runner: CliRunner, model_path: Path, tmp_path: Path, output: str
) -> None:
    """Run on the damaged file, fix it as told, --resume: the output holds every record once, as a
    fresh run on the fixed file writes it (record by record: --resume appends the record it
    cleans now after those written before)."""
    source = tmp_path / "crawl.warc.wet.gz"
    source.write_bytes(built(records({3: body_length(3) - 10}), "gzip per record")[0])
    target = tmp_path / output
    damaged = invoke(runner, model_path, str(source), "-o", str(target))
    assert damaged.exit_code == 1, damaged.output
    if output == "out":
        assert not (target / "crawl.warc.wet.jsonl").exists()  # an input not read whole gets no output
    else:
        partial = target.with_name("out.jsonl.partial")
        assert [r["id"] for r in read_jsonl(partial)] == [record_id(n) for n in (1, 2, 4, 5)]
    assert f"{record_id(3)}: the file is damaged at byte {offset(records(), 3)} of the decompressed" in damaged.stderr
    source.write_bytes(built(records(), "gzip per record")[0])  # the good copy
    resumed = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert resumed.exit_code == 0, resumed.output
    fresh = tmp_path / f"fresh-{output}"
    again = invoke(runner, model_path, str(source), "-o", str(fresh))
    assert again.exit_code == 0, again.output
    if output == "out":
        name = "crawl.warc.wet.jsonl"
        assert (target / name).read_bytes() == (fresh / name).read_bytes()
    else:
        written, wanted = read_jsonl(target), read_jsonl(fresh)
        assert len(written) == len(wanted) == 5
        assert sorted(written, key=lambda r: r["id"]) == wanted


def test_a_file_whose_first_line_is_not_warc_is_no_warc_file(tmp_path: Path) -> None:
    """Only after a record is there a record to find again: a first line that is not WARC's says at
    once that the file is no WARC file, as it did (the file is not read to its end for records)."""
    path = tmp_path / "records.warc"
    path.write_bytes(b'{"text": "a page"}\n' + b"".join(records()))
    _, items = read(tmp_path, [path.read_bytes()])
    assert kinds(items) == ["InputError", "InputDone"]
    assert items[0].message == "not a WARC file (its first line is not WARC/1.x): JSONL; pass --input-format jsonl"

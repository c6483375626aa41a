"""What a careful user expects when a corpus run meets a fault: one line naming the input or the
output and what to do, the right exit code, no traceback, no output presented as complete when it
is not, and nothing left behind (issue 15's cases, through CliRunner, with faults injected where
the machine cannot make them: a full disk, an unreadable folder)."""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from corpus_support import PAGE, PAGE_EN, done_before, jsonl, read_jsonl
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus import sinks
from cleaner.corpus.worker import LONG_LINE


def invoke(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)], input=stdin)


def lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("cleaner: ")]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".partial")))


class FullDisk:
    """A file on a disk with ``room[0]`` bytes free (shared by its files): a write that does not
    fit fails with ENOSPC."""

    def __init__(self, handle: io.BufferedWriter, room: list[int]) -> None:
        self.handle, self.room = handle, room

    def write(self, data: bytes) -> int:
        if len(data) > self.room[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room[0] -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.handle, name)

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The output files the sinks open share 300 bytes of room: the write that does not fit fails
    with ENOSPC."""
    real_fdopen, real_open = os.fdopen, Path.open
    room = [300]

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        return FullDisk(real_fdopen(fd, *args, **kwargs), room)  # type: ignore[arg-type]

    def path_open(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]
        writes = any(letter in mode for letter in "wax+")  # --resume reads a .partial's ids first
        return FullDisk(handle, room) if self.name.endswith(".partial") and writes else handle

    monkeypatch.setattr(sinks.os, "fdopen", fdopen)
    monkeypatch.setattr("cleaner.atomic.os.fdopen", fdopen)
    monkeypatch.setattr(Path, "open", path_open)


def record_id(n: int) -> str:
    """Ids that do not compress: the corpus's output overflows the full disk's 300 bytes gzipped
    too, whatever the model keeps of its pages."""
    return hashlib.sha256(b"%d" % n).hexdigest()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    source = tmp_path / "in"
    (source / "shards").mkdir(parents=True)
    for n in range(4):
        (source / f"page{n}.txt").write_text(PAGE if n % 2 else PAGE_EN, encoding="utf-8")
    records = [{"id": record_id(n), "text": PAGE} for n in range(30)]
    (source / "shards" / "a.jsonl").write_bytes(jsonl(records))
    return source


@pytest.mark.parametrize("output", ["out.jsonl", "out.jsonl.gz", "out"])
def test_a_full_disk_leaves_nothing_and_says_which_output(
    runner: CliRunner,
    model_path: Path,
    corpus: Path,
    tmp_path: Path,
    full_disk: None,
    monkeypatch: pytest.MonkeyPatch,
    output: str,
) -> None:
    """ENOSPC: no traceback (the write error used to be raised again while cleaning up), the
    output named (not its temporary file), exit 1, and no temporary or partial file left; under
    -o DIR, the files written before the disk filled are whole."""
    target = tmp_path / "disk" / output
    result = invoke(runner, model_path, str(corpus), "-o", str(target), "-j", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and ".tmp" not in result.stderr
    last = lines(result.stderr)[-1]
    assert "No space left on device" in last and str(target.parent) in last
    assert leftovers(tmp_path / "disk") == []
    monkeypatch.undo()  # the disk has room again: what a whole run writes
    expected = tmp_path / "expected" / output
    assert invoke(runner, model_path, str(corpus), "-o", str(expected)).exit_code == 0
    if output == "out":
        written = [p for p in target.rglob("*") if p.is_file()]
        assert written, "the first outputs fit"
        for path in written:
            assert path.read_bytes() == (expected / path.relative_to(target)).read_bytes()
    else:
        assert not target.exists()


def test_a_full_disk_on_resume_leaves_the_partial_as_it_was(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path, full_disk: None
) -> None:
    """A full disk while --resume continued -o out.jsonl said "out.jsonl is left as it was before
    this run", a file never written, and no next step: the line now names the .partial, put back as
    it was with the records written before, says the disk is full, and gives the command that
    continues once there is room."""
    target = tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"
    done = b"".join(json.dumps({"id": record_id(n), "text": "done before"}).encode() + b"\n" for n in range(3))
    partial.write_bytes(done)
    source = corpus / "shards" / "a.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume", "-j", "1")
    assert result.exit_code == 1
    assert partial.read_bytes() == done and not target.exists()
    last = lines(result.stderr)[-1]
    assert last.startswith(f"cleaner: {target}: cannot write: No space left on device; "), last
    assert f"{target} is left as it was" not in last and f"{target} is not written" not in last
    assert f"; {partial} is left as it was before this run, with the 3 records written before it; " in last
    assert f"the disk is full: free space on it, then from the same directory ({Path.cwd()}), rerun `" in last
    assert re.search(r"rerun `cleaner predict \S*a\.jsonl --output \S*out\.jsonl .*--resume` to continue$", last)


@pytest.mark.parametrize("resume", [False, True], ids=["fresh", "resume"])
def test_the_summary_of_a_full_disk_counts_no_document_as_written(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resume: bool
) -> None:
    """Several inputs into -o out.jsonl, the disk full at the fifth document: the output is put back
    as it was before the run, yet the summary said "stopped after 4 documents" (with --resume, "4
    documents cleaned now, 3 done before (7 so far)"), as if they were written. It says none of
    them is written, and counts only the records of the runs before among those done."""
    target = tmp_path / "out.jsonl"
    done = b"".join(json.dumps({"id": record_id(n), "text": "done before"}).encode() + b"\n" for n in range(3))
    args = [str(corpus), "-o", str(target), "-j", "1"]
    if resume:
        (tmp_path / "out.jsonl.partial").write_bytes(done)
        args.append("--resume")
    real_write = sinks.StreamSink.write
    written = [0]

    def filling(self: sinks.StreamSink, item: object, *counted: object) -> None:
        if isinstance(item, sinks.CleanedDocument):
            written[0] += 1
            if written[0] == 5:
                raise sinks.OutputError(self.name, OSError(errno.ENOSPC, "No space left on device"))
        real_write(self, item, *counted)  # type: ignore[arg-type]

    monkeypatch.setattr(sinks.StreamSink, "write", filling)
    result = invoke(runner, model_path, *args)
    assert result.exit_code == 1, result.output
    summary = next(line for line in lines(result.stderr) if line.startswith("cleaner: stopped after "))
    assert summary.startswith("cleaner: stopped after 4 documents"), summary
    assert "none written: the write failed)" in summary, summary
    if resume:
        assert "cleaned now (" in summary and "), 3 done before (3 so far), " in summary, summary
        assert (tmp_path / "out.jsonl.partial").read_bytes() == done
    assert not target.exists()


def test_a_write_error_on_resume_of_a_finished_output_gives_it_back(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--resume into a finished output renames it to .partial to continue it; a write that fails
    gives it its name back, and says so, with what to do (not a full disk here: fix it)."""
    target = tmp_path / "out.jsonl"
    done = json.dumps({"id": record_id(0), "text": "done before"}).encode() + b"\n"
    target.write_bytes(done)
    real_write = sinks.StreamSink.write

    def failing(self: sinks.StreamSink, item: object, *counted: object) -> None:
        if isinstance(item, sinks.CleanedDocument):
            raise sinks.OutputError(self.name, OSError(errno.EIO, "Input/output error"))
        real_write(self, item, *counted)  # type: ignore[arg-type]

    monkeypatch.setattr(sinks.StreamSink, "write", failing)
    result = invoke(runner, model_path, str(corpus / "shards" / "a.jsonl"), "-o", str(target), "--resume")
    assert result.exit_code == 1
    assert target.read_bytes() == done and not (tmp_path / "out.jsonl.partial").exists()
    last = lines(result.stderr)[-1]
    assert f"; {target} is left as it was before this run; fix this, then from the same directory" in last
    assert last.endswith("--resume` to continue"), last


def test_write_errors_name_the_output_and_advise_no_resume(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path
) -> None:
    """An output that cannot be written (here a folder in its place): its name, not the hidden
    temporary file's, and no --resume that cannot help."""
    out = tmp_path / "out"
    (out / "page1.txt").mkdir(parents=True)
    result = invoke(runner, model_path, str(corpus), "-o", str(out))
    assert result.exit_code == 1
    last = lines(result.stderr)[-1]
    assert last.startswith(f"cleaner: {out / 'page1.txt'}: cannot write: ")
    assert ".tmp" not in last and "Traceback" not in result.output
    assert "0 errors" not in result.stderr  # the summary above a failing exit code
    assert leftovers(out) == []


def test_an_unreadable_folder_is_an_error_naming_it(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Injected (root reads every folder): os.walk's scandir refused on one folder."""
    locked = corpus / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text(PAGE, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    result = invoke(runner, model_path, str(corpus), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"cleaner: {locked}: cannot read this folder: Permission denied" in result.stderr
    assert (tmp_path / "out" / "page0.txt").is_file()


def test_dangling_and_looping_links_are_errors(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path
) -> None:
    (corpus / "gone.txt").symlink_to("nowhere.txt")
    (corpus / "loop.txt").symlink_to("loop.txt")
    result = invoke(runner, model_path, str(corpus), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"cleaner: {corpus / 'gone.txt'}: a dangling symbolic link" in result.stderr
    assert f"cleaner: {corpus / 'loop.txt'}: a symbolic link loop" in result.stderr
    assert "cleaner: 2 inputs or records could not be cleaned, none of them read whole" in result.stderr


def test_the_closing_line_counts_one_error_in_the_singular(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path
) -> None:
    """It said "1 input(s) or record(s) could not be cleaned, 1 of them input(s) not read to their end"."""
    (corpus / "gone.txt").symlink_to("nowhere.txt")
    result = invoke(runner, model_path, str(corpus), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    (closing,) = [line for line in result.stderr.splitlines() if "could not be cleaned" in line]
    assert closing.startswith(
        "cleaner: 1 input or record could not be cleaned, not read whole, with no output; "
        "fix or replace such inputs and, from the same directory"
    ), closing
    assert "(s)" not in result.stderr
    (tmp_path / "bad.jsonl").write_text('{"text": "Title\\nA body paragraph."}\n{bad\n', encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "bad.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    assert "cleaner: 1 input or record could not be cleaned; every other document was cleaned" in result.stderr
    # When every record fails there is no "other document": it said "every other document was cleaned".
    (tmp_path / "body.jsonl").write_text('{"body": "A"}\n{"body": "B"}\n', encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "body.jsonl"), "-o", str(tmp_path / "body-out.jsonl"))
    assert result.exit_code == 1
    assert "cleaner: 2 inputs or records could not be cleaned; no document was cleaned" in result.stderr


def test_metadata_beside_the_dumps_is_not_a_corpus(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path
) -> None:
    (corpus / "meta.jsonl").write_text('{"url": "https://site.example/"}\n', encoding="utf-8")
    result = invoke(runner, model_path, str(corpus), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "meta.jsonl" in result.stderr and "--input-format" in result.stderr
    assert not (tmp_path / "out" / "meta.jsonl").exists()
    asked = invoke(runner, model_path, str(corpus / "meta.jsonl"), "-o", str(tmp_path / "meta.jsonl"))
    assert asked.exit_code == 1 and "has no 'text' field" in asked.stderr  # named: read, and its records checked


def test_one_text_input_to_a_txt_file(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    target = tmp_path / "page.clean.txt"
    result = invoke(runner, model_path, str(page), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_file() and target.read_text(encoding="utf-8") == invoke(runner, model_path, str(page)).stdout
    assert invoke(runner, model_path, str(page), str(page), "-o", str(tmp_path / "two.txt")).exit_code == 2
    assert invoke(runner, model_path, str(page), "-o", str(page)).exit_code == 2  # not over its input


def test_resume_of_a_jsonl_output_takes_the_id_field_by_default(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path
) -> None:
    """--help says --id-field defaults to id: --resume alone must work, as the interrupt message says."""
    source = corpus / "shards" / "a.jsonl"
    target = tmp_path / "out.jsonl"
    assert invoke(runner, model_path, str(source), "-o", str(target)).exit_code == 0
    whole = target.read_bytes()
    target.unlink()
    (tmp_path / "out.jsonl.partial").write_bytes(b"".join(whole.splitlines(keepends=True)[:12]))
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == whole
    assert done_before(result.stderr) == (18, 12, 30)


def test_utf16_is_named_with_the_encoding_to_pass(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    for data, codec in ((PAGE.encode("utf-16"), "utf-16"), (PAGE.encode("utf-16-le"), "utf-16-le")):
        page = tmp_path / "page.txt"
        page.write_bytes(data)
        result = invoke(runner, model_path, str(page))
        assert result.exit_code == 1
        assert f"the file is UTF-16, not utf-8; pass --encoding {codec}" in result.stderr
        fixed = invoke(runner, model_path, str(page), "--encoding", codec)
        assert fixed.exit_code == 0 and fixed.stdout == invoke(runner, model_path, "-", stdin=PAGE.encode()).stdout


def test_json_errors_say_at_once(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"text": "a page\n{"id": 2, "text": "ok"}\n')
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out.jsonl"))
    assert "Unterminated string starting at column" in result.stderr
    assert "at at" not in result.stderr


def test_json_error_column_counts_within_the_record(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """A record missing its closing brace: json points past the line break (its column 1 of the next
    line); the column reported is the one on the record's own line, where the brace is missing."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "a", "text": "x"}\n{"id": "broken", "text": "abc"\n')
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out.jsonl"))
    assert f"{source}:2: not valid JSON (Expecting ',' delimiter or '}}' at column 31)" in result.stderr


def test_random_bytes_are_not_content_even_with_errors_replace(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """--errors replace on bytes that are not text: the document is refused (not utf-8 text), not
    kept as kilobytes of U+FFFD; in a page with one binary line, that line goes."""
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(range(256)) * 40)
    result = invoke(runner, model_path, str(noise), "--errors", "replace")
    assert result.exit_code == 1 and result.stdout == ""
    assert "are not valid utf-8" in result.stderr and "--encoding" in result.stderr
    page = tmp_path / "page.txt"
    binary = bytes(range(128, 256))
    prose = b"A body paragraph that reads like prose, long enough, and ends here.\n" * 30
    page.write_bytes(prose + binary + b"\n")
    kept = invoke(runner, model_path, str(page), "--errors", "replace", "--threshold", "0")
    assert kept.exit_code == 0, kept.output
    assert "\ufffd" not in kept.stdout and "A body paragraph" in kept.stdout


@pytest.mark.parametrize("choice", ["keep", "drop"])
def test_a_page_on_one_line_is_reported_never_emptied_silently(
    runner: CliRunner, model_path: Path, tmp_path: Path, choice: str
) -> None:
    page = tmp_path / "one-line.txt"
    line = " ".join(["Menu Home News."] + ["A sentence of the article body, as prose."] * (LONG_LINE // 40 + 1))
    page.write_text(line + "\n", encoding="utf-8")
    result = invoke(runner, model_path, str(page), "--short-dumps", choice)
    assert result.exit_code == 0, result.output
    (note,) = lines(result.stderr)
    assert note.startswith(f"cleaner: {page}: 1 non-blank line, the longest of {len(line)} characters")
    assert "--short-dumps" in note
    assert result.stdout == (line + "\n" if choice == "keep" else "")
    per_line = invoke(runner, model_path, str(page), "--short-dumps", choice, "--format", "jsonl")
    [record] = [json.loads(row) for row in per_line.stdout.splitlines()]  # labelled as the text output does
    assert record["label"] == ("content" if choice == "keep" else "boilerplate")


def test_a_dump_with_no_line_kept_is_reported(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """An empty output looks like a failure: one dump says why, a corpus counts them; nothing is
    said when a line is kept, or for --format labels, which prints every line anyway."""
    page = tmp_path / "menu.txt"
    page.write_text("Home\nNews\n\nLog in\n", encoding="utf-8")
    result = invoke(runner, model_path, str(page), "--threshold", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    (note,) = lines(result.stderr)
    assert note.startswith(f"cleaner: {page}: no line kept: the model scored all its 3 non-blank lines as boilerplate")
    assert "--threshold" in note
    assert lines(invoke(runner, model_path, "-", "--threshold", "1", stdin=b"Home\n").stderr)[0].startswith(
        "cleaner: -: no line kept: the model scored its only non-blank line"
    )
    assert lines(invoke(runner, model_path, str(page), "--threshold", "0").stderr) == []
    assert lines(invoke(runner, model_path, str(page), "--threshold", "1", "--format", "labels").stderr) == []
    assert lines(invoke(runner, model_path, str(page), "--threshold", "1", "-q").stderr) == []
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": 1, "text": PAGE}, {"id": 2, "text": "Home\nLog in\n"}, {"id": 3, "text": ""}]))
    for threshold, counted in (("1", "(1 empty, 2 with no line kept)"), ("0", "(1 empty)")):
        result = invoke(
            runner, model_path, str(source), "-o", str(tmp_path / f"out{threshold}.jsonl"), "--threshold", threshold
        )
        assert result.exit_code == 0, result.output
        (summary,) = lines(result.stderr)
        assert summary.startswith(f"cleaner: 3 documents {counted}, "), summary


def test_a_stopped_run_says_stopped_not_0_errors(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": 1, "text": PAGE}]) + b"not json\n" + jsonl([{"id": 3, "text": PAGE_EN}]))
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out.jsonl"), "--fail-fast")
    assert result.exit_code == 1
    summary = [line for line in lines(result.stderr) if line.startswith("cleaner: stopped after ")]
    assert summary and "1 error," in summary[0]
    assert f"rerun `cleaner predict {source} --output {tmp_path / 'out.jsonl'} --model" in result.stderr
    assert "--fail-fast --resume` to continue" in result.stderr


def test_a_cut_stream_on_stdout_is_reported(runner: CliRunner, model_path: Path) -> None:
    data = gzip.compress(jsonl([{"id": n, "text": PAGE} for n in range(50)]))
    result = invoke(runner, model_path, "-", stdin=data[: len(data) // 2])
    assert result.exit_code == 1
    assert "cleaner: -:" in result.stderr and "the file is truncated" in result.stderr
    given = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert given == list(range(len(given)))  # the records before the cut, in order


def test_the_partial_output_of_an_incomplete_run_keeps_its_name(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path
) -> None:
    """-o FILE.jsonl with a shard cut short: FILE.jsonl is not presented as complete; the records
    of every other input are in FILE.jsonl.partial, and --resume completes it once the shard is
    (the records it adds come after those the partial run wrote)."""
    shard = corpus / "shards" / "a.jsonl"
    whole = shard.read_bytes()
    shard.write_bytes(whole[: len(whole) // 2 + 7])
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(corpus / "shards"), str(corpus / "page0.txt"), "-o", str(target))
    assert result.exit_code == 1
    assert not target.exists() and (tmp_path / "out.jsonl.partial").exists()
    assert "rerun `cleaner predict" in lines(result.stderr)[-1]
    shard.write_bytes(whole)
    again = invoke(runner, model_path, str(corpus / "shards"), str(corpus / "page0.txt"), "-o", str(target), "--resume")
    assert again.exit_code == 0, again.output
    assert sorted(r["id"] for r in read_jsonl(target)) == sorted(
        [record_id(n) for n in range(30)] + [str(corpus / "page0.txt")]
    )


def test_a_record_inputs_output_under_a_folder_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """-o DIR writes a JSONL or WARC input's .jsonl with the handle's own write, not sinks._write_all:
    a BufferedWriter on a blocking file writes all it is given or raises, where a raw FileIO (as
    standard output is under PYTHONUNBUFFERED=1) returns a short count. Checked on a 64 KiB tmpfs:
    a 200 KB write raised ENOSPC through a BufferedWriter; a FileIO returned 65536 and raised at
    the next write. This holds the sink to a buffered handle."""
    sink = sinks.TreeSink(tmp_path)
    sink._start(tmp_path / "a.jsonl")
    assert sink.open is not None
    assert type(sink.open[-1]) is io.BufferedWriter
    sink.abort()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder in which nothing can be made, files or folders, as on a read-only disk (chmod does
    not stop root): EROFS, with the path that was refused, as the kernel gives it."""
    folder = tmp_path / "ro"
    folder.mkdir()
    real_open, real_mkdir = os.open, Path.mkdir

    def refuse(path: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def guarded_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        made = Path(os.fsdecode(path))  # type: ignore[arg-type]
        if flags & os.O_CREAT and folder in made.parents and made.parent.is_dir():  # else: ENOENT, as ever
            refuse(path)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if folder in self.parents:
            refuse(self)
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(Path, "mkdir", guarded_mkdir)
    return folder


def test_a_failed_write_of_one_output_file_says_what_became_of_it(
    runner: CliRunner, model_path: Path, tmp_path: Path, read_only: Path
) -> None:
    """-o x.txt in a read-only folder ended with "the outputs finished before it are complete: fix
    this and rerun with --resume to write the others", of a run with one output. Now it says that
    output is not written, or, when it was there, that it is left as it was."""
    page = tmp_path / "a.txt"
    page.write_text(PAGE, encoding="utf-8")
    target = read_only / "x.txt"
    result = invoke(runner, model_path, str(page), "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"cleaner: {target}: cannot write: Read-only file system; {target} is not written\n"
    target.write_text("an earlier run's\n", encoding="utf-8")
    result = invoke(runner, model_path, str(page), "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.endswith(f"; {target} is left as it was before this run\n"), result.stderr
    assert target.read_text(encoding="utf-8") == "an earlier run's\n"


def test_a_folder_that_cannot_be_made_is_named(
    runner: CliRunner, model_path: Path, corpus: Path, tmp_path: Path, read_only: Path
) -> None:
    """-o new/ in a read-only folder blamed new/page.txt, the first output, not the folder it could
    not make; and said that outputs finished before it are complete, of none."""
    new = read_only / "new"
    page = corpus / "page0.txt"
    for output, written in ((f"{new}/", new / "page0.txt"), (str(new / "x.txt"), new / "x.txt")):
        result = invoke(runner, model_path, str(page), "-o", output)
        assert result.exit_code == 1
        assert result.stderr == (
            f"cleaner: {new}: cannot create this folder: Read-only file system; {written} is not written\n"
        )
    result = invoke(runner, model_path, str(corpus / "shards" / "a.jsonl"), "-o", str(new / "x.jsonl"), "-q")
    assert result.exit_code == 1
    assert result.stderr == (
        f"cleaner: {new}: cannot create this folder: Read-only file system; {new / 'x.jsonl'} is not written\n"
    )
    for extra, rerun in (([], "rerun"), (["--resume"], "rerun with --resume")):
        result = invoke(runner, model_path, str(corpus), "-o", f"{new}/", "-q", *extra)
        assert result.exit_code == 1
        assert result.stderr == (
            f"cleaner: {new}: cannot create this folder: Read-only file system; this run finished no output: "
            f"fix this and {rerun}\n"
        )
    assert list(read_only.iterdir()) == []

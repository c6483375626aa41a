"""The line a stopped run prints counts the documents whose output was written, not one more nor one fewer
(under -o DIR and -o FILE.jsonl), and a run stopped before it wrote anything says so."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import atomic
from cleaner.cli import app
from cleaner.corpus import sinks
from cleaner.signals import Interrupted


def test_a_document_stopped_while_its_file_is_written_is_not_counted(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C lands most often while the main process writes an output (its main work under
    -o DIR): the document was counted before its file was written, so "stopped after 1253
    documents" stood above 1252 files."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for i in range(5):
        (dumps / f"d{i}.txt").write_text(f"Headline {i}\nA body paragraph that reads like prose.\n", encoding="utf-8")
    write = sinks.TreeSink.write
    calls = []

    def stopped_at_the_third(self: sinks.TreeSink, item: sinks.Written, *counted: Callable[[], None]) -> None:
        calls.append(item)
        if len(calls) == 3:
            raise Interrupted(signal.SIGINT)
        write(self, item, *counted)

    monkeypatch.setattr(sinks.TreeSink, "write", stopped_at_the_third)
    out = tmp_path / "out"
    result = runner.invoke(app, ["predict", str(dumps), "-o", f"{out}/", "-j", "1"])
    assert result.exit_code == 130, result.output
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 2
    assert "cleaner: stopped after 2 documents," in result.stderr


@pytest.mark.parametrize("where", ["after the write", "with the rename"])
def test_a_document_stopped_once_its_file_is_written_is_counted(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A signal that lands once a file is renamed into place, before the run counted it, left
    "stopped after 495 documents" above 496 files (and --resume then said 496 were done). The
    sink counts a file with its rename, the signals held for both: the line counts the files."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for i in range(5):
        (dumps / f"d{i}.txt").write_text(f"Headline {i}\nA body paragraph that reads like prose.\n", encoding="utf-8")
    calls = []
    if where == "after the write":
        write = sinks.TreeSink.write

        def stopped_after_the_third(self: sinks.TreeSink, item: sinks.Written, *counted: Callable[[], None]) -> None:
            calls.append(item)
            write(self, item, *counted)
            if len(calls) == 3:
                raise Interrupted(signal.SIGINT)

        monkeypatch.setattr(sinks.TreeSink, "write", stopped_after_the_third)
    else:  # the signal arrives as the file is renamed: delivered when the signals are let go
        replace = atomic.os.replace

        def signalled(source: str, target: Path) -> None:
            replace(source, target)
            calls.append(target)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGINT)

        monkeypatch.setattr(atomic.os, "replace", signalled)
    # Another thread, as a pool has: a process-directed signal that this thread blocks goes to it,
    # and Python runs the handler here all the same (so blocking the signal did not defer it).
    idle = threading.Event()
    threading.Thread(target=idle.wait, daemon=True).start()
    out = tmp_path / "out"
    try:
        result = runner.invoke(app, ["predict", str(dumps), "-o", f"{out}/", "-j", "1"])
    finally:
        idle.set()
    assert result.exit_code == 130, result.output
    assert len(list(out.iterdir())) == 3
    assert "cleaner: stopped after 3 documents," in result.stderr


def _records(path: Path, count: int) -> Path:
    """``count`` JSONL records of two lines each, ids 0, 1..."""
    texts = (f"Headline {i}\nA body paragraph that reads like prose." for i in range(count))
    lines = (json.dumps({"id": i, "text": text}) + "\n" for i, text in enumerate(texts))
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_record_stopped_once_it_is_written_to_one_file_is_counted(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under -o FILE.jsonl a signal that landed once a record was written, before the run counted
    it, left "stopped after 2 documents" above a .partial of 3 records (and --resume then skipped
    3): the record is written and counted, or neither, as a file under -o DIR is."""
    source = _records(tmp_path / "pages.jsonl", 5)
    write_all = sinks._write_all
    calls = []

    def signalled(handle: sinks.Output, data: bytes) -> None:
        write_all(handle, data)
        calls.append(data)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(sinks, "_write_all", signalled)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["predict", str(source), "-o", str(out), "-j", "1"])
    assert result.exit_code == 130, result.output
    partial = tmp_path / "out.jsonl.partial"
    assert len(partial.read_text(encoding="utf-8").splitlines()) == 3
    assert "cleaner: stopped after 3 documents," in result.stderr
    assert f"the records written so far are in {partial}" in result.stderr


def _stopped_at_the_first_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop signal as the first record is about to be written (the run has not opened the .partial)."""

    def stopped(self: sinks.StreamSink, item: sinks.Written, *counted: Callable[[], None]) -> None:
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(sinks.StreamSink, "write", stopped)


def test_a_run_into_one_file_stopped_before_any_record_says_rerun_not_resume(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o FILE.jsonl` stopped before it wrote a record told the user to continue with --resume,
    from a .partial that was not there: it says nothing was written, and the command as given
    (without --resume) is what to run; no .partial is left, and an earlier FILE.jsonl is as it was."""
    source = _records(tmp_path / "pages.jsonl", 3)
    out = tmp_path / "out.jsonl"
    _stopped_at_the_first_record(monkeypatch)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["predict", "pages.jsonl", "-o", "out.jsonl", "-j", "1", "-q"])
    assert result.exit_code == 143, result.output
    assert result.stderr == (
        "cleaner: interrupted (SIGTERM) before any record was written; out.jsonl is not written: there is nothing "
        f"to continue with --resume; from the same directory ({tmp_path}), rerun `cleaner predict pages.jsonl "
        "--output out.jsonl --jobs 1 --quiet` to clean from the start\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages.jsonl"]
    out.write_text("earlier\n", encoding="utf-8")
    again = runner.invoke(app, ["predict", str(source), "-o", str(out), "-j", "1", "-q"])
    assert again.exit_code == 143, again.output
    assert f"{out} is left as it was before this run: there is nothing to continue" in again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "pages.jsonl"]
    assert out.read_text(encoding="utf-8") == "earlier\n"


def test_an_earlier_partial_that_a_stopped_run_never_opened_is_kept(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run without --resume empties an earlier run's FILE.jsonl.partial only at its first record:
    stopped before it, the .partial keeps its records, and the line says whose they are."""
    source = _records(tmp_path / "pages.jsonl", 3)
    out = tmp_path / "out.jsonl"
    partial = _records(tmp_path / "out.jsonl.partial", 2)
    before = partial.read_bytes()
    _stopped_at_the_first_record(monkeypatch)
    result = runner.invoke(app, ["predict", str(source), "-o", str(out), "-j", "1", "-q"])
    assert result.exit_code == 143, result.output
    assert f"this run wrote no record, and {partial} holds an earlier run's records, as it was" in result.stderr
    assert "--resume` to continue" in result.stderr
    assert partial.read_bytes() == before
    assert not out.exists()

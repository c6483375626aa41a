"""The line a stopped run prints counts the documents whose output was written, not one more."""

from __future__ import annotations

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

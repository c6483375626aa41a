"""The line a stopped run prints counts the documents whose output was written, not one more."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

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

    def stopped_at_the_third(self: sinks.TreeSink, item: sinks.Written) -> None:
        calls.append(item)
        if len(calls) == 3:
            raise Interrupted(signal.SIGINT)
        write(self, item)

    monkeypatch.setattr(sinks.TreeSink, "write", stopped_at_the_third)
    out = tmp_path / "out"
    result = runner.invoke(app, ["predict", str(dumps), "-o", f"{out}/", "-j", "1"])
    assert result.exit_code == 130, result.output
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 2
    assert "cleaner: stopped after 2 documents," in result.stderr

"""A stop signal that lands while a module is being imported. Python 3.11 wraps any exception raised
in a ``__set_name__`` (a dataclass field's default, a cached property) in a RuntimeError, so the
:class:`~cleaner.signals.Interrupted` of a SIGTERM that arrived just then went past every handler
that stops a run cleanly: the run ended with a traceback ("Error calling __set_name__ on 'Field'
instance 'parse' in 'Settings'"), seen once in CI among kills timed at random."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import signals
from cleaner.cli import app
from cleaner.corpus import pipeline
from cleaner.signals import Interrupted, interruption, unwrapped


class _StoppedHere:
    """A descriptor whose ``__set_name__`` is where the signal lands."""

    def __set_name__(self, owner: type, name: str) -> None:
        raise Interrupted(signal.SIGTERM)


def _class_made_as_the_signal_lands() -> None:
    class Settings:  # made for its __set_name__, as a module makes its classes
        parse = _StoppedHere()


def test_a_signal_in_set_name_leaves_the_block_as_itself() -> None:
    with pytest.raises(Interrupted) as caught, unwrapped():
        _class_made_as_the_signal_lands()
    assert caught.value.signum == signal.SIGTERM


def test_other_runtime_errors_pass_unchanged() -> None:
    error = RuntimeError("something else")
    with pytest.raises(RuntimeError) as caught, unwrapped():
        raise error
    assert caught.value is error
    assert interruption(error) is None
    try:
        raise RuntimeError("an error calling __set_name__") from ValueError("not a stop")
    except RuntimeError as wrapped:
        assert interruption(wrapped) is None


def test_the_command_stops_with_its_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As ``cleaner`` runs it (cleaner.__main__), a signal during its imports."""
    from cleaner import __main__ as entry
    from cleaner import cli

    def app_that_imports() -> None:
        _class_made_as_the_signal_lands()

    monkeypatch.setattr(cli, "app", app_that_imports)
    monkeypatch.setattr(sys, "argv", ["cleaner", "predict", "x.txt"])
    # No run yet in this process: another test's, ended, made the line "after cleaning ended".
    monkeypatch.setattr(signals, "LAST", [])
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == 128 + signal.SIGTERM
    assert capsys.readouterr().err == "cleaner: interrupted (SIGTERM) before cleaning began; nothing was written\n"


def test_a_run_stopped_while_it_imports_the_model_says_how_to_resume(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In --jobs 1 the model's modules are imported once the run has begun: its outputs are then
    left as a stopped run leaves them (no temporary file) and the resuming command is named."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for i in range(3):
        (dumps / f"d{i}.txt").write_text(f"Headline {i}\nA body paragraph that reads like prose.\n", encoding="utf-8")

    def imports_as_the_signal_lands(*args: object) -> None:
        _class_made_as_the_signal_lands()

    monkeypatch.setattr(pipeline, "execute", imports_as_the_signal_lands)
    out = tmp_path / "out"
    result = runner.invoke(app, ["predict", str(dumps), "-o", f"{out}/", "-j", "1", "--model", str(model_path)])
    assert result.exit_code == 128 + signal.SIGTERM, result.output
    assert "interrupted (SIGTERM)" in result.stderr and "--resume" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".partial"))]

"""Every number option of every command refuses what is not a number (NaN, infinities)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer._click import Context
from typer._click.types import FloatParamType
from typer.core import TyperGroup
from typer.testing import CliRunner

from cleaner.cli import app


def float_options() -> Iterator[tuple[list[str], str]]:
    """(command words, option name) for every float option of every command, the plugins' included."""
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    ctx = Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        commands = (
            [([name, sub], cmd) for sub, cmd in command.commands.items()]
            if isinstance(command, TyperGroup)
            else [([name], command)]
        )
        for words, cmd in commands:
            for param in cmd.params:
                if isinstance(param.type, FloatParamType):
                    yield words, param.opts[0]


FLOAT_OPTIONS = list(float_options())


def test_the_float_options_are_found() -> None:
    found = {(" ".join(words), option) for words, option in FLOAT_OPTIONS}
    assert {("predict", "--threshold"), ("suggest", "--margin"), ("train", "--user-weight")} <= found


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize(("words", "option"), FLOAT_OPTIONS, ids=[" ".join(w) + " " + o for w, o in FLOAT_OPTIONS])
def test_a_float_option_refuses_what_is_not_a_number(
    runner: CliRunner, tmp_path: Path, words: list[str], option: str, value: str
) -> None:
    """NaN passed every range check (each comparison with it is false): `predict --threshold nan`
    kept no line and exited 0, `--max-document-mb nan` and `--user-weight nan` ended in a traceback."""
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody of the page.\n", encoding="utf-8")
    paths = [str(dump)] if words[0] in ("predict", "suggest", "label") else []
    # A bad value after it, checked after it: a value let through stops there, not in a fit or a server.
    after = "--top=0" if words[0] == "suggest" else "--jobs=0"
    result = runner.invoke(app, [*words, *paths, f"{option}={value}", after])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    # An infinity beyond an option's range was already refused as out of it; NaN and the others were not.
    assert f"{value} is not a finite number" in result.output or f"{value} is not in the range" in result.output
    assert result.stdout == ""

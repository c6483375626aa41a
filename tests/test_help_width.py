"""``--help`` at 80 columns, the width without a terminal (piped into less, CI logs): Typer's Rich
table cut option names and defaults with an ellipsis (``--leave-one-lang…``, ``--no-cross-vali…``,
``learning_curve.p…``, ``FILE.jsonl.parti…``, ``leave-one-page-ou…``), and ``cleaner predict
--help`` ran to 298 lines. Below RICH_MIN_WIDTH columns it is now click's plain layout."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.cli.help_format import RICH_MIN_WIDTH
from cleaner.text import columns


def commands() -> dict[str, list[str]]:
    """Every command of ``cleaner`` (its words, as typed) and the names of its options."""
    group = get_command(app)
    found: dict[str, list[str]] = {"": option_names(group)}
    context = group.context_class(group, info_name="cleaner")
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        found[name] = option_names(command)
        for sub in getattr(command, "commands", {}).values():  # labels check, labels score
            found[f"{name} {sub.name}"] = option_names(sub)
    return found


def option_names(command: object) -> list[str]:
    return [
        name
        for param in getattr(command, "params", [])
        if param.param_type_name == "option"
        for name in (*param.opts, *param.secondary_opts)
    ]


COMMANDS = commands()
# The names and defaults the ellipsis cut, on one line each.
WHOLE = {
    "train": ["--no-cross-validate", "[default: cross-validate]"],
    "evaluate": ["--leave-one-language-out", "[default: learning_curve.png]", "[default: no-baselines]"],
    "predict": ["FILE.jsonl.partial"],
    "label": ["leave-one-page-out"],
}


def assert_whole(out: str, command: str, width: int | None) -> None:
    """No ellipsis, every option name whole (not inside a longer word), the names and defaults that
    were cut on one line, and no line wider than ``width``."""
    assert "…" not in out, out
    for name in COMMANDS[command]:
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", out), (command, name, out)
    lines = out.splitlines()
    for whole in WHOLE.get(command, []):
        assert any(whole in line for line in lines), (command, whole, out)
    if width is not None:
        assert max(columns(line) for line in lines) <= width, out


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("width", [80, 100, RICH_MIN_WIDTH - 1, RICH_MIN_WIDTH, 160])
def test_help_keeps_option_names_and_defaults_whole(runner: CliRunner, command: str, width: int) -> None:
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert_whole(result.stdout, command, width)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_help_without_a_terminal_fits_80_columns(cleaner_exe: Path, command: str) -> None:
    """As CI logs and `cleaner predict --help | less` get it: no terminal on any stream, no COLUMNS."""
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "TERMINAL_WIDTH")}
    result = subprocess.run(
        [str(cleaner_exe), *command.split(), "--help"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert_whole(result.stdout, command, 80)
    if command == "predict":
        assert len(result.stdout.splitlines()) < 200  # 298 in the six-column table


def test_wide_help_keeps_the_rich_panels(runner: CliRunner) -> None:
    """From RICH_MIN_WIDTH columns on, the help is Typer's as before (its panels hold every name)."""
    wide = runner.invoke(app, ["train", "--help"], env={"COLUMNS": str(RICH_MIN_WIDTH)}).stdout
    narrow = runner.invoke(app, ["train", "--help"], env={"COLUMNS": str(RICH_MIN_WIDTH - 1)}).stdout
    assert "╭─ Options" in wide and "╭" not in narrow and "Options:" in narrow


def summaries(group: str) -> dict[str, str]:
    """Each command of ``cleaner`` (``group`` "") or of ``cleaner labels``: the first paragraph of
    its help on one line, which Typer's Rich panel lists it with."""
    command = get_command(app)
    context = command.context_class(command, info_name="cleaner")
    if group:
        command = command.get_command(context, group)  # type: ignore[attr-defined]
        context = command.context_class(command, info_name=group, parent=context)
    found = {}
    for name in command.list_commands(context):  # type: ignore[attr-defined]
        sub = command.get_command(context, name)  # type: ignore[attr-defined]
        found[name] = " ".join(inspect.cleandoc(sub.help or "").split("\n\n")[0].split())
    return found


@pytest.mark.parametrize("group", ["", "labels"])
@pytest.mark.parametrize("width", [80, RICH_MIN_WIDTH, 200, None])
def test_a_group_lists_each_command_with_its_summary_whole_on_one_line(
    runner: CliRunner, cleaner_exe: Path, group: str, width: int | None
) -> None:
    """``cleaner --help`` at 80 columns (and without a terminal) cut each command's description
    with "..." (``predict   Clean dumps: print the content lines, deleting boilerplate...``): click
    cuts it to the line. Each is listed whole now, and short enough to take one line at every width
    (None: no terminal, no COLUMNS)."""
    args = [*group.split(), "--help"]
    if width is None:
        env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "TERMINAL_WIDTH")}
        result = subprocess.run(
            [str(cleaner_exe), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout
    else:
        invoked = runner.invoke(app, args, env={"COLUMNS": str(width)})
        assert invoked.exit_code == 0, invoked.output
        out = invoked.stdout
    listing = out[out.index("Commands") :]
    assert "..." not in listing and "…" not in listing, listing
    lines = listing.splitlines()
    for name, summary in summaries(group).items():
        assert any(re.search(rf"(?<!\w){name} +{re.escape(summary)}", line) for line in lines), (name, summary, out)


def choice_metavars() -> dict[str, str]:
    """Every option's metavar that lists choices (``a|b``), by ``command option``, as --help writes it."""
    group = get_command(app)
    found: dict[str, str] = {}
    context = group.context_class(group, info_name="cleaner")
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        for sub_name, sub in [("", command), *getattr(command, "commands", {}).items()]:
            sub_context = sub.context_class(sub, info_name=name)
            for param in sub.params:
                if param.param_type_name != "option":
                    continue
                metavar = param.make_metavar(sub_context)
                if "|" in metavar:
                    found[f"{name} {sub_name} {max(param.opts, key=len)}".replace("  ", " ")] = metavar
    return found


def test_choices_are_written_one_way_in_every_command() -> None:
    """--help wrote --input-format's choices ``[auto|text|jsonl|warc]`` (a metavar written by hand)
    beside Typer's ``<text|jsonl|labels>`` for --format: every option of fixed choices is now an
    enum, written as Typer writes choices, whatever its version."""
    from cleaner.cli.options import InputKind
    from cleaner.corpus.readers import READERS

    metavars = choice_metavars()
    reference = metavars["predict --format"]  # an enum option: Typer's own way
    assert {"predict --input-format", "suggest --input-format", "label --input-format"} <= set(metavars)
    for name, metavar in metavars.items():
        assert (metavar[0], metavar[-1]) == (reference[0], reference[-1]), (name, metavar, reference)
    assert {kind.value for kind in InputKind} == {"auto", *READERS}  # every reader's kind, and auto


@pytest.mark.parametrize(
    ("options", "choices"),
    [
        (("predict --errors", "suggest --errors", "label --errors"), "strict|replace|ignore|surrogateescape"),
        (("evaluate --by", "labels score --by"), "site|document|none"),
    ],
)
def test_options_of_fixed_choices_list_them(options: tuple[str, ...], choices: str) -> None:
    """--errors and --by took a plain string: their --help wrote ``<str>`` (surrogateescape, which
    --errors took, was written nowhere) and a wrong value was caught only by the command's own
    check. They are enums now, listed as every other option of fixed choices is."""
    metavars = choice_metavars()
    for option in options:
        assert metavars.get(option, "").strip("<>[]") == choices, (option, metavars.get(option))


def test_a_choice_not_listed_is_a_usage_error_naming_the_choices(runner: CliRunner, tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text("one line\n", encoding="utf-8")
    for arguments, choices in (
        (["predict", str(dump), "--errors", "bogus"], "'strict', 'replace', 'ignore', 'surrogateescape'"),
        (["labels", "score", str(tmp_path), "--by", "sites"], "'site', 'document', 'none'"),
    ):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, result.output
        assert choices in " ".join(result.stderr.replace("│", " ").split()), result.stderr


@pytest.mark.parametrize("width", [RICH_MIN_WIDTH, 130, 200])
def test_wide_help_gives_the_help_column_the_width(runner: CliRunner, width: int) -> None:
    """The type column was as wide as its longest entry: at 130 columns predict's
    <strict|replace|ignore|surrogateescape> took 39 on every row and the help ran 45 wide beside a
    blank gutter, as many lines as the 78-column plain text. A long entry is broken after a | now."""
    out = runner.invoke(app, ["predict", "--help"], env={"COLUMNS": str(width)}).stdout
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("│ --jobs "))
    assert row.index("Worker processes") <= 70, row  # 83 before: the help column gets all but 70 columns
    errors = next(index for index, line in enumerate(lines) if line.startswith("│ --errors "))
    assert "<strict|replace|ignore|" in lines[errors] and "surrogateescape>" in lines[errors + 1], out
    assert len(lines) < {RICH_MIN_WIDTH: 150, 130: 135, 200: 89}[width], len(lines)  # 170, 155 and 89 before


@pytest.mark.parametrize("command", [name for name in COMMANDS if name not in ("", "labels")])
@pytest.mark.parametrize("width", [80, 130])
def test_every_command_gives_examples_each_on_a_line_of_its_own(runner: CliRunner, command: str, width: int) -> None:
    """Only `predict --help` had examples; a newcomer reading `train --help` or `evaluate --help` met
    the options alone, where the README has a command line for each. Every command gives two or
    more, as predict does: each whole on one line, at 80 columns too."""
    out = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": str(width)}).stdout
    assert "Examples:" in out, out
    examples = out.split("Examples:", 1)[1].split("Arguments", 1)[0].split("Options", 1)[0]
    lines = [line.strip(" │") for line in examples.splitlines() if line.strip(" │╭─")]
    assert len(lines) >= 2, out
    assert all(line.startswith(f"cleaner {command} ") or line == f"cleaner {command}" for line in lines), lines

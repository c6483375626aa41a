"""``--help`` that fits the width it is printed at: Typer's Rich panels where they fit, click's plain
layout where they would not.

Typer draws a command's options as a Rich table of six columns (long name, short name, the
``--no-`` form, its short name, type, help). Below about 120 columns the table cannot hold them:
Rich shrinks the help column to the width of the next widest column, then shrinks every column
alike, cutting option names and defaults with an ellipsis (``--leave-one-lang…``,
``--no-cross-vali…``, ``learning_curve.p…``), and the help runs three or four words a line
(``cleaner predict --help``: 298 lines at 80 columns). 80 is the width without a terminal (piped
into ``less``, CI logs), and a common terminal's. There, click's own layout (names on the left,
help wrapped beside them or under a long name, 78 columns at most) never cuts a name and takes
half the lines; from :data:`RICH_MIN_WIDTH` columns on, the Rich panels hold every option whole.
Its wrapping breaks lines at hyphens, which cut defaults (``[default: no-`` / ``baselines]``) and
option names quoted in the help (``--adapt-`` / ``weight``): the option rows are wrapped at spaces
only, a default on one line with its ``[default:`` (:class:`HyphenKeepingFormatter`). And a
group's list of commands gives each command's first paragraph whole, wrapped, as the Rich panel
does: click cut it to the columns left on one line (``Clean dumps: print the content lines,
deleting boilerplate...``), mid-sentence (:meth:`WidthAwareGroup.format_commands`).

In the Rich panels, the type column is as wide as its longest entry, and the help column gets what
the others leave: ``cleaner predict``'s ``<strict|replace|ignore|surrogateescape>`` took 39
columns on every row, and at 130 columns the help ran 45 wide beside a blank gutter. An entry
longer than :data:`TYPE_COLUMN` is broken into lines after a ``|`` or at a space
(:func:`_type_lines`), so the help column gets the terminal's width.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand, TyperGroup

try:  # typer 0.28 carries its own copy of click; before, it used click itself
    from typer._click import Command, Context, HelpFormatter
except ImportError:  # pragma: no cover
    from click import Command, Context, HelpFormatter  # type: ignore[assignment]

if TYPE_CHECKING:
    from collections.abc import Sequence

# The narrowest console at which every command's Rich panels keep each option name and default
# whole (tests/test_help_width.py checks it); below it, the plain layout.
RICH_MIN_WIDTH = 120


def console_width() -> int:
    """The width Typer's Rich console renders help at: $TERMINAL_WIDTH (read by Typer), else
    $COLUMNS, else the terminal's, else 80."""
    from rich.console import Console
    from typer import rich_utils

    return Console(width=getattr(rich_utils, "MAX_WIDTH", None)).width


# What stands for a hyphen, and for the space of "[default: X]", while the option rows are wrapped:
# one column wide each, and no place to break a line (textwrap breaks at ASCII spaces and hyphens).
KEPT_WHOLE = {"-": "\u2011", "[default: ": "[default:\u00a0"}


class HyphenKeepingFormatter(HelpFormatter):
    """click's help formatter, its option and command rows wrapped at spaces only, and a default
    kept on one line with its ``[default:``."""

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        start = len(self.buffer)
        super().write_dl([(first, _swap(second, KEPT_WHOLE)) for first, second in rows], col_max, col_spacing)
        back = {stand_in: text for text, stand_in in KEPT_WHOLE.items()}
        self.buffer[start:] = [_swap(part, back) for part in self.buffer[start:]]


def _swap(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each key of ``replacements`` replaced by its value, in order."""
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


class WidthAwareContext(Context):
    """A context whose plain help is formatted by :class:`HyphenKeepingFormatter`."""

    formatter_class = HyphenKeepingFormatter


# The widest a Rich panel's type column is (the longest without a | or a space to break at stays
# whole): "<float range> [x>=0.001]" and the lists of up to four short choices fit on one line.
TYPE_COLUMN = 24


def _type_lines(text: Any, width: int = TYPE_COLUMN) -> Any:
    """A type column's entry (a Rich ``Text``) in lines of at most ``width`` columns, each broken
    after a ``|`` or at a space, its styles kept: ``<strict|replace|ignore|`` / ``surrogateescape>``."""
    from rich.text import Text

    if not isinstance(text, Text) or len(text.plain) <= width:
        return text
    offsets, start, end = [], 0, 0
    for piece in re.finditer(r"[^| ]+\|?\s*|\|\s*", text.plain):  # a word with the | or spaces after it
        if len(text.plain[start : piece.end()].rstrip()) > width and end > start:  # a line full: broken before it
            offsets.append(end)
            start = end
        end = piece.end()
    lines = text.divide(offsets)
    for line in lines:
        line.rstrip()
    return Text("\n").join(lines)


@contextmanager
def narrow_type_column() -> Iterator[None]:
    """Within it, Typer's options panels break their type column's long entries (:func:`_type_lines`).
    Typer builds each panel's table inside one function, with Rich's ``Table`` as its module names
    it: a table whose rows have the options panel's six cells or more (the type is the next to last)
    gets them so. Nothing changes where Typer has no such name."""
    from typer import rich_utils

    table = getattr(rich_utils, "Table", None)
    if table is None:  # pragma: no cover
        yield
        return

    class BrokenTypes(table):  # type: ignore[misc, valid-type]
        def add_row(self, *cells: Any, **kwargs: Any) -> None:
            if len(cells) >= 6:
                cells = (*cells[:-2], _type_lines(cells[-2]), cells[-1])
            super().add_row(*cells, **kwargs)

    rich_utils.Table = BrokenTypes  # type: ignore[misc]
    try:
        yield
    finally:
        rich_utils.Table = table  # type: ignore[misc]


@contextmanager
def plain_when_narrow(command: TyperCommand | TyperGroup) -> Iterator[None]:
    """Within it, ``command`` formats its help in click's plain layout when the console is narrower
    than :data:`RICH_MIN_WIDTH` (Typer does so for a command without a markup mode), and in Rich
    panels whose type column is kept narrow (:func:`narrow_type_column`) otherwise."""
    mode = command.rich_markup_mode
    if mode is None:
        yield
        return
    if console_width() >= RICH_MIN_WIDTH:
        with narrow_type_column():
            yield
        return
    command.rich_markup_mode = None
    try:
        yield
    finally:
        command.rich_markup_mode = mode


class WidthAwareCommand(TyperCommand):
    """A Typer command whose ``--help`` fits the console (see the module docstring)."""

    context_class = WidthAwareContext

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        with plain_when_narrow(self):
            super().format_help(ctx, formatter)


class WidthAwareGroup(TyperGroup):
    """A Typer group whose ``--help`` fits the console (see the module docstring)."""

    context_class = WidthAwareContext

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        with plain_when_narrow(self):
            super().format_help(ctx, formatter)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The plain layout's list of commands, each with its :func:`summary` whole, wrapped beside
        its name (click cut it to one line, ending in "...")."""
        listed = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        rows = [(name, summary(command)) for name, command in listed if command is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def summary(command: Command) -> str:
    """What a group's help says of ``command``: its ``short_help``, else the first paragraph of its
    help on one line, as Typer's Rich panel shows it (so the two layouts say the same)."""
    if command.short_help:
        text = inspect.cleandoc(command.short_help)
    else:
        text = inspect.cleandoc(command.help or "").split("\n\n")[0]
    return " ".join(text.split())

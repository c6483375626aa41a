"""Commands that other packages add to ``cleaner``, found through the ``cleaner.commands`` entry points.

An entry point names a Typer app (``train = "cleaner.training.commands:train_app"``); its command,
or its group of commands, becomes ``cleaner NAME``. Entry points are only scanned when a name is
not one of the group's own commands, or when every command is listed (``--help``), and a command
is only imported when it is run or listed: ``cleaner predict`` pays for neither (scanning the
installed distributions and importing the training package cost tens of milliseconds).
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import TYPE_CHECKING, Any

import typer

from .help_format import WidthAwareGroup
from .pipes import quiet_when_reader_goes

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from typer._click import Command, Context

GROUP = "cleaner.commands"


class PluginGroup(WidthAwareGroup):
    """A TyperGroup whose commands are its own plus those of the ``cleaner.commands`` entry points
    (its help, as theirs, fits the console: :mod:`cleaner.cli.help_format`).

    Every command, and the help and version that parsing the arguments prints, ends quietly with
    status 141 when the reader of standard output goes away (:mod:`cleaner.cli.pipes`): the
    library's own handling exits 1, as if the command had failed."""

    _plugins: dict[str, EntryPoint] | None = None

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        with quiet_when_reader_goes():  # --help and --version print while the arguments are parsed
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with quiet_when_reader_goes():  # the command, its own --help included
            return super().invoke(ctx)

    def plugins(self) -> dict[str, EntryPoint]:
        """The entry points of the group, by command name (scanned once); own commands win."""
        if self._plugins is None:
            from importlib.metadata import entry_points

            self._plugins = {entry.name: entry for entry in entry_points(group=GROUP)}
        return self._plugins

    def list_commands(self, ctx: Context) -> list[str]:
        own = super().list_commands(ctx)
        return [*own, *sorted(name for name in self.plugins() if name not in own)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        entry = self.plugins().get(cmd_name)
        if entry is None:
            return None
        command = load_command(cmd_name, entry)
        self.add_command(command, cmd_name)
        return command

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:  # click's UsageError for an unknown name: suggest the plugins' names too
            message = getattr(exc, "message", None)
            if args and isinstance(message, str) and "Did you mean" not in message:
                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    exc.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"  # type: ignore[attr-defined]
            raise


def load_command(name: str, entry: EntryPoint) -> Command:
    """The command an entry point names; one that cannot be loaded becomes a command that says why."""
    try:
        target = entry.load()
    except Exception as exc:  # a broken plugin must not break `cleaner --help`
        return _broken(name, f"cannot load {entry.value} ({type(exc).__name__}: {exc})")
    if not isinstance(target, typer.Typer):
        return _broken(name, f"{entry.value} is a {type(target).__name__}, not a Typer app")
    command = typer.main.get_command(target)
    command.name = name  # a group (labels) has no name of its own; help lists commands by theirs
    return command


def _broken(name: str, problem: str) -> Command:
    stub = typer.Typer()

    @stub.command(name=name, help=f"(unavailable: {problem})", add_help_option=False)
    def unavailable() -> None:
        typer.echo(f"cleaner: {name}: {problem}; reinstall cleaner", err=True)
        raise typer.Exit(1)

    return typer.main.get_command(stub)

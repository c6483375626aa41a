"""The ``cleaner`` command line: ``predict`` here, the other commands found through entry points.

``cleaner predict`` (:mod:`cleaner.cli.predict`) is the command of the package itself; where its
outputs go is :mod:`cleaner.cli.layout`'s to decide, and what a run that ends short says,
:mod:`cleaner.cli.messages`'. The training commands (``train``, ``evaluate``, ``labels``,
``suggest``, ``label``) live in :mod:`cleaner.training.commands`, one module each, and are
registered in the ``cleaner.commands`` entry-point group: :class:`~cleaner.cli.plugins.PluginGroup`
lists them in ``--help`` and imports one only when it is run, so that ``cleaner predict`` never
imports the training package nor scans entry points.

User mistakes (a missing file, bad bytes, no model) are reported in one line on stderr as
``cleaner: path:line: what is wrong; what to do`` (:mod:`cleaner.cli.report`'s :func:`fail` and
:func:`warn`, re-exported here for the training commands), never as a traceback. Usage errors exit 2,
failed inputs exit 1 after every other input has been processed.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from .plugins import PluginGroup
from .predict import PredictCommand, predict
from .report import fail, missing_folders, say_made, warn

app = typer.Typer(
    # Markdown reflows each paragraph of a command's description to the terminal; Rich markup keeps
    # the docstring's own line breaks, which cut every line of it in two on an 80-column terminal.
    # (The training commands' apps say the same, each app deciding for its commands.)
    rich_markup_mode="markdown",
    cls=PluginGroup,
    help="Remove boilerplate (menus, teaser lists, widgets, footers) from plain-text dumps of web pages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # -h as well as --help: what people type first. Click contexts inherit this, so every
    # subcommand, the entry-point ones included, accepts it too.
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Remove boilerplate from plain-text dumps of web pages, line by line.

    Each line of a dump is classified as content (headline, lead, body, captions) or boilerplate
    (menus, teaser lists, widgets, footers, image markup); cleaning deletes the boilerplate lines
    and changes nothing else.
    """


app.command(cls=PredictCommand)(predict)  # its --help fits 80 columns (see cleaner.cli.help_format)

__all__ = ["app", "fail", "main", "missing_folders", "say_made", "warn"]

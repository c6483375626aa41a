"""The Typer app of a developer script (``python -m cleaner.training.bench`` and the like)."""

from __future__ import annotations

import typer


def script_app() -> typer.Typer:
    """An app as every developer script wants it: no shell completion (they are run with
    ``python -m``, never installed as commands), plain tracebacks (a failed benchmark is read in a
    log, where Rich's boxes only get in the way) and ``-h`` beside ``--help``."""
    return typer.Typer(
        add_completion=False, pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]}
    )

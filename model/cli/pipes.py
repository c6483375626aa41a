"""A reader of standard output that goes away (``cleaner ... | head -1``) ends any command quietly.

Python ignores SIGPIPE, so a write to a pipe whose reader has closed it raises BrokenPipeError;
the command-line library turned that into a silent exit 1 (a failure, by the status alone), a
command that caught OSError said ``cleaner: [Errno 32] Broken pipe``, and a write left in the
buffer failed at exit with "Exception ignored ... BrokenPipeError". Every command now ends as a
tool that SIGPIPE ends: no word, status 141 (128 + SIGPIPE), as ``seq 1000000 | head -1`` gives.
:class:`~cleaner.cli.plugins.PluginGroup` applies this around every command and ``--help``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

import typer

# The status of a process that SIGPIPE ends, as the shell reports it (13 where signal lacks it: Windows).
SIGPIPE_STATUS = 128 + getattr(signal, "SIGPIPE", 13)


def reader_went_away() -> typer.Exit:
    """The exit (status 141) for a command whose standard output lost its reader, to raise.

    As the Python docs advise (signal: "Note on SIGPIPE"), SIGPIPE stays ignored and the error is
    caught, and standard output is pointed at /dev/null so that the flush at exit, of what is still
    buffered, cannot fail again with "Exception ignored"."""
    with contextlib.suppress(OSError, ValueError):  # not a file (a test's capture), or already closed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return typer.Exit(SIGPIPE_STATUS)


@contextlib.contextmanager
def quiet_when_reader_goes() -> Iterator[None]:
    """Turn a BrokenPipeError raised in the block (or an exit that a library chose for one) into
    :func:`reader_went_away`'s exit. Standard
    output is flushed at the end of the block, however it ends (a command's ``typer.Exit(1)``
    too), so that what a command left in the buffer fails here, not at exit."""
    try:
        try:
            yield
        finally:
            if sys.stdout is not None:
                with contextlib.suppress(ValueError):  # closed: nothing can be left in it
                    sys.stdout.flush()
    except BrokenPipeError:
        raise reader_went_away() from None
    except SystemExit as exc:
        # rich, which prints the help, ends the process itself on a broken pipe (Console.on_broken_pipe:
        # exit 1, raised while it handles the BrokenPipeError).
        if isinstance(exc.__context__, BrokenPipeError):
            raise reader_went_away() from None
        raise

"""The ``cleaner`` command (and ``python -m cleaner``). ``cleaner predict``, ``train`` and ``evaluate``
stop cleanly on Ctrl-C, SIGTERM and SIGHUP (see cleaner.signals), also while they start and end:
their imports take a few tenths of a second (train's, scikit-learn's, a second), during which a
signal would otherwise end them with a traceback (Ctrl-C) or with no word (SIGTERM), and so would
one that comes once train's work is done (see cleaner.training.commands.common.stopped_cleanly, which
stops its fit and its worker processes). ``cleaner label`` stops on Ctrl-C from its start, also
when it was started with SIGINT ignored (see cleaner.signals.interrupt_on_sigint). The other
commands keep Python's defaults. Ctrl-C while
the commands are imported, before the command-line library takes it, ends the run as the library
does: exit 130, without a traceback.
"""

from __future__ import annotations

import os
import signal
import sys

from .signals import Interrupted, interrupt_on_sigint, outside_run, said_at_exit, stop_on_signals, unwrapped

# What a stop before a command's work began, or after it ended, means for its outputs (see
# cleaner.signals.outside_run); predict's are the defaults.
OUTSIDE = {
    "train": ("before training began; nothing was written", "after training ended; the model was saved"),
    "evaluate": ("before evaluating began; nothing was written", "after evaluating ended; its outputs are written"),
}
STOPPED_CLEANLY = ("predict", "train", "evaluate")


def hold_closed_streams() -> None:
    """Give standard input, output or error that the process was started without (``2>&-``) a
    descriptor on /dev/null, and have messages for a closed stderr dropped.

    Python sets ``sys.stderr`` to None then, and ``print(..., file=None)`` writes to standard output:
    a run's error messages went into the cleaned data (``cleaner predict x 2>&- > out.txt``). A
    closed descriptor is also the one the next ``open`` gets: an output file opened as descriptor 2
    would take whatever a library or a worker writes to "stderr". The messages are dropped, not the
    run refused: the exit code still says whether it went well, as it does for any tool whose
    stderr is closed, and a job started so (a daemon, cron) means not to read them. ``sys.stdin``
    and ``sys.stdout`` stay None, so that ``cleaner predict`` says that the stream it needs is
    closed (rather than read nothing from /dev/null, or write the output there)."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
    for _fd in closed:  # in order: open gives the lowest free descriptor, which is _fd
        os.open(os.devnull, os.O_RDWR)
    if 2 in closed or sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the life of the process)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    hold_closed_streams()
    if command in STOPPED_CLEANLY:
        stop_on_signals()
    elif command == "label":
        interrupt_on_sigint()
    try:
        with unwrapped():
            from .cli import app

            app()
    except Interrupted as exc:
        said = outside_run(*OUTSIDE.get(command, ()))
        sys.stderr.write(f"cleaner: interrupted ({signal.Signals(exc.signum).name}) {said}\n")
        sys.exit(128 + exc.signum)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit as exc:  # how the command-line library ends every command
        if command in STOPPED_CLEANLY and not exc.code:  # done: its outputs are complete
            said_at_exit(outside_run(*OUTSIDE.get(command, ())))
        raise


if __name__ == "__main__":
    main()

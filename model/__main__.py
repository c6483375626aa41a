"""The ``cleaner`` command (and ``python -m cleaner``). ``cleaner predict`` stops cleanly on Ctrl-C,
SIGTERM and SIGHUP (see cleaner.signals), also while it starts: its imports take a few tenths of a
second, during which a signal would otherwise end it with a traceback (Ctrl-C) or with no word
(SIGTERM). ``cleaner label`` stops on Ctrl-C from its start, also when it was started with SIGINT
ignored (see cleaner.signals.interrupt_on_sigint). ``cleaner train`` and ``cleaner evaluate``
stop so once their fit begins (see cleaner.training.commands.stopped_cleanly). The other commands
keep Python's defaults. Ctrl-C while the commands are imported, before the command-line library
takes it, ends the run as the library does: exit 130, without a traceback.
"""

from __future__ import annotations

import signal
import sys

from .signals import Interrupted, interrupt_on_sigint, outside_run, stop_on_signals, unwrapped


def main() -> None:
    if sys.argv[1:2] == ["predict"]:
        stop_on_signals()
    elif sys.argv[1:2] == ["label"]:
        interrupt_on_sigint()
    try:
        with unwrapped():
            from .cli import app

            app()
    except Interrupted as exc:
        sys.stderr.write(f"cleaner: interrupted ({signal.Signals(exc.signum).name}) {outside_run()}\n")
        sys.exit(128 + exc.signum)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()

"""The ``cleaner`` command (and ``python -m cleaner``).

``cleaner predict`` stops cleanly on Ctrl-C, SIGTERM and SIGHUP (see cleaner.signals), also while
it starts: its imports take a few tenths of a second, during which a signal would otherwise end it
with a traceback (Ctrl-C) or with no word (SIGTERM). The other commands keep Python's defaults.
"""

from __future__ import annotations

import signal
import sys

from .signals import Interrupted, outside_run, stop_on_signals


def main() -> None:
    if sys.argv[1:2] == ["predict"]:
        stop_on_signals()
    try:
        from .cli import app

        app()
    except Interrupted as exc:
        sys.stderr.write(f"cleaner: interrupted ({signal.Signals(exc.signum).name}) {outside_run()}\n")
        sys.exit(128 + exc.signum)


if __name__ == "__main__":
    main()

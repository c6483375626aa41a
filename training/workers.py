"""The worker processes of a fit (joblib's loky pool), stopped with the command that started them."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal


def stop_workers(timeout: float = 30.0) -> None:
    """Kill this process's worker processes (loky's are among them) and wait for them to end. A fit
    stopped by a signal that reached this process alone (SIGTERM from ``kill``, a scheduler) left
    them running, orphaned, for minutes: only Ctrl-C, sent to the whole process group, ended them."""
    for child in multiprocessing.active_children():
        if child.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
    for child in multiprocessing.active_children():
        child.join(timeout)

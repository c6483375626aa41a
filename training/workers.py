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
    end_workers(kill=True)
    for child in multiprocessing.active_children():
        if child.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
    for child in multiprocessing.active_children():
        child.join(timeout)


def end_workers(kill: bool = False) -> None:
    """Shut joblib's reusable loky executor down (nothing to do if this joblib has none).

    After a finished fit (``kill`` false): its idle worker processes end now, while the command still
    stops cleanly on a signal. loky keeps them for the next fit and ended them only at the
    interpreter's exit, in an exit handler that waited for them, where a SIGTERM printed "Exception
    ignored" and a traceback and the command exited 0.

    From :func:`stop_workers` (``kill`` true): its workers are killed under it, which left it
    broken, and the next fit in this process (a test's, a caller's of the command) failed with
    TerminatedWorkerError where it now starts a new executor.

    loky keeps the executor in a module global, read here as it is: its public
    ``get_reusable_executor()`` would start one where there is none, only to shut it down.
    """
    try:
        from joblib.externals.loky import reusable_executor
    except ImportError:
        return
    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=kill)

"""Ending a :class:`~concurrent.futures.ProcessPoolExecutor` at once, on every supported Python.

When a run stops early (Ctrl-C, SIGTERM, an error, a worker that died) its workers are killed
rather than left to finish the chunks they hold, and ``shutdown(wait=True)`` must then return.
Two pipes of the pool can keep it waiting for ever, each because this process, which made it,
holds both of its ends, so that killing the workers gives no end of file and no broken pipe:

- the results pipe: a worker killed while it sends a result leaves half a message, and the pool's
  manager thread waits for the rest;
- the calls pipe: its feeder thread writes each chunk (up to 2 MB, far more than a pipe holds)
  while the workers read it; with the workers dead the write never ends, and the manager thread,
  then ``shutdown``, wait for the feeder (CPython gh-94777: every 3.10, and 3.11 before 3.11.5,
  Debian 12's 3.11.2 among them; 3.11.5 and 3.12 close the calls pipe themselves when they find a
  worker dead).

The pipes and processes are only in the pool's private attributes (``_processes``, ``_call_queue``,
``_result_queue``: the same in 3.10 to 3.13), read with ``getattr`` so that a Python without one
of them only loses that remedy.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# How long a feeder thread has to end by itself once a worker's death made the pool close its calls
# queue: one still alive after that is blocked writing into a pipe that no worker reads any more.
FEEDER_GRACE_SECONDS = 1.0
JOIN_SECONDS = 5.0


def kill_pool(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now, and free whatever its shutdown would otherwise wait for."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    # Taken first: Python 3.14's kill_workers shuts the pool down, which forgets its queues.
    calls = getattr(pool, "_call_queue", None)
    results = getattr(pool, "_result_queue", None)
    feeding_stopped = _stop_feeding(calls, broken=bool(getattr(pool, "_broken", False)))
    kill = getattr(pool, "kill_workers", None)
    if kill is not None:
        kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(JOIN_SECONDS)
    # Once the workers are dead, closing this process's write end of the results pipe gives the
    # manager thread its end of file: it finds the pool broken, and ends.
    _close(getattr(results, "_writer", None))
    if not feeding_stopped:
        _free_blocked_feeder(calls)


def _stop_feeding(calls: Any, broken: bool) -> bool:
    """Before the workers are killed: make the calls queue's feeder thread unable to block the
    shutdown. Its join is cancelled (the manager thread then does not wait for it), and this
    process's read end of the calls pipe is closed, so that once the workers (its other readers)
    are dead a write in progress fails with a broken pipe, which the queue ignores, and the feeder
    ends. Returns whether that was done: not when the pool has begun to close the queue itself (a
    worker died), as the feeder then closes that end too, and two threads must not close one
    descriptor (the second could close a file just opened under the same number)."""
    if calls is None:
        return True
    with contextlib.suppress(AttributeError):
        calls.cancel_join_thread()
    if broken or getattr(calls, "_closed", True):
        return False
    _close(getattr(calls, "_reader", None))
    return True


def _free_blocked_feeder(calls: Any) -> None:
    """After the workers are dead, for a calls queue the pool had begun to close: a feeder thread
    that has not ended within a grace period is blocked writing into the calls pipe (nothing else
    can stop it: the queue is closed, and its last item is the one that tells it to end), so it is
    not about to close the read end itself; closing it ends the write with a broken pipe."""
    feeder = getattr(calls, "_thread", None)
    if feeder is None:
        return
    feeder.join(FEEDER_GRACE_SECONDS)
    if feeder.is_alive():
        _close(getattr(calls, "_reader", None))


def _close(connection: Any) -> None:
    """Close one end of a multiprocessing pipe; nothing if it is missing or closed already."""
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.close()

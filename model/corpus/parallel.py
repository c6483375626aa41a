"""Cleaning a stream of documents on several cores, in input order, with bounded memory.

Documents are grouped into chunks (up to 128 documents or 2 MB) so that the model predicts a batch
at a time and inter-process traffic is a few large messages rather than many small ones. A
:class:`~concurrent.futures.ProcessPoolExecutor` cleans them; at most two chunks per worker are in
flight, and results are taken oldest first, so output order is input order and memory does not
grow with the input. A run that fits in one chunk, or ``--jobs 1``, is cleaned in this process:
starting workers would cost more than it saves.

The workers are forked from this process once it has loaded the model, when that is safe (Linux,
and this process has no other thread): they start at once, with the model in memory, and nothing
is imported or loaded again. Otherwise (another OS, or a thread such as a host program's) they
come from a fork server, a fresh single-threaded process that imports the model code once for all,
and each worker loads the model in its initializer. On 2 cores the fork server put about 0.1 s of
serial start-up (a new interpreter and its imports) before the first chunk: 4% of a 50 MB run.

No worker outlives the run. When the run stops early (Ctrl-C, SIGTERM, an error), the workers are
killed at once rather than left to finish the chunks they hold (:mod:`.abort`, which also keeps
the pool's shutdown from waiting for ever on Pythons before 3.11.5). When the main process itself is
killed outright (SIGKILL, out of memory), nothing of it runs any more: so each worker asks the
kernel to kill it when its parent dies (Linux's PR_SET_PDEATHSIG; a fork server's workers follow
it, and it ends with the main process), or elsewhere watches its parent from a thread.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

from ..signals import held, released
from .abort import kill_pool
from .items import Incoming, Outgoing, Raw

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from ..classifier.cleaned import Scorer
    from .worker import Cleaner, Settings

CHUNK_DOCUMENTS = 128
CHUNK_BYTES = 2_000_000
CHUNKS_PER_WORKER = 2
# What every worker imports to load and run the model (its predictor, no scikit-learn): a fork
# server imports it once for all.
PRELOAD = [
    "cleaner.corpus.worker",
    "cleaner.corpus.readers",
    "cleaner.corpus.renderers",
    "cleaner.classifier.format",
    "cleaner.classifier.predictor",
]
ONE_THREAD = 1  # BLAS and OpenMP threads per process: one process per core, no threads on top
NATIVE_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

Chunk = list[Incoming]

_CLEANER: Cleaner | Exception | None = None


def chunked(items: Iterable[Incoming], documents: int = CHUNK_DOCUMENTS, size: int = CHUNK_BYTES) -> Iterator[Chunk]:
    """Consecutive items in lists of at most ``documents`` documents or about ``size`` bytes."""
    chunk: Chunk = []
    count = total = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Raw):
            count += 1
            total += len(item.data)
            if count >= documents or total >= size:
                yield chunk
                chunk, count, total = [], 0, 0
    if chunk:
        yield chunk


def _init_worker(settings: Settings, parent: int, cleaner: Cleaner | None = None) -> None:
    """Die with the parent, take the forked ``cleaner`` or load the model once in this worker;
    Ctrl-C is the main process's to handle.

    A model that cannot be loaded is kept as the exception and raised by the first chunk, so that
    the main process reports it in one line (a failing initializer would only break the pool).
    """
    global _CLEANER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker had the main process's handlers (cleaner.signals)
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    released()  # held since the fork (see _pooled): a Ctrl-C in between is now ignored
    die_with_parent(parent)
    if cleaner is not None:
        _CLEANER = cleaner
        return
    from .worker import Cleaner

    try:
        _CLEANER = Cleaner(settings)
    except Exception as exc:
        _CLEANER = exc


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """End this process when its parent process ends, whatever ends that: ``parent`` is the pid it
    was started from (0: whichever parent it has now, as for a fork server's workers)."""
    parent = parent or os.getppid()
    if sys.platform == "linux":
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the request: too late for the kernel
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass  # no prctl in this libc: watch instead

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="cleaner-parent-watch", daemon=True).start()


def _run_chunk(chunk: Chunk) -> list[Outgoing]:
    if isinstance(_CLEANER, Exception):
        raise _CLEANER
    assert _CLEANER is not None, "the pool's initializer sets the cleaner"
    return _CLEANER.run(chunk)


def clean_in_order(
    items: Iterable[Incoming],
    settings: Settings,
    jobs: int,
    model: Scorer | None = None,
    documents: int = CHUNK_DOCUMENTS,
    size: int = CHUNK_BYTES,
) -> Generator[list[Outgoing], None, None]:
    """Cleaned chunks, in input order. In-process runs and forked workers use ``model``, or the one
    loaded here from ``settings.model_path``; workers from a fork server load their own from it."""
    chunks = chunked(items, documents, size)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if jobs <= 1 or second is None:
        from threadpoolctl import threadpool_limits

        from .worker import Cleaner

        cleaner = Cleaner(settings, model)
        # One core, as in a pool's worker: BLAS threads only spin on the model's small products
        # (with OpenBLAS's default, --jobs 1 took 60% more CPU time for the same output).
        with threadpool_limits(ONE_THREAD):
            yield cleaner.run(first)
            if second is not None:
                yield cleaner.run(second)
            for chunk in chunks:
                yield cleaner.run(chunk)
        return
    yield from _pooled([first, second], chunks, settings, jobs, model)


def can_fork() -> bool:
    """Whether workers may be forked from this process: on Linux (elsewhere system libraries are not
    fork-safe), and with no other thread, whose locks a child would inherit held. Linux lists every
    OS thread in /proc/self/task, native ones (a BLAS pool) included, not only Python's."""
    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def one_native_thread() -> None:
    """One BLAS and OpenMP thread per process, unless the user chose otherwise: read when numpy
    loads (so call this first), and inherited by the workers. One process per core, no threads on
    top; and a process whose BLAS started a thread pool cannot fork its workers."""
    for name in NATIVE_THREAD_VARIABLES:
        os.environ.setdefault(name, str(ONE_THREAD))


def _cleaner_to_fork(settings: Settings, model: Scorer | None) -> Cleaner | None:
    """The cleaner that forked workers will share, loaded and warmed up here; None if this process
    cannot fork, before the model is loaded or after (numpy starts a BLAS thread pool as it loads
    when the user's OPENBLAS_NUM_THREADS asks for one)."""
    if not can_fork():
        return None
    from .worker import Cleaner

    # Loaded before the fork, so that a model that cannot be loaded stops the run here, once.
    cleaner = Cleaner(settings, model)
    # What the model sets up at its first prediction (its word index, look-up tables, lazy imports:
    # 0.03-0.05 s) is then done once here, not again by every worker at its first chunk.
    cleaner.predict([["A line to predict before the workers fork."]])
    return cleaner if can_fork() else None


def _pooled(
    head: list[Chunk], chunks: Iterator[Chunk], settings: Settings, jobs: int, model: Scorer | None
) -> Iterator[list[Outgoing]]:
    import multiprocessing

    one_native_thread()
    cleaner = _cleaner_to_fork(settings, model)
    if cleaner is not None:
        initargs: tuple[Settings, int] | tuple[Settings, int, Cleaner] = (settings, os.getpid(), cleaner)
        context: BaseContext = multiprocessing.get_context("fork")
    else:
        initargs = (settings, 0)  # a fork server's workers: its child, not this process's
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
    limit = jobs * CHUNKS_PER_WORKER
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=initargs)
    pending: deque[Future[list[Outgoing]]] = deque()
    try:
        for chunk in _chain(head, chunks):
            with held():  # the pool starts its workers as chunks are submitted
                pending.append(pool.submit(_run_chunk, chunk))
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:  # stopped early (a signal, an error, the consumer closed this): no waiting
        kill_pool(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chain(head: list[Chunk], rest: Iterator[Chunk]) -> Iterator[Chunk]:
    yield from head
    yield from rest

"""Cleaning a stream of documents on several cores, in input order, with bounded memory.

Documents are grouped into chunks (up to 128 documents or 2 MB) so that the model predicts a batch
at a time and inter-process traffic is a few large messages rather than many small ones. A
:class:`~concurrent.futures.ProcessPoolExecutor` whose initializer loads the model once per worker
(workers are forked from a fork server that has imported the model code once for all) cleans them;
at most two chunks per worker are in flight, and results are taken oldest first, so
output order is input order and memory does not grow with the input. A run that fits in one chunk,
or ``--jobs 1``, is cleaned in this process: starting workers would cost more than it saves.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

CHUNK_DOCUMENTS = 128
CHUNK_BYTES = 2_000_000
CHUNKS_PER_WORKER = 2
# What every worker imports to load and run the model (its predictor, no scikit-learn): the fork
# server imports it once for all. stopwordsiso is imported by the first prediction, and its import
# reads every installed package's metadata for its version (0.05 s): once, not once per worker.
PRELOAD = ["cleaner.worker", "cleaner.artifact", "cleaner.predictor", "stopwordsiso"]
ONE_THREAD = 1  # BLAS and OpenMP threads per process: one process per core, no threads on top

_CLEANER: Any = None


def chunked(items: Iterable[Any], documents: int = CHUNK_DOCUMENTS, size: int = CHUNK_BYTES) -> Iterator[list[Any]]:
    """Consecutive items in lists of at most ``documents`` documents or about ``size`` bytes."""
    chunk: list[Any] = []
    count = total = 0
    for item in items:
        chunk.append(item)
        data = getattr(item, "data", None)
        if data is not None:
            count += 1
            total += len(data)
            if count >= documents or total >= size:
                yield chunk
                chunk, count, total = [], 0, 0
    if chunk:
        yield chunk


def _init_worker(settings: Any) -> None:
    """Load the model once in this worker; Ctrl-C is the main process's to handle.

    A model that cannot be loaded is kept as the exception and raised by the first chunk, so that
    the main process reports it in one line (a failing initializer would only break the pool).
    """
    global _CLEANER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from cleaner.worker import Cleaner

    try:
        _CLEANER = Cleaner(settings)
    except Exception as exc:
        _CLEANER = exc


def _run_chunk(chunk: list[Any]) -> list[Any]:
    if isinstance(_CLEANER, Exception):
        raise _CLEANER
    return _CLEANER.run(chunk)


def clean_in_order(
    items: Iterable[Any],
    settings: Any,
    jobs: int,
    model: Any = None,
    documents: int = CHUNK_DOCUMENTS,
    size: int = CHUNK_BYTES,
) -> Iterator[list[Any]]:
    """Cleaned chunks, in input order. In-process runs use ``model``, or load it here; a pool's
    workers load their own, so the main process never holds one it does not use."""
    chunks = chunked(items, documents, size)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if jobs <= 1 or second is None:
        from threadpoolctl import threadpool_limits

        from cleaner.worker import Cleaner

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
    yield from _pooled([first, second], chunks, settings, jobs)


def _pooled(head: list[list[Any]], chunks: Iterator[list[Any]], settings: Any, jobs: int) -> Iterator[list[Any]]:
    import multiprocessing

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, str(ONE_THREAD))  # inherited by the workers, read when numpy loads
    # Not fork: the main process may run tqdm's monitor thread, and fork with threads is unsafe. A fork
    # server is a fresh single-threaded process that imports the model code once and
    # forks the workers from itself, so they start without importing them again (spawn: each did).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    limit = jobs * CHUNKS_PER_WORKER
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(settings,)) as pool:
        pending: deque[Future[list[Any]]] = deque()
        try:
            for chunk in _chain(head, chunks):
                pending.append(pool.submit(_run_chunk, chunk))
                while len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _chain(head: list[list[Any]], rest: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield from head
    yield from rest

"""A model file named by an fsspec URL (``s3://...``, ``hf://...``, ``https://...``), copied once per
machine into a local cache, so that every worker on a cluster node loads the same local file.

A cluster's launcher should send its workers the model's name, not its arrays: a step that carries
a loaded model is pickled into every task. With a URL, the first worker on a node fetches the file
(under a lock, so the node's other workers wait for it rather than fetch it again) and the others
find it in the cache. The cache entry is named after the URL and what fsspec says of the file
(size, ETag, Last-Modified...: :mod:`.drivers`), so a file replaced at the same URL is fetched
again, and the copy of the version before is deleted then; when the URL cannot be reached (no
network), its latest copy is used, with a warning. The server is asked once per load (one HEAD
over HTTP), and once more to fetch. fsspec is imported only here and in :mod:`.drivers`, and only
for a URL: prediction needs nothing but numpy. A cache this user cannot write (an admin's shared
one, a read-only home on a cluster node) serves the copies it has; a copy it lacks is
:class:`CacheUnwritable`, said as the cache's fault, not the URL's.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ..atomic import temporary_beside
from ..text import plural
from .drivers import (
    DEFAULT_TIMEOUT,
    TIMEOUT_ENV,
    BadTimeout,
    file_info,
    needs,
    open_options,
    timeout_options,
    url_timeout,
    version,
)
from .errors import CHECK_ENVIRONMENT, CHECK_URL, ModelError

CACHE_ENV = "CLEANER_CACHE"
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*(::[^:]+)?://")
# The local copies this process fetched or found, by absolute path: the URL each is a copy of.
_COPIED_FROM: dict[str, str] = {}


def is_url(name: str) -> bool:
    """Whether ``name`` is a URL (``scheme://...``, fsspec chains included) rather than a local path."""
    return bool(_URL.match(name)) or ("::" in name and "://" in name)


def cache_dir() -> Path:
    """``$CLEANER_CACHE``, else ``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cleaner"


def model_copy(url: str, from_environment: bool = False) -> Path:
    """:func:`local_copy` for loading a model: what fails (no fsspec, no file at the URL, no network)
    is a ModelError that names the URL as given, in one line, as a missing local file is, and so is
    a $CLEANER_URL_TIMEOUT that is no number of seconds (said as it is: the URL is not at fault).
    ``from_environment``: the URL is $CLEANER_MODEL's, which is then what to check."""
    check = CHECK_ENVIRONMENT if from_environment else CHECK_URL
    try:
        return local_copy(url)
    except (BadTimeout, CacheUnwritable) as exc:  # neither is the URL's fault: their own words say what to do
        raise ModelError(str(exc)) from exc
    except ImportError as exc:
        raise ModelError(f"{exc}; or {check}") from exc
    except Unreachable as exc:
        raise ModelError(f"cannot fetch the model at {url} ({exc}); check the network, or {check}") from exc
    except FileNotFoundError as exc:  # the server answered: it has no such file ("wrong URL")
        raise ModelError(f"cannot fetch the model at {url} (no such file there: {_cause(exc)}); {check}") from exc
    except Exception as exc:  # fsspec's drivers raise their own kinds (OSError, aiohttp's, botocore's)
        raise ModelError(f"cannot fetch the model at {url} ({type(exc).__name__}: {exc}); {check}") from exc


def copied_from(path: Path) -> str | None:
    """The URL whose local copy ``path`` is, if this process fetched or found it (whoever loads the
    copy, :func:`model_copy`'s caller or a cluster step given its path): a copy that cannot be
    loaded is then named by its URL, and deleted so that the next run fetches it again."""
    return _COPIED_FROM.get(os.path.abspath(path))


def local_copy(url: str, cache: Path | None = None) -> Path:
    """The local copy of the model file at ``url``, fetched if this machine has none yet."""
    return fetch(url, cache)[0]


def fetch(url: str, cache: Path | None = None) -> tuple[Path, bool]:
    """(the local copy of ``url``, whether this call fetched it). One process per machine fetches;
    the others wait on the lock and find the copy. A URL that cannot be reached (no network, the
    server down) gives the copy fetched last, with a warning, if this machine has one: "copied once
    per machine" held only while the server answered, since the version is asked at every load.
    A $CLEANER_URL_TIMEOUT that is no number of seconds is :class:`~.drivers.BadTimeout`."""
    timeout = url_timeout()  # first: a wrong setting is said whatever else is missing
    try:
        import fsspec

        fs, path = fsspec.core.url_to_fs(url, **timeout_options(url, timeout))
    except ImportError as exc:  # fsspec, or its driver for the scheme (HTTP's: aiohttp)
        raise ImportError(needs(url, exc)) from exc
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(path).name) or "model.npz"
    folder = (cache or cache_dir()) / "models"
    try:
        info = file_info(fs, path, timeout)
    except Exception as exc:  # fsspec's drivers raise their own kinds
        if not unreachable(exc):
            raise
        found = _latest_copy(folder, url, name)
        if found is None:
            raise Unreachable(url, exc, folder, timeout) from exc
        _warn_stale(url, found, exc, timeout)
        _COPIED_FROM[os.path.abspath(found)] = url
        return found, False
    # Named after the URL, then its version: a changed file at the URL is a new name (fetched
    # again), and the copies of one URL are found by its prefix when the URL cannot be reached.
    target = folder / f"{_short_digest(url)}-{_short_digest(version(info))}-{name}"
    _COPIED_FROM[os.path.abspath(target)] = url
    if target.is_file():
        return target, False
    lock = target.with_name(target.name + ".lock")
    unwritable = functools.partial(CacheUnwritable, url, folder, cache is not None)
    with _locked(lock, unwritable):
        if target.is_file():  # another worker fetched it while this one waited
            return target, False
        try:
            fd, tmp = temporary_beside(target)
        except OSError as exc:
            raise unwritable(exc) from exc
        try:
            with os.fdopen(fd, "wb", buffering=0) as out, fs.open(path, "rb", **open_options(fs, info)) as source:
                _copy(source, out, unwritable)
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise unwritable(exc) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _drop_older_copies(folder, url, name, target)
        # The copy is in place, so the lock has done its work: removed (while still held), it is not
        # left beside every cached model. A worker still waiting on it finds the copy when it gets
        # the lock; one arriving now finds the copy before it looks for a lock. Tidying only: a lock
        # that cannot be removed stays, and the copy is served all the same.
        with contextlib.suppress(OSError):
            lock.unlink(missing_ok=True)
    return target, True


def _no_answer(cause: BaseException, timeout: float) -> str:
    """What went wrong reaching a server, said: a wait timed out, or the connection failed."""
    if any(isinstance(link, TimeoutError) or "Timeout" in type(link).__name__ for link in _chain(cause)):
        return f"no answer within {timeout:g} s; {TIMEOUT_ENV}=SECONDS waits longer"
    return f"cannot connect: {_cause(cause)}"


class CacheUnwritable(OSError):
    """The cache folder cannot be written (its folder, the lock or the temporary copy: no permission,
    a full disk, a read-only file system), so a model URL it has no copy of cannot be fetched. It said
    "cannot fetch the model at URL (PermissionError: ...lock); check the URL", of a URL that was
    fine. ``given``: the folder was given by the caller (datatrove's ``cache_dir``), not by
    $CLEANER_CACHE, which is then not what to set."""

    def __init__(self, url: str, folder: Path, given: bool, cause: OSError) -> None:
        what = cause.strerror or str(cause) or type(cause).__name__
        name = Path(os.fsdecode(cause.filename)) if isinstance(cause.filename, str | bytes) else None
        if name is not None and name.parent == folder and os.access(folder, os.W_OK):
            what = f"{what}: {name.name}"  # the folder is writable: the file in it (a lock of another user's) is not
        remedy = "give a cache folder you can write" if given else f"set ${CACHE_ENV} to a folder you can write"
        super().__init__(f"cannot write the model cache {folder} ({what}) to copy {url} into it: {remedy}")
        self.url = url
        self.folder = folder


def _copy(source: IO[bytes], out: IO[bytes], unwritable: Callable[[OSError], CacheUnwritable]) -> None:
    """``source`` copied to ``out`` (the cache's temporary copy, unbuffered: nothing is left to
    write at its close, whose error would be said as the fetch's): what fails writing ``out`` (a
    full disk, a quota) is the cache's fault, and said so; what fails reading is the fetch's."""
    while chunk := source.read(1 << 20):
        view = memoryview(chunk)
        while view:
            try:
                view = view[out.write(view) :]
            except OSError as exc:
                raise unwritable(exc) from exc


class Unreachable(OSError):
    """The server of a model URL could not be reached, and this machine has no copy of the file."""

    def __init__(self, url: str, cause: BaseException, folder: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(f"{_no_answer(cause, timeout)}; no copy of it is cached in {folder}")
        self.url = url


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the server could not be reached, rather than that it
    has no such file. fsspec's HTTP driver raises FileNotFoundError for both, from aiohttp's
    ClientConnectorError or from a 404."""
    for link in _chain(exc):
        if isinstance(link, FileNotFoundError | IsADirectoryError | NotADirectoryError | PermissionError):
            continue
        if isinstance(link, OSError | TimeoutError) or any(
            word in kind.__name__ for kind in type(link).__mro__ for word in ("Connect", "Timeout")
        ):
            return True
    return False


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and its causes, each once."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _cause(exc: BaseException) -> str:
    """The innermost error of ``exc``'s chain, as ``Kind: message``: the one that says what failed
    (fsspec's outer FileNotFoundError names only the URL)."""
    inner = list(_chain(exc))[-1]
    return f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__


def _short_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _copies(folder: Path, url: str, name: str) -> list[Path]:
    """The copies of ``url`` in ``folder``, of every version (not the hidden temporary files)."""
    return [path for path in folder.glob(f"{_short_digest(url)}-*-{name}") if path.is_file()]


def _latest_copy(folder: Path, url: str, name: str) -> Path | None:
    """The newest copy of ``url`` in ``folder`` (the last fetched), if there is one."""
    return max(_copies(folder, url, name), key=lambda path: path.stat().st_mtime, default=None)


def _drop_older_copies(folder: Path, url: str, name: str, kept: Path) -> None:
    """Delete the copies of ``url`` but ``kept``, the one just fetched: kept, every version the URL
    ever had stayed in the cache. A process reading an older copy reads it to the end (on POSIX an
    open file outlives its name); only one that found it in the moment before and has yet to open it
    fails, with the one-line error of a missing model, and its next run takes the new version. A
    copy that cannot be deleted (on Windows, while open) is left, and the next fetch tries again."""
    for path in _copies(folder, url, name):
        if path != kept:
            with contextlib.suppress(OSError):
                path.unlink()


_WARNED: set[str] = set()  # the URLs this process has warned of: one warning per URL, not per batch


def _warn_stale(url: str, copy: Path, cause: BaseException, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Say on stderr, once per process, that a URL's cached copy is used unchecked."""
    if url in _WARNED:
        return
    _WARNED.add(url)
    age = _age(time.time() - copy.stat().st_mtime)
    if sys.stderr is None:  # closed: dropped (never print(file=None), which writes to stdout)
        return
    sys.stderr.write(
        f"cleaner: warning: cannot reach {url} ({_no_answer(cause, timeout)}); using the copy fetched {age} ago "
        f"({copy}), which may not be the latest\n"
    )
    sys.stderr.flush()


def _age(seconds: float) -> str:
    """``seconds`` in the largest whole unit: "45 seconds", "3 hours", "12 days"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return plural(int(seconds // size), unit)
    return plural(max(0, int(seconds)), "second")


@contextlib.contextmanager
def _locked(path: Path, unwritable: Callable[[OSError], CacheUnwritable]) -> Iterator[None]:
    """An exclusive lock on ``path`` between the processes of this machine (none where fcntl is
    missing: there two workers may both fetch, and the rename keeps the copy whole). A folder or a
    lock that cannot be made is ``unwritable``'s error; what the body raises passes as it is."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable(exc) from exc
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        handle = path.open("a")
    except OSError as exc:
        raise unwritable(exc) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError as exc:  # a file system without locks (some NFS mounts)
            raise unwritable(exc) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

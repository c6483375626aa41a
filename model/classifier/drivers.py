"""What the URL cache (:mod:`.remote`) knows of fsspec's drivers, each of which says the same things
its own way: the package a scheme needs, the fields of ``fs.info`` that tell one version of a file
from another, and how its waits on a server are bounded. Kept apart from the cache, which only
asks: a field named here the way one driver does not name it was a version the cache never saw
(HTTP's ``Last-Modified`` was looked for as S3's ``LastModified``). fsspec is imported in the
functions that use it, as in the cache: only for a URL."""

from __future__ import annotations

import math
import os
import re
from typing import Any

# Seconds to wait for a model URL's server: a server that accepted and never answered held every
# command (and every worker of a cluster) for ten minutes in silence.
TIMEOUT_ENV = "CLEANER_URL_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
# What to install for a scheme's driver, as pip takes it (each brings fsspec). http(s) needs
# fsspec's extra: fsspec alone then said that its HTTP driver needs aiohttp, a second round.
_INSTALL = {
    "http": "'fsspec[http]'",
    "https": "'fsspec[http]'",
    "s3": "s3fs",
    "s3a": "s3fs",
    "gs": "gcsfs",
    "gcs": "gcsfs",
    "hf": "huggingface_hub",
    "az": "adlfs",
    "abfs": "adlfs",
    "abfss": "adlfs",
    "adl": "adlfs",
}
# The fields of ``fs.info`` that change when the file does, as each driver names them: HTTP's
# headers (ETag, Content-MD5, Digest, Last-Modified: python's http.server and many static hosts send
# Last-Modified alone, so a model refitted to the same size was never fetched again), S3's (ETag,
# LastModified, VersionId), GCS's (etag, generation, md5Hash), Azure's (etag, last_modified), the
# Hub's blob_id (the file's git object), a local or mounted file's mtime and created. Only what
# says the content: not the fields that also move when nothing but metadata does (GCS's
# metageneration, updated), which would fetch the same file again.
VERSION_FIELDS = (
    "ETag",
    "etag",
    "Content-MD5",
    "Digest",
    "Last-Modified",
    "LastModified",
    "last_modified",
    "VersionId",
    "generation",
    "md5Hash",
    "blob_id",
    "mtime",
    "created",
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


class BadTimeout(ValueError):
    """``$CLEANER_URL_TIMEOUT`` is set to what is not a number of seconds above 0."""


def url_timeout() -> float:
    """``$CLEANER_URL_TIMEOUT`` (seconds; unset or empty: :data:`DEFAULT_TIMEOUT`). Anything but a
    positive number is refused (:class:`BadTimeout`): ``abc`` and ``0`` were silently 10 s."""
    raw = os.environ.get(TIMEOUT_ENV, "")
    if not raw.strip():
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise BadTimeout(
            f"${TIMEOUT_ENV}: expected the seconds to wait for a model URL's server, a number above 0 such as 30 "
            f"(unset: {DEFAULT_TIMEOUT:g}), got {raw!r}"
        )
    return value


def scheme(url: str) -> str:
    """The scheme of the file's own driver, lower case: ``s3`` for ``simplecache::s3://b/m.npz``."""
    found = _SCHEME.search(url)
    return found.group(1).lower() if found else ""


def needs(url: str, missing: ImportError) -> str:
    """What a model URL needs that is not installed (``missing``, the ImportError that said so), as
    the install to run: fsspec's own words ("HTTPFileSystem requires aiohttp") came only once
    fsspec was there, a second round to a working install."""
    kind = scheme(url)
    package = _INSTALL.get(kind)
    if package is not None:
        return f"a model URL ({url}) needs fsspec's driver for {kind}://: pip install {package}"
    if missing.name == "fsspec":
        return f"a model URL ({url}) needs fsspec: pip install fsspec, plus its driver for {kind}://"
    return f"a model URL ({url}) needs fsspec's driver for {kind}:// ({missing})"


def version(info: dict[str, Any]) -> str:
    """What ``info`` (fsspec's of the file) says of its version: its size and
    :data:`VERSION_FIELDS`, those it has."""
    fields = ("size", *VERSION_FIELDS)
    return "|".join(f"{field}={info[field]}" for field in fields if info.get(field) not in (None, ""))


def timeout_options(url: str, timeout: float) -> dict[str, object]:
    """fsspec's storage options that bound the waits of ``url``'s driver (connect, then each read)
    to ``timeout`` seconds, for the drivers that take them: HTTP(S) and S3. None for a chained URL."""
    kind = url.split("://", 1)[0].lower()
    if "::" in url:
        return {}
    if kind in ("http", "https"):
        try:
            import aiohttp
        except ImportError:  # fsspec's registry then fails to load the driver, and needs() says what to install
            return {}
        # No bound on the whole download (a large model on a slow link), only on each wait.
        limits = aiohttp.ClientTimeout(total=None, connect=timeout, sock_connect=timeout, sock_read=timeout)
        return {"client_kwargs": {"timeout": limits}}
    if kind in ("s3", "s3a"):
        return {"config_kwargs": {"connect_timeout": timeout, "read_timeout": timeout}}
    return {}


def file_info(fs: Any, path: str, timeout: float) -> dict[str, Any]:
    """``fs.info(path)`` within ``timeout`` seconds in all, for the drivers that run on fsspec's
    event loop (HTTP, S3, GCS, Azure): HTTP's asks with HEAD, then with GET, each given the whole
    wait, so that a server that never answered held a command twice as long as the message said.
    The others wait as their own libraries have them (the Hub's: its own timeouts)."""
    if getattr(fs, "async_impl", False) and hasattr(fs, "_info"):
        from fsspec.asyn import sync

        return dict(sync(fs.loop, fs._info, path, timeout=timeout))  # past it: FSTimeoutError, a TimeoutError
    return dict(fs.info(path))


def open_options(fs: Any, info: dict[str, Any]) -> dict[str, object]:
    """What ``fs.open`` is given to copy the file: for HTTP(S), one plain GET of the whole file, of
    the size ``info`` has (fsspec's open asked it again, a second HEAD at every fetch), streamed
    rather than read in ranges. Nothing for the others."""
    protocols = fs.protocol if isinstance(fs.protocol, tuple | list) else (fs.protocol,)
    if {"http", "https"} & set(protocols) and info.get("size"):
        return {"block_size": 0, "size": info["size"]}
    return {}

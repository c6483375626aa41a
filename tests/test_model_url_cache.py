"""A model URL's cache that this user cannot write (an admin's shared cache, a read-only home on a
cluster node): the copies it has are used; one it lacks is said as the cache's fault, with what to
set, not as the URL's ("cannot fetch the model at URL (PermissionError: ...lock); check the URL")."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Labelled, http_server
from test_model_url import model_folder
from typer.testing import CliRunner

from cleaner.classifier import remote
from cleaner.classifier.remote import fetch
from cleaner.cli import app

# Root writes a folder whatever its mode: there the fault-injection tests below stand in for these.
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOT_AS_ROOT = "run as root, which writes a read-only folder all the same; the fault-injection tests stand in"


@pytest.fixture
def dump(sample_document: Labelled, tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(sample_document.text, encoding="utf-8")
    return path


@pytest.fixture
def url(model_path: Path, tmp_path: Path) -> Iterator[str]:
    """A copy of the test model on a local HTTP server."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    with http_server(model_folder(model_path, tmp_path)) as base:
        yield f"{base}/m.npz"


def _denied(path: Path) -> PermissionError:
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))


def _lock_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a lock file in the cache fails as in a folder this user cannot write."""
    opened = Path.open

    def fake(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name.endswith(".lock"):
            raise _denied(self)
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", fake)


def _temporary_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    """Making the temporary copy in the cache fails as in a folder this user cannot write."""

    def fake(path: Path) -> tuple[int, str]:
        raise _denied(path.parent / f".{path.name}.x1y2.tmp")

    monkeypatch.setattr(remote, "temporary_beside", fake)


def _said(url: str, folder: Path, what: str) -> str:
    return (
        f"cleaner: cannot write the model cache {folder} ({what}) to copy {url} into it: set $CLEANER_CACHE to a "
        "folder you can write\n"
    )


def test_a_lock_that_cannot_be_made_is_said_as_the_cache_not_the_url(
    runner: CliRunner, url: str, dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said "cannot fetch the model at URL (PermissionError: [Errno 13] Permission denied:
    '...lock'); check the URL, or give a local model file", of a URL that was fine."""
    cache = tmp_path / "cache"
    _lock_denied(monkeypatch)
    result = runner.invoke(app, ["predict", str(dump), "--model", url], env={"CLEANER_CACHE": str(cache)})
    assert result.exit_code == 1
    assert result.stdout == ""
    # The folder can be written: the lock in it is named (as one left by another user would be).
    (lock_name,) = {word.rstrip(")") for word in result.stderr.split() if word.endswith(".lock)")}
    assert lock_name.endswith("-m.npz.lock")
    assert result.stderr == _said(url, cache / "models", f"Permission denied: {lock_name}")
    assert "check the URL" not in result.stderr
    assert list((cache / "models").iterdir()) == []


def test_a_temporary_copy_that_cannot_be_made_is_said_as_the_cache(
    runner: CliRunner, url: str, dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As $CLEANER_MODEL names the URL too (whose own hint, "check $CLEANER_MODEL", is not said)."""
    cache = tmp_path / "cache"
    _temporary_denied(monkeypatch)
    env = {"CLEANER_CACHE": str(cache), "CLEANER_MODEL": url}
    result = runner.invoke(app, ["predict", str(dump)], env=env)
    assert result.exit_code == 1
    (temporary,) = {word.rstrip(")") for word in result.stderr.split() if word.endswith(".tmp)")}
    assert temporary.startswith(".") and temporary.endswith("-m.npz.x1y2.tmp")
    assert result.stderr == _said(url, cache / "models", f"Permission denied: {temporary}")
    assert "CLEANER_MODEL" not in result.stderr
    assert not list((cache / "models").glob("*.npz"))


def test_a_cache_folder_that_cannot_be_made_is_said_so(runner: CliRunner, url: str, dump: Path, tmp_path: Path) -> None:
    """$CLEANER_CACHE under a file: no folder can be made there, whoever runs it (root too)."""
    (tmp_path / "file").write_text("not a folder\n")
    cache = tmp_path / "file" / "cache"
    result = runner.invoke(app, ["predict", str(dump), "--model", url], env={"CLEANER_CACHE": str(cache)})
    assert result.exit_code == 1
    assert result.stderr == _said(url, cache / "models", "Not a directory"), result.stderr


def test_a_full_disk_while_copying_is_said_as_the_cache_and_leaves_no_part_copy(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What fails writing the copy (a full disk, a quota) is the cache's; the cache given by the
    caller (datatrove's cache_dir) is named as such, not as $CLEANER_CACHE."""
    cache = tmp_path / "cache"
    fdopen = os.fdopen

    class Full:
        def __init__(self, fd: int) -> None:
            self.file = fdopen(fd, "wb", buffering=0)

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

    monkeypatch.setattr(remote.os, "fdopen", lambda fd, *args, **kwargs: Full(fd))
    with pytest.raises(OSError) as raised:  # remote.CacheUnwritable, an OSError
        fetch(url, cache)
    assert type(raised.value).__name__ == "CacheUnwritable"
    assert str(raised.value) == (
        f"cannot write the model cache {cache / 'models'} (No space left on device) to copy {url} into it: give a "
        "cache folder you can write"
    )
    assert [path.name for path in (cache / "models").iterdir() if not path.name.endswith(".lock")] == []
    monkeypatch.undo()
    path, fetched = fetch(url, cache)  # once there is room
    assert fetched and path.is_file()


def test_a_copy_in_a_cache_that_cannot_be_written_is_used(
    runner: CliRunner, url: str, dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy the cache has is used as it is: no lock is taken and nothing is written for it."""
    cache = tmp_path / "cache"
    env = {"CLEANER_CACHE": str(cache)}
    fetched = runner.invoke(app, ["predict", str(dump), "--model", url, "-q"], env=env)
    assert fetched.exit_code == 0, fetched.output
    _lock_denied(monkeypatch)
    _temporary_denied(monkeypatch)
    again = runner.invoke(app, ["predict", str(dump), "--model", url, "-q"], env=env)
    assert again.exit_code == 0, again.output
    assert (again.stdout, again.stderr) == (fetched.stdout, "")


def _read_only(folder: Path) -> None:
    """``folder`` and what is in it made read-only (r-x: 555), as an admin's shared cache is to its users."""
    for path in (*folder.rglob("*"), folder):
        path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)


@pytest.mark.skipif(AS_ROOT, reason=NOT_AS_ROOT)
def test_a_read_only_cache_serves_its_copy_and_says_what_to_set_for_another(
    runner: CliRunner, url: str, model_path: Path, dump: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    env = {"CLEANER_CACHE": str(cache)}
    fetched = runner.invoke(app, ["predict", str(dump), "--model", url, "-q"], env=env)
    assert fetched.exit_code == 0, fetched.output
    _read_only(cache)
    try:
        again = runner.invoke(app, ["predict", str(dump), "--model", url, "-q"], env=env)
        assert again.exit_code == 0, again.output
        assert (again.stdout, again.stderr) == (fetched.stdout, "")
        # A file the cache has no copy of (another URL: the same model served under another name).
        other = url.rsplit("/", 1)[0] + "/other.npz"
        (Path(tmp_path / "served") / "other.npz").write_bytes(model_path.read_bytes())
        failed = runner.invoke(app, ["predict", str(dump), "--model", other], env=env)
        assert failed.exit_code == 1
        assert failed.stderr == _said(other, cache / "models", "Permission denied")  # the folder's, no file named
    finally:
        for path in (cache, *cache.rglob("*")):
            path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o200)

"""A model named by URL on the command line (``--model https://...``), as ``$CLEANER_MODEL=URL`` and
``load_model(URL)`` name it; and a URL's cached copy used when the URL cannot be reached."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Labelled, http_server
from test_labels_score import labelled_dir
from typer.testing import CliRunner

from cleaner.cli import app


def model_folder(model_path: Path, tmp_path: Path) -> Path:
    """A folder to serve, holding a copy of the test model as m.npz."""
    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copy(model_path, folder / "m.npz")
    return folder


@pytest.fixture
def served(model_path: Path, tmp_path: Path) -> Iterator[str]:
    """The URL of a copy of the test model on a local HTTP server (as https:// is fetched)."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    folder = model_folder(model_path, tmp_path)
    with http_server(folder) as base:
        yield f"{base}/m.npz"


@pytest.fixture
def dump(sample_document: Labelled, tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(sample_document.text, encoding="utf-8")
    return path


def test_predict_and_suggest_take_a_model_url(
    runner: CliRunner, served: str, dump: Path, model_path: Path, tmp_path: Path
) -> None:
    """`--model http://host/m.npz` was made a Path, which drops a slash: "no model at
    /cwd/http:/host/m.npz", where $CLEANER_MODEL=URL worked. The option now reads a URL as the
    variable does, and a local path as before."""
    env = {"CLEANER_CACHE": str(tmp_path / "cache")}
    for command in (["predict", str(dump), "-j", "1", "-q"], ["suggest", str(dump), "-q"]):
        local = runner.invoke(app, [*command, "--model", str(model_path)], env=env)
        assert local.exit_code == 0, local.output
        remote = runner.invoke(app, [*command, "--model", served], env=env)
        assert remote.exit_code == 0, remote.output
        assert remote.stdout == local.stdout
        assert list((tmp_path / "cache" / "models").glob("*-m.npz"))


def test_labels_score_takes_a_model_url(runner: CliRunner, served: str, model_path: Path, tmp_path: Path) -> None:
    directory = labelled_dir(tmp_path)
    env = {"CLEANER_CACHE": str(tmp_path / "cache")}
    local = runner.invoke(app, ["labels", "score", str(directory), "--model", str(model_path)], env=env)
    assert local.exit_code == 0, local.output
    remote = runner.invoke(app, ["labels", "score", str(directory), "--model", served], env=env)
    assert remote.exit_code == 0, remote.output
    # The same report, but for its first line, which names the model scored.
    assert remote.stdout.split("\n", 1)[1] == local.stdout.split("\n", 1)[1]
    assert remote.stdout.startswith(f"{served}: scored as it is")


def test_a_missing_model_url_given_as_an_option_is_named_as_given(
    runner: CliRunner, dump: Path, tmp_path: Path
) -> None:
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    (tmp_path / "empty").mkdir()
    with http_server(tmp_path / "empty") as base:
        url = f"{base}/nope.npz"
        result = runner.invoke(app, ["predict", str(dump), "--model", url], env={"CLEANER_CACHE": str(tmp_path / "c")})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cleaner: cannot fetch the model at {url} "), result.stderr
    assert result.stderr.endswith("check the URL, or give a local model file\n"), result.stderr
    assert "(no such file there: " in result.stderr and "404" in result.stderr
    assert "cannot connect" not in result.stderr


def _closed_port() -> int:
    """A local port nothing listens on (as a server that is down, or a network that is not there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_cached_model_url_is_used_when_the_server_cannot_be_reached(
    runner: CliRunner, model_path: Path, dump: Path, tmp_path: Path
) -> None:
    """README: a URL is "copied once per machine"; but every load asked the server for the file's
    version first, so with the server down (or no network) a machine that had the copy failed with
    "cannot fetch the model (FileNotFoundError: URL)". The copy is now used, with a warning that
    says it could not be checked and how old it is."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    folder = model_folder(model_path, tmp_path)
    cache = tmp_path / "cache"
    with http_server(folder) as base:
        url = f"{base}/m.npz"
        env = {"CLEANER_MODEL": url, "CLEANER_CACHE": str(cache)}
        online = runner.invoke(app, ["predict", str(dump), "-j", "1", "-q"], env=env)
        assert online.exit_code == 0, online.output
        assert online.stderr == ""
    (copy,) = (cache / "models").glob("*-m.npz")
    offline = runner.invoke(app, ["predict", str(dump), "-j", "1", "-q"], env=env)
    assert offline.exit_code == 0, offline.output
    assert offline.stdout == online.stdout
    assert offline.stderr.startswith(f"cleaner: warning: cannot reach {url} (")
    assert offline.stderr.endswith(f"; using the copy fetched 0 seconds ago ({copy}), which may not be the latest\n")
    assert offline.stderr.count("\n") == 1
    assert list((cache / "models").iterdir()) == [copy]


def test_the_latest_copy_of_a_changed_model_url_is_used_offline(model_path: Path, tmp_path: Path) -> None:
    """Online, a file replaced at the URL is fetched again, and the copy of the version before is
    deleted; offline, the newest copy is the one used, when there are several (left by an earlier
    cleaner, which kept them all, or one that could not be deleted)."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    from cleaner.classifier.remote import fetch

    folder = model_folder(model_path, tmp_path)
    cache = tmp_path / "cache"
    with http_server(folder) as base:
        url = f"{base}/m.npz"
        first, fetched = fetch(url, cache)
        assert fetched
        (folder / "m.npz").write_bytes(model_path.read_bytes() + b"\0")  # replaced: another size
        second, fetched = fetch(url, cache)
        assert fetched and second != first
        assert fetch(url, cache) == (second, False)
    assert not first.exists()
    shutil.copy(model_path, first)
    os.utime(first, (0, 0))
    assert fetch(url, cache) == (second, False)


def test_a_model_url_that_cannot_be_reached_is_said_so(runner: CliRunner, dump: Path, tmp_path: Path) -> None:
    """No network and no copy: it said "FileNotFoundError: URL", which reads as a wrong URL."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    url = f"http://127.0.0.1:{_closed_port()}/m.npz"
    cache = tmp_path / "cache"
    result = runner.invoke(app, ["predict", str(dump), "--model", url], env={"CLEANER_CACHE": str(cache)})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cleaner: cannot fetch the model at {url} (cannot connect: "), result.stderr
    assert result.stderr.endswith(
        f"; no copy of it is cached in {cache / 'models'}); check the network, or check the URL, or give a local "
        "model file\n"
    )
    assert "FileNotFoundError" not in result.stderr


def test_the_age_of_a_copy_is_counted_as_every_message_counts() -> None:
    from cleaner.classifier.remote import _age

    assert [_age(s) for s in (0, 1, 59, 60, 119, 3600, 7200, 86400, 3 * 86400)] == [
        "0 seconds", "1 second", "59 seconds", "1 minute", "1 minute", "1 hour", "2 hours", "1 day", "3 days"
    ]  # fmt: skip


@contextlib.contextmanager
def silent_server(port: int = 0) -> Iterator[int]:
    """A server on 127.0.0.1 that accepts every connection and never answers: its port."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_server_that_never_answers_fails_in_seconds(runner: CliRunner, dump: Path, tmp_path: Path) -> None:
    """A server that accepted and never answered held the command for ten minutes in silence, then
    said "cannot connect: CancelledError": each wait is bounded ($CLEANER_URL_TIMEOUT), and said."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    cache = tmp_path / "cache"
    with silent_server() as port:
        url = f"http://127.0.0.1:{port}/m.npz"
        started = time.monotonic()
        env = {"CLEANER_CACHE": str(cache), "CLEANER_URL_TIMEOUT": "0.3"}
        result = runner.invoke(app, ["predict", str(dump), "--model", url], env=env)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"cleaner: cannot fetch the model at {url} (no answer within 0.3 s; CLEANER_URL_TIMEOUT=SECONDS waits longer; "
        "no copy of it is cached in"
    ), result.stderr


def test_a_cached_copy_is_used_when_the_server_never_answers(
    runner: CliRunner, model_path: Path, dump: Path, tmp_path: Path
) -> None:
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    folder = model_folder(model_path, tmp_path)
    cache = tmp_path / "cache"
    env = {"CLEANER_CACHE": str(cache), "CLEANER_URL_TIMEOUT": "0.3"}
    with http_server(folder) as base:
        url = f"{base}/m.npz"
        online = runner.invoke(app, ["predict", str(dump), "--model", url, "-q"], env=env)
        assert online.exit_code == 0, online.output
    with silent_server(int(base.rsplit(":", 1)[1])):
        started = time.monotonic()
        stalled = runner.invoke(app, ["predict", str(dump), "--model", url, "-q"], env=env)
    assert time.monotonic() - started < 10
    assert stalled.exit_code == 0, stalled.output
    assert stalled.stdout == online.stdout
    assert stalled.stderr.startswith(f"cleaner: warning: cannot reach {url} (no answer within 0.3 s; "), stalled.stderr

"""A model URL's versions and waits: a file replaced at the URL is fetched again whatever the server
calls its version, the old copy goes, the server is asked once per load and waited for as long as
the message says, and what a model URL needs is said as the install to run."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from pathlib import Path

import pytest
from conftest import Labelled, http_server
from test_model_url import silent_server
from typer.testing import CliRunner

from cleaner import load_model
from cleaner.classifier.errors import ModelError
from cleaner.cli import app

TIMEOUT_SAID = (
    "cleaner: $CLEANER_URL_TIMEOUT: expected the seconds to wait for a model URL's server, a number above 0 such "
    "as 30 (unset: 10), got {!r}\n"
)


@pytest.fixture
def dump(sample_document: Labelled, tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(sample_document.text, encoding="utf-8")
    return path


def test_a_model_replaced_by_one_of_the_same_size_is_fetched_again(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README: "a file replaced at the same URL is fetched again". The copy was named after the
    file's size and its ETag or modification time as S3 names them; python's http.server (and many
    static hosts) send no ETag, and fsspec gives their header as it is spelt, Last-Modified: a model
    refitted to the same size (any refit of one configuration) was never fetched again, and the
    old one was used without a word. The copy of the version before is deleted then: every
    version a URL ever had stayed in the cache."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    model = load_model(model_path)
    old, new = tmp_path / "old.npz", tmp_path / "new.npz"
    model.threshold = 0.25
    model.save(old)
    model.threshold = 0.75
    model.save(new)
    assert old.stat().st_size == new.stat().st_size
    folder = tmp_path / "served"
    folder.mkdir()
    served = folder / "m.npz"
    with http_server(folder) as base:
        url = f"{base}/m.npz"
        shutil.copy(old, served)
        os.utime(served, (1_700_000_000, 1_700_000_000))
        assert load_model(url).threshold == 0.25
        shutil.copy(new, served)  # as a server's copy is replaced: another Last-Modified, no ETag
        os.utime(served, (1_700_000_100, 1_700_000_100))
        assert load_model(url).threshold == 0.75
    (copy,) = (tmp_path / "cache" / "models").iterdir()
    assert copy.read_bytes() == new.read_bytes()


def test_the_server_is_asked_once_per_load_and_once_more_to_fetch(model_path: Path, tmp_path: Path) -> None:
    """fsspec's open asks the file's size again (a HEAD) though the cache had just asked it:
    three requests to fetch (HEAD, HEAD, GET). Now HEAD and GET, and HEAD alone with the copy."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    from cleaner.classifier.remote import fetch

    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copy(model_path, folder / "m.npz")
    requests: list[str] = []
    with http_server(folder, requests) as base:
        copy, fetched = fetch(f"{base}/m.npz", tmp_path / "cache")
        assert fetched and copy.read_bytes() == model_path.read_bytes()
        assert requests == ["HEAD", "GET"]
        requests.clear()
        assert fetch(f"{base}/m.npz", tmp_path / "cache") == (copy, False)
        assert requests == ["HEAD"]


def test_a_server_that_never_answers_is_waited_for_as_long_as_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$CLEANER_URL_TIMEOUT=2 waited 4.5 s, the default 10 s 20.6 s, and the message said "no answer
    within 2 s": fsspec's HTTP driver asks with HEAD, then with GET, each given the whole wait. The
    wait for what the file is is now bounded as a whole."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    from cleaner.classifier.remote import Unreachable, fetch

    monkeypatch.setenv("CLEANER_URL_TIMEOUT", "1")
    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(Unreachable, match=r"^no answer within 1 s; "):
            fetch(f"http://127.0.0.1:{port}/m.npz", tmp_path / "cache")
        waited = time.monotonic() - started
    assert waited < 1.7, waited


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_timeout_that_is_no_number_of_seconds_is_refused(
    runner: CliRunner, dump: Path, model_path: Path, tmp_path: Path, value: str
) -> None:
    """CLEANER_URL_TIMEOUT=abc and =0 were silently the default 10 s. A usage error now (exit 2,
    before any work), for every command that takes a model, when the model is a URL; a ModelError
    from load_model. A local model needs no timeout: the variable is not read."""
    url = f"http://127.0.0.1:{_closed_port()}/m.npz"
    env = {"CLEANER_CACHE": str(tmp_path / "cache"), "CLEANER_URL_TIMEOUT": value}
    said = TIMEOUT_SAID.format(value)
    for command in (["predict", str(dump), "--model", url], ["suggest", str(dump), "--model", url]):
        result = runner.invoke(app, command, env=env)
        assert (result.exit_code, result.stderr) == (2, said), result.output
    from_environment = {**env, "CLEANER_MODEL": url}
    result = runner.invoke(app, ["labels", "score", str(tmp_path), "--model", "default"], env=from_environment)
    assert (result.exit_code, result.stderr) == (2, said), result.output
    local = runner.invoke(app, ["predict", str(dump), "--model", str(model_path), "-q"], env=env)
    assert local.exit_code == 0, local.output
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLEANER_URL_TIMEOUT", value)
        with pytest.raises(ModelError) as caught:
            load_model(url)
    assert f"cleaner: {caught.value}\n" == said


@pytest.mark.parametrize(
    ("url", "install"),
    [
        ("https://example.org/m.npz", "pip install 'fsspec[http]'"),
        ("http://example.org/m.npz", "pip install 'fsspec[http]'"),
        ("s3://bucket/m.npz", "pip install s3fs"),
        ("gs://bucket/m.npz", "pip install gcsfs"),
        ("hf://user/repo/m.npz", "pip install huggingface_hub"),
        ("simplecache::s3://bucket/m.npz", "pip install s3fs"),
    ],
)
def test_what_a_model_url_needs_is_said_as_the_install_to_run(
    url: str, install: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without fsspec the message said "pip install fsspec, plus its driver for the URL's scheme";
    after that install, fsspec said its HTTP driver "requires requests and aiohttp": two rounds to
    a working install. The first message now names the install for the URL's scheme."""
    monkeypatch.setitem(sys.modules, "fsspec", None)  # import fsspec fails, as when it is not installed
    with pytest.raises(ModelError) as caught:
        load_model(url)
    scheme = url.split("::")[-1].split("://")[0]
    assert str(caught.value) == (
        f"a model URL ({url}) needs fsspec's driver for {scheme}://: {install}; or check the URL, or give a local "
        "model file"
    )


def test_predict_help_says_where_a_model_url_is_copied_and_how_long_its_server_is_waited_for(
    runner: CliRunner,
) -> None:
    """--help said "fetched once per machine into $CLEANER_CACHE; needs fsspec": no default (the
    README's missed $XDG_CACHE_HOME), no word of $CLEANER_URL_TIMEOUT, nor of what https:// needs."""
    result = runner.invoke(app, ["predict", "--help"], env={"COLUMNS": "80"})
    said = " ".join(result.output.split())
    assert "into $CLEANER_CACHE, else $XDG_CACHE_HOME/cleaner, else ~/.cache/cleaner;" in said
    assert "$CLEANER_URL_TIMEOUT seconds (default 10)" in said
    assert "https:// needs pip install 'fsspec[http]'" in said

"""A model named by URL on the command line (``--model https://...``), as ``$CLEANER_MODEL=URL`` and
``load_model(URL)`` name it; and a URL's cached copy used when the URL cannot be reached."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Labelled, http_server
from test_labels_score import labelled_dir
from typer.testing import CliRunner

from cleaner.cli import app


@pytest.fixture
def served(model_path: Path, tmp_path: Path) -> Iterator[str]:
    """The URL of a copy of the test model on a local HTTP server (as https:// is fetched)."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copy(model_path, folder / "m.npz")
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
    assert remote.stdout == local.stdout


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

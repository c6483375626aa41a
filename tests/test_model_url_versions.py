"""A model URL's versions: a file replaced at the URL is fetched again whatever the server calls
its version, and the copy of the version before goes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import http_server

from cleaner import load_model


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

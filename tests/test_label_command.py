"""`cleaner label` as a user runs it: a real process that prints its URL and serves the page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import Labelled


def _start(cleaner_exe: Path, cwd: Path, dump: Path, *options: str) -> tuple[subprocess.Popen[str], list[str]]:
    """``cleaner label DUMP --no-browser --labels mine`` started in ``cwd`` (no display, so no
    browser), and what it printed up to its ``open URL`` line."""
    env = {**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    process = subprocess.Popen(
        [str(cleaner_exe), "label", str(dump), "--no-browser", *options, "--labels", "mine"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line)
        if line.startswith("open "):
            _wait_until_served(line.split()[1])
            break
    return process, printed


def _wait_until_served(url: str, seconds: float = 30.0) -> None:
    """Return once the page answers: a person presses Ctrl-C at a page they have seen. A SIGINT sent
    the moment the URL was printed, before uvicorn took over the signal, was twice not acted on in a
    fresh clone's first `make test` (the cause is not found; see the closing note of 2026-12-04)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_label_serves_the_page_and_stops_on_ctrl_c(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process, printed = _start(cleaner_exe, tmp_path, dump, "--model", str(model_path))
    try:
        found = re.search(r"http://127\.0\.0\.1:\d+/", "".join(printed))
        assert found, "".join(printed)
        with urllib.request.urlopen(found.group(0)) as response:
            assert "cleaner label" in response.read().decode()
        with urllib.request.urlopen(found.group(0) + "api/pages/0") as response:
            assert b'"lines"' in response.read()
        assert "labels go to mine/" in "".join(printed)
        assert f"Retrain writes {tmp_path / 'cleaner.npz'}" in "".join(printed)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode in (0, 130, -signal.SIGINT), stderr  # 130: stopped by Ctrl-C, as a shell reports it
    assert "Traceback" not in stderr


def test_label_refuses_what_it_cannot_read(cleaner_exe: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(cleaner_exe), "label", str(tmp_path / "missing.txt"), "--no-browser"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "missing.txt" in result.stderr and "no page to label" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_model_retrained_on_a_few_pages_does_not_replace_the_shipped_one(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """From a wheel, Retrain fits the user's pages alone: after one saved page, its model kept 108
    lines of a seed page against the shipped model's 25, and the next `cleaner label` took it."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    retrained = tmp_path / "cleaner.npz"  # where Retrain writes it for --labels mine
    retrained.write_bytes(model_path.read_bytes())  # trained on the five seed pages
    process, printed = _start(cleaner_exe, tmp_path, dump)
    try:
        said = "".join(printed)
        assert "pre-labelled by" in said and str(retrained) not in said.split("pre-labelled by")[1].splitlines()[0]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert f"{retrained} learnt from only 5 labelled pages" in stderr
    assert f"--model {retrained}" in stderr

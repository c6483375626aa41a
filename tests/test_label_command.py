"""`cleaner label` as a user runs it: a real process that prints its URL and serves the page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

from conftest import Labelled


def test_label_serves_the_page_and_stops_on_ctrl_c(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    env = {**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    process = subprocess.Popen(
        [str(cleaner_exe), "label", str(dump), "--no-browser", "--model", str(model_path), "--labels", "mine"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            printed.append(line)
            if line.startswith("open "):
                break
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

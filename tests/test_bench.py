"""The benchmark's helpers: the C4 peer is the line rule BASELINES.md runs, and peak RSS sees pool workers."""

from __future__ import annotations

import os
import sys

import pytest

from cleaner.training.bench import _sample_tree, _timed
from cleaner.training.labels import LabelledDocument


def test_c4_peer_judges_whole_lines() -> None:
    """C4's unit is the line: a line whose last sentence has no terminal punctuation goes, even if
    an earlier sentence has one (applying the rules per spaCy sentence would keep it)."""
    pytest.importorskip("datatrove")
    pytest.importorskip("spacy")
    from cleaner.training.baselines import c4_line_rule

    lines = ["A sentence of several words that ends here.", "Read the whole story here. Click", "Menu", ""]
    labels = c4_line_rule()([LabelledDocument("page", lines, [], language="en")])
    assert labels == [["content", "boilerplate", "boilerplate", None]]


def test_peak_rss_covers_grandchildren() -> None:
    """A grandchild holding 200 MB is seen, as pool workers under a fork server must be."""
    grandchild = "x = bytearray(200 * 2**20); import time; time.sleep(0.8)"
    child = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {grandchild!r}]).wait()"
    usage = _timed([sys.executable, "-c", child])
    assert usage.seconds >= 0.8
    assert usage.peak_kib >= 200 * 1024


def test_cpu_seconds_cover_grandchildren() -> None:
    busy = "import time; end = time.process_time() + 0.6\nwhile time.process_time() < end: pass"
    child = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {busy!r}]).wait()"
    assert _timed([sys.executable, "-c", child]).cpu_seconds >= 0.4


def test_sample_of_this_process() -> None:
    seconds, kib = _sample_tree(os.getpid())[os.getpid()]
    assert seconds > 0 and kib > 0


def test_timed_fails_loudly() -> None:
    with pytest.raises(SystemExit, match="boom"):
        _timed([sys.executable, "-c", "import sys; sys.exit('boom')"])

"""The README's figures of the shipped model's size and of a process's memory, against the model
file and a run of ``cleaner predict`` here: they said about 90 KB (the file is about 770 KB) and
about 50 MB (a one-page run peaks near 75 MB)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Labelled

from cleaner.classifier.format import SHIPPED_MODEL

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_gives_the_shipped_models_size() -> None:
    found = re.search(r"The model \(one `\.npz` of\s+about (\d+) KB", README)
    assert found, "the README no longer says the model's size where it did"
    stated = int(found.group(1)) * 1000
    assert abs(stated - SHIPPED_MODEL.stat().st_size) <= 0.1 * SHIPPED_MODEL.stat().st_size


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kilobytes on Linux (bytes on macOS)")
def test_the_readme_gives_a_processs_memory(cleaner_exe: Path, sample_document: Labelled, tmp_path: Path) -> None:
    """The peak resident set of a one-page run, measured as /usr/bin/time does (the child's
    ru_maxrss), within a quarter of the README's figure: numpy, Python and the model change it."""
    found = re.search(r"A process takes about (\d+) MB", README)
    assert found, "the README no longer says a process's memory where it did"
    page = tmp_path / "page.txt"
    page.write_text(sample_document.text, encoding="utf-8")
    measure = (
        "import resource, subprocess, sys; "
        "subprocess.run([sys.argv[1], 'predict', sys.argv[2]], stdout=subprocess.DEVNULL, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", measure, str(cleaner_exe), str(page)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    peak_mb = int(out.stdout) * 1024 / 1e6
    assert abs(int(found.group(1)) - peak_mb) <= 0.25 * peak_mb, peak_mb

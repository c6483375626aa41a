"""Fault injection: the scenarios of ``make faults``, smaller, and the same zeros asked of them: no
record lost without a word, no process left running, no temporary file left behind, no promise
broken (exit code, message, byte-identical output after --resume). The ``slow`` ones try many
more cut places and kills (``make faults`` runs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import Labelled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.training.fault_inputs import (
    FORMATS,
    Outcome,
    build,
    piped,
    records,
    truncations,
    unreachable,
)
from cleaner.training.fault_runs import Cleaner, corpus, full_disk, kills, small_disk, truncated_then_resumed

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="processes are found in /proc")


def assert_clean(outcome: Outcome) -> None:
    assert outcome.tried > 0, outcome
    assert (outcome.lost, outcome.orphans, outcome.temporaries, outcome.wrong) == (0, 0, 0, 0), outcome


@pytest.fixture(scope="module")
def pages(seed_documents: list[Labelled]) -> list[str]:
    return [doc.text for doc in seed_documents]


@pytest.fixture(scope="module")
def cleaner(model_path: Path, cleaner_exe: Path) -> Cleaner:
    return Cleaner(str(cleaner_exe), {**os.environ, "CLEANER_MODEL": str(model_path)})


@pytest.mark.parametrize("name", FORMATS)
def test_inputs_cut_anywhere_are_reported_or_whole(pages: list[str], name: str) -> None:
    """gz, zstd (one frame and many), WARC (plain and gzipped per record), JSONL: a cut inside a
    record says the file is truncated; records before it come through unchanged."""
    assert_clean(truncations(name, records(pages, 12), cuts=25))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FORMATS), st.integers(0, 2**32 - 1))
def test_cut_places_drawn_by_hypothesis(pages: list[str], name: str, seed: int) -> None:
    assert_clean(truncations(name, records(pages, 6), cuts=3, seed=seed))


@pytest.mark.slow
@pytest.mark.parametrize("name", FORMATS)
def test_inputs_cut_at_many_places(pages: list[str], name: str) -> None:
    assert_clean(truncations(name, records(pages, 40), cuts=400))


def test_a_shard_cut_short_gets_no_output_and_resume_redoes_it(
    cleaner: Cleaner, pages: list[str], tmp_path: Path
) -> None:
    built = build("jsonl.zst", records(pages, 20))
    assert_clean(truncated_then_resumed(cleaner, built.data, built.suffix, tmp_path, [len(built.data) // 2]))


class InProcess:
    """``cleaner`` run through CliRunner, as :class:`Cleaner` runs it as a process (faster)."""

    def __init__(self, model_path: Path) -> None:
        self.model = str(model_path)

    def __call__(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        result = CliRunner().invoke(app, [*args, "--model", self.model], input=stdin)
        return subprocess.CompletedProcess(args, result.exit_code, result.stdout_bytes, result.stderr_bytes)


def test_every_format_on_standard_input(model_path: Path, pages: list[str]) -> None:
    """Detected (compressed magic bytes, JSON lines, WARC), or refused; never mangled. (The same
    through real pipes: make faults.)"""
    assert_clean(piped(InProcess(model_path), pages, records(pages, 5)))


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="root reads every folder")
def test_unreadable_folder_and_broken_links_are_reported(cleaner: Cleaner, model_path: Path, pages: list[str]) -> None:
    """Run as a user who cannot read the locked folder (root reads everything): the model is
    copied where that user can read it."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        model = Path(folder) / "model.npz"
        shutil.copy(model_path, model)
        os.chmod(model, 0o644)
        assert_clean(unreachable(Cleaner(cleaner.exe, {**cleaner.env, "CLEANER_MODEL": str(model)}), pages[0], prefix))


@pytest.fixture(scope="module")
def source(pages: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus(tmp_path_factory.mktemp("faults"), pages * 4, shards=6, per_shard=30)


@needs_proc
@pytest.mark.parametrize("output", ["out", "out.jsonl"])
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_killed_run_resumes_to_the_same_bytes(
    cleaner: Cleaner, source: Path, tmp_path: Path, output: str, how: str
) -> None:
    """Killed at a random moment (SIGKILL and SIGTERM to the main process, SIGINT to the whole
    group as Ctrl-C sends it), with 2 workers: no worker outlives it, SIGTERM and SIGINT leave no
    temporary file and say which command resumes, and --resume ends with an uninterrupted run's
    bytes."""
    assert_clean(kills(cleaner, source, tmp_path, output, how, jobs=2, times=1, seed=hash((output, how)) % 1000))


@pytest.mark.slow
@needs_proc
@pytest.mark.parametrize("output", ["out", "out.jsonl"])
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_many_kills_resume_to_the_same_bytes(
    cleaner: Cleaner, source: Path, tmp_path: Path, output: str, how: str, jobs: int
) -> None:
    assert_clean(kills(cleaner, source, tmp_path, output, how, jobs=jobs, times=5, seed=jobs))


def test_a_full_disk(cleaner: Cleaner, source: Path, tmp_path: Path) -> None:
    """On a tmpfs too small for the output where one can be mounted (root): one line, exit 1, no
    leftovers, and only whole files under final names. Elsewhere the injected write error of
    tests/test_corpus_failures.py stands in for it."""
    with small_disk(tmp_path / "probe", 64) as disk:
        if disk is None:
            pytest.skip("no tmpfs can be mounted here: the injected write error tests the same")
    assert_clean(full_disk(cleaner, source, tmp_path, ["out.jsonl", "out.jsonl.gz", "out"], [64, 1024]))

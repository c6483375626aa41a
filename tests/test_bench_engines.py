"""The engines benchmark's bookkeeping: shards, the output check, fixed cost against cost per MB."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.training.bench_common import Usage
from cleaner.training.bench_engines import _row, chosen, make_shards, outputs, paired_ratio, same_records


def test_shards_hold_the_corpus_and_a_quarter_of_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": "x" * 50}) + "\n" for i in range(80)))
    whole, quarter = make_shards(corpus, tmp_path / "shards", 8)
    assert len(list(whole.iterdir())) == 8 and len(list(quarter.iterdir())) == 2
    assert b"".join(p.read_bytes() for p in sorted(whole.iterdir())) == corpus.read_bytes()


def test_engines_can_be_chosen_the_reference_always_runs() -> None:
    engines = ["datatrove-local", "datatrove-ray", "ray-data", "spark"]
    assert chosen(2) == ["cleaner predict -j 2", "cleaner predict -j 1", *engines]
    assert chosen(2, ["datatrove-local"]) == ["cleaner predict -j 2", "datatrove-local"]
    assert chosen(1, ["spark"]) == ["cleaner predict -j 1", "spark"]


def test_outputs_read_every_engines_layout(tmp_path: Path) -> None:
    (tmp_path / "cleaned").mkdir()
    (tmp_path / "logs").mkdir()
    datatrove = {"id": "a", "text": "kept", "metadata": {"lines_total": 2, "lines_kept": 1, "chars_kept": 4}}
    (tmp_path / "cleaned" / "00000.jsonl").write_text(json.dumps(datatrove) + "\n")
    spark = {"id": "b", "lines_total": 1, "lines_kept": 0, "chars_kept": 0, "mean_score": 0.1}  # no empty text
    (tmp_path / "cleaned" / "part-0.json").write_text(json.dumps(spark) + "\n")
    (tmp_path / "cleaned" / ".part-0.json.crc").write_bytes(b"\x00\x01")
    (tmp_path / "logs" / "stats.json").write_text("[]")
    found = outputs(tmp_path)
    assert found == {
        "a": {"text": "kept", "lines_total": 2, "lines_kept": 1, "chars_kept": 4, "mean_score": None},
        "b": {"text": None, "lines_total": 1, "lines_kept": 0, "chars_kept": 0, "mean_score": 0.1},
    }
    reference = {
        "a": {"text": "kept", "lines_total": 2, "lines_kept": 1, "chars_kept": 4, "mean_score": None},
        "b": {"text": "", "lines_total": 1, "lines_kept": 0, "chars_kept": 0, "mean_score": 0.1},
        "empty": {"text": "", "lines_total": 0, "lines_kept": 0, "chars_kept": 0, "mean_score": None},
        "lost": {"text": "t", "lines_total": 1, "lines_kept": 1, "chars_kept": 1, "mean_score": 0.9},
    }
    assert same_records(found, reference) == (3, 4)  # the empty page may be skipped; the lost one counts


def test_fixed_cost_and_cost_per_mb_are_recovered() -> None:
    def usage(mb: float) -> Usage:
        return Usage(seconds=2.0 + 0.5 * mb, cpu_seconds=1.0 + 0.25 * mb, peak_kib=1024, peak_sum_kib=4096)

    timed = {("e", "all"): [usage(40.0)], ("e", "quarter"): [usage(10.0)]}
    row = _row("e", timed, {"all": 40.0, "quarter": 10.0})
    assert (row["fixed_seconds"], row["seconds_per_mb"]) == (2.0, 0.5)
    assert (row["fixed_cpu_seconds"], row["cpu_seconds_per_mb"]) == (1.0, 0.25)
    assert row["all"]["sum_of_peaks_mb"] == 4.0


def test_ratios_are_taken_run_by_run() -> None:
    def usages(*cpu: float) -> list[Usage]:
        return [Usage(seconds=1.0, cpu_seconds=c, peak_kib=0) for c in cpu]

    # The host got busier during the engine's second run and the reference's third: the ratio of
    # the medians (24 / 10) would pair runs of different moments; run by run, two of three say 1.2.
    engine, reference = usages(12.0, 24.0, 24.0), usages(10.0, 10.0, 20.0)
    assert paired_ratio(engine, reference, "cpu_seconds") == 1.2
    assert paired_ratio(engine, reference, "seconds") == 1.0


def test_small_files_are_the_same_text_as_the_jsonl(labels_dir: Path, tmp_path: Path) -> None:
    from cleaner.training.bench_files import make_inputs

    dumps, jsonl, megabytes = make_inputs(labels_dir, tmp_path, files=30)
    files = sorted(dumps.rglob("*.txt"))
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(files) == len(records) == 30
    assert [p.read_text(encoding="utf-8") for p in files] == [r["text"] for r in records]
    assert all(10_000 < len(r["text"].encode()) <= 12_000 for r in records)
    assert megabytes == sum(len(r["text"].encode()) for r in records) / 1e6


def test_every_engine_run_here_is_one_the_bench_names() -> None:
    from cleaner.training.engines import ENGINES, Engine

    assert [engine.value for engine in Engine] == list(ENGINES)
    assert set(ENGINES) < set(chosen(2))


@pytest.mark.parametrize(
    ("module", "args"),
    [("engines", ["spark", "."]), ("engines", ["flink", ".", "out", "2"]), ("clean_shards", [".", "out"])],
)
def test_an_engine_run_given_wrong_arguments_says_so(module: str, args: list[str]) -> None:
    """engines.py and clean_shards.py unpacked sys.argv by hand: a wrong count of arguments ended in
    a ValueError traceback, and neither had --help. Both say what is wrong now (exit 2), and --help
    names their arguments."""
    if module == "clean_shards":
        pytest.importorskip("datatrove")
    command = [sys.executable, "-m", f"cleaner.training.{module}"]
    wrong = subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr, wrong.stderr
    assert "Missing argument" in wrong.stderr or "is not one of" in wrong.stderr, wrong.stderr
    helped = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "shards" in helped.stdout.lower(), helped.stdout

"""``make bench``: throughput, start-up and memory of the whole ``cleaner`` process, and of peers.

Everything is measured in one run on one corpus (the labelled dumps replicated to a target size),
so the figures are comparable with each other; the machine is shared and noisy, so read ratios
(2 jobs against 1, cleaner against jusText) rather than absolute numbers. Nothing here asserts a
time: the benchmark reports, the tests check behaviour.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cleaner.text import split_lines
from cleaner.training.labels import LabelledDocument, load_labelled_dir

REPOSITORY = Path(__file__).resolve().parent.parent
RSS_POLL_SECONDS = 0.2


def build_corpus(labels_dir: Path, seeds_dir: Path, target_mb: float, path: Path) -> tuple[int, int]:
    """A JSONL corpus (``{"id", "text"}`` per page) of the labelled and seed dumps, repeated until
    it holds ``target_mb`` MB of text; returns (documents, bytes of text)."""
    texts = ["\n".join(doc.lines) + "\n" for doc in load_labelled_dir(labels_dir)]
    if seeds_dir.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    size = sum(len(t.encode()) for t in texts)
    copies = max(1, int(target_mb * 1e6 / size) + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for number, text in enumerate(texts):
                out.write(json.dumps({"id": f"{copy}-{number}", "text": text}, ensure_ascii=False) + "\n")
    return copies * len(texts), copies * size


def _timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of the largest process a command runs; fails loudly if it fails.

    The pool's workers are children of its fork server, which the command does not wait for, so
    resource usage of children misses them: the process tree's peaks (VmHWM) are polled instead.
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _peak_rss_of_tree(process.pid))
            time.sleep(RSS_POLL_SECONDS)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"bench: {' '.join(command)} failed:\n{errors.read().decode()[-2000:]}")
    return seconds, max(peak, usage.ru_maxrss)


def _peak_rss_of_tree(root: int) -> int:
    """The largest VmHWM (KiB) among ``root`` and its descendants, from /proc (0 where there is none)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(entry.name)] = int((entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(children)
        frontier = children
    peak = 0
    for pid in tree:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak


def _median_seconds(command: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _peers_how() -> dict[str, str]:
    """How each peer is run: as in `make eval-dev` and ../shared/devset/BASELINES.md."""
    from cleaner.training.baselines import C4_OPTIONS

    options = ", ".join(f"{name}={value}" for name, value in C4_OPTIONS.items())
    return {
        "jusText": "justext.justext() once per page, each line a <p>, the page language's stoplist",
        "C4 line rule (datatrove)": f"C4QualityFilter({options}) built once, each line a Document",
    }


def _peer_throughput(texts: list[str]) -> dict[str, float | str]:
    """MB/s of jusText and the C4 line rule on the same pages, in this process."""
    from cleaner.training.baselines import c4_line_rule, justext_rule

    documents = [LabelledDocument(str(i), split_lines(t), [], language="vi") for i, t in enumerate(texts)]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    results: dict[str, float | str] = {}
    for name, factory in (("jusText", justext_rule), ("C4 line rule (datatrove)", c4_line_rule)):
        try:
            predict = factory()
        except ImportError as exc:
            results[name] = f"not installed ({exc.name}); pip install -e '.[bench]'"
            continue
        started = time.perf_counter()
        predict(documents)
        results[name] = megabytes / (time.perf_counter() - started)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50.0, help="corpus size (default 50 MB)")
    parser.add_argument("--peer-mb", type=float, default=3.0, help="text the peers clean (default 3 MB)")
    parser.add_argument("--workdir", type=Path, default=REPOSITORY / "bench-corpus")
    parser.add_argument("--labels", type=Path, default=REPOSITORY / "labels")
    parser.add_argument("--seeds", type=Path, default=REPOSITORY.parent / "shared" / "seeds")
    args = parser.parse_args(argv)

    cleaner = str(Path(sys.executable).with_name("cleaner"))
    corpus = args.workdir / "corpus.jsonl"
    documents, size = build_corpus(args.labels, args.seeds, args.size_mb, corpus)
    megabytes = size / 1e6
    print(f"corpus: {corpus} ({documents} pages, {megabytes:.1f} MB of text)")
    report: dict[str, object] = {"corpus_mb": round(megabytes, 2), "documents": documents, "cores": os.cpu_count()}

    report["help_seconds"] = round(_median_seconds([cleaner, "--help"]), 3)
    # Start-up splits into importing scikit-learn (paid once per process) and loading the model.
    load = (
        "import time; t0 = time.perf_counter(); "
        "import sklearn.linear_model, sklearn.preprocessing, sklearn.feature_extraction.text; "
        "from cleaner import load_model; t1 = time.perf_counter(); load_model(); "
        "print(t1 - t0, time.perf_counter() - t1)"
    )
    timings = [
        [
            float(v)
            for v in subprocess.run(
                [sys.executable, "-c", load], capture_output=True, text=True, check=True
            ).stdout.split()
        ]
        for _ in range(3)
    ]
    report["import_seconds"] = round(statistics.median(t[0] for t in timings), 3)
    report["load_model_seconds"] = round(statistics.median(t[1] for t in timings), 3)
    print(
        f"cleaner --help: {report['help_seconds']:.2f} s; importing scikit-learn: {report['import_seconds']:.2f} s; "
        f"load_model(): {report['load_model_seconds']:.3f} s"
    )

    runs = {}
    for jobs in sorted({1, os.cpu_count() or 1}):
        output = args.workdir / f"out-{jobs}.jsonl"
        seconds, rss = _timed([cleaner, "predict", str(corpus), "-o", str(output), "--jobs", str(jobs), "--quiet"])
        runs[jobs] = {
            "seconds": round(seconds, 2),
            "mb_per_s": round(megabytes / seconds, 2),
            "docs_per_s": round(documents / seconds, 1),
            "peak_rss_mb": round(rss / 1024, 1),
        }
        print(
            f"cleaner predict --jobs {jobs}: {seconds:.1f} s, {megabytes / seconds:.2f} MB/s, "
            f"{documents / seconds:.0f} pages/s, peak RSS {rss / 1024:.0f} MB (largest process)"
        )
    report["cleaner"] = runs
    if len(runs) > 1:
        speedup = runs[1]["seconds"] / runs[max(runs)]["seconds"]
        report["speedup"] = round(speedup, 2)
        print(f"speed-up {max(runs)} jobs / 1 job: {speedup:.2f}x")

    sample, total = [], 0
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            sample.append(text)
            total += len(text.encode())
            if total >= args.peer_mb * 1e6:
                break
    peers = _peer_throughput(sample)
    report["peers_mb_per_s"] = peers
    report["peers_how"] = how = _peers_how()
    for name, value in peers.items():
        shown = f"{value:.2f} MB/s (one process, {total / 1e6:.1f} MB)" if isinstance(value, float) else value
        print(f"{name}: {shown}; {how[name]}")
    (args.workdir / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.workdir / 'bench.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

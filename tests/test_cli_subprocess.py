"""The installed ``cleaner`` console script, run as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import Labelled

from cleaner.classifier.estimator import LineClassifier


def run(exe: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, timeout=120, check=False)


def test_predict_file(
    cleaner_exe: Path,
    model_path: Path,
    trained_model: LineClassifier,
    sample_document: Labelled,
    tmp_path: Path,
) -> None:
    dump = tmp_path / "page.txt"
    dump.write_bytes(sample_document.text.replace("\n", "\r\n").encode())
    result = run(cleaner_exe, "predict", str(dump), "--model", str(model_path))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode("utf-8") == trained_model.predictor_.clean(sample_document.text)


def test_predict_stdin_jsonl(cleaner_exe: Path, model_path: Path) -> None:
    stdin = "Tin bài\n\nNội dung.\n".encode()
    result = run(cleaner_exe, "predict", "-", "-f", "jsonl", "--model", str(model_path), stdin=stdin)
    assert result.returncode == 0, result.stderr.decode()
    assert len(result.stdout.decode("utf-8").splitlines()) == 3


@pytest.mark.skipif(shutil.which("bash") is None, reason="process substitution needs bash")
def test_process_substitution_is_read_as_stdin(
    cleaner_exe: Path, model_path: Path, trained_model: LineClassifier, sample_document: Labelled, tmp_path: Path
) -> None:
    """``cleaner predict <(cat page.txt)`` names /dev/fd/63, a pipe: it was refused ("not a regular
    file or directory"); it is cleaned as the same bytes piped into - are."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    script = '"$0" predict <(cat "$1") --model "$2"'
    command = ["bash", "-c", script, str(cleaner_exe), str(dump), str(model_path)]
    result = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode("utf-8") == trained_model.predictor_.clean(sample_document.text)


def test_missing_model(cleaner_exe: Path, tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    result = run(cleaner_exe, "predict", str(dump), "--model", "/nonexistent.joblib")
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "/nonexistent.joblib" in stderr
    assert result.stdout == b""


def test_missing_input_exit_code(cleaner_exe: Path, model_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Body text.\n", encoding="utf-8")
    gone, out = tmp_path / "gone.txt", tmp_path / "out"
    result = run(cleaner_exe, "predict", str(gone), str(good), "-o", str(out), "--model", str(model_path))
    assert result.returncode == 1
    assert "gone.txt" in result.stderr.decode()
    assert (out / "good.txt").is_file()


def test_help(cleaner_exe: Path) -> None:
    result = run(cleaner_exe, "--help")
    assert result.returncode == 0
    assert b"predict" in result.stdout


def test_predict_imports_no_training_code(cleaner_exe: Path, model_path: Path, tmp_path: Path) -> None:
    """`cleaner predict` imports neither cleaner.training nor the entry-point machinery (its start-up
    time matters): the training commands are loaded only when one of them runs.

    -X importtime lists what `import` statements load; modules that entry points load go through
    importlib.import_module, which it does not list, so the interpreter's modules are checked too.
    """
    dump = tmp_path / "page.txt"
    body = "Người dân phường Bến Nghé đã dọn sạch con kênh sau ba tháng, và chính quyền sẽ tiếp tục hỗ trợ."
    dump.write_text(f"Trang chủ | Thời sự\n{body}\n", encoding="utf-8")  # the test model knows only Vietnamese
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('MODULES', *sorted(sys.modules), file=sys.stderr))\n"
        "from cleaner.cli import app\n"
        "sys.argv = ['cleaner', 'predict', sys.argv[1], '--model', sys.argv[2], '--format', 'labels']\n"
        "app()\n"
    )
    command = [sys.executable, "-X", "importtime", "-c", script, str(dump), str(model_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"\t{body}\n" in result.stdout  # predicted (with a label: the test model is tiny)
    stderr = result.stderr.splitlines()
    imported = [line.rsplit("|", 1)[1].strip() for line in stderr if line.startswith("import time:")]
    (modules,) = [line.split()[1:] for line in stderr if line.startswith("MODULES ")]
    assert "cleaner.cli.predict" in imported and "cleaner.cli.predict" in modules
    for names in (imported, modules):
        assert [name for name in names if name.startswith("cleaner.training")] == []
        assert "importlib.metadata" not in names


def processes_with(marker: str) -> list[int]:
    """The pids of the processes whose environment holds ``marker`` (this user's that can be read)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue  # gone meanwhile, or another user's
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc to find leftover workers")
@pytest.mark.parametrize("input_kind", ["text", "jsonl", "folder"])
def test_a_reader_that_goes_away_ends_the_run_quietly(
    cleaner_exe: Path, model_path: Path, tmp_path: Path, input_kind: str
) -> None:
    """`cleaner predict ... | head -1`: the reader closes the pipe after a line. The run exited 1,
    or 0 when a write was cut short (its rest dropped without a word); now it ends as a tool that
    SIGPIPE ends does: no word on stderr, status 141 (128 + SIGPIPE), no worker process left
    (--jobs 2 with a pool of workers) and no temporary file. The output is several times what a
    pipe holds (at most 1 MiB), so the writer meets the closed pipe whenever the reader closes it
    (--threshold 0 keeps every line); JSONL and folder runs span two chunks, so a pool cleans them."""

    def page(lines: range) -> str:
        return "".join(f"Người dân phường {n} đã dọn sạch con kênh sau ba tháng, và sẽ tiếp tục.\n" for n in lines)

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    if input_kind == "text":
        (inputs / "page.txt").write_text(page(range(40_000)), encoding="utf-8")
        args = [str(inputs / "page.txt")]
    elif input_kind == "jsonl":
        records = (json.dumps({"id": n, "text": page(range(100))}, ensure_ascii=False) + "\n" for n in range(200))
        (inputs / "pages.jsonl").write_text("".join(records), encoding="utf-8")
        args = [str(inputs / "pages.jsonl"), "--jobs", "2"]
    else:
        for n in range(200):
            (inputs / f"{n:03}.txt").write_text(page(range(100)), encoding="utf-8")
        args = [str(inputs), "--jobs", "2", "--output-format", "jsonl"]
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    marker = f"CLEANER_TEST_RUN={uuid.uuid4().hex}"
    env = {**os.environ, "TMPDIR": str(temporary), marker.split("=")[0]: marker.split("=")[1]}
    command = [str(cleaner_exe), "predict", *args, "--model", str(model_path), "--threshold", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert process.stdout is not None
    assert process.stdout.readline()
    assert process.pid in processes_with(marker)  # found while it waits to write the rest
    process.stdout.close()  # as head does once it has its line
    _, stderr = process.communicate(timeout=120)
    assert stderr.decode() == ""
    assert process.returncode == 141
    assert processes_with(marker) == []
    assert list(temporary.iterdir()) == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["inputs", "tmp"]


@pytest.mark.parametrize(
    "args",
    [
        ["suggest", "{dumps}", "--model", "{model}", "-q"],
        ["evaluate", "--labels", "{labels}", "-j", "1", "--folds", "2"],
        ["labels", "check", "{labels}"],
        ["--help"],
        ["labels", "check", "--help"],
        ["predict", "{dumps}/a.txt", "--format", "labels", "--model", "{model}"],
    ],
    ids=["suggest", "evaluate", "labels-check", "help", "subcommand-help", "predict-labels"],
)
def test_every_command_ends_quietly_when_its_reader_has_gone(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path, args: list[str]
) -> None:
    """`cleaner suggest DIR | head -1` and the like, with the reader gone before the first write (as
    when head has had its line), so that every write meets the closed pipe: the commands exited 1
    without a word, as if they had failed (the library's own handling), and evaluate said `cleaner:
    [Errno 32] Broken pipe`; now each ends as predict does, as a tool that SIGPIPE ends: status 141
    and nothing on stderr."""
    from label_support import seeded_labels

    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for name in ("a", "b"):
        (dumps / f"{name}.txt").write_text(sample_document.text, encoding="utf-8")
    labels = seeded_labels(tmp_path / "labels", ["seed-thoidai-000", "seed-kinhtedothi-002", "seed-baoquocte-003"])
    command = [str(cleaner_exe), *(arg.format(dumps=dumps, labels=labels, model=model_path) for arg in args)]
    reader, writer = os.pipe()
    os.close(reader)  # the reader went away
    try:
        result = subprocess.run(command, stdout=writer, stderr=subprocess.PIPE, cwd=tmp_path, timeout=120, check=False)
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr.decode()) == (141, "")


STDIN_SPLIT = (
    "both name standard input, which is read once, as it comes: named twice, its content would be split between "
    "the two; name it once"
)


@pytest.mark.parametrize(
    ("command", "names"),
    [
        (["predict", "--output-format", "jsonl"], ["-", "/dev/stdin"]),
        (["predict", "--output-format", "jsonl"], ["/dev/fd/0", "/proc/self/fd/0"]),
        (["suggest"], ["/dev/stdin", "-"]),
    ],
    ids=["dash-and-dev-stdin", "two-fd-names", "suggest"],
)
def test_standard_input_named_twice_is_refused(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, command: list[str], names: list[str]
) -> None:
    """``cat page | cleaner predict - /dev/stdin`` cleaned one pipe as two inputs: the first read it
    all, the second found it empty (exit 0). Any two names of standard input are refused, as two -
    were, before anything is read."""
    if not all(Path(name).exists() for name in names if name != "-"):
        pytest.skip("this system has no /dev/stdin, /dev/fd or /proc")
    args = [command[0], *names, *command[1:], "--model", str(model_path)]
    result = run(cleaner_exe, *args, stdin=sample_document.text.encode())
    assert result.returncode == 2, result.stderr.decode()
    assert result.stderr.decode() == f"cleaner: {names[0]} and {names[1]} {STDIN_SPLIT}\n"
    assert result.stdout == b""


def test_one_file_named_twice_is_refused(cleaner_exe: Path, model_path: Path, tmp_path: Path) -> None:
    """``cleaner predict page.txt ./page.txt`` (or a link to it) cleaned the page twice, its output
    printed twice (exit 0). Refused now, as two names of one stream are, before anything is read."""
    page = tmp_path / "page.txt"
    page.write_text(
        "Home | News\nA body paragraph that reads like prose and ends with a full stop.\n", encoding="utf-8"
    )
    (tmp_path / "link.txt").symlink_to(page)
    for second in ("./page.txt", "link.txt"):
        args = ["predict", "page.txt", second, "--model", str(model_path)]
        result = subprocess.run([str(cleaner_exe), *args], capture_output=True, timeout=60, check=False, cwd=tmp_path)
        assert result.returncode == 2, result.stderr.decode()
        assert (
            result.stderr.decode()
            == f"cleaner: page.txt and {second} are one file, which would be cleaned twice; name it once\n"
        )
        assert result.stdout == b""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need mkfifo")
def test_one_named_pipe_named_twice_is_refused(cleaner_exe: Path, model_path: Path, tmp_path: Path) -> None:
    """``cleaner predict ff ./ff`` (one FIFO under two names) opened the pipe twice: the second open
    waited for a writer that had gone, and the run hung. Refused now, before the pipe is opened
    (no writer is needed: the old code waits here until the timeout)."""
    pipe = tmp_path / "ff"
    os.mkfifo(pipe)
    (tmp_path / "link").symlink_to(pipe)
    for second in (pipe, tmp_path / "link"):
        args = ["predict", str(pipe), str(second), "--output-format", "jsonl", "--model", str(model_path)]
        result = subprocess.run([str(cleaner_exe), *args], capture_output=True, timeout=30, check=False)
        assert result.returncode == 2, result.stderr.decode()
        assert result.stderr.decode() == (
            f"cleaner: {pipe} and {second} both name one pipe, which is read once, as it comes: named twice, its "
            "content would be split between the two; name it once\n"
        )

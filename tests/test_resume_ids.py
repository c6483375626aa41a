"""--resume of -o FILE.jsonl skips documents by id: it never drops a document or writes one twice.

A repeated or missing id, or a ``.partial`` written from other inputs (text files' ids are their
paths as given, so another working directory gives other ids), stops the run before it writes
anything, with the place and the id, and what to do; the output stays as it was.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from corpus_support import PAGE, PAGE_EN, done_before, jsonl, read_jsonl
from typer.testing import CliRunner

from cleaner.cli import app


def invoke(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)], input=stdin)


def interrupted_after(runner: CliRunner, model_path: Path, source: Path, target: Path, kept: int) -> bytes:
    """The output of an uninterrupted run, and ``target``'s .partial as a run stopped after ``kept`` records
    leaves it (the bytes of the first records; a run's records are in input order)."""
    full = invoke(runner, model_path, str(source), "-o", str(target), "-q")
    assert full.exit_code == 0, full.output
    whole = target.read_bytes()
    target.unlink()
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(b"".join(whole.splitlines(keepends=True)[:kept]))
    return whole


def test_repeated_ids_stop_resume_before_it_writes(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """6 records with one id: --resume skipped all 6 after 1 was written ("0 documents (6 already done)",
    exit 0, a 1-record output). Now it names the second record and the id, and writes nothing."""
    source = tmp_path / "dupid.jsonl"
    source.write_bytes(jsonl({"id": "same", "text": f"{PAGE}Đoạn {n}.\n"} for n in range(6)))
    target = tmp_path / "o.jsonl"
    whole = interrupted_after(runner, model_path, source, target, 1)
    assert len(read_jsonl(target.with_name("o.jsonl.partial"))) == 1
    assert whole.count(b"\n") == 6  # without --resume a repeated id is no error: nothing is skipped
    before = target.with_name("o.jsonl.partial").read_bytes()
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 2, result.output
    (message,) = result.stderr.splitlines()
    assert message.startswith(f'cleaner: {source}:2: id "same" repeats that of {source}:1;')
    assert "--id-field" in message and "without --resume" in message
    assert not target.exists()
    assert target.with_name("o.jsonl.partial").read_bytes() == before


def test_repeated_ids_leave_a_finished_output_finished(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """--resume of a finished output renames it to .partial to continue it: refused, it gets its name back."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": "a", "text": PAGE}, {"id": "b", "text": PAGE_EN}, {"id": "a", "text": PAGE}]))
    target = tmp_path / "out.jsonl"
    assert invoke(runner, model_path, str(source), "-o", str(target), "-q").exit_code == 0
    whole = target.read_bytes()
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 2
    assert f'{source}:3: id "a" repeats that of {source}:1' in result.stderr
    assert target.read_bytes() == whole
    assert not target.with_name("out.jsonl.partial").exists()


def test_a_number_id_and_a_string_id_are_two_ids(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """1 and "1" were one id to --resume (str() of each): resumed after the first, 3 records of 4."""
    source = tmp_path / "in.jsonl"
    ids: list[object] = [1, "1", 2, 3]
    source.write_bytes(jsonl({"id": ident, "text": PAGE if n % 2 else PAGE_EN} for n, ident in enumerate(ids)))
    target = tmp_path / "out.jsonl"
    whole = interrupted_after(runner, model_path, source, target, 1)
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 0, result.output
    assert done_before(result.stderr)[1] == 1
    assert [r["id"] for r in read_jsonl(target)] == [1, "1", 2, 3]
    assert target.read_bytes() == whole


def test_a_record_without_an_id_stops_resume(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": "a", "text": PAGE}, {"text": PAGE_EN}, {"id": "c", "text": PAGE}]))
    target = tmp_path / "out.jsonl"
    interrupted_after(runner, model_path, source, target, 1)
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cleaner: {source}:2: no 'id' field")
    assert len(read_jsonl(target.with_name("out.jsonl.partial"))) == 1


def test_resume_from_another_directory_writes_nothing_twice(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text files' ids are their paths as given: run in run/ as `big`, resumed from its parent as
    `run/big`, no id matched and every document was written again (2768 records of 2000). Now the
    resume names an id of each side and says to run from the same directory; from there it completes."""
    run = tmp_path / "run"
    (run / "big").mkdir(parents=True)
    for n in range(5):
        (run / "big" / f"d{n}.txt").write_text(PAGE if n % 2 else PAGE_EN, encoding="utf-8")
    monkeypatch.chdir(run)
    whole = interrupted_after(runner, model_path, Path("big"), Path("cw.jsonl"), 2)
    partial = run / "cw.jsonl.partial"
    before = partial.read_bytes()
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, model_path, "run/big", "-o", "run/cw.jsonl", "--resume")
    assert result.exit_code == 2, result.output
    (message,) = result.stderr.splitlines()
    assert "2 of the 2 ids in run/cw.jsonl.partial are no input document's" in message
    assert '(such as "big/d0.txt"; the inputs\' ids are like "run/big/d0.txt")' in message
    assert "from the same directory with the same arguments" in message
    assert partial.read_bytes() == before and not (run / "cw.jsonl").exists()
    monkeypatch.chdir(run)
    again = invoke(runner, model_path, "big", "-o", "cw.jsonl", "--resume")
    assert again.exit_code == 0, again.output
    assert (run / "cw.jsonl").read_bytes() == whole


def test_resume_with_records_of_other_inputs_is_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """Some of the .partial's records from these inputs, one not: its document cannot be told apart."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": "a", "text": PAGE}, {"id": "b", "text": PAGE_EN}]))
    target = tmp_path / "out.jsonl"
    interrupted_after(runner, model_path, source, target, 1)
    partial = target.with_name("out.jsonl.partial")
    partial.write_bytes(partial.read_bytes() + jsonl([{"id": "elsewhere", "text": "x"}]))
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 2
    assert "1 of the 2 ids in" in result.stderr and '(such as "elsewhere";' in result.stderr


def test_resume_from_standard_input_is_refused(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """Standard input can be read only once, so its ids cannot be checked before the run writes."""
    data = jsonl([{"id": "same", "text": PAGE}, {"id": "same", "text": PAGE_EN}])
    target = tmp_path / "out.jsonl"
    target.with_name("out.jsonl.partial").write_bytes(jsonl([{"id": "same", "text": "done"}]))
    result = invoke(runner, model_path, "-", "-o", str(target), "--resume", stdin=data)
    assert result.exit_code == 2
    assert "cannot continue" in result.stderr and "standard input" in result.stderr
    assert read_jsonl(target.with_name("out.jsonl.partial")) == [{"id": "same", "text": "done"}]


def test_the_rerun_advice_names_the_directory(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command printed to continue a run has relative paths (and text ids): it holds in one directory."""
    monkeypatch.chdir(tmp_path)
    Path("in.jsonl").write_bytes(jsonl([{"id": 1, "text": PAGE}]) + b"not json\n" + jsonl([{"id": 3, "text": PAGE}]))
    result = invoke(runner, model_path, "in.jsonl", "-o", "out.jsonl", "--fail-fast")
    assert result.exit_code == 1
    assert f"from the same directory ({tmp_path}), rerun `cleaner predict in.jsonl --output out.jsonl" in result.stderr


def test_a_first_run_with_resume_checks_the_ids_before_it_writes(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """A first run with --resume wrote all its records, repeated ids and all; only the run continuing
    it found the repeat and stopped, and the hours the first run took were lost. It stops first now."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": "a", "text": PAGE}, {"id": "b", "text": PAGE_EN}, {"id": "a", "text": PAGE}]))
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 2, result.output
    (message,) = result.stderr.splitlines()
    assert message.startswith(f'cleaner: {source}:3: id "a" repeats that of {source}:1;')
    assert not target.exists() and not target.with_name("out.jsonl.partial").exists()
    missing = tmp_path / "noid.jsonl"
    missing.write_bytes(jsonl([{"id": "a", "text": PAGE}, {"text": PAGE_EN}]))
    result = invoke(runner, model_path, str(missing), "-o", str(target), "--resume")
    assert result.exit_code == 2 and f"{missing}:2: no 'id' field" in result.stderr
    unique = invoke(runner, model_path, str(source), "-o", str(tmp_path / "plain.jsonl"))
    assert unique.exit_code == 0  # without --resume a repeated id is no error


def test_a_first_run_with_resume_from_unique_ids_cleans_them_all(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": 1, "text": PAGE}, {"id": "1", "text": PAGE_EN}]))
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 0, result.output
    assert [record["id"] for record in read_jsonl(target)] == [1, "1"]


def test_resume_of_a_finished_output_from_other_inputs_is_refused(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """A finished out.jsonl continued with --resume from other inputs: the check read the ids of a
    file that --resume had just renamed to .partial, and crashed with a traceback, leaving
    out.jsonl renamed. Now it is refused by name and keeps its name and bytes."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": "a", "text": PAGE}, {"id": "b", "text": PAGE_EN}]))
    target = tmp_path / "out.jsonl"
    assert invoke(runner, model_path, str(source), "-o", str(target), "-q").exit_code == 0
    whole = target.read_bytes()
    other = tmp_path / "other.jsonl"
    other.write_bytes(jsonl([{"id": "a", "text": PAGE}]))
    result = invoke(runner, model_path, str(other), "-o", str(target), "--resume")
    assert result.exit_code == 2, result.output
    (message,) = result.stderr.splitlines()
    assert message.startswith(f'cleaner: 1 of the 2 ids in {target} are no input document\'s (such as "b";')
    assert target.read_bytes() == whole
    assert not target.with_name("out.jsonl.partial").exists()


def interrupt_once_written(process: subprocess.Popen[Any], partial: Path) -> None:
    """Send ``process`` SIGINT as soon as its ``partial`` output holds a record (or fail if it
    ends first, or writes none in two minutes)."""
    deadline = time.monotonic() + 120
    while not (partial.exists() and partial.stat().st_size):
        assert process.poll() is None and time.monotonic() < deadline, "no record was written"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)


def continued_from_a_file(command: str, saved: Path, cleaner_exe: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command a stopped run printed, with the saved copy of standard input as its FILE."""
    words = shlex.split(command)
    assert words[:2] == ["cleaner", "predict"] and words.count("FILE") == 1, command
    words = [str(cleaner_exe), *words[1:]]
    words[words.index("FILE")] = str(saved)
    return subprocess.run(words, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("source", ["-", "fifo"])
def test_a_run_stopped_while_reading_records_from_standard_input_says_what_continues_it(
    cleaner_exe: Path, model_path: Path, tmp_path: Path, source: str
) -> None:
    """Ctrl-C on `cat big.jsonl | cleaner predict - -o si.jsonl` printed `cleaner predict - ... --resume`
    as what continues it, which is refused (--resume reads the records' ids before it cleans, and
    standard input can be read only once). Now it says to save the input to a file and rerun with
    that file in place of -; that command completes the output to an uninterrupted run's bytes. A
    pipe named as a file (`<(cat big.jsonl)`, a FIFO) is read as - is, and gets the same advice."""
    data = jsonl({"id": f"doc-{n}", "text": f"{PAGE if n % 2 else PAGE_EN}\nĐoạn {n}.\n"} for n in range(20000))
    (tmp_path / "saved.jsonl").write_bytes(data)
    named = "-" if source == "-" else str(tmp_path / "pipe")
    if source != "-":
        os.mkfifo(named)
    command = [str(cleaner_exe), "predict", named, "-o", "si.jsonl", "-j", "1", "--model", str(model_path)]
    stdin = subprocess.PIPE if source == "-" else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=tmp_path, stdin=stdin, stderr=subprocess.PIPE, text=False)
    if source == "-":
        assert process.stdin is not None
        process.stdin.write(data)  # and left open: the run waits for more
        process.stdin.flush()
    else:
        writer = open(named, "wb")  # noqa: SIM115 - left open, as stdin is above: the run waits for more
        writer.write(data)
        writer.flush()
    partial = tmp_path / "si.jsonl.partial"
    interrupt_once_written(process, partial)
    _, err = process.communicate(timeout=60)
    if source != "-":
        writer.close()
    assert process.returncode == 130, err
    last = err.decode().splitlines()[-1]
    assert last.startswith(
        f"cleaner: interrupted (SIGINT); the records written so far are in si.jsonl.partial; "
        "standard input (or a pipe) cannot be read again (--resume reads the ids of the records before it "
        "cleans them): "
        f"save that input to a file and, from the same directory ({tmp_path}), rerun `cleaner predict FILE --output "
        f"si.jsonl --model {model_path} --jobs 1 --input-format jsonl --resume` with FILE that file to continue"
    ), last
    written = len(read_jsonl(partial))
    assert written > 0
    continued = continued_from_a_file(
        re.findall(r"`([^`]*)`", last)[0], tmp_path / "saved.jsonl", cleaner_exe, tmp_path
    )
    assert continued.returncode == 0, continued.stderr
    assert done_before(continued.stderr)[1] == written
    alone = subprocess.run(
        [*command[:2], "-", command[3], "alone.jsonl", *command[5:]], cwd=tmp_path, input=data, capture_output=True
    )
    assert alone.returncode == 0, alone.stderr
    assert (tmp_path / "si.jsonl").read_bytes() == (tmp_path / "alone.jsonl").read_bytes()


def test_records_from_standard_input_cut_short_say_what_completes_the_output(
    runner: CliRunner, cleaner_exe: Path, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standard input cut inside a record leaves the output .partial; what completes it names a
    saved (whole) copy of the input, not -, which --resume refuses."""
    monkeypatch.chdir(tmp_path)
    data = jsonl({"id": n, "text": PAGE} for n in range(4))
    result = invoke(runner, model_path, "-", "-o", "out.jsonl", stdin=data[:-9])
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert (
        "so the output stays out.jsonl.partial (every other document is in it); fix or replace such inputs; "
        "standard input (or a pipe) cannot be read again" in last
    ), last
    assert "rerun `cleaner predict FILE --output out.jsonl --model" in last and last.endswith(
        "--resume` with FILE that file to complete out.jsonl"
    ), last
    (tmp_path / "whole.jsonl").write_bytes(data)
    continued = continued_from_a_file(
        re.findall(r"`([^`]*)`", last)[0], tmp_path / "whole.jsonl", cleaner_exe, tmp_path
    )
    assert continued.returncode == 0, continued.stderr
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [0, 1, 2, 3]


@pytest.mark.parametrize("given", [False, True])
def test_the_saved_copy_of_records_from_standard_input_may_have_any_name(
    runner: CliRunner, cleaner_exe: Path, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: bool
) -> None:
    """Records on standard input are told by their bytes; the command printed to continue from a
    saved copy read that copy by its name, so a copy saved as `saved.txt` was a text dump and
    --resume stopped at once. The command now says --input-format jsonl (once: not twice when the
    run was given it)."""
    monkeypatch.chdir(tmp_path)
    data = jsonl({"id": n, "text": PAGE} for n in range(4))
    kind = ["--input-format", "jsonl"] if given else []
    result = invoke(runner, model_path, "-", "-o", "out.jsonl", *kind, stdin=data[:-9])
    assert result.exit_code == 1
    command = re.findall(r"`([^`]*)`", result.stderr.splitlines()[-1])[0]
    assert command.count("--input-format jsonl") == 1 and command.endswith("--resume"), command
    (tmp_path / "saved.txt").write_bytes(data)
    continued = continued_from_a_file(command, tmp_path / "saved.txt", cleaner_exe, tmp_path)
    assert continued.returncode == 0, continued.stderr
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [0, 1, 2, 3]


def test_the_saved_copy_command_leaves_the_kind_of_mixed_inputs_to_their_names(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--input-format would read every named file as records: with a text dump beside standard
    input's records, the command is left as it was given."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    data = jsonl({"id": n, "text": PAGE} for n in range(4))
    result = invoke(runner, model_path, "page.txt", "-", "-o", "out.jsonl", stdin=data[:-9])
    assert result.exit_code == 1
    assert "rerun `cleaner predict page.txt FILE --output out.jsonl" in result.stderr
    assert "--input-format" not in result.stderr


def test_a_text_dump_from_standard_input_is_continued_from_standard_input(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text dump's id is known without reading it (-), so its run is continued as it was given."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.jsonl").write_bytes(jsonl([{"id": 1, "text": PAGE}]) + b"not json\n")
    result = invoke(runner, model_path, "a.jsonl", "-", "-o", "out.jsonl", "--fail-fast", stdin=PAGE.encode())
    assert result.exit_code == 1
    assert "rerun `cleaner predict a.jsonl - --output out.jsonl" in result.stderr
    assert "cannot be read again" not in result.stderr


NO_IDS = (
    "the records have no 'id' field (or a null one) to continue by (--resume skips the documents whose id is "
    "already written): "
    "rerun without --resume to clean every document again, or with --resume and --id-field NAME if the field "
    "NAME holds a unique id in every record"
)


@pytest.mark.parametrize("source", ["file", "-"])
def test_records_without_ids_cut_short_offer_no_resume(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    """Records without an id, cut short: the closing line offered `... --resume`, which stops at
    once (`no 'id' field`). Now it says that there is no id to continue by, and what to do instead."""
    monkeypatch.chdir(tmp_path)
    data = jsonl({"text": f"{PAGE}\nĐoạn {n}.\n"} for n in range(4))[:-9]
    (tmp_path / "noid.jsonl").write_bytes(data)
    named = "noid.jsonl" if source == "file" else "-"
    result = invoke(runner, model_path, named, "-o", "out.jsonl", stdin=data if source == "-" else None)
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.endswith(f"fix or replace such inputs; {NO_IDS}"), last
    assert "--resume`" not in last
    offered = invoke(runner, model_path, "noid.jsonl", "-o", "out.jsonl", "--resume")
    assert "no 'id' field" in offered.stderr  # what the old advice ran into


def test_one_record_with_a_null_id_is_counted_as_one(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Of records that have their ids, one with "id": null made the closing line say that "the
    records have no 'id' field": it says how many of them have none."""
    monkeypatch.chdir(tmp_path)
    records = [{"id": n, "text": PAGE} for n in range(3)] + [{"id": None, "text": PAGE}, {"id": 9, "text": PAGE}]
    (tmp_path / "one-null.jsonl").write_bytes(jsonl(records)[:-9])
    result = invoke(runner, model_path, "one-null.jsonl", "-o", "out.jsonl")
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert "1 of the 4 records written has no 'id' field (or a null one) to continue by" in last, last


def test_records_with_ids_cut_short_still_offer_resume(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records that have their id under --id-field get the command that continues the run."""
    monkeypatch.chdir(tmp_path)
    data = jsonl({"key": n, "text": PAGE} for n in range(4))[:-9]
    (tmp_path / "keyed.jsonl").write_bytes(data)
    result = invoke(runner, model_path, "keyed.jsonl", "-o", "out.jsonl", "--id-field", "key")
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert "rerun `cleaner predict keyed.jsonl --output out.jsonl --id-field key --model" in last, last
    assert last.endswith("--resume` to complete out.jsonl"), last


def test_a_run_of_records_without_ids_stopped_by_sigint_offers_no_resume(
    cleaner_exe: Path, model_path: Path, tmp_path: Path
) -> None:
    """Ctrl-C on `cleaner predict noid.jsonl -o fn.jsonl` printed `rerun ... --resume` to continue,
    and that command exits 2 (`no 'id' field`). Now the stop line says the records have no id to
    continue by, and the rerun it names (without --resume) cleans them all."""
    data = jsonl({"text": f"{PAGE if n % 2 else PAGE_EN}\nĐoạn {n}.\n"} for n in range(20000))
    (tmp_path / "noid.jsonl").write_bytes(data)
    command = [str(cleaner_exe), "predict", "noid.jsonl", "-o", "fn.jsonl", "-j", "1", "--model", str(model_path)]
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    partial = tmp_path / "fn.jsonl.partial"
    interrupt_once_written(process, partial)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    last = err.splitlines()[-1]
    assert last == f"cleaner: interrupted (SIGINT); the records written so far are in fn.jsonl.partial; {NO_IDS}"


@pytest.mark.parametrize("stage", ["written ids", "input ids", "finished output"])
def test_a_signal_while_resume_reads_the_ids_says_the_output_is_as_it_was(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """Ctrl-C while --resume read the ids said only "before cleaning began; nothing was written".
    It now says the .partial (or the finished output, given its name back) is as it was, and that
    the same command continues the run."""
    import cleaner.corpus.resume as resume_module
    from cleaner.signals import Interrupted

    monkeypatch.chdir(tmp_path)
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl({"id": n, "text": PAGE} for n in range(4)))
    target = tmp_path / "out.jsonl"
    whole = interrupted_after(runner, model_path, source, target, 2)
    partial = target.with_name("out.jsonl.partial")
    if stage == "finished output":
        partial.rename(target)
    before = (target if stage == "finished output" else partial).read_bytes()

    def stopped(*args: object) -> None:
        raise Interrupted(signal.SIGINT)

    with monkeypatch.context() as patched:
        patched.setattr(resume_module, "written_ids" if stage == "written ids" else "_input_ids", stopped)
        result = invoke(runner, model_path, "in.jsonl", "-o", "out.jsonl", "--resume")
    assert result.exit_code == 130, result.output
    kept = "out.jsonl" if stage == "finished output" else "out.jsonl.partial"
    assert result.stderr == (
        "cleaner: interrupted (SIGINT) while --resume read the inputs' ids, before cleaning began; nothing was "
        f"written: {kept} is as it was; from the same directory ({tmp_path}), rerun `cleaner predict in.jsonl "
        f"--output out.jsonl --model {model_path} --resume` to continue\n"
    )
    assert (tmp_path / kept).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", kept]
    continued = invoke(runner, model_path, "in.jsonl", "-o", "out.jsonl", "--resume", "-q")
    assert continued.exit_code == 0, continued.output
    assert target.read_bytes() == whole

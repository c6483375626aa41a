"""``cleaner predict`` on corpora: JSONL and WET in, JSONL records or a mirrored tree out."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import Labelled
from corpus_support import PAGE, PAGE_EN, jsonl, lines_of, read_jsonl, record_id, wet
from support import assert_clean_shape, output_lines
from typer.testing import CliRunner

from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.predictor import Predictor
from cleaner.cli import app
from cleaner.text import split_lines

STATS = {"lines_total", "lines_kept", "chars_kept", "mean_score"}


def invoke(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)], input=stdin)


def clean_record_text(model: Predictor, text: str) -> str:
    cleaned = model.clean(text)
    return cleaned[:-1] if cleaned and not text.endswith(("\n", "\r")) else cleaned


def test_jsonl_keeps_every_other_field(
    runner: CliRunner, model_path: Path, trained_model: LineClassifier, sample_document: Labelled, tmp_path: Path
) -> None:
    records = [
        {"id": "a", "text": sample_document.text, "meta": {"url": "https://x.example/a", "n": [1, 2]}},
        {"url": "b", "text": PAGE_EN, "score": 0.5},
    ]
    source = tmp_path / "in.jsonl.gz"
    source.write_bytes(gzip.compress(jsonl(records)))
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    out = read_jsonl(tmp_path / "out.jsonl")
    assert len(out) == 2
    for before, after in zip(records, out):
        assert list(after) == [*before, "lines_total", "lines_kept", "chars_kept", "mean_score"]
        assert {k: v for k, v in after.items() if k not in STATS and k != "text"} == {
            k: v for k, v in before.items() if k != "text"
        }
        assert after["text"] == clean_record_text(trained_model.predictor_, before["text"])
        assert after["chars_kept"] == len(after["text"])
        assert after["lines_total"] == sum(1 for line in split_lines(before["text"]) if line.strip())
        assert 0 <= after["lines_kept"] <= after["lines_total"]
        assert 0.0 <= after["mean_score"] <= 1.0
    assert not list(tmp_path.glob("*.partial"))


def test_jsonl_to_stdout_with_other_text_field(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"body": PAGE, "text": "not this one"}]))
    result = invoke(runner, model_path, str(source), "--text-field", "body", "-q")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in lines_of(result.stdout)]
    assert record["text"] == "not this one"
    assert set(split_lines(record["body"])) <= set(split_lines(PAGE))


def test_stdin_jsonl_needs_input_format(runner: CliRunner, model_path: Path) -> None:
    data = gzip.compress(jsonl([{"text": PAGE}]))
    result = invoke(runner, model_path, "-", "--input-format", "jsonl", stdin=data)
    assert result.exit_code == 0, result.output
    assert "lines_kept" in json.loads(result.stdout)


def test_wet_to_records(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "CC-1.warc.wet.gz"
    source.write_bytes(wet([PAGE, PAGE_EN]))
    result = invoke(runner, model_path, str(source), "--threshold", "0")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in lines_of(result.stdout)]
    assert [(r["id"], r["url"]) for r in out] == [
        (record_id(1), "https://site.example/1"),
        (record_id(2), "https://site.example/2"),
    ]
    assert out[1]["text"] == PAGE_EN  # threshold 0 keeps every line
    assert "2 documents" in result.stderr


def test_text_files_to_one_jsonl_file(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "in" / "sub" / "b.txt").write_text(PAGE_EN, encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(tmp_path / "in"), "-o", str(target), "--id-field", "path")
    assert result.exit_code == 0, result.output
    out = read_jsonl(target)
    assert [r["path"] for r in out] == [str(tmp_path / "in" / "a.txt"), str(tmp_path / "in" / "sub" / "b.txt")]
    assert all(set(r) == {"path", "text", *STATS} for r in out)


def test_mixed_directory_to_tree(
    runner: CliRunner, model_path: Path, trained_model: LineClassifier, tmp_path: Path
) -> None:
    source = tmp_path / "in"
    (source / "shards").mkdir(parents=True)
    (source / "page.txt").write_text(PAGE, encoding="utf-8")
    (source / "shards" / "000.jsonl.gz").write_bytes(gzip.compress(jsonl([{"text": PAGE}, {"text": PAGE_EN}])))
    (source / "shards" / "CC.warc.wet.gz").write_bytes(wet([PAGE]))
    out = tmp_path / "out"
    result = invoke(runner, model_path, str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["page.txt", "shards/000.jsonl", "shards/CC.warc.wet.jsonl"]
    assert (out / "page.txt").read_text(encoding="utf-8") == trained_model.predictor_.clean(PAGE)
    assert len(read_jsonl(out / "shards" / "000.jsonl")) == 2
    assert read_jsonl(out / "shards" / "CC.warc.wet.jsonl")[0]["id"] == record_id(1)


def test_per_line_jsonl_names_a_record_by_its_id_field_without_id_field_given(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """``-f jsonl`` named each line of a record that has an ``id`` by the input line (``in.jsonl:1``)
    unless --id-field was given."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": 0, "text": "Menu\nBody."}, {"text": "Other."}]))
    result = invoke(runner, model_path, str(source), "-f", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in lines_of(result.stdout)]
    assert [r["file"] for r in rows] == ["0", "0", f"{source}:2"]


def test_per_line_jsonl_on_jsonl_input_names_the_record(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": 7, "text": "Menu\nBody."}, {"text": "Other."}]))
    result = invoke(runner, model_path, str(source), "-f", "jsonl", "--id-field", "id")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in lines_of(result.stdout)]
    assert [(r["file"], r["line"], r["text"]) for r in rows] == [
        ("7", 1, "Menu"),
        ("7", 2, "Body."),
        (f"{source}:2", 1, "Other."),
    ]


def test_single_text_file_keeps_plain_output(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    result = invoke(runner, model_path, str(page), "--threshold", "0")  # a line kept: nothing to report
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # one document: no summary
    assert_clean_shape(output_lines(result.stdout), split_lines(PAGE))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["x.jsonl", "-f", "labels"], "--format labels"),
        (["x.jsonl", "--output-format", "text"], "--output-format text"),
        (["a.txt", "-f", "jsonl", "--output-format", "jsonl"], "--format jsonl"),
        (["a.txt", "--resume"], "--resume needs -o"),
        (["a.txt", "-o", "o.jsonl", "-f", "jsonl", "--resume"], "--format jsonl"),
        (["-", "-"], "only once"),
        (["a.txt", "--text-field", ""], "--text-field"),
        (["a.txt", "--jobs", "0"], "--jobs"),
        (["a.txt", "--encoding", "no-such-codec"], "--encoding"),
    ],
)
def test_usage_errors(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    (tmp_path / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "x.jsonl").write_bytes(jsonl([{"text": PAGE}]))
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, model_path, *args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert "Traceback" not in result.output


def test_output_that_is_a_file_is_a_usage_error(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "taken").write_text("", encoding="utf-8")
    result = invoke(runner, model_path, str(tmp_path / "a.txt"), "-o", str(tmp_path / "taken"))
    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_help_documents_the_corpus_options(runner: CliRunner) -> None:
    out = runner.invoke(app, ["predict", "--help"], terminal_width=200).stdout
    for option in ("--input-format", "--output-format", "--text-field", "--id-field", "--jobs", "--quiet"):
        assert option in out
    for option in ("--fail-fast", "--resume", "--max-document-mb"):
        assert option in out


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_jsonl_output(runner: CliRunner, model_path: Path, tmp_path: Path, suffix: str) -> None:
    """-o out.jsonl.gz / .zst: the records of -o out.jsonl, compressed, renamed into place when complete."""
    import zstandard

    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl({"id": n, "text": PAGE if n % 2 else PAGE_EN} for n in range(40)))
    plain, packed = tmp_path / "out.jsonl", tmp_path / f"out{suffix}"
    for target in (plain, packed):
        result = invoke(runner, model_path, str(source), "-o", str(target), "-j", "1")
        assert result.exit_code == 0, result.output
    data = packed.read_bytes()
    if suffix == ".jsonl.gz":
        unpacked = gzip.decompress(data)
    else:
        unpacked = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True).read()
    assert unpacked == plain.read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_compressed_output_is_never_half_written(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """A run that stops early leaves no out.jsonl.gz, and --resume refuses a compressed stream."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl([{"id": 1, "text": PAGE}]) + b"not json\n" + jsonl([{"id": 3, "text": PAGE_EN}]))
    target = tmp_path / "out.jsonl.gz"
    result = invoke(runner, model_path, str(source), "-o", str(target), "--fail-fast")
    assert result.exit_code == 1
    assert not target.exists()
    written = lines_of(gzip.decompress(Path(f"{target}.partial").read_bytes()).decode())  # ended properly
    assert [json.loads(line)["id"] for line in written] == [1]
    assert "--resume" not in result.stderr.splitlines()[-1]
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume", "--id-field", "id")
    assert result.exit_code == 2
    assert "cannot continue a compressed output" in result.stderr


@pytest.mark.parametrize("resume", [False, True])
def test_next_run_removes_temporaries_a_killed_run_left(
    runner: CliRunner, model_path: Path, tmp_path: Path, resume: bool
) -> None:
    """A SIGKILL leaves the hidden temporary file being written; the next run into -o DIR deletes
    those of its own outputs (even of an input --resume skips) and nothing else."""
    source = tmp_path / "in"
    (source / "shards").mkdir(parents=True)
    (source / "page.txt").write_text(PAGE, encoding="utf-8")
    (source / "shards" / "000.jsonl").write_bytes(jsonl([{"id": 1, "text": PAGE}]))
    out = tmp_path / "out"
    (out / "shards").mkdir(parents=True)
    (out / "page.txt").write_text("cleaned before", encoding="utf-8")
    stale = [out / ".page.txt.k3x_9q2a.tmp", out / "shards" / ".000.jsonl.a1b2c3d4.tmp"]
    kept = [out / ".other.txt.k3x_9q2a.tmp", out / ".page.txt.notes.tmp", out / ".page.txt.k3x_9q2a.tmp.bak"]
    for path in stale + kept:
        path.write_bytes(b"half")
    result = invoke(runner, model_path, str(source), "-o", str(out), *(["--resume"] if resume else []))
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)
    assert ((out / "page.txt").read_text(encoding="utf-8") == "cleaned before") is resume

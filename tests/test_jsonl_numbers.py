"""Numbers in JSONL records come out of ``cleaner predict`` as they went in, and the output is JSON.

They were read as 64-bit floats by Python's json and written back by it: ``1e400`` came out as
``Infinity`` (no JSON: jq, orjson and Spark refuse the line), ``0.12345678901234567890123`` and
``12345678901234567890.5`` lost digits, ``1.0e2`` became ``100.0``; NaN and Infinity in the input
(no JSON either) went through into the output. Now a number's text is kept, and a record holding
NaN or Infinity is refused, with its place and what to write instead.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from corpus_support import PAGE, PAGE_EN, done_before, lines_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus.items import Raw
from cleaner.corpus.readers import ParseOptions, parse
from cleaner.corpus.readers.jsonl import KIND as JSONL
from cleaner.corpus.renderers import Style, Verdict, render_record
from cleaner.corpus.resume import id_key, written_ids

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Number texts a 64-bit float does not give back as they are, and some it does.
CHANGED_BY_FLOATS = [
    "1e400",
    "-1e400",
    "1e-400",
    "0.12345678901234567890123",
    "12345678901234567890.5",
    "1.0e2",
    "1E+05",
    "2.50",
    "-0",
]
KEPT_BY_FLOATS = ["0.5", "1.0", "-0.0", "100", "-7", "123456789012345678901234567890"]
NON_STANDARD = ["NaN", "Infinity", "-Infinity"]
COUNTS = ("lines_total", "lines_kept", "chars_kept", "mean_score")


class Text(str):
    """A number as its JSON text, told apart from a string of the same letters."""


def strict(line: str) -> Any:
    """``line`` as a strict JSON reader reads it (NaN and Infinity refused, as jq and orjson refuse
    them), numbers as their :class:`Text`."""

    def refuse(literal: str) -> None:
        raise ValueError(f"{literal} is no JSON")

    return json.loads(line, parse_float=Text, parse_int=Text, parse_constant=refuse)


def invoke(runner: CliRunner, model_path: Path, *args: str, stdin: bytes | None = None):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path)], input=stdin)


def record_line(number: str, ident: str = '"a"', text: str = PAGE) -> bytes:
    """A record holding ``number`` (its text, unquoted) at the top level and nested."""
    fields = f'"n": {number}, "deep": [{number}, {{"m": {number}}}]'
    return f'{{"id": {ident}, "text": {json.dumps(text)}, {fields}}}\n'.encode()


@pytest.mark.parametrize("number", CHANGED_BY_FLOATS + KEPT_BY_FLOATS)
def test_numbers_in_records_come_back_as_their_text(
    runner: CliRunner, model_path: Path, tmp_path: Path, number: str
) -> None:
    """-o FILE.jsonl: the number's text, where it was, in a line that a strict reader reads."""
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(record_line(number))
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target))
    assert result.exit_code == 0, result.output
    (line,) = lines_of(target.read_text(encoding="utf-8"))
    assert f'"n": {number}, "deep": [{number}, {{"m": {number}}}]' in line
    record = strict(line)
    assert record["n"] == record["deep"][0] == record["deep"][1]["m"] == number


def test_records_on_standard_output_keep_their_numbers(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """Records to standard output (a JSONL input's default, and -o -) are written as -o FILE's are."""
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(b"".join(record_line(number) for number in CHANGED_BY_FLOATS))
    for args in ([], ["-o", "-"]):
        result = invoke(runner, model_path, str(source), *args)
        assert result.exit_code == 0, result.output
        lines = lines_of(result.stdout)
        assert [strict(line)["n"] for line in lines] == CHANGED_BY_FLOATS


def test_the_per_line_records_name_a_number_id_by_its_text(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """--format jsonl --id-field id: each line's record names its document by the id as written
    (``1.0e2``, not ``100.0``)."""
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(record_line("7", ident="1.0e2", text=PAGE_EN))
    result = invoke(runner, model_path, str(source), "--format", "jsonl", "--id-field", "id")
    assert result.exit_code == 0, result.output
    assert {strict(line)["file"] for line in lines_of(result.stdout)} == {"1.0e2"}


def test_an_int_longer_than_python_converts_is_kept(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """An int of 5000 digits: Python's int() refuses more than 4300 (a guard against slow parsing),
    and the run ended in a traceback. It is kept as its text too."""
    number = "9" * 5000
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(record_line(number))
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f'"n": {number},' in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("literal", NON_STANDARD)
def test_nan_and_infinity_refuse_their_record_with_where_and_what_to_do(
    runner: CliRunner, model_path: Path, tmp_path: Path, literal: str
) -> None:
    """NaN, Infinity and -Infinity, which Python's json writes and no strict reader reads, went into
    the output. Now their record is refused as a line that is not JSON is: its place, the column,
    and what to write instead; the other records are cleaned, and the output holds no such literal."""
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(record_line("1", '"a"') + record_line(literal, '"b"') + record_line("2", '"c"'))
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target))
    assert result.exit_code == 1
    column = record_line(literal).decode().index(literal) + 1
    assert (
        f"cleaner: {source}:2: not valid JSON ({literal} at column {column}: JSON has no NaN or Infinity, though "
        "Python's json writes them); write null or a string in its place"
    ) in result.stderr.splitlines()
    lines = lines_of(target.read_text(encoding="utf-8"))
    assert [strict(line)["id"] for line in lines] == ["a", "c"]
    assert not re.search(r"NaN|Infinity", target.read_text(encoding="utf-8"))


def test_a_last_record_with_nan_is_refused_for_it_not_called_truncated(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """A last line without a line break that does not parse is taken for a file cut short; NaN does
    not make it one: the message says what is wrong with it."""
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(record_line("1") + record_line("NaN", '"b"').rstrip(b"\n"))
    result = invoke(runner, model_path, str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1
    assert f"cleaner: {source}:2: not valid JSON (NaN at column" in result.stderr
    assert "truncated" not in result.stderr


def test_resume_finds_number_ids_in_the_output(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """--resume reads the ids back from the output and compares them with the inputs': ids that are
    numbers, of any spelling, are found there as they were written, so resuming skips exactly the
    records written and the output ends as an uninterrupted run's. (So they were when both were
    read as floats: this guards the comparison now that both keep their text.)"""
    source = tmp_path / "crawl.jsonl"
    ids = ["0.5", "1.0e2", "1e400", "0.12345678901234567890123", "2.50", "1", '"1"']
    source.write_bytes(b"".join(record_line("3", ident, PAGE if n % 2 else PAGE_EN) for n, ident in enumerate(ids)))
    target = tmp_path / "out.jsonl"
    assert invoke(runner, model_path, str(source), "-o", str(target), "-q").exit_code == 0
    whole = target.read_bytes()
    target.unlink()
    target.with_name("out.jsonl.partial").write_bytes(b"".join(whole.splitlines(keepends=True)[:4]))
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 0, result.output
    assert done_before(result.stderr)[1] == 4
    assert target.read_bytes() == whole


def test_ids_that_one_float_would_merge_are_two_ids(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """0.1 and 0.10000000000000000001 are one 64-bit float: --resume took them for one id repeated,
    and refused to run. They are two ids, as they are two texts in the output."""
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(record_line("3", "0.1") + record_line("3", "0.10000000000000000001", PAGE_EN))
    target = tmp_path / "out.jsonl"
    result = invoke(runner, model_path, str(source), "-o", str(target), "--resume")
    assert result.exit_code == 0, result.output
    assert [strict(line)["id"] for line in lines_of(target.read_text(encoding="utf-8"))] == [
        "0.1",
        "0.10000000000000000001",
    ]


# JSON values, numbers drawn as texts: any of the grammar's, and Python's floats and ints as json writes them.
NUMBER_TEXTS = st.one_of(
    st.from_regex(r"-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers().map(str),
).map(Text)
SCALARS = st.one_of(st.none(), st.booleans(), st.text(), NUMBER_TEXTS)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(), children, max_size=4)),
    max_leaves=20,
)
FIELDS = st.dictionaries(st.text().filter(lambda key: key not in ("text", *COUNTS)), VALUES, max_size=6)


def as_json(value: Any) -> str:
    """``value`` as JSON text, a :class:`Text` unquoted (the test's own writer of its inputs)."""
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {as_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(as_json(item) for item in value) + "]"
    return json.dumps(value)


def tagged(value: Any) -> Any:
    """``value`` with each number as ("number", its text): a number then equals no string."""
    if isinstance(value, Text):
        return ("number", str(value))
    if isinstance(value, dict):
        return {key: tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tagged(item) for item in value]
    return value


def through(record: dict[str, Any], options: ParseOptions) -> tuple[bytes, Any]:
    """``record`` as a line read by the JSONL reader and written by the record renderer, every line
    kept: the output line, and the record as the reader parsed it."""
    doc = parse(Raw(JSONL, "crawl.jsonl:1", (as_json(record) + "\n").encode()), options)
    kept = sum(1 for text in doc.lines if text.strip())
    verdict = Verdict(np.full(kept, 0.9), [True] * kept, kept)
    parsed = dict(doc.record)
    return render_record(doc, verdict, Style(0.5)), parsed


@FAST
@given(FIELDS)
def test_any_record_comes_back_with_its_number_texts(fields: dict[str, Any]) -> None:
    """Any JSON record, through the reader and the renderer with its text unchanged: the same
    document, every number spelled as it was, in one line that a strict reader reads."""
    record = {"text": "A body paragraph.", **fields}
    out, _ = through(record, ParseOptions())
    assert out.endswith(b"\n") and out.count(b"\n") == 1
    written = strict(out.decode("utf-8"))
    assert tagged({key: written[key] for key in record}) == tagged(record)
    assert list(written) == [*record, *COUNTS]


@FAST
@given(VALUES)
def test_any_id_read_back_from_the_output_is_the_inputs(ident: Any) -> None:
    """--resume's key of an id read back from the output (:func:`written_ids`) is the key of the id
    read from the input, whatever JSON value it is: a document written is found done (as
    :func:`test_resume_finds_number_ids_in_the_output` does, for any id)."""
    out, parsed = through({"id": ident, "text": "A body paragraph."}, ParseOptions(id_field="id"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.jsonl"
        path.write_bytes(out)
        assert list(written_ids(path, "id")) == ([] if ident is None else [id_key(parsed["id"])])

"""A WET record is read in the charset its Content-Type declares (``text/plain; charset=koi8-r``)
unless --encoding is given, which is then used for every record.

Every record was read as UTF-8: each record in another charset failed, and the --encoding its
error advised garbled the file's UTF-8 records without a word. (Common Crawl's WET files are all
UTF-8; other producers keep each page's charset.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_support import lines_of, record_id, warc_record
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus.items import InputFile, Raw
from cleaner.corpus.readers import BadDocument, ParseOptions, parse, read_input
from cleaner.corpus.readers.warc import KIND as WARC

FR = "Accueil | Actualités | Contact\nLe gouvernement a annoncé mercredi une réforme très attendue.\n"
RU = "Главная | Новости | Спорт\nВ среду правительство объявило о реформе пенсионной системы.\n"
JA = "ホーム | ニュース | スポーツ\n政府は水曜日、年金制度改革を発表した。\n"
# (text, the charset its record declares, the charset its bytes are in)
PAGES = [
    (FR, "windows-1252", "windows-1252"),
    (RU, "koi8-r", "koi8-r"),
    (JA, "shift_jis", "shift_jis"),
    (FR, "utf-8", "utf-8"),
    (FR, "ISO-8859-1", "iso-8859-1"),
    (RU, '"KOI8-R"', "koi8-r"),  # quoted, upper case
    (JA, None, "utf-8"),  # none declared: UTF-8
]


def wet(pages: list[tuple[str, str | None, str]]) -> bytes:
    made = [warc_record("warcinfo", b"software: test\r\n", 0)]
    for n, (text, declared, encoding) in enumerate(pages, 1):
        content_type = "text/plain" if declared is None else f"text/plain; charset={declared}"
        body, uri = text.encode(encoding), f"https://site.example/{n}"
        made.append(warc_record("conversion", body, n, uri, content_type=content_type))
    return b"".join(made)


def invoke(runner: CliRunner, model_path: Path, *args: str):
    return runner.invoke(app, ["predict", *args, "--model", str(model_path), "-q", "--threshold", "0"])


def texts(stdout: str) -> dict[str, str]:
    return {r["id"]: r["text"] for r in map(json.loads, lines_of(stdout))}


def raws(path: Path) -> list[Raw]:
    return [i for i in read_input(InputFile(str(path), Path(path.name), WARC, None), 10_000_000) if isinstance(i, Raw)]


def test_each_record_is_read_in_its_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "crawl.wet"
    path.write_bytes(wet(PAGES))
    assert [parse(raw, ParseOptions()).text for raw in raws(path)] == [text for text, _, _ in PAGES]


def test_a_corpus_of_charsets_is_cleaned_whole(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "crawl.wet"
    path.write_bytes(wet(PAGES))
    result = invoke(runner, model_path, str(path))
    assert result.exit_code == 0, result.output
    assert texts(result.stdout) == {record_id(n): text for n, (text, _, _) in enumerate(PAGES, 1)}


def test_encoding_given_is_used_for_every_record(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """--encoding is the user's word for every record, the charsets records declare aside; a record
    that fails in it names the charset it declares, which is used without --encoding."""
    path = tmp_path / "crawl.wet"
    path.write_bytes(wet(PAGES[:4]))
    latin = invoke(runner, model_path, str(path), "--encoding", "latin-1")
    assert latin.exit_code == 0, latin.output
    assert texts(latin.stdout)[record_id(2)] == RU.encode("koi8-r").decode("latin-1")
    utf8 = invoke(runner, model_path, str(path), "--encoding", "utf-8")
    assert utf8.exit_code == 1
    assert list(texts(utf8.stdout)) == [record_id(4)]
    assert (
        f"cleaner: {path}:{record_id(2)}: byte 0xe7 at line 1, column 1 is not valid utf-8; pass --encoding if the "
        "file is in another encoding, or --errors replace to substitute undecodable bytes; the record declares "
        "charset=koi8-r, which is used without --encoding\n"
    ) in utf8.stderr


def test_an_unknown_charset_is_an_error_that_names_it(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "crawl.wet"
    path.write_bytes(wet([(FR, "x-no-such-charset", "utf-8"), (FR, "utf-8", "utf-8")]))
    result = invoke(runner, model_path, str(path))
    assert result.exit_code == 1
    assert list(texts(result.stdout)) == [record_id(2)]
    assert (
        f"cleaner: {path}:{record_id(1)}: the record declares charset=x-no-such-charset (its Content-Type), an "
        "encoding Python does not know; pass --encoding to read every record in another encoding (it overrides "
        "the charset a record declares)\n"
    ) in result.stderr


@pytest.mark.parametrize("errors", ["strict", "replace"])
def test_errors_holds_for_a_declared_charset(runner: CliRunner, model_path: Path, tmp_path: Path, errors: str) -> None:
    """A byte the declared charset cannot decode: an error naming it and what to do, or, with
    --errors replace, a replacement character."""
    page = JA.encode("shift_jis").replace("年".encode("shift_jis"), b"\xff\xff", 1)
    path = tmp_path / "crawl.wet"
    path.write_bytes(b"".join([warc_record("conversion", page, 1, content_type="text/plain; charset=shift_jis")]))
    result = invoke(runner, model_path, str(path), "--errors", errors)
    if errors == "replace":
        assert result.exit_code == 0, result.output
        assert texts(result.stdout)[record_id(1)] == JA.replace("年", "\ufffd\ufffd", 1)
    else:
        assert result.exit_code == 1
        (error,) = [line for line in result.stderr.splitlines() if record_id(1) in line]
        assert error.endswith(
            "is not valid shift_jis; shift_jis is the charset the record declares: pass --errors replace to "
            "substitute undecodable bytes, or --encoding to read every record in another encoding (it overrides the "
            "charset a record declares)"
        ), error


def test_a_record_without_charset_says_it_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "crawl.wet"
    path.write_bytes(wet([(FR, None, "windows-1252")]))
    (raw,) = raws(path)
    with pytest.raises(BadDocument, match="the record declares no charset, so it is read as utf-8: pass --errors"):
        parse(raw, ParseOptions())

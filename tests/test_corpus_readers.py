"""Streaming readers: the registry of input kinds, JSONL (plain, gzip, zstd), WET, and input expansion;
arbitrary bytes never crash them."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import pytest
import zstandard
from corpus_support import jsonl, record_id, wet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.corpus import sources
from cleaner.corpus.items import InputDone, InputError, InputFile, Raw
from cleaner.corpus.readers import DEFAULT_KIND, READERS, Parsed, ParseOptions, Reader, parse, read_input, streams
from cleaner.corpus.readers.jsonl import KIND as JSONL
from cleaner.corpus.readers.text import KIND as TEXT
from cleaner.corpus.readers.warc import KIND as WARC
from cleaner.corpus.sources import KNOWN_FILES, Note, detect_kind, expand_inputs

LIMIT = 10_000_000
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def source(path: Path, kind: str) -> InputFile:
    return InputFile(str(path), Path(path.name), kind, path.stat().st_size)


def read(path: Path, kind: str, limit: int = LIMIT) -> list:
    return list(read_input(source(path, kind), limit))


def test_every_reader_is_one_complete_table_entry() -> None:
    """Adding an input format is one module and one entry in READERS: the entry carries everything
    (its name, suffixes, reading and parsing), and the rest is derived from the table."""
    assert DEFAULT_KIND in READERS
    claimed: dict[str, str] = {}
    for kind, reader in READERS.items():
        assert isinstance(reader, Reader)
        assert reader.kind == kind
        assert reader.suffixes, kind
        assert all(suffix.startswith(".") and suffix == suffix.lower() for suffix in reader.suffixes)
        assert callable(reader.read) and callable(reader.parse)
        for suffix in reader.suffixes:
            assert suffix not in claimed, f"{suffix} claimed by {claimed.get(suffix)} and {kind}"
            claimed[suffix] = kind
            assert detect_kind(f"name{suffix.upper()}") == kind
            assert f"*.{suffix.split('.')[1]}" in KNOWN_FILES
    assert sources.suffix_table(READERS) == sources.SUFFIXES
    assert list(sources.SUFFIXES) == sorted(claimed, key=len, reverse=True)


def test_a_new_reader_needs_only_its_table_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind added to READERS (and nowhere else: what sources derives from the table at import is
    derived again here) is found in directories, read and parsed."""

    def read(source: InputFile, limit: int):
        data = Path(source.name).read_bytes()
        yield Raw("upper", source.name, data, ident=source.name, relative=source.relative, consumed=len(data))

    def parse_upper(raw: Raw, options: ParseOptions) -> Parsed:
        text = raw.data.decode().upper()
        return Parsed(raw, text, text.splitlines(), {options.id_name: raw.ident}, raw.ident)

    monkeypatch.setitem(READERS, "upper", Reader("upper", (".up",), records=False, read=read, parse=parse_upper))
    monkeypatch.setattr(sources, "SUFFIXES", sources.suffix_table(READERS))
    (tmp_path / "a.up").write_bytes(b"shout\n")
    (found,) = expand_inputs([str(tmp_path)])
    assert isinstance(found, InputFile) and found.kind == "upper"
    (raw,) = read_input(found, LIMIT)
    assert isinstance(raw, Raw)
    assert parse(raw, ParseOptions()).lines == ["SHOUT"]


def test_known_files_message() -> None:
    assert KNOWN_FILES == "*.txt[.gz|.zst], *.jsonl[.gz|.zst], *.warc[.gz|.zst], *.wet[.gz|.zst]"


def test_a_directory_gives_its_zstd_wet_files(tmp_path: Path) -> None:
    """A directory gave *.jsonl.zst but passed over *.warc.wet.zst ("1 file of no known kind not
    read"), which the WARC reader reads when the file is named."""
    (tmp_path / "CC-1.warc.wet.zst").write_bytes(
        zstandard.ZstdCompressor().compress(wet(["First page\nBody."], gz=False))
    )
    (found,) = expand_inputs([str(tmp_path)])
    assert isinstance(found, InputFile) and found.kind == WARC
    raws = [item for item in read_input(found, LIMIT) if isinstance(item, Raw)]
    assert [raw.ident for raw in raws] == [record_id(1)]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.txt", TEXT),
        ("a.jsonl", JSONL),
        ("a.JSONL.GZ", JSONL),
        ("a.jsonl.zst", JSONL),
        ("CC-1.warc.wet.gz", WARC),
        ("x.warc.gz", WARC),
        ("x.warc", WARC),
        ("x.wet", WARC),
        ("CC-1.warc.wet.zst", WARC),
        ("x.warc.zst", WARC),
        ("notes.md", None),
        ("a.json", None),
    ],
)
def test_detect_kind(name: str, kind: str | None) -> None:
    assert detect_kind(name) == kind


def test_a_folder_s_notes_count_in_the_singular_and_plural(tmp_path: Path) -> None:
    """The notes said "1 JSONL/WARC file(s)", "symbolic link(s) to folders" and "1 file(s)"."""
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "meta.jsonl", "notes.md", "sub/b.txt"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "linked").symlink_to(tmp_path / "sub", target_is_directory=True)
    raw = str(tmp_path)
    notes = [str(item) for item in expand_inputs([raw]) if isinstance(item, Note)]
    assert [note.split(" (")[0] for note in notes] == [
        f"{raw}: 1 JSONL/WARC file beside the dumps not read",
        f"{raw}: 1 linked folder not followed",
        f"{raw}: 1 file of no known kind not read",
    ]
    for name in ("more.jsonl", "also.md"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "again").symlink_to(tmp_path / "sub", target_is_directory=True)
    notes = [str(item) for item in expand_inputs([raw]) if isinstance(item, Note)]
    assert [note.split(" (")[0] for note in notes] == [
        f"{raw}: 2 JSONL/WARC files beside the dumps not read",
        f"{raw}: 2 linked folders not followed",
        f"{raw}: 2 files of no known kind not read",
    ]


def test_a_folder_s_notes_list_names_as_every_message_does(tmp_path: Path) -> None:
    """The first three names in order, then how many more: "a, b, c and 2 more", as cleaner.text's
    listed() says it everywhere else; the notes said "a, b, c, ..." and left the rest uncounted."""
    names = ["a.md", "b.md", "c.md", "d.md", "e.md"]
    for name in ["page.txt", *names]:
        (tmp_path / name).write_bytes(b"")
    (others,) = [str(item) for item in expand_inputs([str(tmp_path)]) if isinstance(item, Note)]
    shown = ", ".join(str(tmp_path / name) for name in names[:3])
    assert f"5 files of no known kind not read ({shown} and 2 more): " in others, others
    assert "..." not in others and str(tmp_path / "d.md") not in others


def test_directory_expansion_takes_known_kinds(tmp_path: Path) -> None:
    """Files of known kinds, sorted, recursively; JSONL and WARC files beside *.txt dumps are their
    metadata (a note names them), read only when a format is asked for."""
    names = (
        "b.txt",
        "meta.jsonl",
        "shards/a.jsonl.gz",
        "sub/c.warc.wet.gz",
        "notes.md",
        ".a.txt.x1.tmp",
        "o.jsonl.partial",
    )
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = list(expand_inputs([str(tmp_path)]))
    files = [(f.relative.as_posix(), f.kind) for f in found if isinstance(f, InputFile)]
    assert files == [("b.txt", TEXT), ("shards/a.jsonl.gz", JSONL), ("sub/c.warc.wet.gz", WARC)]
    metadata, others = [str(f) for f in found if isinstance(f, Note)]
    assert "meta.jsonl" in metadata and "--input-format" in metadata
    assert "1 file of no known kind" in others and "notes.md" in others  # not the .tmp nor the .partial
    asked = [f.relative.as_posix() for f in expand_inputs([str(tmp_path)], JSONL) if isinstance(f, InputFile)]
    assert asked == ["meta.jsonl", "shards/a.jsonl.gz"]


CONTROLS = ["\t", "\x00", "\x01", "\x1b", "\x1f", "\r"]  # raw, inside a string: the JSONL reader takes them


@pytest.mark.parametrize("control", CONTROLS, ids=[f"{ord(c):#04x}" for c in CONTROLS])
@pytest.mark.parametrize("compress", [lambda b: b, gzip.compress])
def test_records_with_raw_control_characters_sniff_as_jsonl(control: str, compress) -> None:
    """JSONL whose first record held a raw tab (or NUL...) inside a string was sniffed as text, by
    the stdlib's strict json, though the reader takes such records: piped, it was cleaned as one page."""
    head = ('{"id": "1", "text": "a' + control + 'b"}\n{"id": "2", "text": "c' + control + '"}\n').encode()
    assert streams.sniff(compress(head)) == JSONL
    assert streams.looks_like_records(compress(head)) == JSONL


@pytest.mark.parametrize(
    "head",
    [
        b"{ this page starts with a brace }\nHome\nAbout\n",
        b"{{template}}\nA body paragraph.\n",
        b'{"unclosed": "a\tb"\nmore text\n',
        b"{" * 100_000 + b"\n",
    ],
)
def test_a_text_dump_starting_with_a_brace_sniffs_as_text(head: bytes) -> None:
    assert streams.sniff(head) is None
    assert streams.looks_like_records(head + b"second line\n") is None


@pytest.mark.parametrize("compress", [lambda b: b, gzip.compress, zstandard.ZstdCompressor().compress])
def test_jsonl_records_lazily_with_line_numbers(tmp_path: Path, compress) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(compress(b'\xef\xbb\xbf{"text": "a"}\n\n  \n{"text": "b"}\n{"text": "c"}'))
    items = read(path, JSONL)
    assert [(i.where, i.data) for i in items if isinstance(i, Raw)] == [
        (f"{path}:1", b'{"text": "a"}\n'),
        (f"{path}:4", b'{"text": "b"}\n'),
        (f"{path}:5", b'{"text": "c"}'),
    ]
    assert isinstance(items[-1], InputDone)


def test_truncated_gzip_keeps_records_before_the_damage(tmp_path: Path) -> None:
    whole = gzip.compress(jsonl({"text": f"page {n}"} for n in range(200)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) - 40])
    items = read(path, JSONL)
    errors = [i for i in items if isinstance(i, InputError)]
    assert len(errors) == 1
    assert "the file is truncated" in errors[0].message and errors[0].incomplete
    assert errors[0].where.startswith(f"{path}:")
    assert sum(isinstance(i, Raw) for i in items) > 100
    assert items[-1] == InputDone(Path(path.name), complete=False)


def test_overlong_jsonl_line_is_skipped_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "' + b"x" * 3_000_000 + b'"}\n{"text": "after"}\n')
    items = read(path, JSONL, limit=1_000_000)
    assert [type(i).__name__ for i in items] == ["Raw", "InputError", "Raw", "InputDone"]
    assert items[1].where == f"{path}:2"
    assert "--max-document-mb" in items[1].message


def test_wet_conversion_records(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.wet.gz"
    path.write_bytes(wet(["First page\nBody.", "Second page"]))
    raws = [i for i in read(path, WARC) if isinstance(i, Raw)]
    assert [(r.ident, r.url, r.data) for r in raws] == [
        (record_id(1), "https://site.example/1", b"First page\nBody."),
        (record_id(2), "https://site.example/2", b"Second page"),
    ]


def test_warc_without_conversion_records_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "raw.warc"
    path.write_bytes(wet([], gz=False))
    errors = [i for i in read(path, WARC) if isinstance(i, InputError)]
    assert len(errors) == 1
    assert "conversion" in errors[0].message


def _read_bytes(data: bytes, suffix: str, kind: str) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"in{suffix}"
        path.write_bytes(data)
        return read(path, kind, limit=1000)


@FAST
@given(st.binary(max_size=3000))
def test_jsonl_reader_arbitrary_bytes(data: bytes) -> None:
    items = _read_bytes(data, ".jsonl", JSONL)
    assert all(isinstance(i, (Raw, InputError, InputDone)) for i in items)
    lines = data.split(b"\n")
    for item in items:
        if isinstance(item, Raw):
            number = int(item.where.rsplit(":", 1)[1])
            line = lines[number - 1]
            assert item.data.rstrip(b"\n") == (line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line)


@FAST
@given(st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(lambda b: b"\x1f\x8b\x08" + b)))
def test_gzip_and_warc_readers_arbitrary_bytes(data: bytes) -> None:
    for suffix, kind in ((".jsonl.gz", JSONL), (".warc.gz", WARC)):
        items = _read_bytes(data, suffix, kind)
        assert all(isinstance(i, (Raw, InputError, InputDone)) for i in items)


@FAST
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=200), max_size=4))
def test_wet_round_trips_arbitrary_text(texts: list[str]) -> None:
    raws = [i for i in _read_bytes(wet(texts), ".warc.wet.gz", WARC) if isinstance(i, Raw)]
    assert [r.data for r in raws] == [t.encode() for t in texts]

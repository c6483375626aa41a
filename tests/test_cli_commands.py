"""The other CLI surfaces: --help, the commands found through entry points, a missing model,
``labels check`` and ``suggest``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import SEED_NAMES, Fitted, Labelled
from typer.testing import CliRunner

from cleaner.classifier.estimator import LineClassifier
from cleaner.cli import app


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["predict", "--help"],
        ["labels", "--help"],
        ["labels", "check", "--help"],
        ["train", "--help"],
        ["evaluate", "--help"],
        ["suggest", "--help"],
        ["label", "--help"],
    ],
)
def test_help(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout


@pytest.mark.parametrize(
    "args", [["-h"], ["predict", "-h"], ["labels", "-h"], ["labels", "check", "-h"], ["train", "-h"], ["label", "-h"]]
)
def test_h_is_short_for_help(runner: CliRunner, args: list[str]) -> None:
    """-h is what many people type first; it shows the same help as --help."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == runner.invoke(app, [*args[:-1], "--help"]).stdout


@pytest.mark.parametrize("args", [["predict"], ["train"], ["evaluate"], ["suggest"], ["label"]])
def test_help_paragraphs_fill_an_80_column_terminal(runner: CliRunner, args: list[str]) -> None:
    """The commands' descriptions are reflowed to the terminal, not cut where the source wraps them:
    kept as written, a 100-column docstring line broke into a full line and a stub of a few words on
    a terminal of 80 columns, every second line of every paragraph."""
    out = runner.invoke(app, [*args, "--help"], terminal_width=80).stdout
    # Before the boxes of arguments and options, or their plain sections (below 120 columns, see test_help_width).
    description = re.split(r"╭|\n(?:Arguments|Options):", out)[0]
    paragraphs: list[list[str]] = [[]]
    for line in description.splitlines():  # blank lines (padded with spaces) end a paragraph
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    assert sum(len(lines) > 1 for lines in paragraphs) >= 1, description  # a paragraph to check
    for lines in paragraphs:
        for line in lines[:-1]:  # every line of a paragraph but its last is full
            assert len(line.strip()) >= 60, (args, line)


def test_help_lists_the_training_commands(runner: CliRunner) -> None:
    """train, evaluate, labels and suggest come from the cleaner.commands entry points."""
    out = runner.invoke(app, ["--help"]).stdout
    for command in ("predict", "train", "evaluate", "labels", "suggest", "label"):
        assert command in out
    assert "Work with labelled dumps" in out


def test_a_mistyped_command_is_suggested(runner: CliRunner) -> None:
    result = runner.invoke(app, ["trian"])
    assert result.exit_code == 2
    assert "train" in result.output


def test_a_broken_plugin_says_so_in_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry point that cannot be imported, or names no Typer app, is listed and explains itself."""
    from importlib.metadata import EntryPoint

    from cleaner.cli.plugins import GROUP, PluginGroup

    broken = {
        "gone": EntryPoint("gone", "cleaner.training.no_such_module:app", GROUP),
        "odd": EntryPoint("odd", "cleaner.training.commands:REPOSITORY", GROUP),
    }
    monkeypatch.setattr(PluginGroup, "plugins", lambda self: broken)
    listing = runner.invoke(app, ["--help"])
    assert listing.exit_code == 0, listing.output
    assert "gone" in listing.stdout and "odd" in listing.stdout and "unavailable" in listing.stdout
    for name in broken:
        result = runner.invoke(app, [name])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"cleaner: {name}: ")
        assert len(result.stderr.strip().splitlines()) == 1


def test_version(runner: CliRunner) -> None:
    import cleaner

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert cleaner.__version__ in result.stdout


def test_missing_model_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    result = runner.invoke(app, ["predict", str(dump), "--model", "/nonexistent.joblib"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "/nonexistent.joblib" in result.stderr
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "args", [["labels", "check", "{nope}"], ["evaluate", "--labels", "{nope}"], ["train", "--labels", "{nope}"]]
)
def test_a_missing_labels_directory_is_named(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    nope = tmp_path / "nope"
    result = runner.invoke(app, [arg.format(nope=nope) for arg in args])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cleaner: {nope}: no such directory; ")
    assert "manifest.csv:0" not in result.stderr and "Errno" not in result.stderr


def test_missing_model_from_the_environment_names_it(runner: CliRunner, tmp_path: Path) -> None:
    """cleaner predict passes $CLEANER_MODEL on as a path; what to check is still the variable."""
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    result = runner.invoke(app, ["predict", str(dump)], env={"CLEANER_MODEL": str(tmp_path / "nope.npz")})
    assert result.exit_code == 1
    assert "check $CLEANER_MODEL" in result.stderr and "--model" not in result.stderr


@pytest.mark.parametrize("command", ["predict", "suggest"])
def test_a_model_cut_short_in_the_environment_says_to_mend_the_variable(
    runner: CliRunner, model_copy: Path, tmp_path: Path, command: str
) -> None:
    """A truncated $CLEANER_MODEL said "retrain with `make train`", as if training had failed."""
    model_copy.write_bytes(model_copy.read_bytes()[:5000])
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    result = runner.invoke(app, [command, str(dump)], env={"CLEANER_MODEL": str(model_copy)})
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"cleaner: {model_copy}: cannot be read as a cleaner model: the file is damaged ")
    assert result.stderr.endswith(
        "; check $CLEANER_MODEL: point it at a model file that `cleaner train` wrote, or unset it to use the model "
        "shipped with cleaner\n"
    )
    assert "retrain" not in result.stderr


@pytest.mark.parametrize(
    "command", [["predict", "{dump}"], ["suggest", "{dump}"], ["labels", "score", "{tmp}"], ["label", "{dump}"]]
)
def test_a_dump_given_as_model_is_one_line(runner: CliRunner, tmp_path: Path, command: list[str]) -> None:
    """Every command that reads --model: a file that is not a model is refused by its content, in one line."""
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    args = [arg.format(dump=dump, tmp=tmp_path) for arg in command]
    result = runner.invoke(app, [*args, "--model", str(dump)] + (["--no-browser"] if command[0] == "label" else []))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not a cleaner model" in result.stderr and "check the model path given (--model" in result.stderr
    assert "allow_pickle" not in result.stderr


def test_tampered_model_is_one_line(runner: CliRunner, model_copy: Path, tmp_path: Path) -> None:
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    result = runner.invoke(app, ["predict", str(dump), "--model", str(model_copy)])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert isinstance(result.exception, SystemExit)


def make_labels_dir(target: Path, labels_dir: Path, names: list[str], extra_rows: str = "") -> Path:
    target.mkdir(parents=True)
    rows = "".join(f"{name},{name.split('-')[1]}.vn,vi,seed,\n" for name in names)
    (target / "manifest.csv").write_text("name,site,language,origin,source\n" + rows + extra_rows)
    for name in names:
        shutil.copy(labels_dir / f"{name}.tsv", target)
    return target


def test_labels_check_names_label_files_in_subfolders_it_does_not_read(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    """`cleaner predict dumps/ --format labels -o DIR/` mirrors the dumps' subfolders; labels check
    passed in silence on the label files it never read there. A subfolder with a manifest of its
    own (as labels/every-kind) is a labels directory of its own, not named."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-001"])
    (directory / "site-a").mkdir()
    shutil.copy(labels_dir / "seed-kinhtedothi-002.tsv", directory / "site-a" / "p1.tsv")
    own = make_labels_dir(directory / "held", labels_dir, ["seed-kinhtedothi-002"])
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.exit_code == 0, result.output
    (note,) = [line for line in result.stdout.splitlines() if line.startswith("note:")]
    assert note.startswith("note: 1 label file in subfolders not read (site-a/p1.tsv): ")
    assert str(own.name) not in note
    shutil.rmtree(directory / "site-a")
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert "note:" not in result.stdout


def test_labels_check_good_dir(runner: CliRunner, labels_dir: Path, tmp_path: Path) -> None:
    names = ["seed-thoidai-001", "seed-kinhtedothi-002"]
    directory = make_labels_dir(tmp_path / "labels", labels_dir, names)
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.exit_code == 0, result.output
    assert all(name in result.stdout for name in names)


@pytest.mark.parametrize(
    ("damage", "mention"),
    [
        (lambda d: (d / "stray.tsv").write_text("C\tx\n"), "stray"),
        (lambda d: (d / "seed-thoidai-001.tsv").write_text("C\tok\nno tab\n"), "seed-thoidai-001.tsv:2"),
        (lambda d: (d / "seed-kinhtedothi-002.tsv").unlink(), "seed-kinhtedothi-002"),
        (lambda d: shutil.copy(d / "seed-thoidai-001.tsv", d / "seed-kinhtedothi-002.tsv"), "duplicate"),
    ],
    ids=["unlisted", "malformed", "no-file", "duplicate"],
)
def test_labels_check_bad_dir(runner: CliRunner, labels_dir: Path, tmp_path: Path, damage, mention: str) -> None:
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-001", "seed-kinhtedothi-002"])
    damage(directory)
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.exit_code != 0
    assert mention in result.stderr
    assert "Traceback" not in result.output


def test_suggest_lists_files(
    runner: CliRunner, model_path: Path, seed_documents: list[Labelled], tmp_path: Path
) -> None:
    pool = tmp_path / "unlabelled"
    (pool / "more").mkdir(parents=True)
    paths = [pool / "a.txt", pool / "b.txt", pool / "more" / "c.txt"]
    for path, doc in zip(paths, seed_documents):
        path.write_text(doc.text, encoding="utf-8")
    result = runner.invoke(app, ["suggest", str(pool), "-n", "2", "--model", str(model_path)])
    assert result.exit_code == 0, result.output
    listed = [line for line in result.stdout.splitlines() if ".txt" in line]
    assert len(listed) == 2
    assert all(any(line.endswith(str(path)) for path in paths) for line in listed)
    assert len(set(listed)) == 2


def test_suggest_ranks_every_file_when_asked(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    for name in ("x.txt", "y.txt", "z.txt"):
        (tmp_path / name).write_text(f"Menu\nBody paragraph of {name}, long enough to be prose.\n")
    result = runner.invoke(app, ["suggest", str(tmp_path), "-n", "10", "--model", str(model_path)])
    assert result.exit_code == 0, result.output
    assert sorted(line.split()[-1] for line in result.stdout.splitlines() if ".txt" in line) == sorted(
        str(tmp_path / name) for name in ("x.txt", "y.txt", "z.txt")
    )


def test_suggest_lists_a_text_once_naming_its_copies(
    runner: CliRunner, model_path: Path, seed_documents: list[Labelled], tmp_path: Path
) -> None:
    """Copies of a document were ranked as rows of their own (the label page refuses the second
    label file of one text), pushing other candidates out of -n."""
    pool = tmp_path / "pool"
    pool.mkdir()
    for name, doc in (("a.txt", seed_documents[0]), ("b.txt", seed_documents[1])):
        (pool / name).write_text(doc.text, encoding="utf-8")
    (pool / "a-copy.txt").write_text(seed_documents[0].text + "\n", encoding="utf-8")  # one more blank line
    (pool / "a-again.txt").write_text(seed_documents[0].text, encoding="utf-8")
    result = runner.invoke(app, ["suggest", str(pool), "-n", "2", "--model", str(model_path), "-q"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == 2, rows
    (first,) = [row for row in rows if "a-again.txt" in row.split("  (")[0] or "(and" in row]
    assert first.endswith(f"(and 2 copies of it: {pool / 'a-copy.txt'}, {pool / 'a.txt'})"), first
    assert any(row.endswith(str(pool / "b.txt")) for row in rows), rows
    help_text = " ".join(runner.invoke(app, ["suggest", "--help"]).stdout.split())
    assert "mean margin, the mean distance of their P(content) from the threshold" in help_text
    assert "Order: most uncertain lines first, then the lowest mean margin" in help_text


def test_suggest_with_missing_model(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["suggest", str(tmp_path), "--model", str(tmp_path / "none.joblib")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_suggest_reads_what_predict_reads(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """JSONL (compressed too) and standard input, each document named by its place."""
    import gzip

    from corpus_support import PAGE, PAGE_EN, jsonl

    shard = tmp_path / "shard.jsonl.gz"
    shard.write_bytes(gzip.compress(jsonl([{"text": PAGE}, {"text": PAGE_EN}])))
    result = runner.invoke(app, ["suggest", str(shard), "-", "--model", str(model_path)], input=PAGE_EN.encode())
    assert result.exit_code == 0, result.output
    named = sorted(line.split("  (")[0].split()[-1] for line in result.stdout.splitlines()[1:])
    assert named == sorted([f"{shard}:1", f"{shard}:2"])  # standard input's page is the shard's second
    assert f"{shard}:2  (and 1 copy of it: -)" in result.stdout


def test_suggest_uses_the_model_of_the_environment(
    runner: CliRunner, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("Menu\nA body paragraph, long enough to be prose.\n", encoding="utf-8")
    monkeypatch.setenv("CLEANER_MODEL", str(tmp_path / "elsewhere.npz"))
    result = runner.invoke(app, ["suggest", str(tmp_path)])
    assert result.exit_code == 1
    assert "elsewhere.npz" in result.stderr
    monkeypatch.setenv("CLEANER_MODEL", str(model_path))
    assert runner.invoke(app, ["suggest", str(tmp_path)]).exit_code == 0


def test_suggest_reports_unreadable_inputs_and_exits_1(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    pool.mkdir()
    (pool / "good.txt").write_text("Menu\nA body paragraph, long enough to be prose.\n", encoding="utf-8")
    (pool / "bad.txt").write_bytes(b"Headline\nBody \xff here\n")
    (pool / "shards").mkdir()  # records beside the dumps would be taken for their metadata
    (pool / "shards" / "records.jsonl").write_bytes(b'{"text": "Fine."}\nnot json\n')
    gone = tmp_path / "gone.txt"
    result = runner.invoke(app, ["suggest", str(pool), str(gone), "--model", str(model_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("cleaner: ")]
    assert any(line.startswith(f"cleaner: {pool / 'bad.txt'}:2: ") for line in errors), errors
    assert any(line.startswith(f"cleaner: {pool / 'shards/records.jsonl'}:2: not valid JSON") for line in errors), (
        errors
    )
    assert any(line.startswith(f"cleaner: {gone}: no such file") for line in errors), errors
    for line in errors:  # every hint names an option suggest has
        for option in re.findall(r"--[a-z-]+", line):
            assert option in runner.invoke(app, ["suggest", "--help"]).stdout, (option, line)
    listed = sorted(line.split()[-1] for line in result.stdout.splitlines()[1:])
    assert listed == sorted([str(pool / "good.txt"), f"{pool / 'shards/records.jsonl'}:1"])


def test_suggest_leaves_out_empty_documents_and_names_them(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """An empty file, a file of blank lines and a record with empty or blank text have nothing to
    label: they were ranked among the pages (0 lines, 0 uncertain); now they are left out, named
    in one note on stderr (records by path:LINE), and the exit status stays 0."""
    pool = tmp_path / "pool"
    (pool / "shards").mkdir(parents=True)
    (pool / "good.txt").write_text("Menu\nA body paragraph, long enough to be prose.\n", encoding="utf-8")
    (pool / "empty.txt").write_bytes(b"")
    (pool / "blank.txt").write_text("\n  \n", encoding="utf-8")
    shard = pool / "shards" / "records.jsonl"
    shard.write_text('{"text": ""}\n{"text": "Menu\\nA body paragraph, long enough."}\n{"text": " \\n"}\n')
    inputs = [str(pool / name) for name in ("good.txt", "empty.txt", "blank.txt")] + [str(shard)]
    result = runner.invoke(app, ["suggest", *inputs, "--model", str(model_path), "-q"])
    assert result.exit_code == 0, result.output
    listed = sorted(line.split()[-1] for line in result.stdout.splitlines()[1:])
    assert listed == sorted([str(pool / "good.txt"), f"{shard}:2"])
    empty = [str(pool / "empty.txt"), str(pool / "blank.txt"), f"{shard}:1", f"{shard}:3"]
    assert result.stderr == (
        f"cleaner: 4 empty documents (no line with text) not offered for labelling: {', '.join(empty)}\n"
    )


def test_suggest_names_jsonl_records_by_their_id_or_url(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """A record was named by path:LINE alone, which its user, who knows it by its id or url, had to
    count lines of the shard to find. Now by both, in the ranked list and in the note on empty
    documents: its id (--id-field, default id), else its url; a text file keeps its bare path, and
    a WARC record's id, its place, is followed by its url."""
    from corpus_support import PAGE, PAGE_EN, jsonl, record_id, wet

    shard = tmp_path / "shard.jsonl"
    records = [  # each of its own text: copies of one are listed once (another test)
        {"id": "abc", "text": PAGE + "One.\n"},
        {"url": "https://site.example/a", "text": PAGE_EN + "Two.\n"},
        {"id": 7, "url": "https://site.example/b", "text": PAGE + "Three.\n"},  # the id, not both
        {"doc": "d-9", "text": PAGE_EN + "Four.\n"},
        {"id": "two words", "text": PAGE + "Five.\n"},  # quoted: the name ends where it seems to
        {"id": "e1", "text": " \n"},
    ]
    shard.write_bytes(jsonl(records))
    dump = tmp_path / "page.txt"
    dump.write_text(PAGE, encoding="utf-8")

    def ranked(*options: str) -> tuple[list[str], str]:
        args = ["suggest", str(shard), str(dump), "-n", "10", "--model", str(model_path), "-q", *options]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        rows = result.stdout.splitlines()
        assert rows[0].split()[-1] == "file"
        return sorted(row.split(None, 3)[3] for row in rows[1:]), result.stderr

    names, stderr = ranked()
    assert names == sorted(
        [
            f"{shard}:1 (id=abc)",
            f"{shard}:2 (url=https://site.example/a)",
            f"{shard}:3 (id=7)",
            f"{shard}:4",
            f'{shard}:5 (id="two words")',
            str(dump),
        ]
    )
    assert stderr == f"cleaner: 1 empty document (no line with text) not offered for labelling: {shard}:6 (id=e1)\n"
    names, _ = ranked("--id-field", "doc")
    assert f"{shard}:4 (doc=d-9)" in names and f"{shard}:1" in names
    assert f"{shard}:2 (url=https://site.example/a)" in names
    crawl = tmp_path / "crawl.wet.gz"  # a WARC record: its id is its place; its url follows
    crawl.write_bytes(wet([PAGE]))
    result = runner.invoke(app, ["suggest", str(crawl), "--model", str(model_path), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].endswith(f"{crawl}:{record_id(1)} (url=https://site.example/1)")


def test_suggest_keeps_only_the_top(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """Documents are summarised as they stream by; the ranking holds the best -n, in order."""
    from corpus_support import PAGE, PAGE_EN, jsonl

    from cleaner.classifier.format import load_model
    from cleaner.training.suggest import rank_uncertain

    shard = tmp_path / "many.jsonl"
    shard.write_bytes(jsonl({"text": (PAGE if n % 2 else PAGE_EN) + f"Line {n}.\n"} for n in range(100)))
    model = load_model(model_path)
    full = rank_uncertain(model, [str(shard)], top=100)
    top = rank_uncertain(model, [str(shard)], top=5)
    assert full.documents == top.documents == 100 and full.errors == 0
    assert top.rows == full.rows[:5]
    assert [row.rank() for row in full.rows] == sorted(row.rank() for row in full.rows)


def test_training_commands_say_what_they_need_outside_a_checkout(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ./labels, a checkout's labels/ or the pages shipped in the package (an install
    without them), the commands say what they need (a wheel finds its shipped pages: see
    test_plus_shipped)."""
    import cleaner.training.commands.common
    import cleaner.training.shipped

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cleaner.training.commands.common, "CHECKOUT_LABELS", tmp_path / "no-checkout" / "labels")
    monkeypatch.setattr(cleaner.training.shipped, "CHECKOUT_LABELS", tmp_path / "no-checkout" / "labels")
    monkeypatch.setattr(cleaner.training.shipped, "PACKAGED_LABELS", tmp_path / "no-package" / "labels")
    for args in (["train"], ["evaluate"], ["labels", "check"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "--labels DIR" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_train_writes_a_model_of_ones_own(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without -o, the model of ./labels goes to ./labels.npz beside it (never into the package): where
    the label page's Retrain writes it. cleaner train wrote ./cleaner.npz, and the next cleaner label
    (and suggest) never took the model trained on its folder. Both find it now (here, a model of 4
    pages: found, and passed over with the warning that says why)."""
    names = ["seed-thoidai-000", "seed-thoidai-001", "seed-kinhtedothi-002", "seed-baoquocte-003"]
    make_labels_dir(tmp_path / "labels", labels_dir, names)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["train", "--no-cross-validate"])
    assert result.exit_code == 0, result.output
    assert "trained on 4 documents" in result.stdout
    own = tmp_path / "labels.npz"
    assert f"saved {own} (" in result.stdout and f"--model {own}" in result.stdout
    assert own.is_file() and not (tmp_path / "cleaner.npz").exists()
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nA body paragraph that reads like prose.\n", encoding="utf-8")
    monkeypatch.setattr("cleaner.training.labelling.serve.serve", lambda session, listening: None)
    label = runner.invoke(app, ["label", str(dump), "--no-browser"])
    assert label.exit_code == 0, label.output
    assert f"Retrain writes {own}" in label.stdout
    assert f"{own} learnt from only 4 labelled pages" in label.stderr
    suggest = runner.invoke(app, ["suggest", str(dump)])
    assert suggest.exit_code == 0, suggest.output
    assert f"{own} learnt from only 4 labelled pages, a model of these sites alone: ranking with the default" in (
        suggest.stderr
    )
    monkeypatch.setenv("CLEANER_MODEL", str(own))
    assert runner.invoke(app, ["predict", str(dump)]).exit_code == 0


def test_the_model_of_a_labels_folder_is_one_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """<folder>.npz beside the folder, for cleaner train and Retrain alike; of the pages inside an
    installed cleaner (cleaner train's last default), ./cleaner.npz: nothing is written into the
    package."""
    import cleaner.training.shipped
    from cleaner.training.commands import default_model_file

    monkeypatch.chdir(tmp_path)
    assert default_model_file(Path("labels")) == tmp_path / "labels.npz"
    assert default_model_file(tmp_path / "sub" / "mine") == tmp_path / "sub" / "mine.npz"
    assert default_model_file(tmp_path / "mine" / "") == tmp_path / "mine.npz"
    packaged = tmp_path / "site-packages" / "cleaner" / "data" / "labels"
    monkeypatch.setattr(cleaner.training.shipped, "PACKAGED_LABELS", packaged)
    assert default_model_file(packaged) == Path("cleaner.npz")


def test_suggest_ranks_with_the_model_label_starts_from(
    runner: CliRunner,
    trained_model: LineClassifier,
    labels_dir: Path,
    sample_document: Labelled,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cleaner label pre-labels (and orders) the dumps with your model of the labels folder once it
    learnt from 20 pages; cleaner suggest, which ranks what to label next, took the shipped model
    all the same. It takes label's model, says so, and --model default (or --labels) says otherwise."""
    from cleaner.training.labels import load_labelled_dir, page_fingerprints

    mine = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000"])
    manifest = {"training_data": {"documents": 25}, "page_fingerprints": page_fingerprints(load_labelled_dir(mine))}
    own = tmp_path / "labels.npz"
    trained_model.save(own, manifest)
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLEANER_MODEL", raising=False)
    taken = runner.invoke(app, ["suggest", str(dump)])
    assert taken.exit_code == 0, taken.output
    assert f"ranking with {own}, your model of labels (--model default for the default model)" in taken.stderr
    assert taken.stdout == runner.invoke(app, ["suggest", str(dump), "--model", str(own)]).stdout
    shipped = runner.invoke(app, ["suggest", str(dump), "--model", "default"])
    assert shipped.exit_code == 0 and "ranking with" not in shipped.stderr
    assert shipped.stdout == runner.invoke(app, ["suggest", str(dump), "--labels", "elsewhere"]).stdout
    assert shipped.stdout != taken.stdout  # the two models rank the page's lines apart
    monkeypatch.setattr("cleaner.training.labelling.serve.serve", lambda session, listening: None)
    label = runner.invoke(app, ["label", str(dump), "--no-browser"])
    assert label.exit_code == 0 and f"pre-labelled by {own}" in label.stdout, label.output
    label = runner.invoke(app, ["label", str(dump), "--no-browser", "--model", "default"])
    assert label.exit_code == 0 and f"pre-labelled by {own}" not in label.stdout, label.output


def test_train_exports_the_estimator_with_joblib_only_when_asked(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--joblib writes the fitted scikit-learn estimator beside the .npz model, which alone is
    what cleaner loads; the two predict alike."""
    import joblib

    from cleaner import load_model
    from cleaner.classifier.estimator import LineClassifier

    names = ["seed-thoidai-000", "seed-kinhtedothi-002", "seed-baoquocte-003"]
    make_labels_dir(tmp_path / "labels", labels_dir, names)
    monkeypatch.chdir(tmp_path)
    args = ["train", "--no-cross-validate", "-o", "m.npz", "--joblib", "m.joblib"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "runs code" in result.stdout
    estimator = joblib.load(tmp_path / "m.joblib")
    assert isinstance(estimator, LineClassifier)
    page = [["Tin liên quan", "Một đoạn văn dài của bài viết, đủ dài để đọc như văn xuôi.", ""]]
    assert estimator.predict_proba(page) == load_model(tmp_path / "m.npz").predict_proba(page)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels", "m.joblib", "m.npz"]


@pytest.mark.parametrize(
    ("names", "args", "says"),
    [
        (["seed-thoidai-000"], [], "1 labelled page, but cross-validation needs at least 2; label more pages"),
        (
            [],
            ["--no-cross-validate"],
            "0 labelled pages with 0 content and 0 boilerplate lines, but training needs both",
        ),
        ([], [], "0 labelled pages with 0 content and 0 boilerplate lines, but training needs both"),
    ],
    ids=["one-page", "no-page-no-cv", "no-page"],
)
def test_train_on_too_few_pages_says_so_in_one_line(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, names: list[str], args: list[str], says: str
) -> None:
    """How many pages there are, what is needed, what to do; --no-cross-validate is offered only
    when cross-validation alone lacks pages."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, names)
    result = runner.invoke(app, ["train", "--labels", str(directory), "-o", str(tmp_path / "m.npz"), *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"cleaner: {directory}: {says}")
    assert ("--no-cross-validate" in result.stderr) == (names != [])
    assert not (tmp_path / "m.npz").exists()


def test_evaluate_on_one_page_says_so_in_one_line(runner: CliRunner, labels_dir: Path, tmp_path: Path) -> None:
    """The refusal comes first: a heading of "1-fold" cross-validation was printed above it."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000"])
    result = runner.invoke(app, ["evaluate", "--labels", str(directory)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"cleaner: {directory}: 1 labelled page, but cross-validation needs at least 2; label more pages "
        "(cleaner label DUMPS; see cleaner labels --help)\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("names", "args"),
    [(["seed-thoidai-000"], ["--no-cross-validate"]), (["seed-thoidai-000", "seed-thoidai-001"], ["-j", "1"])],
    ids=["fit", "cross-validation-folds"],
)
def test_train_warnings_are_one_line_each(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, names: list[str], args: list[str]
) -> None:
    """A fit on one site (the whole of one page, or a fold of two pages of one site) cannot learn the
    context stages: the warning is shown once, as the command's own line, not as Python prints it."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, names)
    result = runner.invoke(app, ["train", "--labels", str(directory), "-o", str(tmp_path / "m.npz"), *args])
    assert result.exit_code == 0, result.output
    # Besides the warning that so few pages alone make a poor model (see test_plus_shipped), and the
    # progress lines (the stages of the fit, the folds).
    progress = ("cleaner: fitting ", "cleaner: cross-validati")
    said = [line for line in result.stderr.splitlines() if not line.startswith(progress)]
    assert [line for line in said if "--plus-shipped" not in line] == [
        "cleaner: warning: 1 group (site) in the training data: the context stages learn from predictions on "
        "sites left out, which needs at least 2; fitting the first stage only, and the threshold is 0.5 (not chosen "
        "by cross-validation)"
    ]


def test_counts_of_one_are_said_in_the_singular(
    runner: CliRunner, labels_dir: Path, model_path: Path, tmp_path: Path
) -> None:
    """train said "trained on 1 documents from 1 sites", labels check "1 files, 1 sites" and
    predict's summary "1 documents, ..., 1 errors"."""
    from cleaner.text import plural

    assert [plural(n, "labelled page") for n in (0, 1, 2)] == [
        "0 labelled pages",
        "1 labelled page",
        "2 labelled pages",
    ]
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000"])
    args = ["train", "--labels", str(directory), "-o", str(tmp_path / "m.npz"), "--no-cross-validate"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert re.search(r"^trained on 1 document from 1 site \(\d+ labelled lines\) in ", result.stdout, re.M), (
        result.stdout
    )
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.exit_code == 0, result.output
    assert "\n1 file, 1 site, languages: vi 1\n" in result.stdout
    page, bad = tmp_path / "page.txt", tmp_path / "bad.txt"
    page.write_text("Title\nA body paragraph that reads like prose.\n", encoding="utf-8")
    bad.write_bytes(b"Title\nA body \xff paragraph.\n")
    result = runner.invoke(
        app,
        ["predict", str(page), str(bad), "-o", str(tmp_path / "out/"), "--model", str(model_path), "--threshold", "0"],
    )
    assert result.exit_code == 1, result.output
    (summary,) = (line for line in result.stderr.splitlines() if "lines kept" in line)
    assert summary.startswith("cleaner: 1 document, 46 bytes, ") and ", 1 error, " in summary, summary


def test_failures_are_counted_without_a_parenthesised_s(
    runner: CliRunner, labels_dir: Path, model_path: Path, tmp_path: Path
) -> None:
    """labels check said "1 problem(s) in DIR", suggest "1 input(s) or document(s) could not be read"."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-001"])
    (directory / "stray.tsv").write_text("C\tx\n", encoding="utf-8")
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"cleaner: 1 problem in {directory}"
    (directory / "stray2.tsv").write_text("C\tx\n", encoding="utf-8")
    result = runner.invoke(app, ["labels", "check", str(directory)])
    assert result.stderr.splitlines()[-1] == f"cleaner: 2 problems in {directory}"
    (tmp_path / "good.txt").write_text("Menu\nA body paragraph, long enough to be prose.\n", encoding="utf-8")
    args = ["suggest", str(tmp_path / "good.txt"), str(tmp_path / "gone.txt"), "--model", str(model_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "cleaner: 1 input or document could not be read; the others were ranked"
    result = runner.invoke(app, [*args, str(tmp_path / "gone2.txt")])
    assert result.stderr.splitlines()[-1] == "cleaner: 2 inputs or documents could not be read; the others were ranked"


def test_a_language_left_out_with_one_class_to_train_on_says_so_in_one_line(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    """Five Vietnamese pages, and five English ones labelled content only: cross-validation by site
    can fit every fold, but the fit that leaves out Vietnamese (and its sites) trains on content
    lines only. evaluate --leave-one-language-out ended, after the cross-validation, in the estimator's
    "training data needs both content and boilerplate lines"; now one line says which language, before any fit."""
    directory = tmp_path / "labels"
    directory.mkdir()
    rows = []
    for number, name in enumerate(SEED_NAMES):
        shutil.copy(labels_dir / f"{name}.tsv", directory)
        rows.append(f"{name},vi{number}.example,vi,seed,")
    for number in range(5):
        source = (labels_dir / f"written-en-{('bytes', 'gazette')[number % 2]}-0{number // 2 + 1}.tsv").read_text()
        (directory / f"en-{number}.tsv").write_text(
            "".join(f"{row}\n" for row in source.splitlines() if row[:1] == "C")
        )
        rows.append(f"en-{number},en{number}.example,en,written,")
    (directory / "manifest.csv").write_text("name,site,language,origin,source\n" + "\n".join(rows) + "\n")
    result = runner.invoke(app, ["evaluate", "--labels", str(directory), "--leave-one-language-out", "-j", "1"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr == (
        f"cleaner: {directory}: 10 labelled pages, but the leave-one-language-out fit that leaves out vi (its pages "
        "and sites) would train on content lines only, and a fit needs boilerplate lines too; label more pages "
        "(cleaner label DUMPS; see cleaner labels --help)\n"
    )
    assert "cross-validation" not in result.stdout  # said before the cross-validation's fits


def test_a_cross_validation_fold_of_one_class_says_so_in_one_line(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    """Two sites, one of them labelled content only: the fold that leaves out the other trains on
    content lines alone. train and evaluate ended in a traceback (or scikit-learn's words); now one
    line says which fold and what to do, before any fit, and train --no-cross-validate still fits."""
    directory = make_labels_dir(
        tmp_path / "labels", labels_dir, ["seed-thoidai-000"], extra_rows="only-content,other.vn,vi,user,\n"
    )
    rows = (labels_dir / "seed-baoquocte-003.tsv").read_text(encoding="utf-8").splitlines()
    (directory / "only-content.tsv").write_text("".join(f"{row}\n" for row in rows if row.startswith("C\t")))
    model = tmp_path / "m.npz"
    for command in ("train", "evaluate"):
        args = [command, "--labels", str(directory)] + (["-o", str(model)] if command == "train" else [])
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith(
            f"cleaner: {directory}: 2 labelled pages, but the cross-validation fold that leaves out thoidai.vn "
            "would train on content lines only, and a fit needs boilerplate lines too; label more pages"
        ), result.stderr
        assert ("--no-cross-validate" in result.stderr) == (command == "train")
        assert result.stdout == ""  # no heading of the cross-validation it refuses
    assert not model.exists()
    result = runner.invoke(app, ["train", "--labels", str(directory), "-o", str(model), "--no-cross-validate", "-q"])
    assert result.exit_code == 0, result.output
    assert model.is_file()
    warnings = [line for line in result.stderr.splitlines() if "--plus-shipped" not in line]  # see test_plus_shipped
    assert "fitting the first stage only" in result.stderr and len(warnings) == 1


@pytest.mark.parametrize(
    ("output", "says"),
    [
        ("{tmp}", "{tmp}: is a directory; give a file name such as {tmp}/cleaner."),
        ("{tmp}/labels/manifest.csv/m.npz", "{tmp}/labels/manifest.csv/m.npz: cannot write it (Not a directory); "),
        ("/proc/m.npz", "/proc/m.npz: cannot write it ("),
        # A trailing / names a directory, as for predict's -o: it wrote a file m.npz.
        ("{tmp}/m.npz/", "{tmp}/m.npz/: a trailing / names a directory, but {option} names one file; write {option} "),
    ],
    ids=["a-directory", "under-a-file", "unwritable", "a-trailing-slash"],
)
@pytest.mark.parametrize("option", ["-o", "--joblib"])
def test_train_refuses_an_output_it_cannot_write_before_it_trains(
    runner: CliRunner,
    labels_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    output: str,
    says: str,
    option: str,
) -> None:
    """A model file that cannot be written was found only when it was saved, after the fit (two
    minutes on labels/, more with cross-validation), as a traceback; now before any fit, in one line."""
    import cleaner.training.train

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before checking its output")

    monkeypatch.setattr(cleaner.training.train, "train", no_fit)
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    named = "m.joblib" if option == "--joblib" else "m.npz"  # each option's own suffix
    target = output.format(tmp=tmp_path).replace("m.npz", named)
    args = ["-o", str(tmp_path / "m.npz"), "--joblib", target] if option == "--joblib" else ["-o", target]
    result = runner.invoke(app, ["train", "--labels", str(directory), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    expected = says.format(tmp=tmp_path, option=option).replace("m.npz", named)
    assert result.stderr.startswith(f"cleaner: {option} {expected}"), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels"]


def _disk_full_at(monkeypatch: pytest.MonkeyPatch, module: object, suffix: str) -> None:
    """``module``'s write_atomic fails as a full disk does for files ending in ``suffix``, naming
    the hidden temporary as the real one does (and writes the others)."""
    import errno
    import os

    real = module.write_atomic  # type: ignore[attr-defined]

    def write(path: Path, data: bytes, *args: object) -> None:
        if path.name.endswith(suffix):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path.parent / f".{path.name}.abcdefgh.tmp"))
        real(path, data, *args)

    monkeypatch.setattr(module, "write_atomic", write)


@pytest.mark.parametrize("refused", [".npz", ".joblib"])
def test_train_on_a_full_disk_says_in_one_line_what_was_saved(
    runner: CliRunner,
    labels_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trained_model: LineClassifier,
    refused: str,
) -> None:
    """A disk that filled during the fit: a 40-line traceback after the whole fit, naming a hidden
    temporary, and with --joblib no word that the .npz had been saved. Now one line: the file, why,
    and what was saved; exit 1."""
    import copy
    import importlib

    import cleaner.training.train

    monkeypatch.setattr(cleaner.training.train, "fit_by_site", lambda *args: copy.deepcopy(trained_model))
    # The model is written by the model format's writer, its export by the training outputs'.
    writer = "cleaner.classifier.format" if refused == ".npz" else "cleaner.training.outputs"
    _disk_full_at(monkeypatch, importlib.import_module(writer), refused)
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    model, export = tmp_path / "small" / "m.npz", tmp_path / "small" / "m.joblib"
    args = ["train", "--labels", str(directory), "--no-cross-validate", "-q", "-o", str(model), "--joblib", str(export)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and ".tmp" not in result.stderr
    if refused == ".npz":
        assert result.stderr == (
            f"cleaner: cannot write {model}: No space left on device; no model written ({model} was not made), "
            f"nor exported to {export}\n"
        )
        assert not model.parent.exists() or not any(model.parent.iterdir())
    else:
        assert result.stderr == (
            f"cleaner: the model was saved to {model}; --joblib {export} was not written: No space left on device\n"
        )
        assert sorted(p.name for p in model.parent.iterdir()) == ["m.npz"]


def test_train_o_folder_slash_advises_names_it_accepts(runner: CliRunner, labels_dir: Path, tmp_path: Path) -> None:
    """`-o models/` advised "write -o models, or -o models/cleaner.npz", and -o models is then
    refused for its missing .npz: the advice names models.npz instead."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    result = runner.invoke(app, ["train", "--labels", str(directory), "-o", f"{tmp_path}/models/"])
    assert result.exit_code == 2, result.output
    assert f"write -o {tmp_path}/models.npz, or -o {tmp_path}/models/cleaner.npz" in result.stderr, result.stderr


@pytest.mark.parametrize(("name", "instead"), [("model.txt", "model.npz"), ("model", "model.npz")])
def test_train_refuses_a_model_name_without_npz_before_it_trains(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, instead: str
) -> None:
    """-o model.txt wrote the model's zip archive as model.txt (nothing added .npz): it loaded, since
    a model is read by its content, but predict and suggest then read it among the dumps of its
    folder as a binary file and exited 1. Now refused before any fit, in one line that says to use .npz."""
    import cleaner.training.train

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before checking its output's name")

    monkeypatch.setattr(cleaner.training.train, "train", no_fit)
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    target = tmp_path / "out" / name
    result = runner.invoke(app, ["train", "--labels", str(directory), "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"cleaner: -o {target}: a model is saved as one .npz file, and this name does not end in .npz; "
        f"give a name such as -o {target.parent / instead}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels"]  # no folder made, nothing written


@pytest.mark.parametrize(
    ("name", "instead"),
    [("m.txt", "m.joblib"), ("m.pkl", "m.joblib"), ("m", "m.joblib"), ("m.joblib.gz", "m.joblib")],
)
def test_train_refuses_a_joblib_name_without_joblib_before_it_trains(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, instead: str
) -> None:
    """`--joblib m.txt` was taken: the fit ran, then wrote compressed joblib bytes as a text file
    (and m.pkl says pickle.load, which cannot read it). Refused before any fit, as -o's .npz is,
    naming the .joblib file to give."""
    import cleaner.training.train

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before checking its output's name")

    monkeypatch.setattr(cleaner.training.train, "train", no_fit)
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    target = tmp_path / "out" / name
    result = runner.invoke(
        app, ["train", "--labels", str(directory), "-o", str(tmp_path / "m.npz"), "--joblib", str(target)]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"cleaner: --joblib {target}: the estimator is exported as one .joblib file (read back with joblib.load, "
        f"not pickle.load), and this name does not end in .joblib; give a name such as --joblib "
        f"{target.parent / instead}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels"]  # no folder made, nothing written


def test_a_model_name_ends_in_npz_in_any_case(tmp_path: Path) -> None:
    from cleaner.training.commands import JOBLIB_SUFFIX, MODEL_SUFFIX, check_writable

    target = tmp_path / "MODEL.NPZ"
    assert check_writable("-o", str(target), "cleaner.npz", MODEL_SUFFIX) == target
    assert (
        check_writable("--joblib", str(tmp_path / "M.JOBLIB"), "cleaner.joblib", JOBLIB_SUFFIX) == tmp_path / "M.JOBLIB"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("given", ["-", "/dev/null"])
def test_a_model_to_standard_output_or_a_device_is_refused_clearly(runner: CliRunner, given: str) -> None:
    """-o - and -o /dev/null were told "give a name such as -o -.npz" ("/dev/null.npz")."""
    result = runner.invoke(app, ["train", "-o", given])
    assert result.exit_code == 2, result.output
    what = "standard output" if given == "-" else "not a regular file (a device or a pipe)"
    assert result.stderr.startswith(f"cleaner: -o {given}: {what}; a model is a file that is loaded again"), (
        result.stderr
    )
    assert "give a file name such as -o cleaner.npz" in result.stderr and ".npz." not in result.stderr


def test_label_refuses_a_model_out_without_npz_before_it_starts(runner: CliRunner, tmp_path: Path) -> None:
    """Retrain writes --model-out as train writes -o: the same name is refused, before the pages are
    read (the dump is missing, which would say "no page to label", exit 1, and serve none)."""
    dump = tmp_path / "missing.txt"
    target = tmp_path / "mine.txt"
    args = ["label", str(dump), "--no-browser", "--labels", str(tmp_path / "labels"), "--model-out", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"cleaner: --model-out {target}: a model is saved as one .npz file, and this name does not end in .npz; "
        f"give a name such as --model-out {tmp_path / 'mine.npz'}\n"
    )


def _no_model_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """``cleaner label`` fails the test if it gets as far as loading its starting model."""
    import cleaner.training.commands.label

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before --labels was checked")

    monkeypatch.setattr(cleaner.training.commands.label, "starting_model", refuse)


def test_label_refuses_a_labels_folder_it_cannot_write_before_it_starts(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only --labels was found at the first save, after a page had been labelled: a 500 on
    the page and a 60-line traceback on the console. Now refused at start, before the model loads."""
    import errno

    import cleaner.atomic

    def refuse(path: Path) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(path.parent / ".manifest.csv.x.tmp"))

    _no_model_load(monkeypatch)
    labels = tmp_path / "rolab"
    labels.mkdir()
    monkeypatch.setattr(cleaner.atomic, "temporary_beside", refuse)
    result = runner.invoke(app, ["label", str(tmp_path / "page.txt"), "--no-browser", "--labels", str(labels)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"cleaner: --labels {labels}: cannot write in it (Permission denied); give a folder you can write to\n"
    )


def test_label_refuses_a_labels_folder_it_cannot_make(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_model_load(monkeypatch)
    result = runner.invoke(app, ["label", str(tmp_path / "page.txt"), "--no-browser", "--labels", "/proc/lab"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("cleaner: --labels /proc/lab: cannot make it in /proc ("), result.stderr
    assert result.stderr.endswith("); give a folder you can write to\n") and "Traceback" not in result.output


def test_label_takes_a_labels_folder_that_is_not_there_yet(runner: CliRunner, tmp_path: Path) -> None:
    """A new folder is fine when it can be made (the first save makes it); the check makes nothing."""
    labels = tmp_path / "new" / "labels"
    result = runner.invoke(app, ["label", str(tmp_path / "missing.txt"), "--no-browser", "--labels", str(labels)])
    assert result.exit_code == 1, result.output
    assert "no page to label" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_model_file_is_read_by_its_content_whatever_its_name(
    runner: CliRunner, model_path: Path, tmp_path: Path
) -> None:
    """Reading is not refused by name: a URL's copy, or a file an older cleaner wrote as -o model.txt,
    is a model if its content is one (and a file that is not one is refused in one line, by content)."""
    renamed = tmp_path / "model.txt"
    renamed.write_bytes(model_path.read_bytes())
    dump = tmp_path / "page.txt"
    dump.write_text("Menu\nA body paragraph that reads like prose and ends with a full stop.\n", encoding="utf-8")
    by_name = runner.invoke(app, ["predict", str(dump), "--model", str(renamed)])
    assert by_name.exit_code == 0, by_name.output
    assert by_name.stdout == runner.invoke(app, ["predict", str(dump), "--model", str(model_path)]).stdout


def test_train_says_which_folders_it_made_for_its_output(runner: CliRunner, labels_dir: Path, tmp_path: Path) -> None:
    """-o in folders that are not there makes them, as predict's -o does; it did so without a word,
    and a mistyped folder then held the model where nobody looked. Folders that were there are not named."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    target = tmp_path / "new" / "deep" / "m.npz"
    args = ["train", "--labels", str(directory), "--no-cross-validate", "-o", str(target)]
    result = runner.invoke(app, [*args, "--joblib", str(target.with_suffix(".joblib"))])
    assert result.exit_code == 0, result.output
    few = [line for line in result.stderr.splitlines() if "--plus-shipped" in line]  # two pages: see test_plus_shipped
    progress = [line for line in result.stderr.splitlines() if line.startswith("cleaner: fitting ")]
    assert progress and result.stderr.replace(few[0] + "\n", "").replace("\n".join(progress) + "\n", "") == (
        f"cleaner: created folder {target.parent}\n"
    )
    assert target.is_file() and target.with_suffix(".joblib").is_file()
    result = runner.invoke(app, [*args, "-q"])  # no progress, and the folder, now there, is not named
    assert result.exit_code == 0, result.output
    assert result.stderr == few[0] + "\n"
    quiet = runner.invoke(app, [*args[:-1], str(tmp_path / "quiet" / "m.npz"), "-q"])  # -q: made without a word
    assert quiet.exit_code == 0 and quiet.stderr == few[0] + "\n"
    assert (tmp_path / "quiet" / "m.npz").is_file()


def test_labels_check_takes_labels_as_the_other_commands_do(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    """Outside a checkout, `cleaner labels check` says "pass --labels DIR", as train and evaluate do;
    it refused the option ("No such option: --labels"), taking the directory as an argument only."""
    directory = make_labels_dir(tmp_path / "mine", labels_dir, ["seed-thoidai-001", "seed-kinhtedothi-002"])
    result = runner.invoke(app, ["labels", "check", "--labels", str(directory)])
    assert result.exit_code == 0, result.output
    assert "seed-thoidai-001" in result.stdout
    other = tmp_path / "other"
    result = runner.invoke(app, ["labels", "check", str(other), "--labels", str(directory)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"cleaner: {other} and --labels {directory}: give the labels directory once\n"


def test_train_stopped_by_ctrl_c_says_what_was_kept(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It exited 130 without a word; the model file is written whole or not at all, so it is as it was."""
    import cleaner.training.train

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cleaner.training.train, "train", interrupted)
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    target = tmp_path / "m.npz"
    result = runner.invoke(app, ["train", "--labels", str(directory), "-o", str(target)])
    assert result.exit_code == 130, result.output
    assert (
        result.stderr
        == f"cleaner: interrupted; no model written ({target} was not made); run the command again to train it\n"
    )


@pytest.mark.parametrize("where", ["env", "option"])
def test_a_directory_given_as_model_is_called_one(runner: CliRunner, tmp_path: Path, where: str) -> None:
    """It said "no model at DIR", of a directory that is there."""
    dump = tmp_path / "page.txt"
    dump.write_text("Headline\nBody.\n", encoding="utf-8")
    args, env = (["--model", str(tmp_path)], {}) if where == "option" else ([], {"CLEANER_MODEL": str(tmp_path)})
    result = runner.invoke(app, ["predict", str(dump), *args], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cleaner: {tmp_path} is a directory, not a model file (.npz): check ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("item", "says"),
    [("trimed=0.3", "--set trimed: no such estimator parameter"), ("trimmed", "use KEY=VALUE")],
)
def test_evaluate_refuses_a_set_it_cannot_apply_before_fitting(
    runner: CliRunner, labels_dir: Path, item: str, says: str
) -> None:
    """A misspelt parameter was found only when the first fit began, and reported in scikit-learn's
    words with status 1: now a usage error that names the key, before anything is loaded or fitted."""
    result = runner.invoke(app, ["evaluate", "--labels", str(labels_dir), "--set", item])
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output


def test_train_set_fits_and_records_the_changed_configuration(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    """``train --set`` fits what ``evaluate --set`` measured (e.g. ``trimmed`` for dumps that end at
    the article), and the model file says so; a key the estimator lacks stops it before any fit."""
    from cleaner import load_model

    names = ["seed-thoidai-000", "seed-baoquocte-003"]
    directory = make_labels_dir(tmp_path / "labels", labels_dir, names)
    args = ["train", "--labels", str(directory), "-o", str(tmp_path / "m.npz"), "--no-cross-validate"]
    result = runner.invoke(app, [*args, "--set", "trimmed=0.5", "--set", "context_rounds=1"])
    assert result.exit_code == 0, result.output
    params = load_model(tmp_path / "m.npz").manifest["estimator"]["params"]
    assert (params["trimmed"], params["context_rounds"]) == (0.5, 1)
    refused = runner.invoke(app, [*args, "-o", str(tmp_path / "n.npz"), "--set", "trimed=0.5"])
    assert refused.exit_code == 2 and "--set trimed: no such estimator parameter" in refused.stderr
    assert not (tmp_path / "n.npz").exists()


def test_suggest_with_nothing_readable_prints_no_table(runner: CliRunner, model_path: Path, tmp_path: Path) -> None:
    """It printed an empty table's header, then "the others were ranked" when there were none."""
    result = runner.invoke(app, ["suggest", str(tmp_path / "nosuch"), "--model", str(model_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "cleaner: 1 input or document could not be read; nothing to rank"


@pytest.mark.parametrize(
    ("option", "needed"),
    [(["--sites", "2"], "--adapt"), (["--adapt-weight", "3"], "--adapt"), (["--plot", "x.png"], "--learning-curve")],
)
def test_an_option_without_the_one_it_serves_is_refused_before_any_fit(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, option: list[str], needed: str
) -> None:
    """`evaluate --sites 2` without --adapt ran the whole cross-validation and ignored --sites."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    result = runner.invoke(app, ["evaluate", "--labels", str(directory), *option])
    assert result.exit_code == 2, result.output
    assert (
        result.stderr
        == f"cleaner: {option[0]} goes with {needed}, which is not given: add {needed}, or drop {option[0]}\n"
    )


def test_a_test_set_with_nothing_to_score_is_refused_before_any_fit(
    runner: CliRunner, labels_dir: Path, tmp_path: Path
) -> None:
    """A folder of labelled dumps as --test was skipped with a line on stdout after the whole
    cross-validation (hours on the full labels), exit 0; labels score is the command for it."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    result = runner.invoke(app, ["evaluate", "--labels", str(directory), "--test", str(directory)])
    assert result.exit_code == 2, result.output
    assert f"cleaner labels score {directory} --model M" in result.stderr
    assert "cross-validation" not in result.stdout


@pytest.mark.parametrize("setting", ["C=abc", "C=-1", "char_ngrams=4"])
def test_a_set_value_the_estimator_refuses_is_one_line(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, setting: str
) -> None:
    """`train --set C=abc` ended in scikit-learn's 51-line traceback once the fit began."""
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    key = setting.split("=")[0]
    for command in (["train", "--no-cross-validate", "-o", str(tmp_path / "m.npz")], ["evaluate"]):
        result = runner.invoke(app, [*command, "--labels", str(directory), "--set", setting])
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"cleaner: --set: The '{key}' parameter of LineClassifier must be")
    assert not (tmp_path / "m.npz").exists()


def test_labels_help_gives_the_format(runner: CliRunner) -> None:
    """Messages send wheel users to `cleaner labels --help` (the wheel has no labels/README.md)."""
    out = runner.invoke(app, ["labels", "--help"], terminal_width=200).stdout
    assert "C<TAB>line" in out and "B<TAB>line" in out
    assert "name,site,language,origin,source,kind" in out


def test_a_stopped_train_says_whether_the_model_file_was_there_before(tmp_path: Path) -> None:
    """ "no model written (m.npz is as it was)" of a file that never was, with no next step."""
    from cleaner.training.commands.train import identity, trained_state

    target = tmp_path / "m.npz"
    assert trained_state(target, None, {target: identity(target)}) == (
        f"no model written ({target} was not made); run the command again to train it"
    )
    target.write_bytes(b"old")
    assert trained_state(target, None, {target: identity(target)}) == f"no model written ({target} is as it was)"


@pytest.mark.parametrize("user_pages", [False, True])
def test_train_user_weight_without_a_page_of_origin_user_says_it_changes_nothing(
    runner: CliRunner,
    labels_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trained_model: LineClassifier,
    user_pages: bool,
) -> None:
    """`train --user-weight 5` on pages of no origin user made the same model, without a word: pages
    labelled by hand, without origin user in the manifest, were not weighted. Now a warning, at once."""
    import copy

    import cleaner.training.train

    monkeypatch.setattr(cleaner.training.train, "fit_by_site", lambda *args: copy.deepcopy(trained_model))
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    if user_pages:
        manifest = directory / "manifest.csv"
        manifest.write_text(manifest.read_text().replace(",seed,", ",user,", 1))
    args = ["train", "--labels", str(directory), "--no-cross-validate", "-q", "--user-weight", "5"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "m.npz")])
    assert result.exit_code == 0, result.output
    warning = (
        f"cleaner: warning: no page of {directory / 'manifest.csv'} has origin user, so --user-weight 5 changes "
        "nothing: pages you labelled by hand need origin user in their manifest row (cleaner label writes it)"
    )
    assert (warning in result.stderr.splitlines()) is not user_pages, result.stderr


def test_evaluate_user_weight_without_a_page_of_origin_user_says_it_before_any_fit(
    runner: CliRunner, labels_dir: Path, tmp_path: Path, no_fit: None
) -> None:
    directory = make_labels_dir(tmp_path / "labels", labels_dir, ["seed-thoidai-000", "seed-kinhtedothi-002"])
    result = runner.invoke(app, ["evaluate", "--labels", str(directory), "--user-weight", "2.5", "--folds", "2"])
    assert isinstance(result.exception, Fitted), result.output
    assert result.stderr == (
        f"cleaner: warning: no page of {directory / 'manifest.csv'} has origin user, so --user-weight 2.5 changes "
        "nothing: pages you labelled by hand need origin user in their manifest row (cleaner label writes it)\n"
    )

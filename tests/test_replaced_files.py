"""An output written over an existing file is written as ``>`` writes it (cleaner.atomic.replaced).

Every output is renamed into place, and a rename replaces a file where ``>`` writes into it: a
write-protected (``chmod 444``) output was replaced without a word, a private (``600``) one became
``644``, readable by all, and ``-o link.txt`` replaced the link with a file, leaving the file it named
unchanged. Now a file the user may not write is refused (exit 1, one line, the file as it was), the
new file gets the old one's permission bits, and a link is written through.

Root may write any file (as with ``>``), so the refusals are checked as an ordinary user: this one,
or, when the tests run as root, a forked child that has become ``nobody`` (with everything it runs
imported before the fork: it may not read root's Python installation).
"""

from __future__ import annotations

import io
import os
import pwd
import shutil
import stat
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from pathlib import Path

import pytest
import typer
from conftest import Labelled
from test_cli_inputs import PAGE_A, PAGE_B, invoke
from typer.testing import CliRunner

from cleaner.atomic import WriteProtected, remove_stale_temporaries, write_atomic
from cleaner.training.commands import MODEL_SUFFIX, check_writable
from cleaner.training.labelling.store import Row, SaveError, save_page

pytestmark = pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX permission bits (no os.fchmod here)")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def protected(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o444)
    return path


def leftovers(*folders: Path) -> list[str]:
    return sorted(p.name for folder in folders for p in folder.iterdir() if p.name.endswith((".tmp", ".partial")))


def nobody() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root, and there is no user nobody to check a refusal as (root may write any file)")


@pytest.fixture
def work() -> Iterator[Path]:
    """A folder an ordinary user may write in (pytest's own are root's alone when root runs them)."""
    folder = Path(tempfile.mkdtemp(prefix="cleaner-replaced-"))
    if os.geteuid() == 0:
        user = nobody()
        os.chown(folder, user.pw_uid, user.pw_gid)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_a_user(action: Callable[[], None]) -> None:
    """Run ``action`` (which asserts) with an ordinary user's rights: here, or as root in a forked
    child that has become ``nobody``; its failure is raised here with the child's traceback."""
    if os.geteuid() != 0:
        action()
        return
    user = nobody()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        code = 0
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            action()
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"as {user.pw_name}:\n{report}"


# --- cleaner.atomic ---------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [0o600, 0o640, 0o604, 0o664], ids=lambda bits: f"{bits:o}")
def test_a_replaced_file_keeps_its_permission_bits(tmp_path: Path, bits: int) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    target.chmod(bits)
    previous = os.umask(0o022)
    try:
        write_atomic(target, b"new\n")
    finally:
        os.umask(previous)
    assert target.read_bytes() == b"new\n"
    assert mode(target) == bits
    assert leftovers(tmp_path) == []


def test_a_link_is_written_through_to_its_file(tmp_path: Path) -> None:
    """The link stays a link; the file it names (in another folder, by a relative path) is replaced,
    its temporary made beside it, so that the rename replaces it there."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    real = tmp_path / "b" / "real.txt"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "a" / "link.txt"
    link.symlink_to(Path("..") / "b" / "real.txt")
    write_atomic(link, b"new\n")
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "b" / "real.txt")
    assert real.read_bytes() == b"new\n" and mode(real) == 0o640
    assert leftovers(tmp_path / "a", tmp_path / "b") == []


def test_a_link_to_no_file_makes_it(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to("made.txt")
    write_atomic(link, b"new\n")
    assert link.is_symlink() and (tmp_path / "made.txt").read_bytes() == b"new\n"


def test_stale_temporaries_beside_a_links_file_are_removed(tmp_path: Path) -> None:
    """A killed write through a link leaves its temporary beside the link's file: found there."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "real.txt").write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "b" / "real.txt")
    stale = tmp_path / "b" / ".real.txt.abcdefgh.tmp"
    stale.write_text("half")
    assert remove_stale_temporaries([link]) == [stale]
    assert link.is_symlink() and (tmp_path / "b" / "real.txt").read_text() == "old\n"


def test_a_write_protected_file_is_refused_and_left_as_it_was(work: Path) -> None:
    target = protected(work / "out.txt", "PROTECTED\n")

    def write() -> None:
        with pytest.raises(WriteProtected) as raised:
            write_atomic(target, b"new\n")
        assert isinstance(raised.value, PermissionError) and raised.value.strerror == "Permission denied"
        assert target.read_text() == "PROTECTED\n" and mode(target) == 0o444
        assert sorted(p.name for p in work.iterdir()) == ["out.txt"]

    as_a_user(write)


# --- cleaner predict --------------------------------------------------------------------------


def _inputs(folder: Path, model_path: Path) -> tuple[Path, Path, Path]:
    """A page, a folder of two, and the model, where an ordinary user can read them."""
    page = folder / "page.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    dumps = folder / "dumps"
    dumps.mkdir()
    (dumps / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (dumps / "b.txt").write_text(PAGE_B, encoding="utf-8")
    model = folder / "model.npz"
    shutil.copyfile(model_path, model)
    return page, dumps, model


@pytest.mark.parametrize("name", ["out.txt", "out.jsonl"])
def test_predict_refuses_a_write_protected_output(runner: CliRunner, model_path: Path, work: Path, name: str) -> None:
    page, dumps, model = _inputs(work, model_path)
    source = page if name.endswith(".txt") else dumps
    # Run once first: everything the run imports is imported before the fork (see as_a_user).
    assert invoke(runner, model, str(source), "-o", str(work / f"warm-{name}")).exit_code == 0
    target = protected(work / name, "PROTECTED\n")

    def run() -> None:
        result = invoke(runner, model, str(source), "-o", str(target), "-q")
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f"cleaner: {target}: cannot write: Permission denied; {target} is left as it was before this run\n"
        )
        assert target.read_text() == "PROTECTED\n" and mode(target) == 0o444
        assert leftovers(work) == []

    as_a_user(run)


@pytest.mark.parametrize("name", ["out.txt", "out.jsonl"])
def test_predict_keeps_a_private_outputs_permission_bits(
    runner: CliRunner, model_path: Path, tmp_path: Path, name: str
) -> None:
    page, dumps, _ = _inputs(tmp_path, model_path)
    source = page if name.endswith(".txt") else dumps
    target = tmp_path / name
    target.write_text("SECRET\n")
    target.chmod(0o600)
    result = invoke(runner, model_path, str(source), "-o", str(target), "-q")
    assert result.exit_code == 0, result.output
    assert target.read_text() != "SECRET\n" and mode(target) == 0o600
    if name.endswith(".jsonl"):  # --resume of the finished file renames it back and forth: still private
        result = invoke(runner, model_path, str(source), "-o", str(target), "-q", "--resume")
        assert result.exit_code == 0, result.output
        assert mode(target) == 0o600
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["out.txt", "out.jsonl"])
def test_predict_writes_through_a_link(runner: CliRunner, model_path: Path, tmp_path: Path, name: str) -> None:
    page, dumps, _ = _inputs(tmp_path, model_path)
    source = page if name.endswith(".txt") else dumps
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / name
    real.write_text("old\n")
    link = tmp_path / name
    link.symlink_to(real)
    plain = tmp_path / f"plain-{name}"
    assert invoke(runner, model_path, str(source), "-o", str(plain), "-q").exit_code == 0
    result = invoke(runner, model_path, str(source), "-o", str(link), "-q")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() == plain.read_bytes()
    assert leftovers(tmp_path, tmp_path / "real") == []


# --- cleaner train -o, cleaner label's saves ------------------------------------------------------


def test_train_refuses_a_write_protected_model_before_the_fit(work: Path) -> None:
    target = protected(work / "keep.npz", "PROTECTED\n")

    def check() -> None:
        said = io.StringIO()
        with redirect_stderr(said), pytest.raises(typer.Exit) as raised:
            check_writable("-o", str(target), "cleaner.npz", MODEL_SUFFIX)
        assert raised.value.exit_code == 2
        assert said.getvalue() == (
            f"cleaner: -o {target}: cannot write it (Permission denied: the file is write-protected); give another "
            "name, or make the file writable first\n"
        )
        assert target.read_text() == "PROTECTED\n"

    as_a_user(check)


def test_a_label_save_refuses_a_write_protected_manifest_and_writes_nothing(
    work: Path, sample_document: Labelled
) -> None:
    labels = work / "labels"
    labels.mkdir()
    if os.geteuid() == 0:
        os.chown(labels, nobody().pw_uid, nobody().pw_gid)
    manifest = protected(labels / "manifest.csv", "name,site,language,origin,source\n")
    tags = ["C" if label == "content" else None if label is None else "B" for label in sample_document.labels]
    # Save once first: everything a save imports is imported before the fork (see as_a_user).
    (work / "warm").mkdir()
    (work / "warm" / "manifest.csv").write_text(manifest.read_text())
    save_page(work / "warm", Row("page", "example.com", "vi"), sample_document.lines, tags, None)

    def save() -> None:
        with pytest.raises(SaveError, match=r"manifest\.csv in .* is write-protected: nothing was saved"):
            save_page(labels, Row("page", "example.com", "vi"), sample_document.lines, tags, None)
        assert sorted(p.name for p in labels.iterdir()) == ["manifest.csv"]  # no page.tsv without its row
        assert manifest.read_text() == "name,site,language,origin,source\n"

    as_a_user(save)

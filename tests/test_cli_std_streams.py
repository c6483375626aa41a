"""``cleaner predict`` with its standard streams closed, at a terminal, or empty, run as a real process:
what a file descriptor is (closed, a terminal) cannot be shown to a command run in-process."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the redirections are bash's")

PAGE = "\n".join(
    [
        "Trang chủ | Thời sự | Thế giới | Kinh doanh",
        "Giá lúa tăng mạnh ở đồng bằng sông Cửu Long",
        "Thứ hai, 7/12/2026, 08:00 (GMT+7)",
        "Giá lúa tại nhiều tỉnh đồng bằng sông Cửu Long đã tăng thêm 300 đồng mỗi kilogram trong tuần qua.",
        "Nông dân cho biết thương lái đến tận ruộng để thu mua, trả giá cao hơn so với vụ trước.",
        "Theo Sở Nông nghiệp, sản lượng lúa năm nay ước đạt hơn 24 triệu tấn, tăng so với năm ngoái.",
        "Bản quyền thuộc về Báo Tin Tức. Liên hệ quảng cáo.",
    ]
)


@pytest.fixture
def inputs(tmp_path: Path, cleaner_exe: Path) -> Path:
    """A folder of inputs, in which :func:`bash` runs."""
    global EXE
    EXE = cleaner_exe
    (tmp_path / "page.txt").write_text(PAGE + "\n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait, une phrase assez longue pour être lue.\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"")
    return tmp_path


EXE = Path("cleaner")


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``script`` run by bash in ``cwd``, ``$0`` the cleaner command."""
    return subprocess.run(["bash", "-c", script, str(EXE)], capture_output=True, timeout=120, check=False, cwd=cwd)


def test_messages_never_go_into_the_output_when_stderr_is_closed(inputs: Path) -> None:
    """With fd 2 closed, Python sets sys.stderr to None, and print(file=None) writes to stdout: the
    corpus messages (a bad input, the summary) went into the cleaned data. They are dropped."""
    alone = bash('"$0" predict page.txt', cwd=inputs)
    result = bash('"$0" predict page.txt latin1.txt empty.txt -o - --output-format jsonl 2>&-', cwd=inputs)
    assert result.returncode == 1  # the exit code still says that an input failed
    assert b"cleaner:" not in result.stdout
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 2 and all(line.startswith("{") for line in lines)
    text = bash('"$0" predict latin1.txt 2>&-', cwd=inputs)
    assert (text.returncode, text.stdout) == (1, b"")
    assert bash('"$0" predict page.txt 2>&-', cwd=inputs).stdout == alone.stdout


def test_a_closed_stdout_or_stdin_is_one_line(inputs: Path) -> None:
    closed_out = bash('"$0" predict page.txt >&-', cwd=inputs)
    assert closed_out.returncode == 1
    assert closed_out.stderr.decode().splitlines() == [
        "cleaner: standard output is closed (>&-): redirect it to a file (> FILE), or name an output with -o"
    ]
    assert bash('"$0" predict page.txt -o out.txt >&-', cwd=inputs).returncode == 0  # not needed: no word
    assert (inputs / "out.txt").read_text(encoding="utf-8")
    closed_in = bash('"$0" predict - page.txt -o out/ <&-', cwd=inputs)
    assert closed_in.returncode == 1
    assert b"Traceback" not in closed_in.stderr
    assert "cleaner: -: cannot read: standard input is closed (<&-)" in closed_in.stderr.decode()
    assert (inputs / "out" / "page.txt").is_file()  # the other input is cleaned


def test_one_ctrl_d_ends_standard_input_at_a_terminal(inputs: Path) -> None:
    """A terminal's end of input is not sticky: each layer that read again after it waited for one
    more Ctrl-D (three or four in all); and nothing said that the run was reading the terminal."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [str(EXE), "predict", "-"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=inputs
    )
    os.close(slave)
    try:
        time.sleep(1)
        os.write(master, PAGE.encode() + b"\n")
        time.sleep(0.5)
        os.write(master, b"\x04")  # VEOF, at the start of a line
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("one Ctrl-D did not end the input")
    finally:
        os.close(master)
    assert process.returncode == 0, err.decode()
    assert "Giá lúa tại nhiều tỉnh" in out.decode()
    assert "reading standard input from the terminal" in err.decode().splitlines()[0]


def test_an_empty_input_is_said(inputs: Path) -> None:
    """``cleaner predict <(curl -s URL)`` when curl fails read nothing, wrote nothing, said nothing."""
    for script in ('"$0" predict <(true)', 'printf "" | "$0" predict -', '"$0" predict empty.txt'):
        result = bash(script, cwd=inputs)
        assert result.returncode == 0
        assert result.stdout == b""
        assert "empty input: nothing to clean" in result.stderr.decode(), script
    assert bash('"$0" predict empty.txt -q', cwd=inputs).stderr == b""


def test_one_long_dump_is_summed_up(inputs: Path) -> None:
    """A run of one long dump showed no progress and no summary, however long it took."""
    page = (PAGE + "\n\n") * (5_000_000 // len((PAGE + "\n\n").encode()) + 1)
    (inputs / "long.txt").write_text(page, encoding="utf-8")
    result = bash('"$0" predict long.txt -o long.clean.txt', cwd=inputs)
    assert result.returncode == 0, result.stderr.decode()
    assert "cleaner: 1 document (1 with no line kept), 5.0 MB, lines kept 0" in result.stderr.decode()
    assert bash('"$0" predict page.txt -o page.clean.txt', cwd=inputs).stderr == b""  # a page: no word

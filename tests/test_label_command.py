"""`cleaner label` as a user runs it: a real process that prints its URL and serves the page."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Labelled, http_server
from label_support import seeded_labels

from cleaner.classifier.estimator import LineClassifier


def _start(
    cleaner_exe: Path, cwd: Path, dump: Path, *options: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], list[str]]:
    """``cleaner label DUMP --no-browser --labels mine`` started in ``cwd`` (no display, so no
    browser; ``env`` added to the environment), and what it printed up to its ``open URL`` line."""
    env = {**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": "", **(env or {})}
    process = subprocess.Popen(
        [str(cleaner_exe), "label", str(dump), "--no-browser", *options, "--labels", "mine"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line)
        if line.startswith("open "):
            _wait_until_served(line.split()[1])
            break
    return process, printed


def _wait_until_served(url: str, seconds: float = 30.0) -> None:
    """Return once the page answers: a person presses Ctrl-C at a page they have seen. (A SIGINT sent
    the moment the URL was printed was twice not acted on in a `make test` started with SIGINT
    ignored; the tests below send it at every moment of the start.)"""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_label_serves_the_page_and_stops_on_ctrl_c(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process, printed = _start(cleaner_exe, tmp_path, dump, "--model", str(model_path))
    try:
        found = re.search(r"http://127\.0\.0\.1:\d+/", "".join(printed))
        assert found, "".join(printed)
        with urllib.request.urlopen(found.group(0)) as response:
            assert "cleaner label" in response.read().decode()
        with urllib.request.urlopen(found.group(0) + "api/pages/0") as response:
            assert b'"lines"' in response.read()
        assert "labels go to mine/" in "".join(printed)
        assert f"Retrain writes {tmp_path / 'mine.npz'}" in "".join(printed)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr  # stopped by Ctrl-C, as a shell reports it (not 0, not killed)
    assert "Traceback" not in stderr
    assert "cleaner: stopped; 0 pages saved in mine/ by this session" in stderr


@pytest.mark.parametrize("where", ["env", "option"])
def test_label_names_a_model_url_as_given(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path, where: str
) -> None:
    """With $CLEANER_MODEL=http://..., cleaner label said it pre-labelled with "http:/127.0.0.1/...":
    the URL had been made a Path, which drops one slash. It is now printed as given. `--model URL`
    was looked for as a local file ("no model at /cwd/http:/..."); it is fetched as the variable is."""
    pytest.importorskip("aiohttp", reason="fsspec's HTTP driver")
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    with http_server(model_path.parent) as base:  # the fixture's model, served where it lies
        url = f"{base}/{model_path.name}"
        env = {"CLEANER_CACHE": str(tmp_path / "cache")}
        options = ["--model", url] if where == "option" else []
        if where == "env":
            env["CLEANER_MODEL"] = url
        process, printed = _start(cleaner_exe, tmp_path, dump, *options, env=env)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert f"pre-labelled by {url}\n" in printed, printed
    assert process.returncode == 130, stderr


def test_label_refuses_what_it_cannot_read(cleaner_exe: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(cleaner_exe), "label", str(tmp_path / "missing.txt"), "--no-browser"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "missing.txt" in result.stderr and "no page to label" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("plus_shipped", [False, True])
def test_a_model_retrained_on_a_few_pages_does_not_replace_the_shipped_one(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path, plus_shipped: bool
) -> None:
    """From a wheel, Retrain fits the user's pages alone: after one saved page, its model kept 108
    lines of a seed page against the shipped model's 25, and the next `cleaner label` took it. The
    warning advises --plus-shipped, or, given it, says what Retrain will do (it advised adding it)."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    retrained = tmp_path / "mine.npz"  # where Retrain writes it for --labels mine
    retrained.write_bytes(model_path.read_bytes())  # trained on the five seed pages
    process, printed = _start(cleaner_exe, tmp_path, dump, *(["--plus-shipped"] if plus_shipped else []))
    try:
        said = "".join(printed)
        assert "pre-labelled by" in said and str(retrained) not in said.split("pre-labelled by")[1].splitlines()[0]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert f"{retrained} learnt from only 5 labelled pages" in stderr
    assert f"--model {retrained}" in stderr
    advice = "--plus-shipped retrains on your pages plus the shipped model's"
    assert (advice in stderr) is not plus_shipped, stderr
    assert ("Retrain, with --plus-shipped, replaces it with a model of your pages" in stderr) is plus_shipped


def _sigint_ignored() -> None:
    """Run in the child before cleaner: SIGINT ignored, as a command started with ``&`` by a script
    or a Makefile inherits it (``make test &`` gives pytest, and every process it starts, this)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _sigint_default() -> None:
    """Run in the child before cleaner: SIGINT at its default, whatever pytest was started with."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


INHERITED: dict[str, Callable[[], None]] = {"default": _sigint_default, "ignored": _sigint_ignored}


def _launch(cleaner_exe: Path, cwd: Path, dump: Path, model: Path, inherited: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    return subprocess.Popen(
        [str(cleaner_exe), "label", str(dump), "--no-browser", "--model", str(model), "--labels", "mine"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=INHERITED[inherited],  # between fork and exec: the signal below reaches cleaner itself
    )


def _read_until(process: subprocess.Popen[str], prefix: str) -> str:
    """The first line ``process`` prints that starts with ``prefix``."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(prefix):
            return line
    raise AssertionError(f"cleaner label ended without printing a line starting with {prefix!r}")


def _stopped(process: subprocess.Popen[str], moment: str) -> tuple[str, str]:
    """SIGINT to ``process`` now; what it printed after. A bound on hanging (60 s), not on speed."""
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"cleaner label did not stop within 60 s of a SIGINT sent {moment}") from None


@pytest.mark.parametrize("inherited", ["default", "ignored"])
@pytest.mark.parametrize("moment", ["on the first line, before the URL", "the moment the URL was printed"])
def test_ctrl_c_while_label_starts_stops_it(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path, moment: str, inherited: str
) -> None:
    """A SIGINT before uvicorn took SIGINT over was lost when cleaner label had inherited it ignored:
    the server then ran on (7 times in 10 right after the URL), and one that reached uvicorn ended it
    with status 0. Now SIGINT stops it, from its first line on, with exit 130 and no traceback."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process = _launch(cleaner_exe, tmp_path, dump, model_path, inherited)
    _read_until(process, "cleaner label:" if moment.startswith("on the first line") else "open ")
    _, stderr = _stopped(process, moment)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "Warning" not in stderr, stderr  # e.g. "coroutine ... never awaited"


def test_ctrl_c_at_label_start_stops_it(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """SIGINT the moment the process exists, before any output: it ends, and never serves. (In the
    interpreter's own first milliseconds the signal has Python's default effect: killed by SIGINT, or
    a KeyboardInterrupt while Python imports site; a SIGINT inherited ignored is discarded by the
    system then, before any code of cleaner's runs, so that case is not tested here.)"""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process = _launch(cleaner_exe, tmp_path, dump, model_path, "default")
    stdout, stderr = _stopped(process, "at its start")
    assert process.returncode != 0, stdout + stderr
    assert "open " not in stdout


@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_ctrl_c_while_label_serves_stops_it_and_keeps_the_saved_page(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path, inherited: str
) -> None:
    """Inherited ignored, a Ctrl-C while serving ended cleaner label with status 0; now 130, and the page
    saved before it stays saved."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process = _launch(cleaner_exe, tmp_path, dump, model_path, inherited)
    url = _read_until(process, "open ").split()[1]
    _wait_until_served(url)
    with urllib.request.urlopen(url + "api/pages/0") as response:
        page = json.load(response)
    tags = [line["tag"] for line in page["lines"]]
    body = {"name": "kept", "site": "baoquocte.vn", "language": "vi", "tags": tags}
    body |= {"where": page["where"], "digest": page["digest"]}
    request = urllib.request.Request(
        url + "api/pages/0",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Origin": url.rstrip("/")},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    _, stderr = _stopped(process, "while it served")
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert "cleaner: stopped; 1 page saved in mine/ by this session" in stderr
    saved = (tmp_path / "mine" / "kept.tsv").read_text(encoding="utf-8").splitlines()
    assert len(saved) == len(sample_document.lines)
    assert "kept,baoquocte.vn,vi" in (tmp_path / "mine" / "manifest.csv").read_text(encoding="utf-8")


def test_sigterm_stops_the_server_as_ctrl_c_does(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """SIGTERM (timeout, systemd, docker stop) ended the process at once: uvicorn gave it back to
    the default handler after serving, so nothing was said and nothing cleaned up."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process, _ = _start(cleaner_exe, tmp_path, dump, "--model", str(model_path))
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "cleaner: stopped; 0 pages saved in mine/ by this session" in stderr
    assert "Traceback" not in stderr


def test_a_page_found_saved_is_not_counted_as_saved_by_the_session(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """A page already in labels/ is offered as saved; stopping said "1 page saved ... by this
    session" when nothing had been saved."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    tags = ["" if label is None else "C" if label == "content" else "B" for label in sample_document.labels]
    label_file = "".join(f"{tag}\t{line}\n" if tag else "\n" for tag, line in zip(tags, sample_document.lines))
    (mine / "page.tsv").write_text(label_file, encoding="utf-8")
    (mine / "manifest.csv").write_text(
        "name,site,language,origin,source,kind\npage,baoquocte.vn,vi,user,,\n", encoding="utf-8"
    )
    before = {path.name: path.read_bytes() for path in mine.iterdir()}
    process, printed = _start(cleaner_exe, tmp_path, dump, "--model", str(model_path))
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "cleaner: stopped; 0 pages saved in mine/ by this session" in stderr, "".join(printed) + stderr
    assert {path.name: path.read_bytes() for path in mine.iterdir()} == before


def test_a_wildcard_host_prints_a_token_and_how_to_reach_it_from_elsewhere(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """With --host 0.0.0.0 the URL printed (for this machine's browser) names 127.0.0.1; it said
    "anyone with this URL can label" without saying that others reach it by this machine's name."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process, printed = _start(cleaner_exe, tmp_path, dump, "--model", str(model_path), "--host", "0.0.0.0")
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    text = "".join(printed)
    assert "listening on 0.0.0.0 beyond this machine: anyone with this URL (and its token) can label" in text
    assert "from another machine, put this machine's name or address in place of the URL's 127.0.0.1" in text
    (url,) = [line.split()[1] for line in printed if line.startswith("open ")]
    assert url.startswith("http://127.0.0.1:") and "?token=" in url


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its new parent to reap it does not)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to find the worker processes")
def test_sigterm_during_a_retrain_leaves_no_worker_running(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """Stopped by SIGTERM while Retrain ran with -j 2, the server left joblib's workers (about 200
    MB each) running, orphaned, for minutes. Now they end with it."""
    from conftest import SEED_NAMES
    from label_support import seeded_labels

    seeded_labels(tmp_path / "mine", list(SEED_NAMES))
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process, printed = _start(cleaner_exe, tmp_path, dump, "--model", str(model_path), "-j", "2")
    url = next(line.split()[1] for line in printed if line.startswith("open "))
    request = urllib.request.Request(
        url + "api/retrain",
        data=b"{}",
        method="POST",
        headers={"Origin": url.rstrip("/"), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 202
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        workers = _children(process.pid)
        time.sleep(0.2)
    assert len(workers) >= 2, "the retrain started no worker processes"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)]


def test_a_retrains_warning_is_one_line_of_the_servers_output(
    tmp_path: Path, sample_document: Labelled, trained_model: LineClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server printed a fit's warning as Python does (".../evaluate.py:196: UserWarning: 1 group
    (site) in the training data ..." and the source line "return estimator.fit("), and said "learnt
    from only 1 labelled pages"."""
    import warnings

    from typer.testing import CliRunner

    from cleaner.cli import app

    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    trained_model.save(tmp_path / "mine.npz", {"training_data": {"documents": 1}})  # Retrain's, on 1 page

    def serve(session: object, listening: object) -> None:  # as a Retrain's fit on one site warns
        warnings.warn("1 group (site) in the training data: fitting the first stage only", UserWarning, stacklevel=1)

    monkeypatch.setattr("cleaner.training.labelling.serve.serve", serve)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["label", str(dump), "--no-browser", "--labels", "mine"])
    assert result.exit_code == 0, result.output
    assert "cleaner: warning: 1 group (site) in the training data: fitting the first stage only" in result.stderr
    assert "UserWarning" not in result.stderr and "warnings.warn" not in result.stderr
    assert "mine.npz learnt from only 1 labelled page, a model" in result.stderr


def test_two_label_folders_never_share_a_model_nor_offer_the_others(
    trained_model: LineClassifier, sample_document: Labelled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retrain wrote cleaner.npz beside the labels folder, one file for every folder there: a second
    folder's cleaner label offered the first's model as the user's, and its Retrain replaced it."""
    from typer.testing import CliRunner

    from cleaner.cli import app
    from cleaner.training.labels import load_labelled_dir, page_fingerprints

    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    lab2 = seeded_labels(tmp_path / "lab2", ["seed-thoidai-000"])
    manifest = {"training_data": {"documents": 25}, "page_fingerprints": page_fingerprints(load_labelled_dir(lab2))}
    trained_model.save(tmp_path / "lab2.npz", manifest)
    trained_model.save(tmp_path / "cleaner.npz", manifest)
    monkeypatch.setattr("cleaner.training.labelling.serve.serve", lambda session, listening: None)
    monkeypatch.chdir(tmp_path)
    own = CliRunner().invoke(app, ["label", str(dump), "--no-browser", "--labels", "lab2"])
    assert own.exit_code == 0, own.output
    assert f"Retrain writes {tmp_path / 'lab2.npz'}" in own.stdout
    assert f"pre-labelled by {tmp_path / 'lab2.npz'}" in own.stdout
    other = CliRunner().invoke(app, ["label", str(dump), "--no-browser", "--labels", "lab_other"])
    assert other.exit_code == 0, other.output
    assert f"Retrain writes {tmp_path / 'lab_other.npz'}" in other.stdout
    assert "lab2" not in other.output, other.output
    # A model at the folder's name trained on other pages (copied, renamed) is not offered either.
    (tmp_path / "lab2.npz").rename(tmp_path / "lab_other.npz")
    renamed = CliRunner().invoke(app, ["label", str(dump), "--no-browser", "--labels", "lab_other"])
    assert renamed.exit_code == 0, renamed.output
    assert "lab_other.npz was trained on 1 page, none of them in lab_other (not made yet): another folder's model" in (
        renamed.stderr
    )
    assert "pre-labelled by" in renamed.stdout and "lab_other.npz" not in renamed.stdout.split("pre-labelled by")[1]

"""The training pages shipped inside the package, and training on them plus the user's own
(``--plus-shipped``). From a wheel, ``cleaner train --labels mylabels`` fitted ten pages of the
user's sites alone (cross-validated char F1 0.907, against the shipped model's 0.937 on the same
sites), and nothing said so: labels/ was not in the wheel.

Here the shipped pages are four seed pages (PACKAGED_LABELS pointed at them), so that a fit takes
seconds, not the minutes of the real 378."""

from __future__ import annotations

import re
import shutil
import signal
from pathlib import Path

import pytest
from conftest import LABELS_DIR, REPO, Labelled
from label_support import seeded_labels
from typer.testing import CliRunner

import cleaner.training.shipped as shipped
from cleaner.classifier.estimator import LineClassifier
from cleaner.classifier.format import load_model
from cleaner.cli import app
from cleaner.training.labels import read_labelled

SHIPPED_NAMES = ["seed-thoidai-000", "seed-thoidai-001", "seed-kinhtedothi-002", "seed-baoquocte-003"]


@pytest.fixture
def shipped_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four seed pages as the pages shipped in the package, and no checkout's labels/."""
    directory = seeded_labels(tmp_path / "site-packages" / "cleaner" / "data" / "labels", SHIPPED_NAMES)
    monkeypatch.setattr(shipped, "PACKAGED_LABELS", directory)
    monkeypatch.setattr(shipped, "CHECKOUT_LABELS", tmp_path / "no-checkout" / "labels")
    return directory


def user_labels(directory: Path, rows: dict[str, str]) -> Path:
    """A folder of the user's pages: ``rows`` maps a page name to the seed page whose labels it takes
    (seed-baoquocte-004, unless named), each of the site baoquocte.vn, origin user."""
    directory.mkdir()
    lines = []
    for name, seed in rows.items():
        shutil.copy(LABELS_DIR / f"{seed}.tsv", directory / f"{name}.tsv")
        lines.append(f"{name},baoquocte.vn,vi,user,\n")
    (directory / "manifest.csv").write_text("name,site,language,origin,source\n" + "".join(lines), encoding="utf-8")
    return directory


def test_the_wheel_ships_the_training_labels_and_not_the_held_out_sets() -> None:
    """labels/ is installed as the data-only package cleaner.data.labels, from where it is (no copy
    in the repository): its *.tsv, manifest.csv and README.md, none of its subfolders' held-out sets."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["cleaner.data.labels"] == "labels"
    assert "cleaner.data.labels" in config["packages"]
    patterns = config["package-data"]["cleaner.data.labels"]
    selected = {path for pattern in patterns for path in (REPO / "labels").glob(pattern)}
    listed = {row.split(",")[0] for row in (LABELS_DIR / "manifest.csv").read_text().splitlines()[1:]}
    assert {path.stem for path in selected if path.suffix == ".tsv"} == listed
    assert {path.name for path in selected if path.suffix != ".tsv"} == {"manifest.csv", "README.md"}
    assert all(path.parent == REPO / "labels" for path in selected)


def test_an_installed_package_finds_its_shipped_pages(shipped_dir: Path) -> None:
    assert shipped.shipped_labels() == shipped_dir
    assert shipped.is_shipped(shipped_dir) and not shipped.is_shipped(shipped_dir.parent)


def test_without_labels_the_commands_use_the_shipped_pages(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a checkout, with no ./labels, `cleaner labels check` (and train, evaluate) said "run in
    a checkout of cleaner"; a wheel now has the pages the shipped model learnt from."""
    import cleaner.training.commands.common

    monkeypatch.setattr(cleaner.training.commands.common, "CHECKOUT_LABELS", tmp_path / "no-checkout" / "labels")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["labels", "check"])
    assert result.exit_code == 0, result.output
    assert "4 files, 3 sites, languages: vi 4" in result.stdout


def test_labels_check_says_it_checks_the_shipped_pages_without_their_sources_notes(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a wheel, with no ./labels, `cleaner labels check` checked the 378 shipped pages without
    saying so (its --help said only "else the labels/ of cleaner's checkout"), and began with a
    note per page whose source (../shared/seeds/...) is not shipped. Now it says which pages it
    checks on stderr, its --help names the fallback, and no note names a source nobody has; a
    folder of the user's own still gets one note for all its missing sources."""
    import cleaner.training.commands.common

    manifest = shipped_dir / "manifest.csv"
    rows = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text(
        "\n".join([rows[0], *(f"{row}../shared/seeds/{row.split(',')[0]}.txt" for row in rows[1:])]) + "\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(cleaner.training.commands.common, "CHECKOUT_LABELS", tmp_path / "no-checkout" / "labels")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["labels", "check"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"cleaner: checking the pages shipped with cleaner ({shipped_dir}): there is no ./labels here "
        "(--labels DIR to check yours)\n"
    )
    assert "not found" not in result.output and "4 files, 3 sites" in result.stdout
    named = runner.invoke(app, ["labels", "check", str(shipped_dir)])
    assert named.exit_code == 0 and named.stderr == ""  # named: nothing to say of which it is
    help_text = " ".join(runner.invoke(app, ["labels", "check", "--help"], env={"COLUMNS": "80"}).stdout.split())
    assert "else the pages the shipped model learnt from (shipped with cleaner)" in help_text
    mine = shutil.copytree(shipped_dir, tmp_path / "mine")
    copied = runner.invoke(app, ["labels", "check", str(mine)])
    assert copied.exit_code == 0, copied.output
    # On stderr (labels check > counts.txt holds the counts alone), saying where it looked.
    assert "not found" not in copied.stdout
    notes = [line for line in copied.stderr.splitlines() if "not found" in line]
    assert notes == [
        "cleaner: note: the sources of 4 label files are not found (seed-thoidai-000.tsv: "
        "../shared/seeds/seed-thoidai-000.txt, seed-thoidai-001.tsv: ../shared/seeds/seed-thoidai-001.txt, "
        f"seed-kinhtedothi-002.tsv: ../shared/seeds/seed-kinhtedothi-002.txt and 1 more; looked relative to "
        f"{tmp_path.resolve()}, the labels folder's parent); text not compared"
    ], notes


def test_training_on_few_pages_alone_warns_and_names_the_option(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path
) -> None:
    mine = user_labels(tmp_path / "mine", {"mine-004": "seed-baoquocte-004", "mine-003": "seed-baoquocte-003"})
    result = runner.invoke(app, ["train", "--labels", str(mine), "-o", str(tmp_path / "m.npz"), "--no-cross-validate"])
    assert result.exit_code == 0, result.output
    warning = result.stderr.splitlines()[-1]
    assert warning.startswith(f"cleaner: warning: {mine} holds 2 labelled pages, fewer than 20: ")
    assert "add --plus-shipped to train on them plus the 4 pages the shipped model learnt from" in warning
    assert "shipped" not in load_model(tmp_path / "m.npz").manifest["training_data"]


def test_the_shipped_pages_alone_are_no_few_pages(runner: CliRunner, shipped_dir: Path, tmp_path: Path) -> None:
    """The shipped folder itself is never "a few pages of your own", however many it holds."""
    args = ["train", "--labels", str(shipped_dir), "-o", str(tmp_path / "m.npz"), "--no-cross-validate"]
    for plus in ([], ["--plus-shipped"]):  # the shipped folder plus itself is itself, trained on once
        result = runner.invoke(app, [*args, *plus])
        assert result.exit_code == 0, result.output
        assert "--plus-shipped" not in result.stderr and "trained on 4 documents" in result.stdout
        data = load_model(tmp_path / "m.npz").manifest["training_data"]
        assert data["sha256"] == read_labelled(shipped_dir).sha256 and "shipped" not in data


def test_plus_shipped_trains_on_both_and_the_model_says_so(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path
) -> None:
    """The user's pages after the shipped ones; the model's manifest records the shipped data; a
    site in both is one site, and said so."""
    mine = user_labels(tmp_path / "mine", {"mine-004": "seed-baoquocte-004"})
    model = tmp_path / "m.npz"
    result = runner.invoke(
        app, ["train", "--labels", str(mine), "--plus-shipped", "-o", str(model), "--folds", "2", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^trained on 5 documents from 3 sites ", result.stdout, re.M), result.stdout
    assert f"of which 4 shipped with cleaner (--plus-shipped) and 1 of {mine}\n" in result.stdout
    assert re.search(
        rf"^cross-validated, the 1 page of {re.escape(str(mine))} alone, each scored by a model that saw no page "
        r"of its site \(leave one site out: your sites as new sites\): content char P/R/F1 [0-9./]+, line F1 ",
        result.stdout,
        re.M,
    ), result.stdout
    assert (
        f"cleaner: note: 1 site has pages in {mine} and in the pages shipped with cleaner (baoquocte.vn)"
        in result.stderr
    )
    assert "fewer than 20" not in result.stderr
    manifest = load_model(model).manifest
    data = manifest["training_data"]
    assert data["documents"] == 5 and data["origins"] == {"seed": 4, "user": 1}
    assert data["shipped"] == {
        "documents": 4,
        "sha256": read_labelled(shipped_dir).sha256,
        "shared_sites": ["baoquocte.vn"],
    }
    assert data["sha256"] not in (read_labelled(shipped_dir).sha256, read_labelled(mine).sha256)
    assert len(manifest["page_fingerprints"]) == 5
    given = manifest["cross_validation"]["given_labels"]
    assert given["documents"] == 1 and given["sites"] == 1 and 0.0 <= given["overall"]["char_f1"] <= 1.0


def test_a_page_name_in_both_folders_is_refused_naming_both(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path
) -> None:
    mine = user_labels(tmp_path / "mine", {"seed-thoidai-000": "seed-baoquocte-004", "mine-1": "seed-baoquocte-003"})
    model = tmp_path / "m.npz"
    result = runner.invoke(app, ["train", "--labels", str(mine), "--plus-shipped", "-o", str(model)])
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"cleaner: {mine / 'seed-thoidai-000.tsv'} and {shipped_dir / 'seed-thoidai-000.tsv'} (shipped with "
        f"cleaner) are both named 'seed-thoidai-000'; with --plus-shipped a name must be one page: rename yours "
        f"(its .tsv and its row in {mine / 'manifest.csv'})\n"
    )
    assert not model.exists()
    result = runner.invoke(app, ["labels", "check", str(mine), "--plus-shipped"])
    assert result.exit_code == 1, result.output
    assert f"{mine / 'seed-thoidai-000.tsv'} and {shipped_dir / 'seed-thoidai-000.tsv'}" in result.stderr
    assert "1 site has pages in" in result.stdout
    assert runner.invoke(app, ["labels", "check", str(mine)]).exit_code == 0  # alone, nothing is wrong


def test_a_copy_of_the_shipped_pages_plus_them_is_said_once(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path
) -> None:
    copy = seeded_labels(tmp_path / "labels", SHIPPED_NAMES)
    result = runner.invoke(app, ["labels", "check", str(copy), "--plus-shipped"])
    assert result.exit_code == 1
    assert f"cleaner: {copy}: every page of it is a page shipped with cleaner ({shipped_dir}), by name" in (
        result.stderr
    )
    assert "train on it without --plus-shipped" in result.stderr


def test_retrain_with_plus_shipped_adds_the_shipped_pages(
    shipped_dir: Path,
    tmp_path: Path,
    seed_documents: list[Labelled],
    trained_model: LineClassifier,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cleaner label's Retrain from a wheel fitted the user's pages alone, and told them to run in a
    checkout; with --plus-shipped it fits them after the shipped pages (here 4, and 5 pages are
    enough to pre-label with)."""
    from label_support import make_session

    monkeypatch.setattr("cleaner.training.shipped.FEW_PAGES", 5)

    from cleaner.training.labelling.session import retrain

    mine = user_labels(tmp_path / "mine", {"mine-004": "seed-baoquocte-004"})
    session = make_session(tmp_path, [seed_documents[0]], trained_model.predictor_, mine)
    session.plus_shipped = True
    retrain(session, lambda *args: None)
    assert session.model.manifest["training_data"]["shipped"]["documents"] == 4
    assert session.progress.message.startswith("trained on 5 pages in ")
    assert "only" not in session.progress.message


def test_cleaner_label_names_the_option_for_few_pages(
    cleaner_exe: Path, model_path: Path, sample_document: Labelled, tmp_path: Path
) -> None:
    """Retrain fits the labels folder alone: with few pages, a warning names --plus-shipped at the start."""
    from test_label_command import _start

    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    process, _ = _start(cleaner_exe, tmp_path, dump, "--model", str(model_path))
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert "cleaner: warning: mine holds 0 labelled pages, fewer than 20: Retrain's model of them alone" in stderr
    assert "add --plus-shipped" in stderr


def test_evaluate_plus_shipped_cross_validates_the_model_train_plus_shipped_makes(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cleaner evaluate had no --plus-shipped: the model a user trains with it could be evaluated only
    on their pages alone, another model than the one they train. The user's pages are scored alone
    too, as train's cross-validation scores them (the overall figure is mostly the shipped pages')."""
    import json

    from cleaner.training import report

    seen: list[list[str]] = []

    def cross_validated_predictions(documents: list[Labelled], *args: object, **kwargs: object) -> list[object]:
        seen.append([doc.name for doc in documents])
        # Every line right, but the user's first page's content lines all dropped.
        return [
            [None if label is None else "boilerplate" if doc.name == "mine-1" else label for label in doc.labels]
            for doc in documents
        ]

    monkeypatch.setattr(report, "cross_validated_predictions", cross_validated_predictions)
    mine = user_labels(tmp_path / "mine", {"mine-1": "seed-baoquocte-004", "mine-2": "seed-kinhtedothi-002"})
    scores = tmp_path / "scores.json"
    args = ["evaluate", "--labels", str(mine), "--plus-shipped", "--folds", "2", "--by", "none", "--json", str(scores)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen == [[*SHIPPED_NAMES, "mine-1", "mine-2"]]
    assert f"cross-validation on {mine} and the shipped pages (6 documents" in result.output
    # Leave-one-site-out: read as the model's score on the user's sites, it said retraining made them
    # worse (walk5a #5); it says what it measures, and where the other figure is.
    assert (
        f"{mine}'s pages alone (2 documents), each scored by a model that saw no page of its site (leave one site "
        "out: your sites as new sites):" in result.output
    )
    assert "on more pages of the same sites: cleaner evaluate --adapt" in result.output
    cv = json.loads(scores.read_text(encoding="utf-8"))["cross_validation"]
    assert cv["given_labels"]["documents"] == 2
    assert cv["given_labels"]["overall"]["line_r"] < cv["overall"]["line_r"] < 1.0
    result = runner.invoke(app, ["evaluate", "--labels", str(mine), "--folds", "2", "--by", "none"])
    assert result.exit_code == 0, result.output
    assert seen[-1] == ["mine-1", "mine-2"]
    assert "pages alone" not in result.output
    # A page named as a shipped page is refused as train refuses it, before any fit.
    clash = user_labels(tmp_path / "clash", {"seed-thoidai-000": "seed-baoquocte-004", "mine-1": "seed-baoquocte-003"})
    result = runner.invoke(app, ["evaluate", "--labels", str(clash), "--plus-shipped"])
    assert result.exit_code == 1, result.output
    assert f"{clash / 'seed-thoidai-000.tsv'} and {shipped_dir / 'seed-thoidai-000.tsv'}" in result.stderr
    assert len(seen) == 2


def test_train_says_each_stage_of_its_fit_on_stderr(runner: CliRunner, shipped_dir: Path, tmp_path: Path) -> None:
    """`cleaner train --plus-shipped` printed nothing for the 8 min 47 s of its fit (its one line
    came only on a terminal): each stage now says it starts on stderr, and the lines it ends with
    on stdout are as they were; -q says none of it."""
    mine = user_labels(tmp_path / "mine", {"mine-004": "seed-baoquocte-004", "mine-003": "seed-baoquocte-003"})
    args = ["train", "--labels", str(mine), "--plus-shipped", "--no-cross-validate", "-j", "1"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "m.npz")])
    assert result.exit_code == 0, result.output
    said = result.stderr.splitlines()
    assert said[:3] == [
        "cleaner: fitting the model on 6 labelled dumps (1 process)",
        said[1],
        "cleaner: fitting 3 first stages on sites left out, for the context stages to learn from",
    ], said
    assert said[1].startswith("cleaner: fitting the first stage on 6 pages, and "), said
    assert said[3:6] == [
        f"cleaner: fitting context stage {n} of 3 (and 3 more on sites left out, for the next stage and the threshold)"
        for n in (1, 2, 3)
    ], said
    assert result.stdout.startswith("trained on 6 documents from 3 sites (")
    quiet = runner.invoke(app, [*args, "-o", str(tmp_path / "q.npz"), "-q"])
    assert quiet.exit_code == 0, quiet.output
    notes = [line for line in said if "fitting" not in line]  # the notes, not progress, are said with -q
    assert quiet.stderr.splitlines() == notes
    assert quiet.stdout.replace("q.npz", "m.npz").split("\n")[1:] == result.stdout.split("\n")[1:]
    assert (tmp_path / "q.npz").read_bytes() == (tmp_path / "m.npz").read_bytes()


def test_train_says_each_cross_validation_fold_without_a_terminal(
    runner: CliRunner, shipped_dir: Path, tmp_path: Path
) -> None:
    """Without a terminal there is no bar: a line as each fold ends, in a log as on a screen."""
    result = runner.invoke(
        app, ["train", "--labels", str(shipped_dir), "--folds", "2", "-j", "1", "-o", str(tmp_path / "m.npz")]
    )
    assert result.exit_code == 0, result.output
    said = result.stderr.splitlines()
    assert said[:3] == [
        "cleaner: cross-validating (2-fold, whole sites left out)",
        "cleaner: cross-validation: 1 of 2 folds done",
        "cleaner: cross-validation: 2 of 2 folds done",
    ], said
    assert said[3] == "cleaner: fitting the model on 4 labelled dumps (1 process)"

"""cleaner label's web application in-process (Starlette's test client): what it serves, what it
saves, and whom it refuses (other hosts, other origins, cross-site requests, no token)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import Labelled
from label_support import make_session, seeded_labels
from starlette.testclient import TestClient

from cleaner.classifier.estimator import LineClassifier
from cleaner.training.check import check_labels
from cleaner.training.labelling.app import allowed_hosts, create_app, is_loopback
from cleaner.training.labelling.pages import load_pages
from cleaner.training.labelling.session import Session
from cleaner.training.labels import load_labelled_dir

BASE = "http://127.0.0.1:8123"
ORIGIN = {"Origin": BASE}


@pytest.fixture
def session(tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier) -> Session:
    return make_session(tmp_path, seed_documents[:3], trained_model.predictor_)


@pytest.fixture
def client(session: Session) -> TestClient:
    return TestClient(create_app(session, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)


def tags_for(page: dict) -> list[str | None]:
    return [line["tag"] for line in page["lines"]]


def opened(page: dict) -> dict[str, str]:
    """What a save names the page by, as the page view gave it: its source and its lines' digest."""
    return {"where": page["where"], "digest": page.get("digest", "")}


def test_the_page_and_its_assets_are_served_from_the_package(client: TestClient) -> None:
    html = client.get("/")
    assert html.status_code == 200
    assert "text/html" in html.headers["content-type"]
    for asset in ("/static/label.js", "/static/label.css"):
        assert f'"{asset}"' in html.text
        assert client.get(asset).status_code == 200
    assert "http" not in html.text.replace(BASE, "")  # nothing from another server
    assert "script-src 'self'" in html.headers["content-security-policy"]
    assert html.headers["x-frame-options"] == "DENY"


def test_pages_come_pre_labelled_by_the_model(client: TestClient, session: Session) -> None:
    listing = client.get("/api/pages").json()
    assert len(listing["pages"]) == 3
    page = client.get("/api/pages/0").json()
    source = session.pages[0]
    assert [line["text"] for line in page["lines"]] == source.lines
    expected = session.model.predict([source.lines])[0]
    assert tags_for(page) == [None if label is None else label[0].upper() for label in expected]
    assert all((line["score"] is None) == (line["tag"] is None) for line in page["lines"])
    assert client.get("/api/pages/99").status_code == 404


def test_save_writes_a_label_file_that_labels_check_accepts(client: TestClient, session: Session) -> None:
    page = client.get("/api/pages/1").json()
    tags = tags_for(page)
    first = next(i for i, tag in enumerate(tags) if tag is not None)
    tags[first] = "B" if tags[first] == "C" else "C"
    answer = client.post(
        "/api/pages/1",
        json={"name": "mine", "site": "example.vn", "language": "vi", "tags": tags, **opened(page)},
        headers=ORIGIN,
    )
    assert answer.status_code == 200, answer.text
    assert check_labels(session.labels_dir, echo=lambda _: None) == []
    (saved,) = load_labelled_dir(session.labels_dir)
    assert saved.name == "mine" and saved.origin == "user"
    assert [None if label is None else label[0].upper() for label in saved.labels] == tags
    again = client.get("/api/pages/1").json()
    assert again["saved"] and tags_for(again) == tags  # shown as saved, not as the model guesses


def test_a_restarted_session_shows_the_saved_page_as_saved(
    client: TestClient, session: Session, tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    """A page saved, the server stopped and started again: the page is shown saved, with the
    person's labels, and saving it again replaces its file instead of adding a second one."""
    page = client.get("/api/pages/1").json()
    tags = tags_for(page)
    first = next(i for i, tag in enumerate(tags) if tag is not None)
    tags[first] = "B" if tags[first] == "C" else "C"
    body = {"name": "mine", "site": "example.vn", "language": "vi", "tags": tags, **opened(page)}
    assert client.post("/api/pages/1", json=body, headers=ORIGIN).status_code == 200
    restarted = make_session(tmp_path, seed_documents[:3], trained_model.predictor_)
    again = TestClient(create_app(restarted, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)
    number = next(p["number"] for p in again.get("/api/pages").json()["pages"] if p["where"] == page["where"])
    shown = again.get(f"/api/pages/{number}").json()
    assert shown["saved"] and shown["name"] == "mine" and tags_for(shown) == tags
    assert again.post(f"/api/pages/{number}", json=body, headers=ORIGIN).status_code == 200
    assert sorted(p.name for p in session.labels_dir.glob("*.tsv")) == ["mine.tsv"]
    assert check_labels(session.labels_dir, echo=lambda _: None) == []


@pytest.mark.parametrize("name", ["../../escape", "/tmp/abs", "a/../../b", "..", "x\u202e"])
def test_a_page_name_cannot_write_outside_labels(client: TestClient, session: Session, name: str) -> None:
    page = client.get("/api/pages/0").json()
    answer = client.post(
        "/api/pages/0",
        json={"name": name, "site": "example.vn", "language": "vi", "tags": tags_for(page), **opened(page)},
        headers=ORIGIN,
    )
    assert answer.status_code == 422
    assert not session.labels_dir.exists() or not any(session.labels_dir.iterdir())
    assert not list(session.labels_dir.parent.parent.rglob("escape*"))


def _refusing_writes(monkeypatch: pytest.MonkeyPatch, code: int, names: tuple[str, ...]) -> None:
    """The store's writes of files named ``names`` fail as the disk would (errno ``code``), with
    the hidden temporary's name in the error, as :func:`cleaner.atomic.write_atomic` raises it."""
    from cleaner.training.labelling import store

    real = store.write_atomic

    def write(path: Path, data: bytes) -> None:
        if path.name in names:
            raise OSError(code, os.strerror(code), str(path.parent / f".{path.name}.abcdefgh.tmp"))
        real(path, data)

    monkeypatch.setattr(store, "write_atomic", write)


@pytest.mark.parametrize(("code", "status"), [(errno.EACCES, 500), (errno.ENOSPC, 507)], ids=["read-only", "full"])
def test_a_save_the_disk_refuses_is_one_line_naming_the_label_file(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch, code: int, status: int
) -> None:
    """Saving into a read-only folder, or on a full disk, was a 500 with a text/plain body and a
    60-line traceback on the console, naming the hidden temporary. Now a JSON error naming the
    label file (507 Insufficient Storage when the disk is full), and nothing written."""
    _refusing_writes(monkeypatch, code, ("mine.tsv",))
    page = client.get("/api/pages/1").json()
    body = {"name": "mine", "site": "example.vn", "language": "vi", "tags": tags_for(page), **opened(page)}
    answer = client.post("/api/pages/1", json=body, headers=ORIGIN)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    path = session.labels_dir / "mine.tsv"
    assert answer.json() == {"error": f"cannot write {path}: {os.strerror(code)}; nothing was saved"}
    assert not any(session.labels_dir.iterdir())


def test_a_manifest_the_disk_refuses_leaves_the_folder_as_it_was(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The label file written, then the manifest refused (the disk filled between them): the new
    label file is taken back, so the folder is as it was and saving again is a first save."""
    page = client.get("/api/pages/1").json()
    body = {"name": "mine", "site": "example.vn", "language": "vi", "tags": tags_for(page), **opened(page)}
    with monkeypatch.context() as patch:
        _refusing_writes(patch, errno.ENOSPC, ("manifest.csv",))
        answer = client.post("/api/pages/1", json=body, headers=ORIGIN)
    assert answer.status_code == 507, answer.text
    manifest = session.labels_dir / "manifest.csv"
    assert answer.json() == {"error": f"cannot write {manifest}: No space left on device; nothing was saved"}
    assert not any(session.labels_dir.iterdir())
    again = client.post("/api/pages/1", json=body, headers=ORIGIN)  # once there is room
    assert again.status_code == 200, again.text
    assert check_labels(session.labels_dir, echo=lambda _: None) == []
    saved = {path.name: path.read_bytes() for path in session.labels_dir.iterdir()}
    tags = tags_for(page)
    first = next(i for i, tag in enumerate(tags) if tag is not None)
    tags[first] = "B" if tags[first] == "C" else "C"
    with monkeypatch.context() as patch:  # saved again, edited: the file it replaced is put back
        _refusing_writes(patch, errno.ENOSPC, ("manifest.csv",))
        assert client.post("/api/pages/1", json={**body, "tags": tags}, headers=ORIGIN).status_code == 507
    assert {path.name: path.read_bytes() for path in session.labels_dir.iterdir()} == saved


def test_rebinding_another_host_name_is_refused(client: TestClient) -> None:
    """DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends Host: evil.example."""
    answer = client.get("/api/pages/0", headers={"Host": "evil.example:8123"})
    assert answer.status_code == 421
    assert "lines" not in answer.text


def test_another_origin_can_neither_read_nor_write(client: TestClient, session: Session) -> None:
    page = client.get("/api/pages/0").json()
    body = {"name": "x", "site": "example.vn", "language": "vi", "tags": tags_for(page), **opened(page)}
    assert client.get("/api/pages/0", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/pages/0", json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.get("/api/pages/0", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/api/pages/0", json=body, headers={"Origin": "null"}).status_code == 403
    assert client.post("/api/pages/0", json=body).status_code == 403  # no Origin: not from the page
    form = client.post(
        "/api/pages/0", content=b"name=x", headers={**ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 415  # a cross-site form cannot send JSON without a preflight
    assert client.post("/api/retrain", json={}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert not session.labels_dir.exists()
    assert session.progress.state == "idle"


def test_beyond_loopback_every_request_needs_the_token(session: Session) -> None:
    app = create_app(session, allowed_hosts("192.0.2.7", 8123), token="s3cret")
    client = TestClient(app, base_url="http://192.0.2.7:8123")
    assert client.get("/").status_code == 401
    assert client.get("/api/pages", params={"token": "wrong"}).status_code == 401
    first = client.get("/", params={"token": "s3cret"})
    assert first.status_code == 200
    assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
    assert client.get("/api/pages").status_code == 200  # the cookie carries it from now on
    assert TestClient(app, base_url="http://192.0.2.7:8123").get("/api/pages").status_code == 401


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.com", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_allowed_hosts() -> None:
    assert allowed_hosts("127.0.0.1", 80) == {"127.0.0.1:80", "localhost:80", "[::1]:80"}
    assert allowed_hosts("::1", 80) == {"127.0.0.1:80", "localhost:80", "[::1]:80"}
    assert allowed_hosts("192.0.2.7", 80) == {"192.0.2.7:80"}
    assert allowed_hosts("0.0.0.0", 80) is None  # any name: the token is what keeps others out


@pytest.mark.slow
def test_retrain_writes_the_users_model_and_scores_the_site(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retrain fits on labels/ (the seed pages plus one saved here), writes --model-out, pre-labels
    with the new model (here 4 pages are enough), and scores the saved site's pages with leave-one-page-out."""
    monkeypatch.setattr("cleaner.training.shipped.FEW_PAGES", 4)
    labels = seeded_labels(tmp_path / "labels", ["seed-thoidai-000", "seed-kinhtedothi-002", "seed-baoquocte-003"])
    session = make_session(tmp_path, [seed_documents[1], seed_documents[4]], trained_model.predictor_, labels)
    client = TestClient(create_app(session, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)
    number = next(page.number for page in session.pages if page.where.endswith("seed-baoquocte-004.txt"))
    gold = [None if label is None else label[0].upper() for label in seed_documents[4].labels]
    saved = client.post(
        f"/api/pages/{number}",
        json={
            "name": "baoquocte-mine",
            "site": "baoquocte.vn",
            "language": "vi",
            "tags": gold,
            **opened(client.get(f"/api/pages/{number}").json()),
        },
        headers=ORIGIN,
    )
    assert saved.status_code == 200, saved.text
    assert client.post("/api/retrain", json={}, headers=ORIGIN).status_code == 202
    session.wait_retrain()
    progress = client.get("/api/retrain").json()
    assert progress["state"] == "done", progress
    assert session.model_out.is_file()
    assert session.model_name == str(session.model_out)
    assert session.model.manifest["training_data"]["documents"] == 4
    scores = progress["scores"]["baoquocte.vn"]
    assert set(scores["pages"]) == {"seed-baoquocte-003", "baoquocte-mine"}
    assert all(0.0 <= value <= 1.0 for value in scores["pages"].values())
    assert session.pages[0].saved_as == "baoquocte-mine"  # saved pages first, the rest by the new model's doubt
    assert progress["switched"]


@pytest.mark.slow
def test_a_retrain_on_too_few_pages_keeps_pre_labelling_with_the_model_it_had(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    """Retrain on a page or two switched pre-labelling to a model of those pages alone (91 lines kept
    where the shipped model kept 17, the gold 18), which the next cleaner label refused ("learnt from
    only 1 labelled page"): the session now applies the same rule, and says why and what to do."""
    labels = seeded_labels(tmp_path / "labels", ["seed-baoquocte-003"])
    session = make_session(tmp_path, [seed_documents[4]], trained_model.predictor_, labels)
    client = TestClient(create_app(session, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)
    before = session.model
    page = client.get("/api/pages/0").json()
    gold = [None if label is None else label[0].upper() for label in seed_documents[4].labels]
    body = {"name": "mine", "site": "baoquocte.vn", "language": "vi", "tags": gold, **opened(page)}
    assert client.post("/api/pages/0", json=body, headers=ORIGIN).status_code == 200
    assert client.post("/api/retrain", json={}, headers=ORIGIN).status_code == 202
    session.wait_retrain()
    progress = client.get("/api/retrain").json()
    assert progress["state"] == "done", progress
    assert session.model_out.is_file()  # written, for --model, but not used
    assert session.model is before and session.model_name == "test model"
    assert client.get("/api/pages").json()["model"] == "test model"
    assert not progress["switched"]
    message = progress["message"]
    assert "not used to pre-label: it learnt from only 2 labelled pages, fewer than 20" in message, message
    assert "so test model goes on pre-labelling" in message
    assert "Label more pages and retrain, or start cleaner label again with --plus-shipped" in message


@pytest.mark.slow
def test_a_retrain_before_any_save_says_why_no_site_is_scored(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    """Retrained before saving anything here, the page showed no scores and no reason."""
    labels = seeded_labels(tmp_path / "labels", ["seed-thoidai-000", "seed-kinhtedothi-002", "seed-baoquocte-003"])
    session = make_session(tmp_path, [seed_documents[1]], trained_model.predictor_, labels)
    client = TestClient(create_app(session, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)
    assert client.post("/api/retrain", json={}, headers=ORIGIN).status_code == 202
    session.wait_retrain()
    progress = client.get("/api/retrain").json()
    assert progress["state"] == "done", progress
    assert progress["scores"] == {}
    assert (
        "no site scored: leave-one-page-out scores the sites of the pages saved while this server runs"
        in (progress["message"])
    )


def test_leave_one_page_out_skips_a_page_with_nothing_else_to_learn_from() -> None:
    """With a single labelled page, leaving it out leaves no training data: no score, no error."""
    from cleaner.training.labelling.session import leave_one_page_out
    from cleaner.training.labels import LabelledDocument

    only = LabelledDocument("p", ["Body text.", "Menu"], ["content", "boilerplate"], site="example.com")
    reported: list[tuple[str, int, int]] = []
    scores = leave_one_page_out([only], ["example.com"], 1, None, lambda *args: reported.append(args))
    reason = "needs 2 labelled pages: without its only page there is nothing to train on"
    assert scores == {"example.com": {"pages": {}, "char_f1": None, "unscored": {"p": reason}}}
    other = LabelledDocument("q", ["More text."], ["content"], site="example.org")
    scores = leave_one_page_out([only, other], ["example.com"], 1, None, lambda *args: None)
    assert scores["example.com"]["unscored"] == {
        "p": "the other labelled pages have no boilerplate line to learn from: label another page of the site"
    }
    assert reported and reported[-1][1:] == (0, 0)


def test_a_page_keeps_its_number_when_a_new_model_reorders_them(client: TestClient, session: Session) -> None:
    """After a retrain the order changes; a save sent for the page shown must still land on it."""
    shown = {page.number: page.where for page in session.pages}
    page = client.get("/api/pages/2").json()
    saved = client.post(
        "/api/pages/2",
        json={"name": "third", "site": "example.vn", "language": "vi", "tags": tags_for(page), **opened(page)},
        headers=ORIGIN,
    )
    assert saved.status_code == 200
    session.use_model(session.model, "same model")
    listing = client.get("/api/pages").json()["pages"]
    assert listing[0]["number"] == 2 and listing[0]["saved"]  # saved pages first
    assert {page["number"]: page["where"] for page in listing} == shown
    for number, where in shown.items():
        assert client.get(f"/api/pages/{number}").json()["where"] == where


def template_page(title: str) -> str:
    """A page of one site's template: every page has the same number of lines."""
    chrome = ["Harbour News | Home | Port | Weather", "Log in", ""]
    body = [f"# {title}", "", f"{title}: the harbour master said the quay reopens on Monday.", ""]
    foot = ["Most read", f"More on {title.lower()}", "Share: Facebook | X", "(c) 2026 Harbour News"]
    return "\n".join(chrome + body + foot) + "\n"


def article_tags(page: dict) -> list[str | None]:
    """The template page's labels: its title and paragraph content, the rest boilerplate."""
    return [
        None if line["tag"] is None else ("C" if "Storm" in line["text"] and "More" not in line["text"] else "B")
        for line in page["lines"]
    ]


def test_a_tab_open_across_a_restart_cannot_save_onto_another_page(
    tmp_path: Path, trained_model: LineClassifier
) -> None:
    """A page's number is its place in one server's order. A tab left open while the server restarted
    with another dump saved its page by number onto whatever page had that number now: a saved page's
    label file was renamed to the tab's page name (its labels lost), or a page never saved was saved
    under the tab's page's name. The page is now named by its source and the digest of its lines."""
    model = trained_model.predictor_
    dumps, labels = tmp_path / "d", tmp_path / "labels"
    dumps.mkdir()
    for name in ("a2", "a3"):
        (dumps / f"{name}.txt").write_text(template_page(f"Storm {name}"), encoding="utf-8")
    first = Session(load_pages(model, [str(dumps)], labels)[0], model, labels, tmp_path / "m.npz")
    tab = TestClient(create_app(first, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)
    number = {Path(page.where).stem: page.number for page in first.pages}
    a3 = tab.get(f"/api/pages/{number['a3']}").json()
    body = {"name": "a3", "site": "harbour.example", "language": "en", "tags": article_tags(a3), **opened(a3)}
    assert tab.post(f"/api/pages/{number['a3']}", json=body, headers=ORIGIN).status_code == 200
    a2 = tab.get(f"/api/pages/{number['a2']}").json()  # opened in the tab, not saved
    kept = {path.name: path.read_bytes() for path in labels.iterdir()}

    # The server restarts with a third dump: the tab's number of a2 is now a3's (saved) or a1's (never saved).
    (dumps / "a1.txt").write_text(template_page("Storm a1"), encoding="utf-8")
    for now in ("a3", "a1"):
        pages = load_pages(model, [str(dumps)], labels)[0]
        mine = next(page for page in pages if Path(page.where).stem == now)
        there = next(page for page in pages if page.number == a2["number"])
        mine.number, there.number = there.number, mine.number
        restarted = Session(pages, model, labels, tmp_path / "m.npz")
        server = TestClient(create_app(restarted, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)
        assert len(restarted.page(a2["number"]).lines) == len(a2["lines"])  # the line count alone cannot tell
        stale = {"name": "a2", "site": "harbour.example", "language": "en", "tags": article_tags(a2), **opened(a2)}
        answer = server.post(f"/api/pages/{a2['number']}", json=stale, headers=ORIGIN)
        assert answer.status_code == 409, answer.text
        assert "this page changed since it was opened (the server restarted?); reload" in answer.json()["error"]
        assert {path.name: path.read_bytes() for path in labels.iterdir()} == kept
        shown = server.get(f"/api/pages/{a2['number']}", params=opened(a2))
        assert shown.status_code == 409
        # A save without the page's identity (a page served before this check) is refused too.
        unnamed = {key: value for key, value in stale.items() if key not in ("where", "digest")}
        assert server.post(f"/api/pages/{a2['number']}", json=unnamed, headers=ORIGIN).status_code == 409
        # The page itself, under its new number, saves.
        moved = next(page for page in pages if Path(page.where).stem == "a2")
        assert server.get(f"/api/pages/{moved.number}", params=opened(a2)).status_code == 200
    assert server.post(f"/api/pages/{moved.number}", json=stale, headers=ORIGIN).status_code == 200
    assert sorted(path.name for path in labels.glob("*.tsv")) == ["a2.tsv", "a3.tsv"]
    assert check_labels(labels, echo=lambda _: None) == []


def test_a_save_while_a_new_model_reorders_the_pages_lists_the_page_once(client: TestClient, session: Session) -> None:
    """Retrain's re-ordering scores the unsaved pages outside the lock; a page saved meanwhile was
    listed twice after it (1001 pages listed for 1000)."""
    page = client.get("/api/pages/2").json()
    body = {"name": "late", "site": "example.vn", "language": "vi", "tags": tags_for(page), **opened(page)}
    model = session.model

    class SavingMeanwhile:
        """The new model: while it scores the pages, the person saves one."""

        threshold = model.threshold

        def predict_proba_nonblank(self, pages: list[list[str]]) -> list:
            assert client.post("/api/pages/2", json=body, headers=ORIGIN).status_code == 200
            return model.predict_proba_nonblank(pages)

    session.use_model(SavingMeanwhile(), "new model")  # type: ignore[arg-type]
    listing = client.get("/api/pages").json()["pages"]
    assert sorted(page["number"] for page in listing) == [0, 1, 2]
    assert listing[0]["number"] == 2 and listing[0]["saved"]


@pytest.mark.parametrize("plus_shipped", [False, True])
def test_retrain_progress_names_the_labels_directory_it_fits(
    tmp_path: Path,
    seed_documents: list[Labelled],
    trained_model: LineClassifier,
    monkeypatch: pytest.MonkeyPatch,
    plus_shipped: bool,
) -> None:
    """With --labels labels2 the progress said "fitting the model on labels/"."""
    from cleaner.training.labelling.session import retrain

    session = make_session(tmp_path, seed_documents[:1], trained_model.predictor_, tmp_path / "labels2")
    session.plus_shipped = plus_shipped
    said: list[str] = []

    def stop(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no fit here")

    monkeypatch.setattr("cleaner.training.train.train", stop)
    with pytest.raises(RuntimeError):
        retrain(session, lambda phase, done, total: said.append(phase))
    shipped = " plus the pages the shipped model learnt from" if plus_shipped else ""
    assert said == [f"fitting the model on {tmp_path / 'labels2'}/{shipped}"]
    client = TestClient(create_app(session, allowed_hosts("127.0.0.1", 8123)), base_url=BASE)
    assert client.get("/api/pages").json()["plus_shipped"] is plus_shipped


def test_a_retrain_whose_model_the_disk_refuses_says_it_in_one_line(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    """Retrain on a full disk showed "OSError: [Errno 28] No space left on device" (the temporary's
    name with EACCES) and printed a traceback on the console: the file, why, and that the model
    pre-labelling goes on, and no traceback."""
    from cleaner.training.outputs import NotWritten

    def full(session: Session, report: object) -> None:
        raise NotWritten(session.model_out, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))

    assert session.start_retrain(full)
    session.wait_retrain()
    progress = session.progress.as_dict()
    assert progress["state"] == "failed"
    assert progress["message"] == (
        f"cannot write {session.model_out}: No space left on device; pre-labelling goes on with test model"
    )
    assert "Traceback" not in capsys.readouterr().err


def test_the_warnings_of_leave_one_page_outs_fits_reach_the_server(recwarn: pytest.WarningsRecorder) -> None:
    """Leave-one-page-out fits in worker processes: a fit's warning (one site: no context stages) was
    printed there as Python prints it, file path and source line; it now reaches the server's
    process, once, where cleaner label prints it as one line."""
    from cleaner.training.labelling.session import leave_one_page_out
    from cleaner.training.labels import LabelledDocument

    pages = [
        LabelledDocument(
            name, [f"Body text of {name}.", "Menu", "Home"], ["content", "boilerplate", "boilerplate"], site="a.com"
        )
        for name in ("p", "q")
    ]
    scores = leave_one_page_out(pages, ["a.com"], 2, None, lambda *args: None)
    assert set(scores["a.com"]["pages"]) == {"p", "q"}
    said = [str(warning.message) for warning in recwarn if "1 group (site)" in str(warning.message)]
    assert len(said) == 1, said


def test_every_key_the_page_takes_is_listed_on_it(client: TestClient) -> None:
    """x toggled a line as space does, and was listed nowhere."""
    import re

    script = client.get("/static/label.js").text
    html = client.get("/").text
    keys = set(re.findall(r'key === "([a-z])"', script))
    listed = {key for term in re.findall(r"<dt>(.*?)</dt>", html) for key in re.findall(r"\b([a-z])\b", term)}
    assert "x" in keys and keys <= listed, keys - listed


def test_a_refusal_says_why_in_plain_text_with_the_security_headers(session: Session) -> None:
    app = create_app(session, allowed_hosts("192.0.2.7", 8123), token="s3cret")
    client = TestClient(app, base_url="http://192.0.2.7:8123")
    cases = [
        (client.get("/", headers={"Host": "evil.example:8123"}), 421, "this server does not answer to Host"),
        (client.get("/", headers={"Origin": "http://evil.example"}), 403, "a request from another origin"),
        (client.get("/api/pages", params={"token": "wrong"}), 401, "open the URL that `cleaner label` printed"),
    ]
    for answer, status, reason in cases:
        assert answer.status_code == status and answer.text.startswith(f"refused: {reason}"), answer.text
        assert answer.headers["content-type"] == "text/plain; charset=utf-8"
        assert answer.headers["x-frame-options"] == "DENY" and "set-cookie" not in answer.headers
    cookie = client.get("/", params={"token": "s3cret"}, headers={"Cookie": "a=b; cleaner_label_token=wrong"})
    assert cookie.status_code == 200 and "cleaner_label_token=s3cret" in cookie.headers["set-cookie"]
    assert client.get("/api/pages", headers={"Cookie": "a=b; cleaner_label_token=s3cret"}).status_code == 200


def test_a_page_saved_as_pre_labelled_is_marked_and_the_first_model_scored_beside(
    client: TestClient, session: Session
) -> None:
    """Pages saved with their pre-labels uncorrected scored 0.98 by leave one page out, carrying the
    shipped model's mistakes, and nothing said so: such a page is marked unedited, and the model
    that pre-labelled the pages is scored beside (walk5a #7)."""
    from cleaner.training.labelling.session import compare_with_first_model

    views = [client.get(f"/api/pages/{number}").json() for number in (0, 1)]
    edited = tags_for(views[1])
    first = next(i for i, tag in enumerate(edited) if tag is not None)
    edited[first] = "B" if edited[first] == "C" else "C"
    for view, name, tags in ((views[0], "as-is", tags_for(views[0])), (views[1], "fixed", edited)):
        fields = {"name": name, "site": "example.vn", "language": "vi", "tags": tags, **opened(view)}
        assert client.post(f"/api/pages/{view['number']}", json=fields, headers=ORIGIN).status_code == 200
    assert [page.unedited for page in session.pages if page.saved_as] == [True, False]
    documents = load_labelled_dir(session.labels_dir)
    scores: dict = {"example.vn": {"pages": {"as-is": 0.99, "fixed": 0.5}, "char_f1": 0.745}}
    compare_with_first_model(session, documents, ["example.vn"], scores)
    site = scores["example.vn"]
    assert site["unedited"] == ["as-is"] and site["prelabel_model"] == "test model"
    assert site["prelabel"]["as-is"] == 1.0 and site["prelabel"]["fixed"] < 1.0


def test_a_page_without_a_site_is_offered_the_site_last_saved(client: TestClient, session: Session) -> None:
    """Plain dumps in a folder not named like a domain had '' for every page: the site was typed
    again on each, though the pages before were saved under one site."""
    for page in session.pages:
        page.site = ""
    first = client.get("/api/pages/0").json()
    assert first["site"] == ""
    fields = {"name": "one", "site": "www.evdepazar.example", "language": "tr", "tags": tags_for(first)}
    assert client.post("/api/pages/0", json={**fields, **opened(first)}, headers=ORIGIN).status_code == 200
    assert client.get("/api/pages/1").json()["site"] == "www.evdepazar.example"

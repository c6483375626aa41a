"""cleaner label end to end in real browsers: headless Chromium (Debian's chromium and
chromium-driver, through selenium) and Firefox ESR (over WebDriver BiDi), which .ci/run installs,
click, shift-click, drag and type on the page and save; the label file must hold exactly the labels
those actions give the model's pre-labelled page."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from browser_support import Background, chromium, find_browser, wait_ready
from conftest import Labelled
from firefox_support import find_firefox, firefox
from label_support import make_session

from cleaner.classifier.estimator import LineClassifier
from cleaner.training.check import check_labels
from cleaner.training.labels import load_labelled_dir

FOUND = find_browser()


def flip(tag: str) -> str:
    return "B" if tag == "C" else "C"


def block(tags: list[str | None], index: int) -> list[int]:
    """The page's whole-block rule: the run of non-blank lines labelled like ``index`` around it."""
    label, out = tags[index], [index]
    for direction in (-1, 1):
        i = index + direction
        while 0 <= i < len(tags) and (tags[i] is None or tags[i] == label):
            if tags[i] is not None:
                out.append(i)
            i += direction
    return out


class Keyboard:
    """The page's keys, as label.js defines them, on a list of tags: what the page should end with."""

    def __init__(self, tags: list[str | None], cursor: int, undo: list[tuple[list[tuple[int, str | None]], int]]):
        self.tags, self.cursor, self.undo = tags, cursor, undo

    def set(self, label: str) -> None:
        if self.tags[self.cursor] != label:  # the page records only what changes
            self.undo.append(([(self.cursor, self.tags[self.cursor])], self.cursor))
            self.tags[self.cursor] = label

    def type(self, *keys: str) -> None:
        for key in keys:
            if key == "j":
                self.cursor = next(i for i in range(self.cursor + 1, len(self.tags)) if self.tags[i] is not None)
            elif key in ("b", "c"):
                self.set(key.upper())
            elif key == "x":
                self.set(flip(self.tags[self.cursor] or "B"))
            elif key == "u":
                changes, self.cursor = self.undo.pop()
                for i, before in changes:
                    self.tags[i] = before


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_click_shift_click_drag_keys_and_save(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    session = make_session(tmp_path, seed_documents[:2], trained_model.predictor_)
    page = session.pages[0]
    tags: list[str | None] = [
        None if label is None else label[0].upper() for label in session.model.predict([page.lines])[0]
    ]
    lines = [i for i, tag in enumerate(tags) if tag is not None]
    assert len(lines) > 30

    with Background(session) as url, chromium() as driver:
        driver.get(url)
        wait_ready(driver)

        def row(i: int):
            return driver.find_element(By.CSS_SELECTOR, f'.line[data-index="{i}"]')

        def keys(*typed: str) -> None:
            chain = ActionChains(driver)
            for key in typed:
                chain.send_keys(key)
            chain.perform()

        shown = [el.get_attribute("class") for el in driver.find_elements(By.CSS_SELECTOR, ".line")]
        assert [None if "blank" in c else ("C" if " C" in c else "B") for c in shown] == tags

        # A click toggles one line.
        row(lines[2]).click()
        tags[lines[2]] = flip(tags[lines[2]])
        # Click a line, shift-click another: the range takes the clicked line's new label.
        row(lines[5]).click()
        tags[lines[5]] = flip(tags[lines[5]])
        ActionChains(driver).key_down(Keys.SHIFT).click(row(lines[8])).key_up(Keys.SHIFT).perform()
        for i in lines[5:9]:
            tags[i] = tags[lines[5]]
        # A drag gives every line it covers the first line's flipped label.
        label = flip(tags[lines[10]])
        ActionChains(driver).click_and_hold(row(lines[10])).move_to_element(row(lines[12])).release().perform()
        for i in lines[10:13]:
            tags[i] = label
        # Keyboard: down twice, b; shift+j extends the selection, c labels both; u undoes that; x toggles.
        keys("j", "j", "b")
        tags[lines[14]] = "B"
        keys("J", "c", "j", "u")  # undone: lines 14 and 15 as they were, the cursor back on 15
        cursors = driver.find_elements(By.CSS_SELECTOR, ".line.cursor")
        assert [el.get_attribute("data-index") for el in cursors] == [str(lines[15])]
        keys("x")  # the cursor is back on line 15 (where the undone change left it)
        tags[lines[15]] = flip(tags[lines[15]])
        # Down to line 20, shift+b: the whole run of lines labelled like it becomes boilerplate.
        keys(*["j"] * 5, "B")
        for i in block(tags, lines[20]):
            tags[i] = "B"
        # The manifest fields, then save with the keyboard.
        site = driver.find_element(By.ID, "site")
        site.clear()
        site.send_keys("example.vn", Keys.ESCAPE)
        keys("s")
        WebDriverWait(driver, 30).until(lambda d: "saved" in d.find_element(By.ID, "status").text)
        assert "not saved" not in driver.find_element(By.ID, "status").text
        logs = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not logs, logs

    assert check_labels(session.labels_dir, echo=lambda _: None) == []
    (saved,) = load_labelled_dir(session.labels_dir)
    assert saved.name == page.name and saved.site == "example.vn" and saved.origin == "user"
    assert [None if label is None else label[0].upper() for label in saved.labels] == tags


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_unsaved_edits_survive_paging_and_a_reload(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    """Leaving a page unsaved, or reloading the tab, keeps its edits (closing the browser loses no
    page but the one being edited, and not even that while the server runs)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    session = make_session(tmp_path, seed_documents[:2], trained_model.predictor_)
    page = session.pages[0]
    first = next(i for i, line in enumerate(page.lines) if line.strip())
    with Background(session) as url, chromium() as driver:
        driver.get(url)
        wait_ready(driver)

        def tag() -> str:
            return driver.find_element(By.CSS_SELECTOR, f'.line[data-index="{first}"] .tag').text

        before = tag()
        ActionChains(driver).send_keys("x").perform()  # the cursor starts on the first line
        assert tag() == flip(before)
        wait = WebDriverWait(driver, 30)
        ActionChains(driver).send_keys("n").perform()
        wait.until(lambda d: d.find_element(By.ID, "position").text.startswith("page 2"))
        ActionChains(driver).send_keys("p").perform()
        wait.until(lambda d: d.find_element(By.ID, "position").text.startswith("page 1"))
        assert tag() == flip(before)
        driver.execute_script("window.onbeforeunload = null")
        driver.refresh()
        wait_ready(driver)
        assert tag() == flip(before)
        assert "unsaved" in driver.find_element(By.ID, "status").text


FIREFOX = find_firefox()


@pytest.mark.skipif(FIREFOX.startswith("no"), reason=FIREFOX)
def test_the_same_in_firefox(tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier) -> None:
    """A click, a shift-click range, keys and save, in Firefox (over WebDriver BiDi)."""
    session = make_session(tmp_path, seed_documents[:2], trained_model.predictor_)
    page = session.pages[0]
    tags: list[str | None] = [
        None if label is None else label[0].upper() for label in session.model.predict([page.lines])[0]
    ]
    lines = [i for i, tag in enumerate(tags) if tag is not None]

    async def drive(url: str) -> None:
        async with firefox(url) as browser:
            await browser.until("document.body.dataset.ready === 'true'")
            undo: list[tuple[list[tuple[int, str | None]], int]] = []
            for i in (lines[1], lines[3]):
                await browser.click(f'.line[data-index="{i}"]')
                undo.append(([(i, tags[i])], i))
                tags[i] = flip(tags[i])
            await browser.click(f'.line[data-index="{lines[6]}"]', shift=True)
            changed = [(i, tags[i]) for i in lines[3:7] if tags[i] != tags[lines[3]]]
            if changed:
                undo.append((changed, lines[3]))
            for i in lines[3:7]:
                tags[i] = tags[lines[3]]
            typed = ("j", "j", "b", "j", "c", "u", "x")
            await browser.keys(*typed)
            Keyboard(tags, cursor=lines[6], undo=undo).type(*typed)
            await browser.js("document.getElementById('site').value = 'example.vn'")
            await browser.keys("s")
            await browser.until("document.getElementById('status').textContent.startsWith('saved')")

    with Background(session) as url:
        asyncio.run(drive(url))
    (saved,) = load_labelled_dir(session.labels_dir)
    assert saved.site == "example.vn"
    assert [None if label is None else label[0].upper() for label in saved.labels] == tags


def template_dumps(directory: Path, names: list[str]) -> None:
    """Pages of one site's template: the same number of lines, other words."""
    directory.mkdir(exist_ok=True)
    for name in names:
        lines = ["Harbour News | Home | Port", "Log in", "", f"# Storm {name}", "", f"Storm {name}: the quay reopens."]
        (directory / f"{name}.txt").write_text("\n".join([*lines, "", "Most read", "(c) Harbour News"]) + "\n")


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_a_save_from_a_tab_older_than_the_servers_pages_is_refused_on_the_page(
    tmp_path: Path, trained_model: LineClassifier
) -> None:
    """After a restart of the server the page numbers name other pages: the tab's save landed on
    another page, saying "saved". Now the page says the page changed and to reload, and nothing is written."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from cleaner.training.labelling.pages import load_pages
    from cleaner.training.labelling.session import Session

    template_dumps(tmp_path / "d", ["a1", "a2"])
    model = trained_model.predictor_
    session = Session(
        load_pages(model, [str(tmp_path / "d")], tmp_path / "labels")[0], model, tmp_path / "labels", tmp_path / "m.npz"
    )
    with Background(session) as url, chromium() as driver:
        driver.get(url)
        wait_ready(driver)
        driver.execute_script("document.getElementById('site').value = 'harbour.example'")
        ActionChains(driver).send_keys("c").perform()
        # As a restart on other dumps would: the page shown now has another number, its number another page.
        first, second = session.pages
        first.number, second.number = second.number, first.number
        ActionChains(driver).send_keys("s").perform()
        status = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "status").text)
        assert "this page changed since it was opened (the server restarted?); reload" in status, status
        assert "error" in driver.find_element(By.ID, "status").get_attribute("class")
        ActionChains(driver).send_keys("n").perform()  # the list is as old: its next page is refused too
        WebDriverWait(driver, 30).until(lambda d: "cannot open the page" in d.find_element(By.ID, "status").text)
    assert not (tmp_path / "labels").exists()


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_an_error_that_is_not_json_is_shown_on_the_page(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save answered by a plain-text error (the server's own 500 page) showed "not saved:
    Failed to execute 'text' on 'Response': body stream already read": the page read the body as
    JSON, then again as text. Now it reads it once and shows the server's words."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    session = make_session(tmp_path, seed_documents[:1], trained_model.predictor_)

    def crash(number: int, fields: dict[str, object]) -> dict[str, object]:
        raise RuntimeError("a failure the application does not answer itself")

    monkeypatch.setattr(session, "save", crash)
    with Background(session) as url, chromium() as driver:
        driver.get(url)
        wait_ready(driver)
        driver.execute_script("document.getElementById('site').value = 'example.vn'")
        ActionChains(driver).send_keys("s").perform()
        status = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "status").text)
        assert status == "not saved: Internal Server Error", status
        assert "error" in driver.find_element(By.ID, "status").get_attribute("class")


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_the_retrain_button_names_the_labels_directory(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    """With --labels labels2 the Retrain button's tooltip said "Retrain the model on labels/"."""
    session = make_session(tmp_path, seed_documents[:1], trained_model.predictor_, tmp_path / "labels2")
    with Background(session) as url, chromium() as driver:
        driver.get(url)
        wait_ready(driver)
        title = driver.execute_script("return document.getElementById('retrain').title")
    assert title == f"Retrain the model on {tmp_path / 'labels2'}/ (r)"


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_the_scores_table_says_why_a_page_is_not_scored(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    """With one saved page of a site, the leave-one-page-out table showed "example.test -" and no reason."""
    from cleaner.training.labelling.session import leave_one_page_out
    from cleaner.training.labels import LabelledDocument

    only = LabelledDocument("mine", ["Body text.", "Menu"], ["content", "boilerplate"], site="example.test")
    scores = leave_one_page_out([only], ["example.test"], 1, None, lambda *args: None)
    session = make_session(tmp_path, seed_documents[:1], trained_model.predictor_)
    session.progress.state, session.progress.message, session.progress.scores = "done", "trained on 1 page", scores
    with Background(session) as url, chromium() as driver:
        driver.get(url)
        wait_ready(driver)
        table = driver.execute_script("return document.getElementById('scores-table').innerText")
    assert "example.test\t-" in table
    assert "not scored: needs 2 labelled pages: without its only page there is nothing to train on" in table, table


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_paging_while_the_server_is_down_says_it_cannot_be_reached(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    """n and p with the server stopped did nothing, and the status kept what it said before."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    session = make_session(tmp_path, seed_documents[:2], trained_model.predictor_)
    server = Background(session)
    with chromium() as driver:
        driver.get(server.__enter__())
        wait_ready(driver)
        server.__exit__(None, None, None)
        for key in ("n", "s"):
            driver.execute_script("document.getElementById('status').textContent = ''")
            ActionChains(driver).send_keys(key).perform()
            status = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "status").text)
            assert "cannot reach the server (stopped?): start cleaner label again" in status, (key, status)
        assert driver.find_element(By.ID, "position").text.startswith("page 1")


@pytest.mark.skipif(isinstance(FOUND, str), reason=str(FOUND))
def test_the_scores_table_marks_unedited_pages_and_shows_the_pre_labelling_model(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    session = make_session(tmp_path, seed_documents[:1], trained_model.predictor_)
    scores = {
        "example.test": {
            "pages": {"a": 0.983, "b": 0.5},
            "char_f1": 0.7415,
            "prelabel": {"a": 1.0, "b": 0.676},
            "prelabel_char_f1": 0.838,
            "prelabel_model": "the shipped model",
            "unedited": ["a"],
        }
    }
    session.progress.state, session.progress.message, session.progress.scores = "done", "trained", scores
    with Background(session) as url, chromium() as driver:
        driver.get(url)
        wait_ready(driver)
        table = driver.execute_script("return document.getElementById('scores-table').innerText")
    assert "by the shipped model, which pre-labelled them" in table, table
    assert "example.test\t0.742\t0.838" in table, table
    assert "a (unedited)\t0.983\t1.000" in table and "b\t0.500\t0.676" in table, table

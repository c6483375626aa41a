"""A headless Chromium for the labelling page's end-to-end test and the README's screenshots.

Debian's ``chromium`` and ``chromium-driver`` (installed by ``.ci/run``), driven by selenium; no
browser is ever downloaded (selenium's own driver manager is not used: both paths are given).
Run as a script, it writes the README's screenshots: ``python tests/browser_support.py``.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleaner.training.labelling.session import Session

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def find_browser() -> tuple[str, str] | str:
    """(chromium, chromedriver) paths, or why there are none."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    browser = next((path for path in CHROMIUM if Path(path).is_file()), None)
    driver = next((path for path in DRIVER if Path(path).is_file()), shutil.which("chromedriver"))
    if browser is None or driver is None:
        return "no Chromium here: `apt-get install chromium chromium-driver` (as .ci/run does) to run the browser test"
    return browser, driver


@contextmanager
def chromium(width: int = 1400, height: int = 900) -> Iterator[Any]:
    """A selenium WebDriver on a fresh headless Chromium profile, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_browser()
    if isinstance(found, str):
        raise RuntimeError(found)
    browser, driver_path = found
    profile = tempfile.mkdtemp(prefix="cleaner-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_ready(driver: Any, timeout: float = 30) -> None:
    """Until the page has loaded its first dump (the page sets body[data-ready])."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))


class Background:
    """The labelling server in a thread, for the browser tests and the screenshots:
    ``with Background(session) as url: ...``."""

    def __init__(self, session: Session, host: str = "127.0.0.1") -> None:
        from cleaner.training.labelling.serve import listen, server_for

        self.listening = listen(host, 0)
        self.server = server_for(session, self.listening)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.listening.sock]}, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            threading.Event().wait(0.01)
        return self.listening.url

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.listening.sock.close()


def take_screenshots(target: Path) -> list[Path]:
    """The README's screenshots: a Vietnamese and an English labelled dump, pre-labelled by the
    shipped model, with scores shown on the English one."""
    from cleaner.classifier.format import load_model
    from cleaner.training.labelling.pages import load_pages
    from cleaner.training.labelling.session import Session

    repo = Path(__file__).resolve().parent.parent
    work = Path(tempfile.mkdtemp(prefix="cleaner-shots-"))
    written = []
    for name, dump, scores in (
        ("label-vi.png", "seed-baoquocte-003", False),
        ("label-en.png", "written-en-gazette-02", True),
    ):
        text = "".join(
            (line.split("\t", 1)[1] if "\t" in line else "") + "\n"
            for line in (repo / "labels" / f"{dump}.tsv").read_text(encoding="utf-8").splitlines()
        )
        source = work / name.replace(".png", "") / f"{dump}.txt"
        source.parent.mkdir(parents=True)
        source.write_text(text, encoding="utf-8")
        model = load_model()
        pages, _, _ = load_pages(model, [str(source)], work / "labels")
        session = Session(pages, model, work / "labels", work / "cleaner.npz", model_name="the shipped model")
        with Background(session) as url, chromium(1400, 900) as driver:
            driver.get(url)
            wait_ready(driver)
            if scores:
                driver.find_element("id", "scores").click()
            path = target / name
            driver.save_screenshot(str(path))
            written.append(path)
    shutil.rmtree(work, ignore_errors=True)
    return written


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "docs"
    out.mkdir(exist_ok=True)
    for path in take_screenshots(out):
        print(f"wrote {path}")

"""A headless Firefox for the labelling page's test, driven over WebDriver BiDi, which Firefox
speaks itself (no geckodriver, which Debian does not package, and no download): Debian's
``firefox-esr``, installed by ``.ci/run``, and the ``websockets`` client."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

FIREFOX = ("/usr/bin/firefox-esr", "/usr/bin/firefox")
LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


def find_firefox() -> str:
    """Firefox's path, or why there is none (a message starting with 'no')."""
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "no websockets client (pip install -e '.[dev]')"
    found = next((path for path in FIREFOX if Path(path).is_file()), None)
    return found or "no Firefox here: `apt-get install firefox-esr` (as .ci/run does) to run the Firefox test"


class Page:
    """One browsing context of a BiDi session: navigate, evaluate, act."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.number = 0
        self.context = ""

    async def command(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.number += 1
        number = self.number
        await self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), 60))
            if message.get("id") == number:
                if message.get("type") == "error":
                    raise RuntimeError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]

    async def js(self, expression: str) -> Any:
        result = await self.command(
            "script.evaluate", {"expression": expression, "target": {"context": self.context}, "awaitPromise": True}
        )
        if result.get("type") == "exception":
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    async def until(self, expression: str, tries: int = 150) -> None:
        """Until ``expression`` is true (polled every 0.2 s; fails after ``tries`` polls)."""
        for _ in range(tries):
            if await self.js(expression):
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"never true: {expression}")

    async def click(self, selector: str, shift: bool = False) -> None:
        """A real click (pointer down and up) in the middle of the element, shift held if asked."""
        box = json.loads(
            await self.js(f"JSON.stringify(document.querySelector({json.dumps(selector)}).getBoundingClientRect())")
        )
        x, y = int(box["x"] + min(20, box["width"] / 2)), int(box["y"] + box["height"] / 2)
        pointer = [
            {"type": "pointerMove", "x": x, "y": y},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
        ]
        actions: list[dict[str, Any]] = [{"type": "pointer", "id": "mouse", "actions": pointer}]
        if shift:
            keys = [{"type": "keyDown", "value": "\ue008"}, {"type": "pause"}, {"type": "pause"}]
            actions.insert(0, {"type": "key", "id": "keyboard", "actions": keys})
        await self.command("input.performActions", {"context": self.context, "actions": actions})
        await self.command("input.releaseActions", {"context": self.context})

    async def keys(self, *typed: str) -> None:
        steps = [step for key in typed for step in ({"type": "keyDown", "value": key}, {"type": "keyUp", "value": key})]
        actions = [{"type": "key", "id": "keyboard", "actions": steps}]
        await self.command("input.performActions", {"context": self.context, "actions": actions})


@asynccontextmanager
async def firefox(url: str) -> AsyncIterator[Page]:
    """Headless Firefox on a fresh profile, its page at ``url``; closed afterwards."""
    import websockets

    path = find_firefox()
    profile = tempfile.mkdtemp(prefix="cleaner-firefox-")
    process = subprocess.Popen(
        [path, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        address = None
        for line in process.stderr:  # Firefox names its port on stderr once it listens
            found = LISTENING.search(line)
            if found:
                address = found.group(1)
                break
        if address is None:
            raise RuntimeError("Firefox did not start WebDriver BiDi")
        async with websockets.connect(address.rstrip("/") + "/session", max_size=2**26) as socket:
            page = Page(socket)
            await page.command("session.new", {"capabilities": {}})
            page.context = (await page.command("browsingContext.getTree", {}))["contexts"][0]["context"]
            await page.command(
                "browsingContext.setViewport", {"context": page.context, "viewport": {"width": 1400, "height": 900}}
            )
            await page.command("browsingContext.navigate", {"context": page.context, "url": url, "wait": "complete"})
            yield page
            await page.command("session.end", {})
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)

"""A small driver of headless Chromium over the DevTools protocol, for the browser tests.

Chromium is started with ``--remote-debugging-port=0`` and a fresh profile; the port it
picked is read from the profile's ``DevToolsActivePort`` file, and one page target is driven
over its websocket (the ``websocket-client`` package). Nothing is downloaded: it uses the
system's Chromium (Debian package ``chromium``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

EXECUTABLES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The path of a Chromium on PATH, or None."""
    for name in EXECUTABLES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    """One headless Chromium and its page: navigate, run script, read values, click,
    type, take screenshots and print."""

    def __init__(self, executable: str, profile: Path, width: int = 1400, height: int = 1000):
        import websocket  # the test extra's websocket-client

        profile.mkdir(parents=True, exist_ok=True)
        port_file = profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)  # a profile used before holds its old port
        self.socket: Any = None
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            port = self._port(port_file)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = json.load(r)
            url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            self.socket = websocket.create_connection(url, timeout=60, suppress_origin=True)
        except BaseException:
            self.close()
            raise
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.resize(width, height)

    def _port(self, port_file: Path) -> int:
        """The debugging port the browser picked, once it has written it."""
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not start (exit status {self.process.poll()})")
            time.sleep(0.05)
        return int(port_file.read_text().split()[0])

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one protocol command and return its result (events seen meanwhile are kept)."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60) -> dict[str, Any]:
        """The next protocol event named ``event`` (one already seen counts)."""
        deadline = time.monotonic() + timeout
        while True:
            for k, message in enumerate(self.events):
                if message.get("method") == event:
                    del self.events[: k + 1]
                    return message
            if time.monotonic() > deadline:
                raise TimeoutError(event)
            self.events.append(json.loads(self.socket.recv()))

    def open(self, url: str) -> float:
        """Load ``url`` and wait for its load event; the seconds it took."""
        self.events.clear()
        start = time.perf_counter()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        return time.perf_counter() - start

    def run(self, expression: str) -> Any:
        """The value of a script expression (promises awaited); a script error raises."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the centre of the first element matching ``selector``, as a mouse does."""
        box = self.run(
            f"(function () {{ var e = document.querySelector({json.dumps(selector)});"
            "e.scrollIntoView({block: 'center'}); var r = e.getBoundingClientRect();"
            "return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)
        self.settle()

    def settle(self) -> None:
        """Wait until the page has handled what is queued (a hash change) and drawn a frame."""
        self.run("new Promise(done => setTimeout(() => requestAnimationFrame(() => done(0))))")

    def type(self, selector: str, text: str) -> None:
        """Focus the element matching ``selector`` and type ``text`` into it."""
        self.run(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", text=text)

    def key(self, key: str, code: str, key_code: int) -> None:
        """Press and release one key on the focused element."""
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                      windowsVirtualKeyCode=key_code)
        self.settle()

    def resize(self, width: int, height: int) -> None:
        """Lay the page out for a window of ``width`` x ``height`` CSS pixels."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def screenshot(self, path: Path, full: bool = False) -> None:
        """Save a PNG of the window (or of the whole page) at ``path``."""
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=full)
        path.write_bytes(base64.b64decode(shot["data"]))

    def pdf(self, path: Path) -> None:
        """Print the page to PDF (A4, backgrounds) at ``path``."""
        printed = self.call("Page.printToPDF", printBackground=True, paperWidth=8.27,
                            paperHeight=11.69)
        path.write_bytes(base64.b64decode(printed["data"]))

    def close(self) -> None:
        """End the browser."""
        try:
            if self.socket is not None:
                self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def file_url(path: Path) -> str:
    """The file:// URL of a local file."""
    return path.resolve().as_uri()


def in_ci() -> bool:
    """Whether this runs in CI (``CI`` set), where a missing browser is a failure."""
    return bool(os.environ.get("CI"))

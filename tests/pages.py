"""Reading an HTML report as a parser sees it: its elements, its scripts and the JSON data
its script builds the table and the pair details from."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any


class Page(HTMLParser):
    """Start tags (with attributes), each script's type and text, and every link target."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[dict[str, str | None]] = []
        self.scripts: list[tuple[str | None, str, str]] = []  # (type, id, text)
        self.urls: list[str] = []
        self._script: int | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.append(dict(attrs))
        if tag == "script":
            self.scripts.append((dict(attrs).get("type"), dict(attrs).get("id") or "", ""))
            self._script = len(self.scripts) - 1
        self.urls += [v for k, v in attrs if k in ("src", "href", "action") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            kind, name, text = self.scripts[self._script]
            self.scripts[self._script] = (kind, name, text + data)

    @property
    def programs(self) -> list[str]:
        """The scripts that run (no type, or a JavaScript type)."""
        return [text for kind, _, text in self.scripts if kind in (None, "text/javascript")]

    def data(self, name: str) -> Any:
        """The JSON of the data block ``name`` (``nd-table`` or ``nd-detail``)."""
        [text] = [t for kind, i, t in self.scripts if kind == "application/json" and i == name]
        return json.loads(text)

    def texts(self) -> dict[str, str | None]:
        """The documents' texts the page carries, by id."""
        ids = [d[0] for d in self.data("nd-table")["documents"]]
        return dict(zip(ids, self.data("nd-detail")["texts"], strict=True))

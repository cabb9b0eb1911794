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


def clustered_documents(groups: int, size: int = 5, length: int = 400, seed: int = 7) -> list[Any]:
    """``groups`` groups of ``size`` near-duplicate documents (random Chinese characters,
    each copy with two characters replaced and a few inserted): every pair within a group has
    a Jaccard similarity of about 0.85 and none across groups shares a 5-gram, so the report
    holds ``groups * size * (size - 1) / 2`` pairs."""
    import random

    from neardup import Document

    rng = random.Random(seed)

    def chars(n: int) -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA6)) for _ in range(n))

    documents = []
    for g in range(groups):
        base = chars(length)
        for k in range(size):
            text = list(base)
            for _ in range(2):
                text[rng.randrange(length)] = chars(1)
            at = rng.randrange(length)
            text[at:at] = list(chars(3))
            documents.append(Document(f"g{g:04d}-{k}", "".join(text), f"第{g + 1}组 第{k + 1}份"))
    return documents

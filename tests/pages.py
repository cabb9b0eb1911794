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


def many_copies(documents: int = 6000, most: int = 40, seed: int = 3) -> Any:
    """A copies report with the copy ratios of ``documents`` documents, each with 1 to
    ``most`` sources (a few with many, as the news corpus has), and one pair each for the
    first 200 (the pairs table's rows): what the copy-ratio overview must page, sort and
    fit on a phone."""
    import random
    from dataclasses import replace

    from neardup import find_duplicates
    from neardup.report import CopiedDocument, CopySource, Pair

    rng = random.Random(seed)
    base = find_duplicates({"x": "今天天气很好我们去公园", "y": "今天天气很好我们去公园吧"},
                           preset="copies")
    ids = [f"news-{k:05d}" for k in range(documents)]
    copies = []
    for k, doc_id in enumerate(ids):
        count = min(most, 1 + int(rng.paretovariate(1.2)) - 1) if k % 50 else most
        sources = sorted(
            (CopySource(ids[rng.randrange(documents)], rng.uniform(0.05, 0.9), ())
             for _ in range(max(count, 1))), key=lambda s: -s.share)
        copies.append(CopiedDocument(doc_id, min(1.0, sources[0].share * 1.1), tuple(sources)))
    copies.sort(key=lambda c: -c.share)
    pairs = [Pair(c.id, c.sources[0].id, 0.3, 0.5, c.sources[0].share, 0.2, a_coverage=0.4,
                  b_coverage=0.2) for c in copies[:200]]
    return replace(base, pairs=pairs, copies=copies, clusters=[],
                   counts=replace(base.counts, pairs=len(pairs), clusters=0))

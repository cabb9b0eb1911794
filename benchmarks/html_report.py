"""How fast the HTML report opens and responds in headless Chromium, by number of pairs.

For each size, a report of groups of five near-duplicates (``tests/pages.py``,
``clustered_documents``: every pair of a group at Jaccard about 0.85) is rendered with its
texts, and opened in the system's Chromium over the DevTools protocol (``tests/chromium.py``).
Measured, in alternating turns (size A, size B, A, B, ...) so that the machine's load falls
on all sizes alike:

- ``open``: navigation start to the load event (the page's navigation timing), which
  includes parsing the table's JSON and drawing the first page of the table;
- ``sort``: a click on a column header until the next frame is drawn (Jaccard, then
  containment, then length);
- ``filter``: one search typed in the search box, until the next frame;
- ``detail``: opening a pair (the first time: parsing the details' JSON too) until the next
  frame.

Run from the repository root::

    PYTHONPATH=src python benchmarks/html_report.py --pairs 1000 10000 --turns 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser driver
from chromium import Page, file_url, find_chromium
from pages import clustered_documents

from neardup import find_duplicates
from neardup.evidence.passages import add_passages
from neardup.formats import render

FRAME = "requestAnimationFrame(() => setTimeout(() => done(performance.now() - t)))"


def build(pairs: int, folder: Path) -> tuple[Path, float]:
    """A report of ``pairs`` pairs written to ``folder``, and the seconds rendering took."""
    report = find_duplicates(clustered_documents(pairs // 10), with_texts=True)
    report = add_passages(report, report.texts)
    start = time.perf_counter()
    page = render(report, "html", texts=report.texts)
    seconds = time.perf_counter() - start
    path = folder / f"report-{len(report.pairs)}.html"
    path.write_text(page, encoding="utf-8")
    return path, seconds


def measure(browser: Page, path: Path) -> dict[str, float]:
    """One turn of every measurement on the page at ``path`` (milliseconds)."""
    browser.open(file_url(path))
    out = {"open": browser.run("performance.getEntriesByType('navigation')[0].loadEventEnd")}
    for key in ("jaccard", "containment", "length"):
        out[f"sort {key}"] = browser.run(
            "new Promise(function (done) { var t = performance.now();"
            f"document.querySelector('th[data-sort=\"{key}\"] button').click(); {FRAME}; }})")
    out["filter"] = browser.run(
        "new Promise(function (done) { var t = performance.now();"
        "var q = document.getElementById('q'); q.value = 'g0042';"
        f"q.dispatchEvent(new Event('input')); {FRAME}; }})")
    out["detail"] = browser.run(
        "new Promise(function (done) { var t = performance.now();"
        f"location.hash = '#pair-7'; setTimeout(() => {FRAME}); }})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        sys.exit("chromium not found on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = {}
        for pairs in args.pairs:
            path, seconds = build(pairs, folder)
            pages[pairs] = path
            print(f"{pairs:>6} pairs: {path.stat().st_size / 1e6:.2f} MB, rendered in "
                  f"{seconds:.2f} s")
        browser = Page(executable, folder / "profile")
        try:
            runs: dict[int, list[dict[str, float]]] = {pairs: [] for pairs in pages}
            for _ in range(args.turns):
                for pairs, path in pages.items():
                    runs[pairs].append(measure(browser, path))
        finally:
            browser.close()
    for pairs, turns in runs.items():
        cells = ", ".join(
            f"{key} {statistics.median(t[key] for t in turns):.0f} ms "
            f"({min(t[key] for t in turns):.0f}–{max(t[key] for t in turns):.0f})"
            for key in turns[0]
        )
        print(f"{pairs:>6} pairs, median of {len(turns)} (range): {cells}")


if __name__ == "__main__":
    main()

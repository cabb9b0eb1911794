"""The CI recipe of docs/index.md, run as printed (issue 26, item 9): a git repository with a
local bare remote, a pull request that copies an article (exit 1, annotated), one that edits
an indexed article and adds a new one (exit 0: the edit is compared as the new version of
itself), and pushes to main that grow the index.

The steps are read from the document, not copied here: the ``run`` block and the ``env`` of
the step "Check the changed articles" of the first YAML block of the section "In CI". What
GitHub Actions provides is set as it would be: ``GITHUB_EVENT_NAME``, ``GITHUB_BASE_REF``, the
``${{ github.event.before }}`` of the ``env`` entry, a checkout with the whole history
(``fetch-depth: 0``), and the cached ``corpus.ndx`` restored from the previous run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "index.md"
STEP = "Check the changed articles"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

ARTICLE = (
    "各地区各部门要深入贯彻落实党中央关于安全生产的决策部署，坚持人民至上、生命至上，"
    "统筹发展和安全，全面排查整治重大事故隐患，压实企业主体责任和部门监管责任，"
    "严格执法检查，切实防范化解重大安全风险，坚决遏制重特大事故发生。"
)
OTHERS = [
    "春节前后，各地文化市场迎来消费高峰，博物馆、图书馆、剧院接待观众人数创新高，"
    "非遗展演、灯会庙会等活动丰富多彩，群众在家门口就能享受到高质量的文化服务。",
    "农业农村部近日部署春季农业生产工作，要求抓好小麦田间管理和春播备耕，"
    "确保种子、化肥、农药等农资供应充足，加强农业技术指导服务，夯实粮食丰收基础。",
    "我国新能源汽车产销量连续多年位居全球第一，充电基础设施建设加快推进，"
    "县域充换电网络逐步完善，新能源汽车下乡活动带动农村地区消费持续增长。",
    "教育部发布通知，要求中小学落实课后服务，丰富体育、艺术、科普等活动内容，"
    "减轻学生过重作业负担，家校协同促进学生身心健康全面发展。",
]


def recipe() -> tuple[dict[str, str], str]:
    """The ``env`` entries and the ``run`` script of the step, as docs/index.md prints them."""
    section = DOC.read_text(encoding="utf-8").split("### In CI", 1)[1]
    yaml = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    lines = yaml.splitlines()
    start = next(k for k, line in enumerate(lines) if line.strip() == f"- name: {STEP}")
    indent = len(lines[start]) - len(lines[start].lstrip()) + 2  # the step's keys
    env: dict[str, str] = {}
    script: list[str] = []
    key = None
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break  # the next step
        if len(line) - len(line.lstrip()) == indent:
            key = line.strip().split(":", 1)[0]
            assert key in ("env", "run"), f"unexpected key {key!r} in the step"
            if key == "run":
                assert line.strip() == "run: |"
            continue
        if key == "env":
            name, value = line.strip().split(":", 1)
            env[name] = value.split("#", 1)[0].strip()
        else:
            script.append(line[indent + 2:])
    return env, "\n".join(script) + "\n"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env=GIT_ENV)
    return done.stdout


GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.invalid",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.invalid",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class CI:
    """Runs of the job: each in a fresh clone of the remote, with the index of the last run
    (the Actions cache)."""

    def __init__(self, tmp: Path, remote: Path) -> None:
        self.tmp = tmp
        self.remote = remote
        self.cache: Path | None = None
        self.runs = 0
        self.env, self.script = recipe()
        self.bin = tmp / "bin"  # `pip install neardup`: this checkout's neardup on PATH
        self.bin.mkdir()
        (self.bin / "neardup").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m neardup "$@"\n')
        (self.bin / "neardup").chmod(0o755)

    def run(self, event: str, ref: str, before: str = "") -> subprocess.CompletedProcess[str]:
        self.runs += 1
        job = self.tmp / f"run{self.runs}"
        workspace = job / "workspace"
        job.mkdir()
        git(job, "clone", "-q", str(self.remote), "workspace")  # fetch-depth: 0
        git(workspace, "checkout", "-q", ref)
        if self.cache is not None:
            shutil.copy(self.cache, workspace / "corpus.ndx")
        values = {"${{ github.event.before }}": before}
        env = {**GIT_ENV, "GITHUB_EVENT_NAME": event, "GITHUB_BASE_REF":
               "main" if event == "pull_request" else "",
               "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
               "PYTHONPATH": str(ROOT / "src")}
        env.update({name: values[value] for name, value in self.env.items()})
        done = subprocess.run(["bash", "-e", "-c", self.script], cwd=workspace, env=env,
                              capture_output=True, text=True, timeout=120)
        if (workspace / "corpus.ndx").exists():
            self.cache = job / "corpus.ndx.saved"
            shutil.copy(workspace / "corpus.ndx", self.cache)
        return done


def indexed(index: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(index) as db:
        return sorted(row[0] for row in db.execute("SELECT id FROM docs"))


def test_the_ci_recipe_as_printed(tmp_path: Path) -> None:
    env, script = recipe()
    assert set(env) == {"BEFORE"} and "${{" not in script  # all that Actions fills in
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    dev = tmp_path / "dev"
    git(tmp_path, "clone", "-q", str(remote), "dev")
    git(dev, "checkout", "-q", "-b", "main")
    write(dev, "articles/2023/a7.md", ARTICLE)
    write(dev, "articles/2023/b.md", OTHERS[0])
    write(dev, "articles/2024/a7.md", OTHERS[1])  # the same name in another folder
    git(dev, "add", ".")
    git(dev, "commit", "-q", "-m", "published")
    git(dev, "push", "-q", "origin", "main")
    published = git(dev, "rev-parse", "HEAD").strip()
    ci = CI(tmp_path, remote)

    # a pull request that copies a published article: exit 1, annotated on the file
    git(dev, "checkout", "-q", "-b", "copy")
    write(dev, "articles/2025/copied.md", "转载：" + ARTICLE.replace("，", "、", 2))
    git(dev, "add", ".")
    git(dev, "commit", "-q", "-m", "copy")
    git(dev, "push", "-q", "origin", "copy")
    done = ci.run("pull_request", "copy")
    assert done.returncode == 1, done.stdout + done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    assert annotations[0].startswith(
        "::error file=articles/2025/copied.md,title=near-duplicate::articles/2025/copied.md "
        "duplicates articles/2023/a7.md (Jaccard ")
    assert "no baseline yet" in done.stderr
    assert indexed(ci.cache or Path()) == ["articles/2023/a7.md", "articles/2023/b.md",
                                           "articles/2024/a7.md"]  # from main, not the PR

    # a pull request that edits both a7.md (two commas) and adds an article: exit 0
    git(dev, "checkout", "-q", "main")
    git(dev, "checkout", "-q", "-b", "edit")
    write(dev, "articles/2023/a7.md", ARTICLE.replace("，", "、", 2))
    write(dev, "articles/2024/a7.md", OTHERS[1].replace("，", "；", 1))
    write(dev, "articles/2025/new.md", OTHERS[2])
    git(dev, "add", ".")
    git(dev, "commit", "-q", "-m", "edit")
    git(dev, "push", "-q", "origin", "edit")
    done = ci.run("pull_request", "edit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout
    assert "::notice title=neardup check::neardup: 0 near-duplicate pair(s) among 3" in (
        done.stdout)
    assert len(indexed(ci.cache or Path())) == 3  # a pull request adds nothing

    # merged and pushed to main: checked again, and added (the index grows)
    git(dev, "checkout", "-q", "main")
    git(dev, "merge", "-q", "--no-ff", "-m", "merge edit", "edit")
    git(dev, "push", "-q", "origin", "main")
    done = ci.run("push", "main", before=published)
    assert done.returncode == 0, done.stdout + done.stderr
    assert indexed(ci.cache or Path()) == ["articles/2023/a7.md", "articles/2023/b.md",
                                           "articles/2024/a7.md", "articles/2025/new.md"]
    merged = git(dev, "rev-parse", "HEAD").strip()

    # the next push, with the index of the last run: only what it changed is checked
    write(dev, "articles/2025/more.md", OTHERS[3])
    git(dev, "add", ".")
    git(dev, "commit", "-q", "-m", "more")
    git(dev, "push", "-q", "origin", "main")
    done = ci.run("push", "main", before=merged)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "among 1 new document" in done.stdout
    assert "articles/2025/more.md" in indexed(ci.cache or Path())
    assert len(indexed(ci.cache or Path())) == 5

    # a push with no article changed ends at once, and a copy pushed to main is refused
    write(dev, "README.md", "about")
    git(dev, "add", ".")
    git(dev, "commit", "-q", "-m", "readme")
    git(dev, "push", "-q", "origin", "main")
    before = git(dev, "rev-parse", "HEAD~1").strip()
    assert ci.run("push", "main", before=before).returncode == 0
    write(dev, "articles/2026/again.md", OTHERS[3] + "。")
    git(dev, "add", ".")
    git(dev, "commit", "-q", "-m", "again")
    git(dev, "push", "-q", "origin", "main")
    done = ci.run("push", "main", before=git(dev, "rev-parse", "HEAD~1").strip())
    assert done.returncode == 1
    assert re.search(r"articles/2026/again.md duplicates articles/2025/more.md", done.stdout)
    assert len(indexed(ci.cache or Path())) == 5  # not added
    assert json.loads(subprocess.run(
        [sys.executable, "-m", "neardup", "index", "info", "--json", str(ci.cache)],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout)["documents"] == 5

"""Make ``old_index_v1.ndx``: an index of format 1, as neardup made them before the index kept
fingerprints, for the tests that an old index still opens (tests/test_index_containment.py).

Run it with the package of a neardup that writes format 1 (e.g. commit 8bcc4d5) first on the
path, from a scratch directory::

    git archive 8bcc4d5 src | tar -x -C SCRATCH
    PYTHONPATH=SCRATCH/src python tests/data/make_old_index.py tests/data/old_index_v1.ndx

The file is then vacuumed with 1 KiB pages (only its physical layout changes: the same
schema, meta and rows), so that it takes 10 KB instead of 20.
"""

from __future__ import annotations

import os
import sqlite3
import sys

from neardup import Document, DuplicateIndex
from neardup.index.file import FORMAT_VERSION

DOCUMENTS = [
    Document("spring.txt", "春天来了，公园里的桃花和杏花都开了，孩子们在草地上放风筝，"
             "老人们在湖边散步聊天。", "春天", "spring.txt"),
    Document("autumn.txt", "秋天到了，田野里的稻子熟了，农民们忙着收割，脸上露出了丰收的"
             "喜悦和满足的笑容。", "秋天", "autumn.txt"),
    Document("winter.txt", "冬天下了第一场大雪，城市的街道和屋顶都变成了白色，人们穿上厚厚"
             "的棉衣出门上班。", "冬天", "winter.txt"),
]


def main(path: str) -> None:
    if FORMAT_VERSION != 1:
        sys.exit(f"this neardup writes format {FORMAT_VERSION}; run with one that writes 1")
    if os.path.exists(path):
        os.remove(path)
    with DuplicateIndex.create(path) as index:
        index.add(DOCUMENTS)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA page_size = 1024")
    db.execute("VACUUM")
    db.execute("PRAGMA journal_mode = WAL")
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])

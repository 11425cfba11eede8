"""Faithful translations made from the shipped news: NTREX lines joined into larger beads.

Text+Berg, the one faithful document with gold here, is a single document, and a setting
tuned on it may fit that document alone. This set has the same character (most beads join
or split sentences: 1-3, 2-1, 2-2, 1-4, 3-1, 1-2 between 1-1 beads, few omissions) and many
documents, built from ``corpora/eval/ntrex-clean`` (CC BY-SA 4.0, line-aligned English and
Korean): three consecutive articles make one document, and runs of consecutive sentence
pairs are joined on one side or both the way a literary translator joins and splits. Its
dev and test halves follow NTREX's split in ``corpora/eval/manifest.json``. Artificial:
a translator moves words across sentence ends too, which joining whole lines never does.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.run import EVAL, EvalSet

HERE = Path(__file__).resolve().parent


NAME = "faithful-news"
SHAPES = [(1, 1), (1, 3), (1, 1), (2, 1), (1, 1), (2, 2), (1, 1), (1, 4), (1, 1), (3, 1), (1, 1), (1, 2)]
PER_DOCUMENT = 3  # articles joined into one document


def faithful_news(doc_ids: list[str], root: Path = EVAL) -> tuple[list[str], list[str], list]:
    """One document from these NTREX articles: its English and Korean sentences and its gold beads."""
    src_lines: list[str] = []
    tgt_lines: list[str] = []
    for doc_id in doc_ids:
        src_lines += (root / "ntrex-clean" / "src" / doc_id).read_text(encoding="utf-8").splitlines()
        tgt_lines += (root / "ntrex-clean" / "tgt" / doc_id).read_text(encoding="utf-8").splitlines()

    def cut(lines: list[str], parts: int, reverse: bool = False) -> list[str]:
        sizes = [len(lines) // parts + (1 if x < len(lines) % parts else 0) for x in range(parts)]
        sizes = sizes[::-1] if reverse else sizes
        starts = [sum(sizes[:x]) for x in range(parts)]
        return [" ".join(lines[a : a + n]) for a, n in zip(starts, sizes, strict=True)]

    src: list[str] = []
    tgt: list[str] = []
    gold = []
    i = k = 0
    while i < len(src_lines):
        n_src, n_tgt = SHAPES[k % len(SHAPES)]
        k += 1
        # an m-m bead is m+1 lines cut at different places on each side (a crossing): m lines
        # cut the same way on both sides would be m 1-1 beads, which no aligner should join
        n = max(n_src, n_tgt) + (n_src == n_tgt > 1)
        if i + n > len(src_lines):
            n = n_src = n_tgt = 1
        a, b = cut(src_lines[i : i + n], n_src), cut(tgt_lines[i : i + n], n_tgt, reverse=n_src == n_tgt)
        gold.append((tuple(range(len(src), len(src) + len(a))), tuple(range(len(tgt), len(tgt) + len(b)))))
        src += a
        tgt += b
        i += n
    return src, tgt, gold


def ntrex_articles(root: Path = EVAL, split: str | None = None) -> list[str]:
    """The shipped NTREX articles' ids in order: those of ``split`` (dev or test), or all."""
    halves = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["splits"]["ntrex"]
    return sorted(d for d, half in halves.items() if split is None or half == split)


def load_faithful_news(split: str, root: Path = EVAL) -> EvalSet:
    """The set's documents of ``split`` (dev or test): NTREX's articles of that half, three at a time."""
    ids = ntrex_articles(root, split)
    groups = [ids[k : k + PER_DOCUMENT] for k in range(0, len(ids) - PER_DOCUMENT + 1, PER_DOCUMENT)]
    docs = [faithful_news(group, root) for group in groups]
    return EvalSet(
        NAME, ["+".join(g) for g in groups], [d[0] for d in docs], [d[1] for d in docs], [d[2] for d in docs]
    )


def write_set(out: Path = HERE / "work" / "eval-faithful", root: Path = EVAL) -> Path:
    """Both halves as an evaluation folder ``run.py --eval-root`` reads (``faithful-news``, en-ko).

    Regenerated from the shipped NTREX set, so nothing derived is committed.
    """
    from aligner.evaluate import format_bead

    folder = out / NAME
    splits: dict[str, str] = {}
    for split in ("dev", "test"):
        data = load_faithful_news(split, root)
        for doc, src, tgt, gold in zip(data.doc_ids, data.src, data.tgt, data.gold):
            for side, lines in (("src", src), ("tgt", tgt), ("gold", [format_bead(s, t) for s, t in gold])):
                (folder / side).mkdir(parents=True, exist_ok=True)
                (folder / side / doc).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            splits[doc] = split
    manifest = {
        "builder": "benchmarks/faithful_news.py",
        "languages": ["en", "ko"],
        "sets": [NAME],
        "splits": {NAME.split("-")[0]: splits},
        "note": "faithful English–Korean translations made from NTREX news (corpora/eval/ntrex-clean, CC BY-SA"
        " 4.0): three articles a document, consecutive lines joined into 1-3, 2-1, 2-2, 1-4, 3-1 and"
        " 1-2 beads between 1-1 beads (`benchmarks/faithful_news.py`); dev and test follow NTREX's"
        " split",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    print(write_set())

"""How well ``aligner run`` aligns the shipped sample corpus, end to end, per method.

The evaluation sets measure the aligner on given sentences; this measures the whole job a
user runs: parse the pages, split both sides into sentences, align, store. The sample's
pages were built from NTREX-128 documents (``corpora/build_sample.py``), so a gold
alignment can be rebuilt from the NTREX lines: every stored sentence is located in its
document's lines, and sentences sharing a line (on either side) form one gold bead. An
English line the edition left out, or two it joined, come out right by construction.

    python -m benchmarks.sample_eval             # engine and length, writes ## Sample corpus
    python -m benchmarks.sample_eval --no-write
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
import sqlite3
import tempfile
from pathlib import Path

from aligner.evaluate import Scores, score_many
from aligner.pipeline import RunOptions, run_corpus
from benchmarks.sections import publish

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


SAMPLE = ROOT / "corpora" / "sample"
NTREX = ROOT.parent / "shared" / "data" / "ntrex"
Span = tuple[tuple[int, ...], tuple[int, ...]]


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def line_owners(sentences: list[str], lines: list[str]) -> list[set[int]]:
    """For each sentence (in order), the numbers of the lines its text overlaps."""
    text, spans = "", []
    for k, line in enumerate(_squeeze(x) for x in lines):
        spans.append((len(text), len(text) + len(line), k))
        text += line + " "
    owners, pos = [], 0
    for sentence in map(_squeeze, sentences):
        at = text.find(sentence, pos)
        if at < 0:  # not from these lines (a headline rewritten by the page, say): its own bead
            owners.append(set())
            continue
        pos = at + len(sentence)
        owners.append({k for a, b, k in spans if a < pos and at < b})
    return owners


def gold_beads(src_owners: list[set[int]], tgt_owners: list[set[int]]) -> list[Span]:
    """Beads as the connected groups of sentences that share a source line."""
    nodes = [(0, i, o) for i, o in enumerate(src_owners)] + [(1, j, o) for j, o in enumerate(tgt_owners)]
    parent = list(range(len(nodes)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_at_line: dict[int, int] = {}
    for n, (_, _, owned) in enumerate(nodes):
        for line in owned:
            parent[root(n)] = root(first_at_line.setdefault(line, n))
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for n, (side, index, _) in enumerate(nodes):
        groups.setdefault(root(n), ([], []))[side].append(index)
    return sorted((tuple(sorted(s)), tuple(sorted(t))) for s, t in groups.values())


def ntrex_lines() -> dict[str, tuple[list[str], list[str]]]:
    ids = (NTREX / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    en = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    ko = (NTREX / "newstest2019-ref.kor.txt").read_text(encoding="utf-8").splitlines()
    docs: dict[str, tuple[list[str], list[str]]] = {}
    for doc, e, k in zip(ids, en, ko):
        docs.setdefault(doc, ([], []))
        docs[doc][0].append(e)
        docs[doc][1].append(k)
    return docs


def score_database(db: Path) -> tuple[Scores, int]:
    """Stored beads of every sample pair against the rebuilt gold."""
    manifest = {
        _host_path(r["en_url"]): r["ntrex_doc"]
        for r in csv.DictReader((SAMPLE / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
    }
    docs = ntrex_lines()
    conn = sqlite3.connect(db)
    scored = []
    for pair_id, src_doc, tgt_doc in conn.execute("SELECT id, src_doc, tgt_doc FROM pairs").fetchall():
        url = conn.execute("SELECT url FROM documents WHERE id = ?", (src_doc,)).fetchone()[0]
        en_lines, ko_lines = docs[manifest[_host_path(url)]]
        texts = [
            [r[0] for r in conn.execute("SELECT text FROM sentences WHERE doc_id = ? ORDER BY idx", (d,))]
            for d in (src_doc, tgt_doc)
        ]
        gold = gold_beads(line_owners(texts[0], en_lines), line_owners(texts[1], ko_lines))
        pred = [
            (tuple(range(a, b)), tuple(range(c, d)))
            for a, b, c, d in conn.execute(
                "SELECT src_start, src_end, tgt_start, tgt_end FROM beads WHERE pair_id = ? ORDER BY position",
                (pair_id,),
            )
        ]
        scored.append((gold, pred))
    conn.close()
    return score_many(scored), len(scored)


def _host_path(url: str) -> str:
    return url.split("://", 1)[-1]


def run_method(method: str, work: Path) -> tuple[Scores, int]:
    corpus = work / method
    shutil.copytree(SAMPLE / "pages", corpus / "pages")
    run_corpus(corpus, RunOptions(method=method, formats=()))
    return score_database(corpus / "corpus.db")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write RESULTS.md")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for method, label in (("length", "length only (the first version)"), ("engine", "engine (default)")):
            scores, pairs = run_method(method, Path(tmp))
            rows.append(
                f"| {label} | {pairs} | {scores.strict_precision:.3f} | {scores.strict_recall:.3f} | "
                f"{scores.strict_f1:.3f} | {scores.lax_f1:.3f} |"
            )
    section = "\n".join(
        [
            "## Sample corpus",
            "",
            f"`python -m benchmarks.sample_eval` ({dt.date.today().isoformat()}): `aligner run` on a copy of "
            "`corpora/sample` with each method (pages parsed, both sides split by the project's splitters, then "
            "aligned), scored against a gold rebuilt from the NTREX-128 lines the pages were made from: sentences "
            "that share a line form one gold bead, so a sentence the splitter cut inside a line is part of a "
            "larger gold bead.",
            "",
            "| method | pairs | strict P | strict R | strict F1 | lax F1 |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )
    publish(HERE / "RESULTS.md", section, dry_run=args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

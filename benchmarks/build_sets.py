"""Build the evaluation sets in ``corpora/eval/`` from the line-aligned news in ``corpora/source``.

Line-aligned news (every English line has its Korean translation) becomes an alignment
test by regrouping the lines into documents and then editing them the way a news
translator does: drop a sentence on one side, join two sentences into one. Every edit
keeps its gold bead, so a document's gold covers both sides exactly once, in order.

The build is deterministic: every random choice comes from ``random.Random`` seeded with
a fixed string per set, so re-running it rewrites the committed files byte for byte
(``--check`` verifies that). Run from the repository root::

    python -m benchmarks.build_sets            # writes corpora/eval/
    python -m benchmarks.build_sets --check    # exit 1 if the committed sets differ
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / "corpora" / "source"
DEFAULT_OUT = ROOT / "corpora" / "eval"
BASE_SEED = "aligner-eval-2024"
KEP_DOC_LINES = 25
MIN_SIDE_LINES = 2  # an edit never leaves a side of a document with fewer lines

Bead = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Document:
    """A line-aligned document: ``src[i]`` translates as ``tgt[i]``."""

    doc_id: str
    src: list[str]
    tgt: list[str]


@dataclass(frozen=True)
class EditRates:
    """Share of a set's original lines touched by each edit.

    Drops are counted in lines dropped; joins in joins made (each join merges two
    adjacent lines of one side, whose other side stays two lines: a 2-1 or 1-2 bead).
    """

    drop_src: float = 0.0  # source line dropped: its target line becomes a 0-1 bead
    drop_tgt: float = 0.0  # target line dropped: its source line becomes a 1-0 bead
    join_src: float = 0.0  # two source lines joined: a 1-2 bead
    join_tgt: float = 0.0  # two target lines joined: a 2-1 bead


CLEAN = EditRates()
EDITED = EditRates(drop_src=0.06, drop_tgt=0.10, join_src=0.06, join_tgt=0.08)
HARD = EditRates(drop_src=0.12, drop_tgt=0.20, join_src=0.06, join_tgt=0.08)
EDITS = {"clean": CLEAN, "edited": EDITED, "hard": HARD}


@dataclass
class EditedDocument:
    """A document after editing, with its gold beads."""

    doc_id: str
    src: list[str]
    tgt: list[str]
    gold: list[Bead]
    edits: Counter = field(default_factory=Counter)


# ---------------------------------------------------------------- reading the sources


def _clean_line(line: str) -> str:
    """One sentence per line, no stray whitespace: zero-width marks out, runs of spaces as one."""
    return " ".join(line.replace("\ufeff", "").replace("\u200b", "").split())


def _read_lines(path: Path) -> list[str]:
    """Lines split on newline only (CRLF tolerated), so odd Unicode breaks cannot shift lines."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and not lines[-1].strip():
        lines.pop()
    return [_clean_line(line) for line in lines]


def load_ntrex(data: Path) -> list[Document]:
    """NTREX-128 EN/KO regrouped into its 123 documents (DOCUMENT_IDS.tsv, contiguous lines)."""
    folder = data / "ntrex"
    src = _read_lines(folder / "newstest2019-src.eng.txt")
    tgt = _read_lines(folder / "newstest2019-ref.kor.txt")
    ids = _read_lines(folder / "DOCUMENT_IDS.tsv")
    if not len(src) == len(tgt) == len(ids):
        raise ValueError(f"{folder}: line counts differ ({len(src)}, {len(tgt)}, {len(ids)})")
    docs: list[Document] = []
    for i, doc_id in enumerate(ids):
        if not docs or docs[-1].doc_id != doc_id:
            if any(d.doc_id == doc_id for d in docs):
                raise ValueError(f"{folder}: document {doc_id} is not contiguous")
            docs.append(Document(doc_id, [], []))
        docs[-1].src.append(src[i])
        docs[-1].tgt.append(tgt[i])
    return docs


def load_kep(data: Path, doc_lines: int = KEP_DOC_LINES) -> list[Document]:
    """KEP dev (English-Korean news) cut into pseudo-documents of ``doc_lines`` lines.

    The file has no document marks; consecutive lines often share an article, so
    fixed-size runs keep the local context a real article would have.
    """
    folder = data / "kep-dev"
    src = _read_lines(folder / "korean-english-park.dev.en")
    tgt = _read_lines(folder / "korean-english-park.dev.ko")
    if len(src) != len(tgt):
        raise ValueError(f"{folder}: line counts differ ({len(src)}, {len(tgt)})")
    return [
        Document(f"kep-{k // doc_lines:03d}", src[k : k + doc_lines], tgt[k : k + doc_lines])
        for k in range(0, len(src), doc_lines)
    ]


SOURCES = {"ntrex": load_ntrex, "kep": load_kep}


# ---------------------------------------------------------------- editing


def plan_edits(docs: Sequence[Document], rates: EditRates, rng: random.Random) -> list[dict[int, str]]:
    """Which line of which document gets which edit, with exact counts over the set.

    Returns, per document, ``{line: op}`` with op one of ``join_tgt``/``join_src`` (the
    line and the next are joined on that side), ``drop_tgt``/``drop_src``. Edits never
    overlap, joins stay within a document, and no side drops below ``MIN_SIDE_LINES``.
    Joins are placed first, since they need two free neighbours.
    """
    total = sum(len(d.src) for d in docs)
    plan: list[dict[int, str]] = [{} for _ in docs]
    used: list[set[int]] = [set() for _ in docs]
    left = {side: [len(d.src) for d in docs] for side in ("src", "tgt")}
    for op in ("join_tgt", "join_src", "drop_tgt", "drop_src"):
        wanted = round(getattr(rates, op) * total)
        if not wanted:
            continue
        side = op.split("_")[1]
        width = 2 if op.startswith("join") else 1
        candidates = [(d, i) for d, doc in enumerate(docs) for i in range(len(doc.src) - width + 1)]
        rng.shuffle(candidates)
        done = 0
        for d, i in candidates:
            if done == wanted:
                break
            lines = range(i, i + width)
            if any(j in used[d] for j in lines) or left[side][d] - 1 < MIN_SIDE_LINES:
                continue
            plan[d][i] = op
            used[d].update(lines)
            left[side][d] -= 1
            done += 1
        if done < wanted:
            raise ValueError(f"could place only {done} of {wanted} {op} edits")
    return plan


def apply_edits(doc: Document, ops: dict[int, str]) -> EditedDocument:
    """The edited sides and the gold beads that record each edit."""
    src: list[str] = []
    tgt: list[str] = []
    gold: list[Bead] = []
    edits: Counter = Counter()
    i = 0
    while i < len(doc.src):
        op = ops.get(i, "keep")
        edits[op] += 1
        s, t = len(src), len(tgt)
        if op == "join_tgt":
            src += [doc.src[i], doc.src[i + 1]]
            tgt.append(f"{doc.tgt[i]} {doc.tgt[i + 1]}")
            gold.append(((s, s + 1), (t,)))
            i += 2
            continue
        if op == "join_src":
            src.append(f"{doc.src[i]} {doc.src[i + 1]}")
            tgt += [doc.tgt[i], doc.tgt[i + 1]]
            gold.append(((s,), (t, t + 1)))
            i += 2
            continue
        if op == "drop_tgt":
            src.append(doc.src[i])
            gold.append(((s,), ()))
        elif op == "drop_src":
            tgt.append(doc.tgt[i])
            gold.append(((), (t,)))
        else:
            src.append(doc.src[i])
            tgt.append(doc.tgt[i])
            gold.append(((s,), (t,)))
        i += 1
    return EditedDocument(doc.doc_id, src, tgt, gold, edits)


def edit_documents(docs: Sequence[Document], rates: EditRates, seed: str) -> list[EditedDocument]:
    """Edit a whole set with one seeded random stream (same seed, same result)."""
    rng = random.Random(seed)
    plan = plan_edits(docs, rates, rng)
    return [apply_edits(doc, ops) for doc, ops in zip(docs, plan)]


def split_documents(doc_ids: Sequence[str], seed: str) -> dict[str, str]:
    """Documents to ``dev`` (tune on) or ``test`` (report on), half each, by a seeded shuffle.

    The split is per source, not per set, so a document is on the same side in the
    clean, edited and hard sets and tuning on any dev set never sees a test document.
    """
    order = sorted(doc_ids)
    random.Random(seed).shuffle(order)
    dev = set(order[: len(order) // 2])
    return {d: ("dev" if d in dev else "test") for d in doc_ids}


def bead_kind(bead: Bead) -> str:
    return f"{len(bead[0])}-{len(bead[1])}"


# ---------------------------------------------------------------- writing


def _write_lines(path: Path, lines: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8", newline="\n")


def _format_bead(bead: Bead) -> str:
    return f"{list(bead[0])}:{list(bead[1])}"


SET_LICENCE = {
    "ntrex": "CC BY-SA 4.0 (LICENSE-NTREX.md)",
    "kep": "CC BY-SA 3.0 (ATTRIBUTION-KEP.md)",
}


def build(data: Path, out: Path) -> dict:
    """Write every set, the manifest, the README and the licence files; return the manifest."""
    manifest: dict = {
        "builder": "benchmarks/build_sets.py",
        "seed": BASE_SEED,
        "edits": {name: vars(rates) for name, rates in EDITS.items()},
        "sets": {},
        "splits": {},
    }
    for source, loader in SOURCES.items():
        docs = loader(data)
        split = split_documents([d.doc_id for d in docs], f"{BASE_SEED}:{source}:split")
        manifest["splits"][source] = split
        for edit, rates in EDITS.items():
            name = f"{source}-{edit}"
            edited = edit_documents(docs, rates, f"{BASE_SEED}:{name}")
            folder = out / name
            for ed in edited:
                _write_lines(folder / "src" / ed.doc_id, ed.src)
                _write_lines(folder / "tgt" / ed.doc_id, ed.tgt)
                _write_lines(folder / "gold" / ed.doc_id, [_format_bead(b) for b in ed.gold])
            manifest["sets"][name] = _set_summary(source, edit, edited, split)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copyfile(data / "ntrex" / "LICENSE.md", out / "LICENSE-NTREX.md")
    (out / "ATTRIBUTION-KEP.md").write_text(KEP_ATTRIBUTION, encoding="utf-8")
    (out / "README.md").write_text(_readme(manifest), encoding="utf-8")
    return manifest


def _set_summary(source: str, edit: str, edited: Sequence[EditedDocument], split: dict[str, str]) -> dict:
    summary: dict = {"source": source, "edit": edit, "licence": SET_LICENCE[source]}
    for part in ("dev", "test", "all"):
        chosen = [e for e in edited if part == "all" or split[e.doc_id] == part]
        kinds = Counter(bead_kind(b) for e in chosen for b in e.gold)
        summary[part] = {
            "documents": len(chosen),
            "src_lines": sum(len(e.src) for e in chosen),
            "tgt_lines": sum(len(e.tgt) for e in chosen),
            "original_lines": sum(
                sum(n * (2 if op.startswith("join") else 1) for op, n in e.edits.items()) for e in chosen
            ),
            "beads": dict(sorted(kinds.items())),
        }
    return summary


KEP_ATTRIBUTION = """\
# Attribution: Korean-English news (KEP), dev split

The `kep-*` sets are adapted from the dev split of the Korean-English news parallel
corpus (korean-english-news-v1) of

> Jungyeul Park, Jeen-Pyo Hong and Jeong-Won Cha. 2016. Korean Language Resources for
> Everyone. In *Proceedings of the 30th Pacific Asia Conference on Language, Information
> and Computation (PACLIC 30)*. https://github.com/jungyeul/korean-parallel-corpora

licensed under the Creative Commons Attribution-ShareAlike 3.0 Unported licence
(CC BY-SA 3.0, https://creativecommons.org/licenses/by-sa/3.0/).

Changes made: whitespace normalised; the 1,000 line pairs cut into 40 pseudo-documents
of 25 lines; in the `edited` and `hard` sets, some lines dropped on one side and some
adjacent lines joined (see README.md and benchmarks/build_sets.py). The adapted sets are
released under the same licence, CC BY-SA 3.0. No warranties are given.
"""


def _readme(manifest: dict) -> str:
    rows = []
    for name, s in manifest["sets"].items():
        a = s["all"]
        kinds = ", ".join(f"{k}: {v}" for k, v in a["beads"].items())
        rows.append(
            f"| `{name}` | {a['documents']} ({s['dev']['documents']}/{s['test']['documents']}) "
            f"| {a['src_lines']} | {a['tgt_lines']} | {kinds} | {s['licence'].split(' (')[0]} |"
        )
    rates = "\n".join(
        f"| {name} | {r['drop_tgt']:.0%} | {r['drop_src']:.0%} | {r['join_tgt']:.0%} | {r['join_src']:.0%} |"
        for name, r in manifest["edits"].items()
    )
    table = "\n".join(rows)
    return f"""\
# Evaluation sets

Sentence-alignment test sets, English (source, `src/`) to Korean (target, `tgt/`), built
by `benchmarks/build_sets.py` from line-aligned news in `corpora/source` (do not edit by
hand: change the builder and rebuild; `python -m benchmarks.build_sets --check` verifies
the committed files).

Each set is a folder with `src/<doc>`, `tgt/<doc>` (one sentence a line, UTF-8) and
`gold/<doc>`: the gold beads, one a line, `[src ids]:[tgt ids]` with 0-based line numbers,
e.g. `[3, 4]:[3]` (a 2-1 bead) or `[5]:[]` (a source sentence with no translation).
The gold of a document covers every line of both sides exactly once, in order. Score
predictions with `aligner.evaluate.evaluate_paths(gold_dir, pred_dir)` (strict and lax
precision/recall/F1, vecalign's conventions).

## Sets

Documents given as all (dev/test); lines and beads counted over all documents.

| set | documents | src lines | tgt lines | gold beads | licence |
|---|---|---|---|---|---|
{table}

- **ntrex-**: NTREX-128 (WMT19 newstest English with a professional Korean translation),
  regrouped into its 123 documents by `DOCUMENT_IDS.tsv`.
- **kep-**: KEP dev (Korean-English news), cut into pseudo-documents of {KEP_DOC_LINES} consecutive
  lines. Noisier: some pairs are only partial translations, and the gold still calls
  them 1-1.
- **clean**: the documents as they are, 1-1 gold.
- **edited**, **hard**: lines dropped and adjacent lines joined, as an editor of an
  English edition would. A dropped target line leaves a 1-0 bead, a dropped source line
  a 0-1 bead; two joined target lines make a 2-1 bead, two joined source lines a 1-2
  bead (joined with a space). Share of the set's original lines, exact counts over the
  set, edits never overlapping, no side of a document left with fewer than
  {MIN_SIDE_LINES} lines:

| edit | drop target | drop source | join target pairs | join source pairs |
|---|---|---|---|---|
{rates}

## Dev and test halves

Documents are split in two by a seeded shuffle, per source (so a document sits on the
same side in the clean, edited and hard sets): tune on `dev`, report on `test`.
`manifest.json` lists every document's half under `splits`, and each set's counts per half.
`benchmarks/run.py --split dev|test|all` picks a half.

## Licences and attribution

- `ntrex-*`: adapted from NTREX-128, C. Federmann, T. Kocmi and Y. Xin. 2022. "NTREX-128 –
  News Test References for MT Evaluation of 128 Languages". In *Proceedings of the First
  Workshop on Scaling Up Multilingual Evaluation (SUMEval)*,
  https://github.com/MicrosoftTranslator/NTREX (commit 8561f6a); its source side is the
  WMT19 newstest set. Licensed under CC BY-SA 4.0 (`LICENSE-NTREX.md`); the adapted sets
  are released under the same licence.
- `kep-*`: adapted from Park, Hong and Cha 2016, "Korean Language Resources for
  Everyone", PACLIC 30, https://github.com/jungyeul/korean-parallel-corpora
  (korean-english-news-v1, dev split). Licensed under CC BY-SA 3.0; see
  `ATTRIBUTION-KEP.md`. The adapted sets are released under the same licence.
- Changes made to both: whitespace normalised; lines regrouped into documents; in the
  edited and hard sets, lines dropped and joined as described above.
"""


# ---------------------------------------------------------------- command line


def _same_tree(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two folders (missing on either side included)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    diff = sorted(str(p) for p in files_a ^ files_b)
    diff += sorted(str(p) for p in files_a & files_b if (a / p).read_bytes() != (b / p).read_bytes())
    return diff


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with ntrex/ and kep-dev/ (default: %(default)s)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="rebuild in a temporary folder and compare with --out")
    args = parser.parse_args(argv)
    if not (args.data / "ntrex").is_dir() or not (args.data / "kep-dev").is_dir():
        print(f"{args.data}: no ntrex/ and kep-dev/ folders here (give --data)", file=sys.stderr)
        return 2
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(args.data, Path(tmp))
            diff = _same_tree(Path(tmp), args.out)
        if diff:
            print(f"{args.out}: {len(diff)} files differ from a rebuild, e.g. {diff[:3]}", file=sys.stderr)
            return 1
        print(f"{args.out}: matches a rebuild")
        return 0
    sets_dir = args.out
    for name in list(EDITS):
        for source in SOURCES:
            shutil.rmtree(sets_dir / f"{source}-{name}", ignore_errors=True)
    manifest = build(args.data, args.out)
    for name, s in manifest["sets"].items():
        a = s["all"]
        print(f"{name}: {a['documents']} documents, {a['src_lines']}/{a['tgt_lines']} lines, beads {a['beads']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

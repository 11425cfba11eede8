"""End-to-end throughput of ``aligner run``: pages in, database and exports out.

Builds a corpus of at least 500 Hankyoreh-style page pairs from the shared data (NTREX-128
documents and KEP news lines in 25-line pseudo-documents), rendered with the sample
builder's page templates, then runs the whole job with 1 and 2 worker processes,
interleaved and repeated (the machine is shared: medians and ratios mean more than any
single number). Each run is a fresh process on a fresh database, so model loading and
peak memory are counted the way a user meets them.

Reported: article pairs per minute (wall clock), sentences per second of each stage,
the share of stage time spent outside sentence encoding (the target is under 25 %:
encoding each sentence once is the floor), start-up (model loading), and peak memory
(resource.getrusage of the run's process and of its worker processes).

Usage::

    python -m benchmarks.throughput                     # 500 pairs, workers 1 and 2, 3 rounds, writes RESULTS.md
    python -m benchmarks.throughput --pairs 60 --rounds 1 --no-write     # a quick look

Why the text is varied: NTREX and KEP hold about 3,000 sentence pairs, so 500 articles
reuse them. The encoder caches vectors by text, which would make a reused sentence
free; each reuse (round r > 0 of the sources) therefore carries a source tag after each
sentence's first word ("Officials (Yonhap) said ..." / "정부는(연합뉴스) ..."), the way
wire credits appear in news copy, so every sentence is new text and is really encoded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from aligner.sources import PageCache
from benchmarks.host import machine
from benchmarks.sections import write_section
from corpora import build_sample as sample  # the sample corpus's page templates

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


DATA = ROOT.parent / "shared" / "data"
KEP = DATA / "kep-dev"
KEP_DOC_LINES = 25
#: (English, Korean) credit put inside each sentence of the r-th reuse of the sources
TAGS = (("", ""), (" (Yonhap)", "(연합뉴스)"), (" (AP)", "(AP)"), (" (AFP)", "(AFP)"), (" (Reuters)", "(로이터)"))
SECTIONS = (
    ("e_national", "politics/defense"),
    ("e_international", "international/america"),
    ("e_business", "economy/it"),
    ("e_international", "international/china"),
    ("e_entertainment", "culture/music"),
    ("e_sports", "sports/golf"),
)
STAGES = ("parse", "check", "split", "encode", "align", "store", "export")
EN_BASE, KO_BASE = 1_100_000, 2_100_000


@dataclass
class Source:
    """One document from the shared data: a title line and body lines, both languages."""

    name: str
    en: list[str]
    ko: list[str]


def sources() -> list[Source]:
    """NTREX documents (as the data marks them) and KEP lines cut into 25-line pseudo-documents."""
    out = [Source(name, en, ko) for name, (en, ko) in sample.load_ntrex().items()]
    en = (KEP / "korean-english-park.dev.en").read_text(encoding="utf-8").splitlines()
    ko = (KEP / "korean-english-park.dev.ko").read_text(encoding="utf-8").splitlines()
    for i in range(0, len(en) - KEP_DOC_LINES + 1, KEP_DOC_LINES):
        out.append(
            Source(
                f"kep.{i // KEP_DOC_LINES:03d}",
                [" ".join(x.split()) for x in en[i : i + KEP_DOC_LINES]],
                [" ".join(x.split()) for x in ko[i : i + KEP_DOC_LINES]],
            )
        )
    return out


def tag(sentence: str, credit: str) -> str:
    """Put a credit after the sentence's first word, where a parenthesis changes no sentence
    end (placed before the final mark, it made every sentence end in ``)."``, which no
    real article does and which only the splitters' slow path handles)."""
    if not credit:
        return sentence
    first = sentence.find(" ")
    return sentence + credit if first < 0 else sentence[:first] + credit + sentence[first:]


def build_corpus(out: Path, n_pairs: int) -> dict:
    """Write ``n_pairs`` English-edition pages and their Korean originals under ``out/pages``."""
    docs = sources()
    cache = PageCache(out)
    sentences = 0
    made = 0
    for r in range(len(TAGS)):
        for src in docs:
            if made == n_pairs:
                return {"pairs": made, "sentences": sentences, "sources": len(docs)}
            en_tag, ko_tag = TAGS[r]
            en_lines = [tag(s, en_tag) for s in src.en]
            ko_lines = [tag(s, ko_tag) for s in src.ko]
            rng = random.Random(zlib.crc32(f"{src.name}/{r}".encode()))
            body = en_lines[1:]
            # the English edition is edited: drop a sentence here, join two there
            edit = made % 3
            doc = sample.Doc(
                src.name,
                *SECTIONS[made % len(SECTIONS)],
                "hani-ko-2023" if made % 2 else "hani-ko-old",
                "new" if made % 4 else "old",
                "2018-10-01 09:30",
                "2018-10-01 18:15",
                ("Kim Ji-hoon", "김지훈", "jihoon"),
                drop=(3,) if edit == 1 and len(body) > 6 else (),
                join=(4,) if edit == 2 and len(body) > 7 else (),
            )
            en_body = sample.english_sentences(doc, body)
            en_paras = [" ".join(g) for g in sample.group(en_body, rng, (1, 2, 3), (9, 8, 3))]
            ko_paras = [" ".join(g) for g in sample.group(ko_lines[1:], rng, (1, 2), (7, 3))]
            en_url = f"{sample.EN_HOST}/arti/english_edition/{doc.en_section}/{EN_BASE + made}.html"
            ko_url = f"{sample.KO_HOST}/arti/{doc.ko_section}/{KO_BASE + made}.html"
            page = sample.en_page(
                url_path=en_url[len(sample.EN_HOST) :],
                section=doc.en_section,
                title=en_lines[0],
                posted=sample.en_date(doc.en_time, doc.en_dates),
                modified=None,
                subtitle=None,
                caption="Photo: Yonhap News" if made % 3 else None,
                paragraphs=en_paras,
                byline="By Kim Ji-hoon, staff reporter",
                original=ko_url,
                related=[],
                most_viewed=[],
                use_p=doc.en_dates == "old",
            )
            cache.put(en_url, page.encode("utf-8"))
            if doc.ko_layout == "hani-ko-old":
                ko_page = sample.ko_old_page(
                    url=ko_url,
                    section=doc.ko_section,
                    title=ko_lines[0],
                    published=doc.ko_time,
                    modified=doc.ko_time,
                    paragraphs=ko_paras,
                    byline_name="김지훈 기자",
                    email="jihoon@example.com",
                    charset="utf-8",
                )
            else:
                ko_page = sample.ko_2023_page(
                    url=ko_url,
                    section=doc.ko_section,
                    title=ko_lines[0],
                    published=doc.ko_time,
                    modified=doc.ko_time,
                    paragraphs=ko_paras,
                    reporter="김지훈",
                    byline_name="김지훈 기자",
                    email="jihoon@example.com",
                )
            cache.put(ko_url, ko_page.encode("utf-8"))
            sentences += 1 + len(en_body) + len(ko_lines)
            made += 1
    raise SystemExit(f"the shared data makes at most {made} pairs; asked for {n_pairs}")


# -- one measured run (in its own process) ------------------------------------------------------


def measure(corpus: Path, workers: int) -> dict:
    """Run the whole job once on a fresh database; stage seconds, rates, memory."""
    from aligner.pipeline import RunOptions, run_corpus

    for name in ("corpus.db", "corpus.db-wal", "corpus.db-shm"):
        (corpus / name).unlink(missing_ok=True)
    shutil.rmtree(corpus / "export", ignore_errors=True)
    t = time.perf_counter()
    summary = run_corpus(corpus, RunOptions(formats=("tmx", "tsv"), workers=workers))
    wall = time.perf_counter() - t
    d = summary.as_dict()
    kb = 1024  # ru_maxrss is in KiB on Linux
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "main_cpu": me.ru_utime + me.ru_stime,
        "workers_cpu": kids.ru_utime + kids.ru_stime,
        "workers": workers,
        "wall": wall,
        "aligned": d["aligned"],
        "failed": d["failed"] + d["unpaired"],
        "sentences": d["en_sentences"] + d["ko_sentences"],
        "encoded": d["encoded_sentences"],
        "seconds": summary.seconds,
        "cpu": summary.cpu_seconds,
        "workers_used": d["workers"],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kb,
        "peak_child_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb,
    }


def run_once(corpus: Path, workers: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.throughput", "--measure", str(corpus), "--workers", str(workers)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode != 0:
        raise SystemExit(f"run with {workers} worker(s) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the report ------------------------------------------------------------------------------------


def summarise(runs: list[dict]) -> dict:
    """Medians over the rounds of one worker count."""
    med = statistics.median
    stage = {s: med(r["seconds"].get(s, 0.0) for r in runs) for s in STAGES}
    cpu = {s: med(r["cpu"].get(s, 0.0) for r in runs) for s in STAGES}
    sentences = runs[0]["sentences"]
    work, cpu_work = sum(stage.values()), sum(cpu.values())
    return {
        "workers": runs[0]["workers"],
        "rounds": len(runs),
        "aligned": runs[0]["aligned"],
        "sentences": sentences,
        "encoded": runs[0]["encoded"],
        "wall": med(r["wall"] for r in runs),
        "walls": [f"{r['wall']:.1f}" + (f" @{r['load_after']:.1f}" if "load_after" in r else "") for r in runs],
        "fastest": min(runs, key=lambda r: r["wall"]),
        "pairs_per_minute": med(60 * r["aligned"] / r["wall"] for r in runs),
        "sentences_per_second": med(r["sentences"] / r["wall"] for r in runs),
        "startup": med(r["seconds"].get("startup", 0.0) for r in runs),
        # cores this run kept busy on average: all its CPU time (main process and workers) over the wall clock
        "cores_used": med((r["main_cpu"] + r["workers_cpu"]) / r["wall"] for r in runs),
        "main_cpu": med(r["main_cpu"] for r in runs),
        "stage": stage,
        "stage_rate": {s: (sentences / v if v else None) for s, v in stage.items()},
        "cpu": cpu,
        "cpu_rate": {s: (sentences / v if v else None) for s, v in cpu.items()},
        "non_encoding_share": (work - stage["encode"]) / work if work else None,
        "non_encoding_cpu_share": (cpu_work - cpu["encode"]) / cpu_work if cpu_work else None,
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "peak_child_rss_mib": max(r["peak_child_rss_mib"] for r in runs),
    }


def report(built: dict, results: dict[int, dict], load: tuple[float, float], rounds: int, command: str) -> str:
    one, two = results.get(1), results.get(2)
    lines = [
        "## Throughput",
        "",
        f"- Date: {date.today().isoformat()}; machine: {machine()};"
        f" load average (1 min) at start / end: {load[0]:.1f} / {load[1]:.1f}, and after each round in the table"
        " (a shared machine: other jobs take cores, so compare within this run)",
        f"- Command: `{command}`",
        f"- Corpus: {built['pairs']} Hankyoreh-style page pairs built from {built['sources']} source documents"
        " (NTREX-128 documents and KEP news in 25-line pseudo-documents; each reuse carries a wire credit after"
        " every sentence's first word, so reused text is encoded again), English side edited"
        " (a sentence dropped or two joined in two"
        f" articles of three), {built['sentences']:,} sentences in all; rendered in the old and 2023 layouts by"
        " `corpora/build_sample.py`'s templates",
        "- Each run: `aligner run` in a fresh process on a fresh database, TMX and TSV export included;"
        f" {rounds} round(s) per worker count, 1 and 2 workers interleaved; medians shown",
        "",
        "| workers | pairs/min | sentences/s (wall) | wall s (each round @ load after it) | start-up s |"
        " cores kept busy |"
        " main process CPU s | outside encoding (wall) | outside encoding (CPU) | peak RSS, main process |"
        " peak RSS, one worker |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results.values():
        child = f"{r['peak_child_rss_mib']:,.0f} MiB" if r["workers"] > 1 else "—"
        lines.append(
            f"| {r['workers']} | {r['pairs_per_minute']:,.1f} | {r['sentences_per_second']:,.0f} |"
            f" {r['wall']:,.1f} ({', '.join(str(w) for w in r['walls'])}) | {r['startup']:.1f} |"
            f" {r['cores_used']:.2f} | {r['main_cpu']:.1f} |"
            f" {100 * r['non_encoding_share']:.1f} % | {100 * r['non_encoding_cpu_share']:.1f} % |"
            f" {r['peak_rss_mib']:,.0f} MiB | {child} |"
        )
    lines += [
        "",
        "Sentences per second of each stage: EN + KO sentences over the stage's seconds summed over"
        " the workers (median seconds in brackets), by the wall clock and by CPU time (CPU time is"
        " what a stage costs; the wall clock also counts waiting for a core on a busy machine):",
        "",
        "| workers | clock | " + " | ".join(STAGES) + " |",
        "|---|---|" + "---|" * len(STAGES),
    ]
    for r in results.values():
        for clock, rate, secs in (("wall", "stage_rate", "stage"), ("CPU", "cpu_rate", "cpu")):
            cells = [f"{r[rate][s]:,.0f} ({r[secs][s]:.1f} s)" if r[rate][s] else "—" for s in STAGES]
            lines.append(f"| {r['workers']} | {clock} | " + " | ".join(cells) + " |")
    lines.append("")
    if one and two:
        lines.append(
            f"- 2 workers vs 1: {two['pairs_per_minute'] / one['pairs_per_minute']:.2f}x the pairs per"
            f" minute, with {two['cores_used']:.2f} vs {one['cores_used']:.2f} cores kept busy (the load"
            " average shows how many the other jobs on this machine took). The CPU cost of each stage"
            " is the same with 1 and 2 workers, so the speed-up follows the cores a run can get. The"
            " main process of a 2-worker run reads the pages, finds each English page's Korean link,"
            " writes the database and exports; its CPU time is in the table."
        )
    if one and two:
        f1, f2 = one["fastest"], two["fastest"]
        busy = (f2["main_cpu"] + f2["workers_cpu"]) / f2["wall"]
        lines.append(
            f"- Fastest rounds: 2 workers {f2['wall']:.1f} s ({busy:.2f} cores kept busy, load"
            f" {f2.get('load_after', float('nan')):.1f} after it) vs 1 worker {f1['wall']:.1f} s:"
            f" {f1['wall'] / f2['wall']:.2f}x when the other jobs left the second core free."
        )
    for r in results.values():
        share = r["non_encoding_cpu_share"]
        verdict = "meets" if share < 0.25 else "misses"
        total = sum(r["cpu"].values())
        parts = ", ".join(
            f"{s} {100 * r['cpu'][s] / total:.0f} %"
            for s in sorted((s for s in STAGES if s != "encode"), key=lambda s: -r["cpu"][s])
        )
        lines.append(
            f"- {r['workers']} worker(s): stages other than encoding take {100 * share:.1f} % of the"
            f" CPU time of the stages ({100 * r['non_encoding_share']:.1f} % by the wall clock);"
            f" {verdict} the < 25 % target. Of the stage CPU time: {parts}."
            f" The encoder ran on {r['encoded']:,} texts for {r['sentences']:,} sentences (what it had"
            " cached is not counted; the engine's second look at joins encodes some joined pairs too)."
        )
    lines += [
        "- Start-up (loading the encoder, Kiwi and language profiles in each worker) is not a stage and is"
        " not in the shares; workers load in parallel.",
        "- Reproduce: `python -m benchmarks.throughput` (writes this section only; the rest of the file is"
        " left as it is).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="End-to-end throughput of aligner run with 1 and 2 workers.")
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="runs per worker count (interleaved)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--corpus", type=Path, help="build (or reuse) the corpus here (default: a temp folder)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write the raw runs here")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing RESULTS.md")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # one run, in a child process
    parser.add_argument("--from-json", type=Path, help="write the report from runs saved with --json")
    args = parser.parse_args(argv)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        results = {int(n): summarise(rs) for n, rs in saved["runs"].items()}
        section = report(saved["built"], results, tuple(saved["load"]), saved["rounds"], saved["command"])
        print(section) if args.no_write else write_section(args.results, section)
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure, int(args.workers))))
        return 0
    counts = [int(x) for x in args.workers.split(",")]
    temp = None
    corpus = args.corpus
    if corpus is None:
        temp = tempfile.mkdtemp(prefix="aligner-throughput-")
        corpus = Path(temp)
    try:
        if not (corpus / "pages").is_dir():
            built = build_corpus(corpus, args.pairs)
            (corpus / "built.json").write_text(json.dumps(built))
        built = json.loads((corpus / "built.json").read_text())
        load0 = os.getloadavg()[0]
        runs: dict[int, list[dict]] = {n: [] for n in counts}
        for r in range(args.rounds):
            for n in counts if r % 2 == 0 else counts[::-1]:
                run = run_once(corpus, n)
                run["load_after"] = os.getloadavg()[0]
                runs[n].append(run)
                print(
                    f"round {r + 1}, {n} worker(s): {run['wall']:.1f} s, {run['aligned']} aligned,"
                    f" load {os.getloadavg()[0]:.1f}",
                    file=sys.stderr,
                    flush=True,
                )
        load1 = os.getloadavg()[0]
        results = {n: summarise(rs) for n, rs in runs.items()}
        command = (
            "python -m benchmarks.throughput"
            + (f" --pairs {args.pairs}" if args.pairs != 500 else "")
            + (f" --rounds {args.rounds}" if args.rounds != 3 else "")
        )
        section = report(built, results, (load0, load1), args.rounds, command)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {"built": built, "runs": runs, "load": [load0, load1], "rounds": args.rounds, "command": command},
                    indent=2,
                )
            )
        if args.no_write:
            print(section)
        else:
            write_section(args.results, section)
            print(section)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

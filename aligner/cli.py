"""The command line: a thin shell over the library (``aligner --help``).

Every command turns its arguments into one library call and prints the result; bad
input becomes one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from aligner import __version__
from aligner.errors import AlignerError
from aligner.export import FORMATS

STATUS_CHOICES = ("accepted", "unreviewed", "rejected", "not-rejected", "any")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AlignerError as exc:
        print(f"aligner: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("aligner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aligner",
        description="Align English-edition news articles with their Korean originals, "
        "review the links, and export a parallel corpus.",
    )
    parser.add_argument("--version", action="version", version=f"aligner {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("run", help="the main job over a corpus folder: pair, split, align, store, export")
    p.add_argument("corpus", type=Path, metavar="DIR|CONFIG.toml",
                   help="corpus folder with a pages/ cache (DIR/corpus.db is written), or a run config file; "
                   "options given here override the config's")
    p.add_argument("--format", dest="formats", action="append", choices=FORMATS,
                   help="export format (repeat; default: tmx and tsv)")
    p.add_argument("--export-dir", type=Path, help="where exports go (default DIR/export)")
    p.add_argument("--min-confidence", type=float, default=None, help="export beads at least this confident (0)")
    p.add_argument("--status", choices=STATUS_CHOICES, default=None, help="export beads of this status (any)")
    p.add_argument("--keep-empty", action="store_true", default=None, help="export 0-1 and 1-0 beads too")
    p.add_argument("--force", action="store_true", default=None,
                   help="re-align unchanged pairs (reviewed beads are kept)")
    p.add_argument("-w", "--workers", type=int, default=None,
                   help="worker processes, each loading the encoder once (default 1: all in this process)")
    p.add_argument("--dask", metavar="SCHEDULER_ADDRESS", default=None,
                   help="run the per-pair work on a Dask cluster (e.g. tcp://127.0.0.1:8786); "
                   "this process still writes the database")
    p.add_argument("--retry-failed", action="store_true", default=None,
                   help="retry pairs that failed before even if their pages did not change")
    _output_flags(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("align", help="align two texts (pages, plain text, or one sentence per line)")
    p.add_argument("src", type=Path, help="source file (or folder of files)")
    p.add_argument("tgt", type=Path, help="target file (or folder of same-named files)")
    p.add_argument("--presplit", action="store_true", help="inputs have one sentence per line")
    p.add_argument("--src-lang", help="source language (default: detected, else en)")
    p.add_argument("--tgt-lang", help="target language (default: detected, else ko)")
    p.add_argument("--output-format", choices=("beads", "tsv"), default="beads",
                   help="beads: [src ids]:[tgt ids]:score lines; tsv: aligned text with scores")
    p.add_argument("-o", "--output", type=Path, help="output file, or folder when aligning folders")
    p.set_defaults(func=cmd_align)

    p = sub.add_parser("export", help="export a corpus database")
    p.add_argument("db", type=Path)
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="output path (moses: PATH.en and PATH.ko are written)")
    p.add_argument("--min-confidence", type=float, default=0.0)
    p.add_argument("--status", choices=STATUS_CHOICES, default="any")
    p.add_argument("--skip-empty", action="store_true", help="drop 0-1 and 1-0 beads")
    p.add_argument("--tokenize", action="store_true", help="moses: tokenize (sacremoses / Kiwi morphemes)")
    _output_flags(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="per-pair and corpus totals of a corpus database")
    p.add_argument("db", type=Path)
    _output_flags(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("review", help="open the review app on a corpus database")
    p.add_argument("db", type=Path)
    p.add_argument("--reviewer", help="name in the edit log (default: $ALIGNER_REVIEWER or $USER)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("eval", help="strict and lax precision/recall/F1 of predicted beads against gold")
    p.add_argument("gold", type=Path, help="gold bead file or folder")
    p.add_argument("pred", type=Path, help="predicted bead file or folder of same-named files")
    _output_flags(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("fetch", help="fetch English-edition pages and their Korean originals into a corpus folder")
    p.add_argument("urls", nargs="*", help="English-edition article URLs")
    p.add_argument("-d", "--dir", type=Path, default=Path("."), help="corpus folder (default: here)")
    p.add_argument("--from-file", type=Path, help="a file of URLs, one a line")
    p.add_argument("--section", help="a section list page: follow its article links, page by page")
    p.add_argument("--limit", type=int, help="most articles to take from --section")
    p.add_argument("--ids", help="an id range A-B of English-edition articles")
    p.add_argument("--id-section", help="section used to build URLs for --ids (default e_national)")
    p.add_argument("--offline", action="store_true", help="use only pages already in the cache")
    p.add_argument("--rate", type=float, default=1.0, help="requests per second per host (default 1)")
    _output_flags(p)
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("pair", help="propose which English article translates which Korean one, by content")
    p.add_argument("en_dir", type=Path)
    p.add_argument("ko_dir", type=Path)
    p.add_argument("--min-score", type=float, help="leave an article unpaired below this score (0-1)")
    p.add_argument("--record-in", type=Path, help="corpus folder whose pairs.jsonl gets the confident pairs")
    _output_flags(p)
    p.set_defaults(func=cmd_pair)

    p = sub.add_parser("lexicon", help="the translation lexicon learned from the corpus")
    lex = p.add_subparsers(metavar="ACTION")
    p.set_defaults(func=lambda args, parser=p: parser.print_help() or 2)
    q = lex.add_parser("train", help="learn it from accepted and confident beads (used by later runs)")
    q.add_argument("db", type=Path)
    q.add_argument("--min-confidence", type=float, default=0.9,
                   help="unreviewed beads need this confidence to be learned from (accepted ones always are)")
    q.add_argument("--iterations", type=int, default=5)
    _output_flags(q)
    q.set_defaults(func=cmd_lexicon_train)
    q = lex.add_parser("show", help="most likely translations of a word")
    q.add_argument("db", type=Path)
    q.add_argument("word")
    q.add_argument("--top", type=int, default=10)
    q.set_defaults(func=cmd_lexicon_show)

    return parser


def _output_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")


def _console(args: argparse.Namespace) -> Console:
    return Console(quiet=bool(getattr(args, "quiet", False)), highlight=False, soft_wrap=True)


# -- run ----------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from aligner.config import is_config_path, load_config
    from aligner.pipeline import RunOptions, english_pages, run_corpus
    from aligner.sources import PageCache

    if is_config_path(args.corpus):
        config = load_config(args.corpus)
        corpus, options = config.corpus, config.options
    else:
        corpus, options = args.corpus, RunOptions()
    # flags given on the command line win over the config file
    overrides = {
        "formats": tuple(args.formats) if args.formats else None,
        "export_dir": args.export_dir,
        "min_confidence": args.min_confidence,
        "status": args.status,
        "skip_empty": None if args.keep_empty is None else not args.keep_empty,
        "force": args.force,
        "workers": args.workers,
        "dask": args.dask,
        "retry_failed": args.retry_failed,
    }
    for name, value in overrides.items():
        if value is not None:
            setattr(options, name, value)
    if options.workers < 1:
        raise AlignerError("--workers", "must be at least 1")
    console = _console(args)
    show_progress = not args.quiet and not args.json and sys.stderr.isatty()
    total = len(list(english_pages(PageCache(corpus)))) if Path(corpus).is_dir() else 0
    with _run_progress(show_progress, total) as progress:
        summary = run_corpus(corpus, options, progress=progress)
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_run_summary(console, summary)
    return 1 if summary.count("failed") else 0


@contextmanager
def _run_progress(show: bool, total: int) -> Iterator[Callable[[Any], None]]:
    """A progress bar on stderr: articles done of total, sentences, pairs a minute, time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
               TextColumn("{task.fields[sentences]:,} sentences"), TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=err, disable=not show, transient=True) as bar:
        task = bar.add_task("starting", total=total, sentences=0, rate="")  # models load before the first pair
        started = time.monotonic()
        counts = {"sentences": 0, "aligned": 0}

        def progress(result: Any) -> None:
            counts["sentences"] += result.en_sentences + result.ko_sentences
            counts["aligned"] += result.outcome == "aligned"
            minutes = (time.monotonic() - started) / 60
            rate = f"{counts['aligned'] / minutes:,.1f} pairs/min" if minutes > 0 and counts["aligned"] else ""
            bar.update(task, advance=1, sentences=counts["sentences"], rate=rate, description="aligning")

        yield progress


def print_run_summary(console: Console, summary) -> None:
    d = summary.as_dict()
    console.print(
        f"pairs in corpus: {d['pairs']}  (this run: {d['aligned']} aligned, {d['unchanged']} unchanged, "
        f"{d['kept_reviewed']} kept as reviewed, {d['unpaired']} unpaired, {d['failed']} failed)"
    )
    console.print(f"sentences: {d['en_sentences']} English, {d['ko_sentences']} Korean")
    kinds = ", ".join(f"{k}: {v}" for k, v in d["bead_types"].items())
    console.print(f"beads by type: {kinds or 'none'}")
    mc = d["mean_confidence"]
    console.print(f"mean confidence: {mc:.3f}" if mc is not None else "mean confidence: -")
    for problem in d["problems"]:
        earlier = " (earlier run; pages unchanged since, --retry-failed tries again)" if problem["previous_run"] else ""
        console.print(f"  {problem['outcome']}: {problem['item']}: {problem['reason']}{earlier}")
    for f in d["files"]:
        console.print(f"wrote {f}")
    secs = d["seconds"]
    stages = ", ".join(f"{k} {secs[k]:.1f}" for k in ("parse", "check", "split", "encode", "align", "store", "export")
                       if k in secs)
    rate = d["throughput"]["pairs_per_minute"]
    console.print(f"time: {secs.get('total', 0):.1f} s with {d['workers']} worker(s)"
                  + (f", {rate:,.1f} pairs/min" if rate and d["aligned"] else "")
                  + (f"; stage seconds: {stages}" if stages else ""))


# -- align ----------------------------------------------------------------------------


def cmd_align(args: argparse.Namespace) -> int:
    from aligner.direct import align_folders, align_paths, format_beads, format_tsv

    if args.src.is_dir() or args.tgt.is_dir():
        if not (args.src.is_dir() and args.tgt.is_dir()):
            raise AlignerError(f"{args.src}, {args.tgt}", "give two files or two folders")
        if args.output is None:
            raise AlignerError(str(args.src), "aligning folders needs -o OUT_FOLDER")
        report = align_folders(args.src, args.tgt, args.output, presplit=args.presplit,
                               src_lang=args.src_lang, tgt_lang=args.tgt_lang,
                               output_format=args.output_format)
        for name, problem in report.failures:
            print(f"aligner: error: {name}: {problem}", file=sys.stderr)
        print(f"aligned {report.aligned} pairs into {args.output}", file=sys.stderr)
        return 1 if report.failures else 0
    result = align_paths(args.src, args.tgt, presplit=args.presplit, src_lang=args.src_lang,
                         tgt_lang=args.tgt_lang)
    text = format_beads(result) if args.output_format == "beads" else format_tsv(result)
    if args.output:
        from aligner.export.atomic import atomic_write

        with atomic_write(args.output) as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


# -- export ----------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from aligner.export import export_rows
    from aligner.store import Store

    db = _existing_db(args.db)
    with Store(db) as store:
        langs = store.conn.execute(
            "SELECT e.lang, k.lang FROM pairs p JOIN documents e ON e.id=p.en_doc"
            " JOIN documents k ON k.id=p.ko_doc LIMIT 1"
        ).fetchone()
        src_lang, tgt_lang = (langs[0], langs[1]) if langs else ("en", "ko")
        rows = store.export_rows(min_confidence=args.min_confidence, status=args.status,
                                 skip_empty=args.skip_empty)
        result = export_rows(rows, args.format, args.output, src_lang=src_lang, tgt_lang=tgt_lang,
                             tokenize=args.tokenize)
    if args.json:
        print(json.dumps({"format": result.format, "count": result.count,
                          "paths": [str(p) for p in result.paths]}))
    else:
        _console(args).print(f"wrote {result.count} beads to {', '.join(str(p) for p in result.paths)}")
    return 0


def _existing_db(path: Path) -> Path:
    if not path.exists():
        raise AlignerError(str(path), "no such corpus database")
    return path


# -- stats -----------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    from aligner.stats import corpus_stats

    frame, totals = corpus_stats(_existing_db(args.db))
    if args.json:
        print(json.dumps({"pairs": json.loads(frame.to_json(orient="records", force_ascii=False)),
                          "totals": totals}, ensure_ascii=False, indent=2))
        return 0
    console = _console(args)
    table = Table(title=str(args.db))
    for col in frame.columns:
        table.add_column(str(col), overflow="fold", max_width=40 if col in ("en_title", "ko_title") else None)
    for row in frame.itertuples(index=False):
        table.add_row(*("" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)
    console.print(", ".join(f"{k}: {v}" for k, v in totals.items()))
    return 0


# -- review, eval -----------------------------------------------------------------------


def cmd_review(args: argparse.Namespace) -> int:
    from tui.app import run_app

    reviewer = args.reviewer or os.environ.get("ALIGNER_REVIEWER") or os.environ.get("USER") or "reviewer"
    run_app(str(_existing_db(args.db)), reviewer)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from aligner.evaluate import evaluate_paths

    scores = evaluate_paths(args.gold, args.pred)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(scores), indent=2))
    else:
        print(scores.format() if hasattr(scores, "format") else scores)
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from aligner.sources.fetch import fetch_command

    console = _console(args)
    quiet = args.quiet or args.json

    def progress(item) -> None:
        if not quiet:
            line = f"{item.status}: {item.en_url}"
            console.print(line + (f" -> {item.ko_url}" if item.ko_url else "") + (f": {item.reason}" if item.reason else ""))

    report = fetch_command(args.dir, args.urls, from_file=args.from_file, section=args.section, limit=args.limit,
                           ids=args.ids, id_section=args.id_section, offline=args.offline, rate=args.rate,
                           progress=progress)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        console.print(f"paired {report.count('paired')}, already done {report.count('done')}, "
                      f"failed {report.count('failed')}; manifest {report.manifest}")
    return 0 if report.ok else 1


def cmd_pair(args: argparse.Namespace) -> int:
    from aligner.pairing import pair_command

    result = pair_command(args.en_dir, args.ko_dir, min_score=args.min_score, record_in=args.record_in)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    console = _console(args)
    for pair in result.pairs:
        flag = "  (too close to call: also " + str(pair.runner_up_item) + ")" if pair.too_close else ""
        console.print(f"{pair.score:.3f}\t{_name(pair.en)}\t{_name(pair.ko)}{flag}")
    for item in result.unpaired_en + result.unpaired_ko:
        console.print(f"unpaired {item.side}: {_name(item.article)}: {item.reason}")
    skipped = list(result.unreadable) + [(_name(r.article), r.reason) for r in result.rejected]
    for item, reason in skipped:
        console.print(f"skipped: {item}: {reason}")
    return 0


def _name(article) -> str:
    return article.url or article.source_path or article.title


def cmd_lexicon_train(args: argparse.Namespace) -> int:
    from aligner.align.lexicon import train_lexicon
    from aligner.store import Store

    with Store(_existing_db(args.db)) as store:
        pairs = list(store.training_pairs(args.min_confidence))
        if not pairs:
            raise AlignerError(str(args.db), "no accepted or confident beads to learn from; run or review first")
        lexicon = train_lexicon(pairs, iterations=args.iterations)
        store.save_lexicon(lexicon)
    if args.json:
        print(json.dumps({"pairs": lexicon.pairs, "entries": len(lexicon)}))
    else:
        _console(args).print(f"learned {len(lexicon)} translation entries from {lexicon.pairs} bead pairs; "
                             "later runs use them")
    return 0


def cmd_lexicon_show(args: argparse.Namespace) -> int:
    from aligner.align.lexicon import lexicon_tokens
    from aligner.store import Store

    with Store(_existing_db(args.db)) as store:
        lexicon = store.load_lexicon()
    if lexicon is None:
        raise AlignerError(str(args.db), "no lexicon yet; run `aligner lexicon train` first")
    tokens = lexicon_tokens(args.word)
    if not tokens:
        raise AlignerError(args.word, "has no word characters")
    key = tokens[0]
    row = lexicon.forward.get(key) or lexicon.backward.get(key) or {}
    for word, prob in sorted(row.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{key}\t{word}\t{prob:.3f}")
    return 0 if row else 1


if __name__ == "__main__":
    raise SystemExit(main())

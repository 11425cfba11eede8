"""The command line: a thin shell over the library (``aligner --help``).

Every command turns its arguments into one library call and prints the result; bad
input becomes one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from aligner import __version__
from aligner.display import json_text, line, plain, visible
from aligner.errors import AlignerError, OptionError
from aligner.export import FORMATS
from aligner.export.policy import STATUS_CHOICES, ExportPolicy
from aligner.model import Method, Outcome

if TYPE_CHECKING:
    import pandas as pd

    from aligner.evaluate import Scores
    from aligner.model import Article
    from aligner.run import ItemResult, RunSummary
    from aligner.sources.fetch import ItemOutcome
    from aligner.stats import Totals
    from aligner.store import Store


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AlignerError as exc:  # names a file or URL from outside: shown, never obeyed
        print(f"aligner: error: {visible(exc)}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # damaged file, full disk, locked too long, I/O error
        print(f"aligner: error: {visible(_database_problem(args, exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("aligner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _database_problem(args: argparse.Namespace, exc: sqlite3.DatabaseError) -> str:
    """One line for an SQLite error that reached the top: which database, what SQLite
    said, and what to do. Every write is one transaction, so what was committed before
    is still there (a damaged file aside)."""
    from aligner.store import disk_full

    database = getattr(args, "database", None) or getattr(args, "db", None) or "corpus database"
    message = str(exc)
    if "malformed" in message or "not a database" in message:
        advice = "the file is damaged; restore a copy, or salvage it with `sqlite3 DB .recover`"
    elif "full" in message or ("I/O error" in message and disk_full(Path(database))):
        advice = "the disk is full; free some space and run again: committed work is kept"
    elif "locked" in message or "busy" in message:
        advice = "another program holds it too long; try again when it is done"
    else:
        advice = "nothing committed before was lost"
    return f"{database}: {message} ({advice})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aligner",
        description="Align English-edition news articles with their Korean originals, "
        "review the links, and export a parallel corpus.",
    )
    parser.add_argument("--version", action="version", version=f"aligner {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("run", help="the main job over a corpus folder: pair, split, align, store, export")
    p.add_argument(
        "corpus",
        type=Path,
        metavar="DIR|CONFIG.toml",
        help="corpus folder with a pages/ cache (DIR/corpus.db is written), or a run config file; "
        "options given here override the config's",
    )
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=FORMATS,
        help="export format (repeat; default: tmx and tsv)",
    )
    p.add_argument("--export-dir", type=Path, help="where exports go (default DIR/export)")
    _policy_flags(p, for_run=True)
    p.add_argument(
        "--force",
        action="store_true",
        default=None,
        help="re-align unchanged pairs and decide again which originals content pairing finds "
        "(reviewed beads are kept)",
    )
    p.add_argument(
        "--pair-unsure",
        action="store_true",
        default=None,
        help="for a page with no usable link, also take the original content pairing proposes when it "
        "is not sure of it (by default such a page is reported and left unpaired)",
    )
    p.add_argument(
        "-w",
        "--workers",
        type=int,
        default=None,
        help="worker processes, each loading the encoder once (default 1: all in this process)",
    )
    p.add_argument(
        "--dask",
        metavar="SCHEDULER_ADDRESS",
        default=None,
        help="run the per-pair work on a Dask cluster (e.g. tcp://127.0.0.1:8786); "
        "this process still writes the database",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        default=None,
        help="retry pairs that failed before even if their pages did not change",
    )
    _engine_flags(p, for_run=True)
    _output_flags(p)
    p.add_argument(
        "-v", "--verbose", action="store_true", help="list every unpaired page, also those reported by earlier runs"
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("align", help="align two texts (pages, plain text, or one sentence per line)")
    p.add_argument("src", type=Path, help="source file (or folder of files)")
    p.add_argument("tgt", type=Path, help="target file (or folder of same-named files)")
    p.add_argument("--presplit", action="store_true", help="inputs have one sentence per line")
    p.add_argument("--src-lang", help="source language (default: detected, else en)")
    p.add_argument("--tgt-lang", help="target language (default: detected, else ko)")
    p.add_argument(
        "--output-format",
        choices=("beads", "tsv"),
        default="beads",
        help="beads: [src ids]:[tgt ids]:score lines; tsv: aligned text with scores",
    )
    p.add_argument("-o", "--output", type=Path, help="output file, or folder when aligning folders")
    p.add_argument(
        "-w",
        "--workers",
        metavar="N",
        help="folders: processes aligning pairs at once, each loading the encoder once (default: the "
        "usable cores when the machine is idle and there are several pairs, else 1); same output either way",
    )
    _engine_flags(p, for_run=False)
    p.set_defaults(func=cmd_align)

    p = sub.add_parser("export", help="export a corpus database (no rejected and no empty beads unless asked)")
    p.add_argument("db", type=Path)
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument(
        "-o", "--output", type=Path, required=True, help="output path (moses: PATH.en and PATH.ko are written)"
    )
    _policy_flags(p, for_run=False)
    p.add_argument(
        "--tokenize",
        action="store_true",
        help="tsv, moses, jsonl, parquet: tokens separated by spaces (sacremoses for English; "
        "Korean cut at Kiwi's morphemes, the text kept as written)",
    )
    _output_flags(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="per-pair and corpus totals of a corpus database")
    p.add_argument("db", type=Path)
    p.add_argument(
        "--by-reviewer",
        action="store_true",
        help="instead: beads each reviewer accepted, rejected and edited, per day (UTC), from the edit log",
    )
    _output_flags(p)
    p.set_defaults(func=cmd_stats)

    add_commands(sub)  # `review`, from the review app (tui)

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
    p.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="fetch at most N articles in all (URLs, --from-file and --ids first, then --section)",
    )
    p.add_argument("--ids", help="an id range A-B of English-edition articles")
    p.add_argument("--id-section", help="section used to build URLs for --ids (default e_national)")
    p.add_argument("--offline", action="store_true", help="use only pages already in the cache")
    p.add_argument("--rate", type=float, default=1.0, help="requests per second per host, above 0 (default 1)")
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also fetch from HOST (repeat; HOST alone allows any port, HOST:PORT only that port)",
    )
    _output_flags(p)
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser(
        "pair",
        help="propose which English article translates which Korean one, by content, "
        "and say how sure each pair is and why",
    )
    p.add_argument("en_dir", type=Path)
    p.add_argument("ko_dir", type=Path)
    p.add_argument(
        "--min-score",
        type=float,
        help="probability a pair needs on its own (more than 0, less than 1; default 0.9); below it, "
        "only a clear mutual best is proposed",
    )
    p.add_argument(
        "--record-in", type=Path, help="corpus folder whose pairs.jsonl gets the pairs sure enough to use unattended"
    )
    _output_flags(p)
    p.set_defaults(func=cmd_pair)

    p = sub.add_parser("lexicon", help="the translation lexicon learned from the corpus")
    lex = p.add_subparsers(metavar="ACTION")
    p.set_defaults(func=lambda args, parser=p: parser.print_help() or 2)
    q = lex.add_parser("train", help="learn it from accepted and confident beads (used by later runs)")
    q.add_argument("db", type=Path)
    q.add_argument(
        "--min-confidence",
        type=_confidence,
        default=0.9,
        metavar="X",
        help="unreviewed beads need this confidence to be learned from (accepted ones always are)",
    )
    q.add_argument("--iterations", type=_positive_int, default=5, metavar="N")
    _output_flags(q)
    q.set_defaults(func=cmd_lexicon_train)
    q = lex.add_parser("show", help="most likely translations of a word")
    q.add_argument("db", type=Path)
    q.add_argument("word")
    q.add_argument("--top", type=_positive_int, default=10, metavar="N")
    q.set_defaults(func=cmd_lexicon_show)
    q = lex.add_parser("forget", help="remove it (later runs align without it)")
    q.add_argument("db", type=Path)
    _output_flags(q)
    q.set_defaults(func=cmd_lexicon_forget)

    return parser


#: Entry points (in the package metadata) that add commands: ``name = "module:function"``,
#: where the function takes the subparsers and adds its command. The review app adds
#: ``review`` this way, so the library never imports the app.
COMMANDS_GROUP = "aligner.commands"


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Let installed packages add their commands (the review app's ``review``)."""
    from importlib.metadata import entry_points

    for entry in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
        entry.load()(sub)


def _positive_int(text: str) -> int:
    """argparse type for counts: 0 or less would fetch nothing, or cut a list from its end."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _confidence(text: str) -> float:
    """argparse type for --min-confidence: confidences are in [0, 1], and ``nan`` would let every bead through."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text!r}") from None
    if not 0.0 <= value <= 1.0:  # also false for nan
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text}")
    return value


def _policy_flags(p: argparse.ArgumentParser, *, for_run: bool) -> None:
    """--status, --min-confidence, --keep-empty: the export policy (aligner.export.policy),
    the same flags with the same defaults for ``export`` and ``run``. ``run`` leaves them
    unset (None) so its config file decides where they are not given."""
    default = ExportPolicy()
    p.add_argument(
        "--status",
        choices=STATUS_CHOICES,
        default=None if for_run else default.status.value,
        help=f"export beads of this review status (default {default.status.value}: rejected beads "
        "only when asked for by name, with rejected or any)",
    )
    p.add_argument(
        "--min-confidence",
        type=_confidence,
        default=None if for_run else default.min_confidence,
        metavar="X",
        help="only beads at least this confident, 0 to 1 (default 0); beads a reviewer "
        "accepted or made always pass, exported with confidence 1.0",
    )
    p.add_argument(
        "--keep-empty",
        action="store_true",
        default=None if for_run else default.keep_empty,
        help="also export 0-1 and 1-0 beads (left out by default)",
    )
    if not for_run:  # the old flag: what it asked for is the default now
        p.add_argument("--skip-empty", action="store_true", help=argparse.SUPPRESS)


def _policy(args: argparse.Namespace, base: ExportPolicy | None = None) -> ExportPolicy:
    """The export policy of the flags given, over ``base`` (a run config's) or the defaults."""
    from dataclasses import replace

    given = {
        name: getattr(args, name)
        for name in ("status", "min_confidence", "keep_empty")
        if getattr(args, name, None) is not None
    }
    return replace(base or ExportPolicy(), **given)


def _engine_flags(p: argparse.ArgumentParser, *, for_run: bool) -> None:
    """--method and --encoder; ``run`` leaves them unset (None) so its config file decides."""
    p.add_argument(
        "--method",
        choices=tuple(Method),
        default=None if for_run else Method.ENGINE.value,
        help="engine (default) or length (the length-only baseline)",
    )
    p.add_argument(
        "--encoder",
        default=None if for_run else "use",
        metavar="NAME",
        help="sentence encoder: use (default), e5 (needs the e5 extra), or st:MODEL for a "
        "sentence-transformers model you have",
    )


def _output_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")


def _console(args: argparse.Namespace) -> Console:
    return Console(quiet=bool(getattr(args, "quiet", False)), highlight=False, soft_wrap=True)


# -- run ----------------------------------------------------------------------------


#: The flag that sets each of RunOptions's settings, for messages.
RUN_FLAGS = {"formats": "--format"}


def cmd_run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from aligner.config import is_config_path, load_config
    from aligner.pipeline import english_pages, run_corpus
    from aligner.run import RunOptions
    from aligner.sources import PageCache

    if is_config_path(args.corpus) or args.corpus.is_file():
        config = load_config(args.corpus)
        corpus, options = config.corpus, config.options
    else:
        corpus, options = args.corpus, RunOptions()
    args.database = Path(corpus) / "corpus.db"  # named by an error the database itself raises
    # flags given on the command line win over the config file
    overrides = {
        "formats": tuple(args.formats) if args.formats else None,
        "export_dir": args.export_dir,
        "policy": _policy(args, options.policy),
        "force": args.force,
        "workers": args.workers,
        "dask": args.dask,
        "retry_failed": args.retry_failed,
        "pair_unsure": args.pair_unsure,
        "method": args.method,
        "encoder": args.encoder,
    }
    try:
        options = replace(options, **{name: value for name, value in overrides.items() if value is not None})
    except OptionError as exc:
        name = str(exc.item)
        raise AlignerError(RUN_FLAGS.get(name, "--" + name.replace("_", "-")), exc.problem) from None
    console = _console(args)
    show_progress = not args.quiet and not args.json and sys.stderr.isatty()
    total = len(list(english_pages(PageCache(corpus)))) if Path(corpus).is_dir() else 0
    with _run_progress(show_progress, total) as (progress, pairing_progress):
        summary = run_corpus(corpus, options, progress=progress, pairing_progress=pairing_progress)
    if args.json:
        print(json_text(summary.as_dict()))
    else:
        print_run_summary(console, summary, verbose=args.verbose)
    print_run_failures(summary)
    return 1 if summary.count(Outcome.FAILED) else 0


@contextmanager
def _run_progress(
    show: bool, total: int
) -> Iterator[tuple[Callable[[ItemResult], None], Callable[[str, int, int], None]]]:
    """A progress bar on stderr: articles done of total, sentences, pairs a minute, time left;
    before the articles, what pairing by content is doing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("articles"),
        TextColumn("{task.fields[sentences]:,} sentences"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, disable=not show, transient=True) as bar:
        task = bar.add_task("starting", total=total, sentences=0, rate="")  # models load before the first pair
        started = time.monotonic()
        counts = {"sentences": 0, "aligned": 0}

        def progress(result: ItemResult) -> None:
            counts["sentences"] += result.src_sentences + result.tgt_sentences
            counts["aligned"] += result.outcome == Outcome.ALIGNED
            minutes = (time.monotonic() - started) / 60
            rate = f"{counts['aligned'] / minutes:,.1f} pairs/min" if minutes > 0 and counts["aligned"] else ""
            bar.update(task, advance=1, sentences=counts["sentences"], rate=rate, description="aligning")

        def pairing(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"pairing by content: {stage} {done:,}/{total:,}")

        yield progress, pairing


def print_run_summary(console: Console, summary: RunSummary, *, verbose: bool = False) -> None:
    """The run for a person: the database, what is in it, what was exported and what to do next.

    An unpaired page (no Korean original to align with) is no error: it is counted, and
    listed with its reason when this run found it first (or with ``verbose``), not again
    on every re-run. Every outside string (paths, URLs, reasons) goes through
    :mod:`aligner.display`.
    """
    d = summary.as_dict()
    console.print(line("corpus database: ", d["database"]))
    this_run = ", ".join(
        f"{d[k]} {label}"
        for k, label in (
            ("aligned", "aligned"),
            ("unchanged", "unchanged"),
            ("kept_reviewed", "kept as reviewed"),
            ("failed", "failed"),
        )
    )
    unpaired = summary.unpaired
    known = [r for r in unpaired if r.previous]
    tail = ""
    if unpaired:
        tail = f"; {_count(len(unpaired), 'English page')} unpaired"
        if known and not verbose:
            tail += (
                f" ({len(known)} as in earlier runs; -v lists them)"
                if len(known) < len(unpaired)
                else " (as in earlier runs; -v lists them)"
            )
    console.print(f"pairs in corpus: {d['pairs']} (this run: {this_run}){tail}")
    print_content_pairs(console, summary, verbose=verbose)
    console.print(f"sentences: {d['en_sentences']:,} English, {d['ko_sentences']:,} Korean")
    kinds = ", ".join(f"{k}: {v:,}" for k, v in d["bead_types"].items())
    console.print(f"beads by type: {kinds or 'none'}")
    mc = d["mean_confidence"]
    console.print(f"mean confidence: {mc:.3f}" if mc is not None else "mean confidence: -")
    listed = [r for r in unpaired if verbose or not r.previous]
    if listed:
        console.print("unpaired (no Korean original to align with yet; not an error):")
        for item in listed:
            console.print(line("  ", item.item, ": ", _reason(item.item, item.reason)))
    for item in summary.with_outcome(Outcome.KEPT):
        console.print(line("kept as reviewed: ", item.item, ": ", _reason(item.item, item.reason)))
    if summary.exports:
        console.print(f"exported ({summary.policy.describe()}):")
        for export in summary.exports:
            console.print(line("  ", ", ".join(export.paths), f"  ({_count(export.count, 'bead')})"))
    secs = d["seconds"]
    stages = ", ".join(
        f"{k} {secs[k]:.1f}"
        for k in ("pair", "parse", "check", "split", "encode", "align", "store", "export")
        if k in secs and (k != "pair" or secs[k] >= 0.05)
    )
    rate = d["throughput"]["pairs_per_minute"]
    console.print(
        f"time: {secs.get('total', 0):.1f} s with {d['workers']} worker(s)"
        + (f", {rate:,.1f} pairs/min" if rate and d["aligned"] else "")
        + (f"; stage seconds: {stages}" if stages else "")
    )
    console.print(line("next: review the links with  ", summary.next_command))


def print_content_pairs(console: Console, summary: RunSummary, *, verbose: bool = False) -> None:
    """Which pairs came from content and how sure each is: the count, and each pair decided
    in this run (``verbose``: every one) with its probability and why."""
    paired, unsure = summary.by_content, summary.unsure
    if not paired and not unsure:
        return
    sure = sum(1 for r in paired if r.pairing and r.pairing.sure)
    text = f"found by content: {_count(len(paired), 'pair')} ({sure} sure, {len(paired) - sure} taken unsure)"
    if unsure:
        text += f"; {_count(len(unsure), 'page')} left unpaired, not sure enough (--pair-unsure takes them)"
    console.print(text)
    for r in paired:
        if r.pairing is not None and (verbose or r.pairing.decided_now):
            how = "sure" if r.pairing.sure else "UNSURE, check it"
            instead = (
                ("", "")
                if r.pairing.instead_of is None
                else (" instead of ", f"{r.pairing.instead_of} (a reviewer rejected that pairing)")
            )
            console.print(
                line(
                    "  ",
                    r.item,
                    " -> ",
                    r.pairing.original or "",
                    *instead,
                    f"  p {r.pairing.score:.3f} ({how}): ",
                    r.pairing.why,
                )
            )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def print_run_failures(summary: RunSummary) -> None:
    """Each failed item on stderr, once, even with --quiet (which means "nothing but errors")."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for item in summary.failed:
        earlier = " (earlier run; pages unchanged since, --retry-failed tries again)" if item.previous else ""
        err.print(line("aligner: failed: ", item.item, ": ", _reason(item.item, item.reason), earlier))


def _reason(item: str, reason: str) -> str:
    """A reason that already starts with the item's URL does not repeat it."""
    return reason[len(item) + 2 :] if reason.startswith(f"{item}: ") else reason


# -- align ----------------------------------------------------------------------------


def cmd_align(args: argparse.Namespace) -> int:
    from aligner.direct import align_folders, align_paths, format_beads, format_tsv, write_output
    from aligner.run import check_count

    try:  # checked before anything is read, for two files too (they need one process)
        workers = None if args.workers is None else check_count("workers", _whole_number(args.workers))
    except OptionError as exc:
        raise AlignerError("--" + str(exc.item), exc.problem) from None
    if args.src.is_dir() or args.tgt.is_dir():
        if not (args.src.is_dir() and args.tgt.is_dir()):
            raise AlignerError(f"{args.src}, {args.tgt}", "give two files or two folders")
        if args.output is None:
            raise AlignerError(str(args.src), "aligning folders needs -o OUT_FOLDER")
        report = align_folders(
            args.src,
            args.tgt,
            args.output,
            presplit=args.presplit,
            src_lang=args.src_lang,
            tgt_lang=args.tgt_lang,
            output_format=args.output_format,
            method=args.method,
            encoder=args.encoder,
            workers=workers,
        )
        for name, problem in report.failures:
            print(
                f"aligner: error: {visible(name)}: {visible(problem)}", file=sys.stderr
            )  # file names come from outside
        print(f"aligned {report.aligned} pairs into {args.output}", file=sys.stderr)
        return 1 if report.failures else 0
    result = align_paths(
        args.src,
        args.tgt,
        presplit=args.presplit,
        src_lang=args.src_lang,
        tgt_lang=args.tgt_lang,
        method=args.method,
        encoder=args.encoder,
    )
    text = format_beads(result) if args.output_format == "beads" else format_tsv(result)
    if args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _whole_number(text: str) -> int | str:
    """A flag's text as an int when it is one; anything else goes on as given, for the
    library's check to refuse in one line (argparse's ``type=int`` prints its usage too)."""
    try:
        return int(text)
    except ValueError:
        return text


# -- export ----------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from aligner.export import export_corpus

    policy = _policy(args)
    with _corpus_store(args.db) as store:
        result = export_corpus(store, args.format, args.output, policy, tokenize=args.tokenize)
    if args.json:
        print(
            json.dumps(
                {
                    "format": result.format,
                    "count": result.count,
                    "paths": [str(p) for p in result.paths],
                    "policy": {
                        "status": policy.status.value,
                        "min_confidence": policy.min_confidence,
                        "keep_empty": policy.keep_empty,
                    },
                }
            )
        )
    else:
        console = _console(args)
        console.print(line(f"wrote {_count(result.count, 'bead')} to ", ", ".join(str(p) for p in result.paths)))
        console.print(f"  ({policy.describe()})")
    return 0


def _corpus_store(path: Path) -> Store:
    """An existing corpus database: a missing, empty or foreign file is an error and stays as it was."""
    from aligner.store import Store

    return Store(path, create=False)


# -- stats -----------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    from aligner.stats import corpus_stats

    if args.by_reviewer:
        return stats_by_reviewer(args)
    frame, totals = corpus_stats(args.db)
    if args.json:
        print(json_text({"pairs": json.loads(frame.to_json(orient="records", force_ascii=False)), "totals": totals}))
        return 0
    # lines wrap at the console's width (80 when piped) instead of running on
    console = Console(quiet=bool(args.quiet), highlight=False)
    console.print(stats_table(frame, str(args.db), console.width))
    for text in stats_totals(totals):
        console.print(text, soft_wrap=True)  # one total a line, whatever the width
    return 0


def stats_totals(totals: Totals) -> list[str]:
    """The corpus totals as a few sentences (our own words and numbers only)."""
    mc = totals["mean_confidence"]
    kinds = ", ".join(f"{k}: {v:,}" for k, v in totals["bead_types"].items()) or "none"
    out = [
        f"corpus: {_count(totals['pairs'], 'article pair')}, {totals['en_sentences']:,} English and "
        f"{totals['ko_sentences']:,} Korean sentences",
        f"beads: {totals['beads']:,} ({totals['accepted']:,} accepted, {totals['rejected']:,} rejected, "
        f"{totals['unreviewed']:,} unreviewed); mean confidence {'-' if mc is None else f'{mc:.3f}'}",
        f"bead types: {kinds}",
    ]
    paired_by = ", ".join(f"{how} {n:,}" for how, n in totals["paired_by"].items()) or "none"
    pairing = f"pairs made by: {paired_by}"
    if totals["content_unsure"]:
        pairing += f" ({totals['content_unsure']:,} by content taken unsure)"
    if totals["rejected_pairings"]:
        pairing += (
            f"; {_count(totals['rejected_pairings'], 'pairing')} rejected by a reviewer "
            "(their beads are never exported)"
        )
    out.append(pairing)
    if totals["failed_items"]:
        out.append(
            f"pages not aligned (failed or unpaired): {totals['failed_items']:,}; "
            "`aligner run DIR -v` lists them with the reason"
        )
    return out


def stats_by_reviewer(args: argparse.Namespace) -> int:
    """``aligner stats DB --by-reviewer``: one row per reviewer and day, then each reviewer's totals."""
    from aligner.stats import COUNTED, reviewer_stats

    days = reviewer_stats(args.db)
    totals: dict[str, dict[str, int]] = {}
    for day in days:
        total = totals.setdefault(day["reviewer"], {"days": 0, "accepted": 0, "rejected": 0, "edited": 0, "edits": 0})
        total["days"] += 1
        for key in COUNTED:
            total[key] += day[key]
    if args.json:
        print(json_text({"days": days, "reviewers": [{"reviewer": name, **t} for name, t in totals.items()]}))
        return 0
    from rich import box

    console = Console(quiet=bool(args.quiet), highlight=False)
    if not days:
        console.print(line("no review edits in ", str(args.db), " yet"))
        return 0
    table = Table(
        title=plain(f"{args.db}: review by reviewer and day (UTC)"),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption="edited: beads merged, split, shifted, detached, re-aligned or "
        "with their text fixed; edits: actions in force (undone ones do not count)",
    )
    for header in ("reviewer", "day", "accepted", "rejected", "edited", "edits"):
        table.add_column(
            header,
            justify="left" if header in ("reviewer", "day") else "right",
            overflow="fold",
            no_wrap=header != "reviewer",
        )
    for name, total in totals.items():
        for day in (d for d in days if d["reviewer"] == name):
            table.add_row(plain(name), day["day"], *(f"{day[k]:,}" for k in COUNTED))
        if total["days"] > 1:
            table.add_row(
                plain(name),
                Text(f"{total['days']} days", style="bold"),
                *(Text(f"{total[k]:,}", style="bold") for k in COUNTED),
                end_section=True,
            )
        else:
            table.rows[-1].end_section = True
    console.print(table)
    return 0


#: Stats columns: frame column, short header (headers must fit unbroken in 80 columns).
STATS_COLUMNS = (
    ("pair", "#"),
    ("en_title", "English title"),
    ("ko_title", "Korean title"),
    ("date", "date"),
    ("paired", "paired"),
    ("en_sent", "EN"),
    ("ko_sent", "KO"),
    ("beads", "beads"),
    ("accepted", "acc"),
    ("rejected", "rej"),
    ("unreviewed", "todo"),
    ("mean_conf", "conf"),
    ("status", "status"),
)
#: Below this width the Korean title and the date are left out, so the English title has room.
WIDE_STATS = 120


def stats_table(frame: pd.DataFrame, title: str, width: int) -> Table:
    """The per-pair table: short headers that never break; only the titles fold, and on a
    narrow terminal (or a pipe, 80 columns) the Korean title and date are left out."""
    from rich import box

    narrow = width < WIDE_STATS
    # a corpus paired by links alone needs no "paired" column (the totals say so)
    by_links = bool(len(frame)) and set(frame["how"]) == {"link"} and not frame["pairing_rejected"].any()
    columns = [
        (k, h)
        for k, h in STATS_COLUMNS
        if not (narrow and k in ("ko_title", "date")) and not (k == "paired" and (by_links or not len(frame)))
    ]
    caption = "EN, KO: sentences; acc, rej, todo: beads accepted, rejected, unreviewed; conf: mean confidence"
    if any(k == "paired" for k, _ in columns):
        caption = "paired: by the page's link, by content (its probability; ? not sure) or given; " + caption
    table = Table(title=plain(title), box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, caption=caption)
    for key, header in columns:
        text = key in ("en_title", "ko_title")
        table.add_column(
            header,
            overflow="fold",
            no_wrap=not text,
            ratio=1 if text else None,
            min_width=None if text else len(header),
            justify="left" if text or key in ("date", "status", "paired") else "right",
        )
    for row in frame.to_dict("records"):
        table.add_row(*(plain(_cell(row[key])) for key, _ in columns))  # titles are the pages' words
    return table


def _cell(value: object) -> str:
    """A table cell: blank for a pair without beads (no mean confidence), 3 decimals for floats."""
    if value is None or value != value:  # None, or NaN from pandas
        return ""
    return f"{value:.3f}" if isinstance(value, float) else str(value)


# -- eval ---------------------------------------------------------------------------------


def cmd_eval(args: argparse.Namespace) -> int:
    from aligner.evaluate import evaluate_paths

    scores = evaluate_paths(args.gold, args.pred)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(scores), indent=2))
        return 0
    console = _console(args)
    console.print(eval_table(scores))
    c = scores.counts
    console.print(
        f"{_count(scores.documents, 'document')}; {c.predicted:,} predicted beads scored for precision, "
        f"{c.gold:,} gold beads (both sides non-empty) for recall"
    )
    return 0


def eval_table(scores: Scores) -> Table:
    """Strict and lax precision, recall and F1 as a small table."""
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("")
    for header in ("precision", "recall", "F1"):
        table.add_column(header, justify="right")
    table.add_row("strict", f"{scores.strict_precision:.4f}", f"{scores.strict_recall:.4f}", f"{scores.strict_f1:.4f}")
    table.add_row("lax", f"{scores.lax_precision:.4f}", f"{scores.lax_recall:.4f}", f"{scores.lax_f1:.4f}")
    return table


def cmd_fetch(args: argparse.Namespace) -> int:
    """Every line shown here holds text a server or a page chose (URLs, reason phrases,
    link text), so each goes through :mod:`aligner.display`: control characters shown
    as pictures, ``[...]`` never read as markup."""
    from aligner.display import line
    from aligner.sources.fetch import fetch_command

    console = _console(args)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    quiet = args.quiet or args.json

    def progress(item: ItemOutcome) -> None:
        if not quiet:
            console.print(fetch_item_line(item))

    if not (math.isfinite(args.rate) and args.rate > 0):  # the library's 0 (no limit) is for tests only
        raise AlignerError(
            f"--rate {args.rate:g}", "must be more than 0 requests a second; the limit cannot be turned off"
        )
    try:
        report = fetch_command(
            args.dir,
            args.urls,
            from_file=args.from_file,
            section=args.section,
            limit=args.limit,
            ids=args.ids,
            id_section=args.id_section,
            offline=args.offline,
            rate=args.rate,
            allow_hosts=args.allow_host,
            progress=progress,
        )
    except AlignerError as exc:
        err.print(line("aligner: error: ", str(exc)))
        return 1
    if args.json:
        print(json_text(report.as_dict()))
    else:
        for problem in report.listing_problems:
            console.print(line("list page failed: ", problem))
        for note in report.notes:
            console.print(line("note: ", note))
        console.print(
            line(
                f"paired {report.count('paired')}, already done {report.count('done')}, "
                f"failed {report.count('failed')}; manifest ",
                str(report.manifest),
            )
        )
    if report.stopped:
        err.print(line("aligner: ", report.stopped))
    return 0 if report.ok else 1


def fetch_item_line(item: ItemOutcome) -> Text:
    """``paired: EN -> KO``, ``failed: EN: reason``: one line, every piece made visible."""
    from aligner.display import line

    return line(
        f"{item.status}: ",
        item.en_url,
        *((" -> ", item.ko_url) if item.ko_url else ()),
        *((": ", item.reason) if item.reason else ()),
    )


def cmd_pair(args: argparse.Namespace) -> int:
    from aligner.display import line
    from aligner.pairing import pair_command

    with _pair_progress(not (args.quiet or args.json) and sys.stderr.isatty()) as progress:
        result = pair_command(
            args.en_dir, args.ko_dir, min_score=args.min_score, record_in=args.record_in, progress=progress
        )
    if args.json:
        print(json_text(result.as_dict()))
        return 0
    console = _console(args)
    for pair in result.pairs:  # score, English, Korean, how sure and why (names and reasons hold outside text)
        console.print(line(f"{pair.score:.3f}", _name(pair.en), _name(pair.ko), pair.why(), sep="  "))
    for item in result.unpaired_en + result.unpaired_ko:
        console.print(line(f"unpaired {item.side}: ", _name(item.article), ": ", item.reason))
    skipped = list(result.unreadable) + [(_name(r.article), r.reason) for r in result.rejected]
    for name, reason in skipped:
        console.print(line("skipped: ", name, ": ", reason))
    console.print(
        f"paired {len(result.pairs)} ({len(result.sure)} sure, {len(result.too_close)} too close to call); "
        f"unpaired {len(result.unpaired_en)} English, {len(result.unpaired_ko)} Korean",
        markup=False,
    )
    return 0


@contextmanager
def _pair_progress(show: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr for the long stages of pairing (encoding, verifying)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not show,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


def _name(article: Article) -> str:
    return article.url or article.source_path or article.title


def cmd_lexicon_train(args: argparse.Namespace) -> int:
    from aligner.align.lexicon import train_lexicon

    with _corpus_store(args.db) as store:
        pairs = list(store.training_pairs(args.min_confidence))
        if not pairs:
            raise AlignerError(str(args.db), "no accepted or confident beads to learn from; run or review first")
        lexicon = train_lexicon(pairs, iterations=args.iterations)
        store.save_lexicon(lexicon)
    if args.json:
        print(json.dumps({"pairs": lexicon.pairs, "entries": len(lexicon)}))
    else:
        _console(args).print(
            f"learned {len(lexicon)} translation entries from {lexicon.pairs} bead pairs; later runs use them"
        )
    return 0


def cmd_lexicon_forget(args: argparse.Namespace) -> int:
    with _corpus_store(args.db) as store:
        removed = store.forget_lexicon()
    if args.json:
        print(json.dumps({"entries": removed}))
    elif removed:
        _console(args).print(f"forgot {removed} translation entries; later runs align without a lexicon")
    else:
        _console(args).print("no lexicon to forget; runs already align without one")
    return 0


def cmd_lexicon_show(args: argparse.Namespace) -> int:
    from aligner.align.lexicon import lexicon_tokens

    with _corpus_store(args.db) as store:
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

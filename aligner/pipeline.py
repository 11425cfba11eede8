"""The main job as plain functions: pages -> articles -> sentences -> beads -> store -> export.

``prepare`` and ``align_articles`` are pure (no I/O beyond the encoder); ``run_corpus``
walks a corpus folder, skips what is already done, stores each pair in one transaction,
reports and skips bad items, and exports. The CLI and scripts call these directly.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aligner.align import Aligner, default_aligner
from aligner.errors import InputError
from aligner.export.policy import ExportPolicy
from aligner.model import Article, Bead, PairAlignment, Sentence
from aligner.sources import PageCache
from aligner.sources.manifest import read_manifest
from aligner.sources.urls import page_key
from aligner.store import Store
from aligner.text.langcheck import check_language
from aligner.text.normalize import normalize_many
from aligner.text.split import split_sentences

ENGLISH_HOST = "english.hani.co.kr"


@dataclass
class RunOptions:
    """Settings of ``aligner run``."""

    formats: tuple[str, ...] = ("tmx", "tsv")
    export_dir: Path | None = None  # default: DIR/export
    policy: ExportPolicy = field(default_factory=ExportPolicy)  # which beads the exports take
    force: bool = False  # re-align pairs even when nothing changed (reviewed beads still kept)
    src_lang: str = "en"
    tgt_lang: str = "ko"
    workers: int = 1  # worker processes; 1 = everything in this process
    dask: str | None = None  # Dask scheduler address: run the per-pair work on that cluster
    retry_failed: bool = False  # retry earlier failures even when their pages did not change
    method: str = "engine"  # engine or length
    encoder: str = "use"
    threads: int | None = None  # BLAS threads per worker (default: cores / workers)


@dataclass
class ItemResult:
    """What happened to one English article."""

    item: str
    outcome: str  # aligned, unchanged, unpaired, failed, kept
    reason: str = ""
    pair_id: int | None = None
    en_sentences: int = 0
    ko_sentences: int = 0
    bead_types: Counter = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    previous: bool = False  # a failure from an earlier run, pages unchanged since, not retried
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage (where measured)


@dataclass
class RunSummary:
    """Totals of a run, for the printed summary and ``--json``."""

    items: list[ItemResult]
    pairs: int  # pairs in the corpus after the run
    en_sentences: int
    ko_sentences: int
    bead_types: dict[str, int]
    mean_confidence: float | None
    files: list[str]
    seconds: dict[str, float]
    workers: int = 1
    encoded: int = 0  # sentences the encoder actually encoded (the rest came from its cache)
    replanned: int = 0  # pairs worked out again because a reviewer changed them during the run
    worker_crashes: int = 0  # times the worker processes died and were started again
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per stage, summed over workers
    database: str = ""  # the corpus database the run wrote
    exports: list[dict] = field(default_factory=list)  # per format: {"format", "paths", "count"}
    policy: ExportPolicy = field(default_factory=ExportPolicy)  # which beads the exports took

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.items if r.outcome == outcome)

    @property
    def failed(self) -> list[ItemResult]:
        """Items that went wrong (a bad page, a language mismatch, ...)."""
        return [r for r in self.items if r.outcome == "failed"]

    @property
    def unpaired(self) -> list[ItemResult]:
        """English pages with no Korean original to align with (no link, or not in the cache):
        nothing went wrong, there is just nothing to align yet."""
        return [r for r in self.items if r.outcome == "unpaired"]

    @property
    def next_command(self) -> str:
        """What to do next: review the corpus."""
        return f"aligner review {self.database}" if self.database else "aligner review DIR/corpus.db"

    def as_dict(self) -> dict:
        return {
            "database": self.database,
            "next": self.next_command,
            "pairs": self.pairs,
            "aligned": self.count("aligned"),
            "unchanged": self.count("unchanged"),
            "kept_reviewed": self.count("kept"),
            "unpaired": self.count("unpaired"),
            "failed": self.count("failed"),
            "en_sentences": self.en_sentences,
            "ko_sentences": self.ko_sentences,
            "bead_types": self.bead_types,
            "mean_confidence": self.mean_confidence,
            "files": self.files,
            "exports": self.exports,
            "export_policy": {"status": self.policy.status.value, "min_confidence": self.policy.min_confidence,
                              "keep_empty": self.policy.keep_empty},
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "problems": [
                {"item": r.item, "outcome": r.outcome, "reason": r.reason, "previous_run": r.previous}
                for r in self.items
                if r.outcome in ("failed", "unpaired", "kept")
            ],
            "skipped_failures": sum(1 for r in self.items if r.previous),
            "workers": self.workers,
            "encoded_sentences": self.encoded,
            "replanned": self.replanned,
            "worker_crashes": self.worker_crashes,
            "cpu_seconds": {k: round(v, 3) for k, v in self.cpu_seconds.items()},
            "throughput": self.throughput(),
        }

    def throughput(self) -> dict[str, float | None]:
        """Pairs aligned per minute (wall clock) and sentences per second of each stage."""
        wall = self.seconds.get("total", 0.0)
        aligned = [r for r in self.items if r.outcome == "aligned"]
        sentences = sum(r.en_sentences + r.ko_sentences for r in aligned)
        out: dict[str, float | None] = {
            "pairs_per_minute": round(60 * len(aligned) / wall, 2) if wall else None,
            "sentences_per_second": round(sentences / wall, 2) if wall else None,
        }
        for stage in ("parse", "check", "split", "encode", "align", "store"):
            s = sum(r.seconds.get(stage, 0.0) for r in aligned)
            out[f"{stage}_sentences_per_second"] = round(sentences / s, 1) if s else None
        return out


# -- pure steps ---------------------------------------------------------------------


def sentences_of(article: Article) -> list[Sentence]:
    """Split an article's title and body into sentences, keeping paragraph indices."""
    return split_sentences(article.blocks(), article.lang)


def check_pair(en: Article, ko: Article, src_lang: str = "en", tgt_lang: str = "ko") -> None:
    """Refuse a pair whose sides are not in the languages they claim (or are swapped)."""
    check_language(en.text, src_lang, en.url or en.source_path or "English side")
    check_language(ko.text, tgt_lang, ko.url or ko.source_path or "Korean side")


def align_sentence_lists(
    src: list[Sentence],
    tgt: list[Sentence],
    aligner: Aligner,
    src_lang: str = "en",
    tgt_lang: str = "ko",
    fixed: list[tuple[int, int, int, int]] | None = None,
) -> list[Bead]:
    """Align normalised copies of the sentences; stored text stays as published."""
    src_norm = normalize_many([s.text for s in src], src_lang)
    tgt_norm = normalize_many([s.text for s in tgt], tgt_lang)
    return aligner.align(src_norm, tgt_norm, fixed=fixed or [])


def align_articles(en: Article, ko: Article, aligner: Aligner | None = None) -> PairAlignment:
    """Check, split and align one article pair."""
    check_pair(en, ko, en.lang, ko.lang)
    aligner = aligner or default_aligner(en.lang, ko.lang)
    src, tgt = sentences_of(en), sentences_of(ko)
    beads = align_sentence_lists(src, tgt, aligner, en.lang, ko.lang)
    return PairAlignment(src, tgt, beads, aligner.name)


# -- the corpus job -----------------------------------------------------------------


def english_pages(cache: PageCache) -> Iterator[str]:
    """URLs of the English-edition pages in a corpus folder's page cache, in a stable order."""
    for url, _path in sorted(cache.iter_pages(ENGLISH_HOST)):
        yield url


def run_corpus(
    corpus_dir: str | Path,
    options: RunOptions | None = None,
    *,
    aligner: Aligner | None = None,
    progress: Callable[[ItemResult], None] | None = None,
) -> RunSummary:
    """The main job over a corpus folder: read, pair, split, align, store, export.

    ``options.workers`` > 1 runs the per-pair work in that many processes (``options.dask``:
    on a Dask cluster); this process alone writes the database, one transaction a pair,
    in page order, so the result is the same as a one-process run. Pairs already aligned
    from the same text are skipped; earlier failures are skipped while their pages stay
    unchanged (``retry_failed`` tries them anyway). ``aligner`` (one process only)
    replaces the corpus's default aligner.
    """
    from aligner.batch import AlignerSpec, Batch, make_executor
    from aligner.export import EXTENSIONS, export_corpus

    options = options or RunOptions()
    root = Path(corpus_dir)
    if not root.is_dir():
        raise InputError(str(root), "no such corpus folder")
    cache = PageCache(root)
    manifest = read_manifest(root)
    urls = list(english_pages(cache))
    seen = {page_key(u) for u in urls}
    urls += [e.en_url for e in manifest if page_key(e.en_url) not in seen and cache.has(e.en_url)]
    pairs = {page_key(e.en_url): (e.ko_url, e.how) for e in manifest if e.ko_url}
    if not urls:
        raise InputError(str(root), f"no English-edition pages under {root / 'pages' / ENGLISH_HOST}")
    started = time.perf_counter()
    results: list[ItemResult] = []
    with Store(root / "corpus.db") as store:
        spec = AlignerSpec.for_store(store, options.src_lang, options.tgt_lang, options.method, options.encoder)
        t_start = time.perf_counter()
        executor = make_executor(spec, options.workers, options.dask, aligner, options.threads)
        startup = time.perf_counter() - t_start
        try:
            batch = Batch(cache, store, executor, force=options.force, retry_failed=options.retry_failed,
                          src_lang=options.src_lang, tgt_lang=options.tgt_lang, pairs=pairs)

            def emit(result: ItemResult) -> None:
                results.append(result)
                if progress:
                    progress(result)

            batch.run(urls, emit)
        finally:
            executor.close()
        t_export, c_export = time.perf_counter(), time.process_time()
        files: list[str] = []
        export_dir = options.export_dir or root / "export"
        exports = []
        for fmt in options.formats:
            out = export_corpus(store, fmt, export_dir / f"corpus{EXTENSIONS[fmt]}", options.policy)
            files += [str(p) for p in out.paths]
            exports.append({"format": out.format, "paths": [str(p) for p in out.paths], "count": out.count})
        summary = summarise(store, results, files)
        summary.database, summary.exports, summary.policy = str(store.path), exports, options.policy
        summary.seconds["export"] = time.perf_counter() - t_export
        summary.cpu_seconds["export"] = time.process_time() - c_export
    summary.seconds["total"] = time.perf_counter() - started
    # model loading: the pool's or cluster's start here, plus the slowest worker's own load
    summary.seconds["startup"] = startup + batch.stats.startup
    summary.workers = max(1, len(batch.stats.worker_pids)) if options.workers > 1 or options.dask else 1
    summary.encoded = batch.stats.encoded
    summary.replanned = batch.stats.replanned
    summary.worker_crashes = batch.stats.crashes
    for r in results:
        for stage, s in r.seconds.items():
            summary.seconds[stage] = summary.seconds.get(stage, 0.0) + s
        for stage, s in r.cpu.items():
            summary.cpu_seconds[stage] = summary.cpu_seconds.get(stage, 0.0) + s
    return summary


def summarise(store: Store, results: list[ItemResult], files: list[str]) -> RunSummary:
    """Corpus-wide totals after a run (the corpus, not only what this run touched)."""
    summaries = store.summaries()
    kinds: Counter = Counter()
    confidences: list[float] = []
    for pair_id in store.pair_ids():
        for b in store.beads(pair_id):
            kinds[b.kind] += 1
            confidences.append(b.confidence)
    return RunSummary(
        items=results,
        pairs=len(summaries),
        en_sentences=sum(s.en_sentences for s in summaries),
        ko_sentences=sum(s.ko_sentences for s in summaries),
        bead_types=dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        mean_confidence=round(sum(confidences) / len(confidences), 4) if confidences else None,
        files=files,
        seconds={},
    )

"""The main job over a corpus folder: pages -> articles -> sentences -> beads -> store -> export.

``run_corpus`` walks a corpus folder, skips what is already done, stores each pair in one
transaction, reports and skips bad items, and exports. The per-pair steps are plain
functions in :mod:`aligner.steps`; the run's options and results are in :mod:`aligner.run`;
the work is sent out and written back by :mod:`aligner.batch`. The CLI and scripts call
these directly.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from aligner.align import Aligner
from aligner.batch import Batch
from aligner.errors import InputError
from aligner.executors import make_executor
from aligner.export import EXTENSIONS, export_corpus
from aligner.originals import plan_originals
from aligner.run import ExportSummary, ItemResult, RunOptions, RunSummary
from aligner.sources import PageCache
from aligner.sources.manifest import read_manifest
from aligner.sources.urls import page_key
from aligner.steps import align_articles, align_sentence_lists, check_pair, sentences_of
from aligner.store import Store
from aligner.worker import AlignerSpec

ENGLISH_HOST = "english.hani.co.kr"

__all__ = [
    "ENGLISH_HOST",
    "ItemResult",
    "RunOptions",
    "RunSummary",
    "align_articles",
    "align_sentence_lists",
    "check_pair",
    "english_pages",
    "run_corpus",
    "sentences_of",
    "summarise",
]


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
    pairing_progress: Callable[[str, int, int], None] | None = None,
) -> RunSummary:
    """The main job over a corpus folder: read, pair, split, align, store, export.

    ``options.workers`` > 1 runs the per-pair work in that many processes (``options.dask``:
    on a Dask cluster); this process alone writes the database, one transaction a pair,
    in page order, so the result is the same as a one-process run. Pairs already aligned
    from the same text are skipped; earlier failures are skipped while their pages stay
    unchanged (``retry_failed`` tries them anyway). ``aligner`` (one process only)
    replaces the corpus's default aligner.

    An English page's original is the one ``pairs.jsonl`` names, else its link, else one
    found by content among the cached Korean pages no link claims (:mod:`aligner.originals`,
    in this process, before the per-pair work; ``pairing_progress(stage, done, total)``
    follows it); only sure matches are used unless ``options.pair_unsure``.
    """
    options = options or RunOptions()
    root = Path(corpus_dir)
    if not root.is_dir():
        raise InputError(str(root), "no such corpus folder")
    cache = PageCache(root)
    manifest = read_manifest(root)
    urls = list(english_pages(cache))
    seen = {page_key(u) for u in urls}
    urls += [e.en_url for e in manifest if page_key(e.en_url) not in seen and cache.has(e.en_url)]
    listed = {page_key(e.en_url): e for e in manifest if e.ko_url}
    if not urls:
        raise InputError(str(root), f"no English-edition pages under {root / 'pages' / ENGLISH_HOST}")
    started = time.perf_counter()
    results: list[ItemResult] = []
    with Store(root / "corpus.db") as store:
        originals = plan_originals(cache, store, urls, listed, options, progress=pairing_progress)
        spec = AlignerSpec.for_store(store, options.src_lang, options.tgt_lang, options.method, options.encoder)
        t_start = time.perf_counter()
        executor = make_executor(spec, options.workers, options.dask, aligner, options.threads)
        startup = time.perf_counter() - t_start
        try:
            batch = Batch(
                cache,
                store,
                executor,
                force=options.force,
                retry_failed=options.retry_failed,
                src_lang=options.src_lang,
                tgt_lang=options.tgt_lang,
                originals=originals,
            )

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
            exports.append(ExportSummary(out.format, [str(p) for p in out.paths], out.count))
        summary = summarise(store, results, files)
        summary.database, summary.exports, summary.policy = str(store.path), exports, options.policy
        summary.seconds["export"] = time.perf_counter() - t_export
        summary.cpu_seconds["export"] = time.process_time() - c_export
    summary.seconds["pair"] = originals.seconds
    summary.content_candidates = originals.candidates
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
    kinds: Counter[str] = Counter()
    confidences: list[float] = []
    for pair_id in store.pair_ids():
        for b in store.beads(pair_id):
            kinds[b.kind] += 1
            confidences.append(b.confidence)
    return RunSummary(
        items=results,
        pairs=len(summaries),
        src_sentences=sum(s.src_sentences for s in summaries),
        tgt_sentences=sum(s.tgt_sentences for s in summaries),
        bead_types=dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        mean_confidence=round(sum(confidences) / len(confidences), 4) if confidences else None,
        files=files,
        seconds={},
    )

"""Aligning two texts directly (``aligner align``), outside any corpus database.

Inputs are article pages, plain text, or pre-split files with one sentence per line;
output is the bead format vecalign's scorer reads (``[0, 1]:[0]:0.53``) or a TSV of the
aligned text. Folders of same-named files are aligned by one process, or by a few worker
processes at once on an idle machine; each process loads the encoder once.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import threading
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from aligner.align import default_aligner
from aligner.errors import AlignerError, InputError, LanguageError
from aligner.model import Article, PairAlignment, Sentence
from aligner.pool import children_ignore_ctrl_c, free_cores, spawn_pool, stop_now, usable_cores
from aligner.run import check_count
from aligner.sources import read_article, read_lines
from aligner.steps import align_sentence_lists, sentences_of
from aligner.text.langcheck import check_pair_languages, detect_language, iso_code, language_name

#: The pair this project aligns, in the order ``aligner align`` takes its two files.
DEFAULT_SRC, DEFAULT_TGT = "en", "ko"


@dataclass
class FolderReport:
    aligned: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def _guess_lang(texts: list[str], fallback: str) -> str:
    sample = " ".join(texts)[:5000]
    try:
        return detect_language(sample) if sample.strip() else fallback
    except AlignerError:
        return fallback


def load_side(path: Path, lang: str | None, presplit: bool, fallback: str) -> tuple[list[Sentence], str]:
    """Sentences of one input file, and its language (given, detected, or the fallback).

    Pre-split files keep each line's 0-based line number as its sentence index, so bead
    ids are line numbers of the file (what vecalign-style gold uses) even when blank lines
    were skipped.
    """
    if presplit:
        lines = read_lines(path)
        lang = lang or _guess_lang(lines, fallback)
        return [Sentence(n, n, t) for n, t in zip(lines.numbers, lines)], lang
    article: Article = read_article(path, lang=lang)
    lang = lang or _guess_lang(article.blocks(), article.lang or fallback)
    article.lang = lang
    return sentences_of(article), lang


def pair_languages(
    src: list[Sentence],
    tgt: list[Sentence],
    src_lang: str | None,
    tgt_lang: str | None,
    src_item: str,
    tgt_item: str,
) -> tuple[str, str]:
    """Both sides' languages, checked against their text; swapped or same-language inputs are errors.

    A language not given is detected, so without a check ``align ko.html en.html`` and
    ``align en.html en.html`` would "work" and print garbage beads.
    """
    src_text, tgt_text = " ".join(s.text for s in src), " ".join(s.text for s in tgt)
    sl = src_lang or _guess_lang([src_text], DEFAULT_SRC)
    tl = tgt_lang or _guess_lang([tgt_text], DEFAULT_TGT)
    both = f"{src_item} / {tgt_item}"
    if not src_lang and not tgt_lang and (iso_code(sl), iso_code(tl)) == (DEFAULT_TGT, DEFAULT_SRC):
        raise LanguageError(
            both,
            f"the sides look swapped: the first is {language_name(sl)} and the second "
            f"{language_name(tl)}; give the {language_name(DEFAULT_SRC)} text first "
            f"(or --src-lang {sl} --tgt-lang {tl} to align them this way)",
        )
    check_pair_languages(src_text, sl, tgt_text, tl, src_item, tgt_item)  # "(are the ... sides swapped?)"
    return sl, tl


def align_paths(
    src_path: Path,
    tgt_path: Path,
    *,
    presplit: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    method: str = "engine",
    encoder: str = "use",
    threads: int | None = None,
) -> PairAlignment:
    """Read, (split,) check and align two files (``method``/``encoder``/``threads`` as ``default_aligner``)."""
    src, sl = load_side(src_path, src_lang, presplit, DEFAULT_SRC)
    tgt, tl = load_side(tgt_path, tgt_lang, presplit, DEFAULT_TGT)
    if not src:
        raise InputError(str(src_path), "no sentences")
    if not tgt:
        raise InputError(str(tgt_path), "no sentences")
    sl, tl = pair_languages(src, tgt, src_lang, tgt_lang, str(src_path), str(tgt_path))
    aligner = default_aligner(sl, tl, method, encoder, threads)
    beads = align_sentence_lists(src, tgt, aligner, sl, tl)
    return PairAlignment(src, tgt, beads, aligner.name)


def write_output(path: Path, text: str) -> None:
    """Write ``text`` atomically, creating missing folders as ``aligner export`` does.

    A path that cannot be written (a folder, a file where a folder should be, no
    permission) is a one-line error naming it, not a traceback.
    """
    from aligner.export.atomic import atomic_write

    if path.is_dir():
        raise AlignerError(str(path), "is a directory, not a file name")
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise AlignerError(str(path), f"cannot write: {blocker} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as fh:
            fh.write(text)
    except OSError as error:
        raise AlignerError(str(error.filename or path), f"cannot write: {error.strerror or error}") from error


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing folder of ``path`` when it is in fact a file (mkdir's errors say less)."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _output_folder(out_dir: Path) -> None:
    """Make the folder the pair files go to; an existing file there is one line, not a traceback."""
    if out_dir.exists() and not out_dir.is_dir():
        raise AlignerError(str(out_dir), "is a file, not a folder (aligning folders writes one file per pair into it)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problem = f"cannot make the output folder: {error.strerror or error}"
        raise AlignerError(str(error.filename or out_dir), problem) from error


@dataclass(frozen=True)
class FolderJob:
    """What aligning one pair of a folder needs (sent to each worker process as it is)."""

    src_dir: Path
    tgt_dir: Path
    out_dir: Path
    presplit: bool = False
    src_lang: str | None = None
    tgt_lang: str | None = None
    output_format: str = "beads"
    method: str = "engine"
    encoder: str = "use"
    threads: int | None = None  # the encoder's BLAS threads (None: it decides when it loads)


def align_folder_pair(job: FolderJob, name: str) -> tuple[str, str] | None:
    """Read, align and write the pair ``name`` of a folder; its failure as (item, problem),
    or None when its file was written. The one per-pair step, in this process or a worker."""
    tgt_file = job.tgt_dir / name
    if not tgt_file.is_file():
        return str(tgt_file), "missing on the target side"
    try:
        result = align_paths(
            job.src_dir / name,
            tgt_file,
            presplit=job.presplit,
            src_lang=job.src_lang,
            tgt_lang=job.tgt_lang,
            method=job.method,
            encoder=job.encoder,
            threads=job.threads,
        )
        text = format_beads(result) if job.output_format == "beads" else format_tsv(result)
        write_output(job.out_dir / name, text)
    except AlignerError as exc:
        return name, str(exc)
    return None


def folder_workers(workers: int | None, pairs: int) -> int:
    """How many processes align a folder of ``pairs`` pairs: ``workers`` when given (checked
    here, for the command line and the API alike), else the default.

    The default, for more than one pair, is the cores other processes leave free now
    (:func:`~aligner.pool.free_cores`, a tenth of a second's look), never more than the
    pairs; else 1. A process beyond the free cores would only queue for one, and each
    pays its own second of start-up (imports, the encoder's weights).
    """
    if workers is not None:
        return check_count("workers", workers)
    return 1 if pairs <= 1 else min(free_cores(), pairs)


def align_folders(
    src_dir: Path,
    tgt_dir: Path,
    out_dir: Path,
    *,
    presplit: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    output_format: str = "beads",
    method: str = "engine",
    encoder: str = "use",
    workers: int | None = None,
) -> FolderReport:
    """Align every same-named file pair; a bad pair is reported and skipped.

    ``workers``: processes aligning pairs at once, each loading the encoder once
    (None: :func:`folder_workers` decides). The files written are the same either way.
    """
    names = sorted(p.name for p in src_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    workers = folder_workers(workers, len(names))
    if not names:
        raise InputError(str(src_dir), "no files to align")
    _output_folder(out_dir)
    job = FolderJob(src_dir, tgt_dir, out_dir, presplit, src_lang, tgt_lang, output_format, method, encoder)
    if workers > 1:
        job = replace(job, threads=max(1, usable_cores() // workers))
        outcomes = _align_in_workers(job, names, workers)
    else:
        outcomes = {name: align_folder_pair(job, name) for name in names}
    report = FolderReport()
    for name in names:
        failure = outcomes[name]
        if failure is None:
            report.aligned += 1
        else:
            report.failures.append(failure)
    return report


#: Times a pair may be in a worker process that dies before it is reported as the cause.
MAX_CRASHES = 2
UNWIND_SECONDS = 5.0  # how long a worker told to stop may take to unwind before it exits regardless


def _align_in_workers(job: FolderJob, names: list[str], workers: int) -> dict[str, tuple[str, str] | None]:
    """Each pair's outcome, aligned by ``workers`` processes, the longest files first (so the
    last to finish is a short one).

    A worker that dies (out of memory, a crash in native code) takes the pairs it had with
    it: new workers start, and those pairs go again one at a time, so that a pair whose
    process dies again is known to be the cause and reported, and the others are aligned.
    Ctrl-C (or any error here) ends the workers at once.
    """
    todo = deque(sorted(names, key=lambda name: -_size(job.src_dir / name)))
    outcomes: dict[str, tuple[str, str] | None] = {}
    crashes: Counter[str] = Counter()
    running: dict[Future[tuple[str, str] | None], str] = {}
    pool = spawn_pool(workers, _start_folder_worker, job.threads)
    try:
        while todo or running:
            suspect = any(crashes[name] for name in [*todo, *running.values()])
            while todo and len(running) < (1 if suspect else workers):
                name = todo.popleft()
                with children_ignore_ctrl_c():
                    running[pool.submit(_worker_pair, job, name)] = name
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            lost = []
            for future in done:
                name = running.pop(future)
                try:
                    outcomes[name] = future.result()
                except BrokenProcessPool:
                    lost.append(name)
            if not lost:
                continue
            lost += running.values()  # the pool is broken: the others in it are lost too
            running.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            if not outcomes and crashes.total():
                raise AlignerError(
                    "worker processes",
                    "could not start or died before aligning any pair (a script that aligns folders with "
                    'workers > 1 needs the `if __name__ == "__main__":` guard: workers start by importing it)',
                )
            for name in sorted(lost, key=names.index, reverse=True):
                crashes[name] += 1
                if crashes[name] >= MAX_CRASHES:
                    outcomes[name] = (name, f"a worker process died while aligning this pair ({MAX_CRASHES} times)")
                else:
                    todo.appendleft(name)
            pool = spawn_pool(workers, _start_folder_worker, job.threads)
    except BaseException:
        stop_now(pool)
        raise
    pool.shutdown(wait=True)
    return outcomes


def _start_folder_worker(threads: int | None) -> None:
    """A folder worker's set-up: Ctrl-C is the parent's to handle; the parent's SIGTERM
    (:func:`~aligner.pool.stop_now`) unwinds the pair at hand, so a file being written
    leaves no temporary file behind; and its BLAS threads are capped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _unwind)
    if threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)


def _unwind(signum: int, frame: object) -> None:
    """Unwind the pair at hand (its ``finally`` blocks remove temporary files), and make
    sure the process ends even if the unwinding is swallowed or stuck (a lock a killed
    sibling held): a few seconds later it exits regardless."""
    backstop = threading.Timer(UNWIND_SECONDS, os._exit, (128 + signum,))
    backstop.daemon = True
    backstop.start()
    raise SystemExit(128 + signum)


def _worker_pair(job: FolderJob, name: str) -> tuple[str, str] | None:
    """:func:`align_folder_pair` in a worker, which ends the process once the parent's SIGTERM
    has unwound the pair.

    The pool's worker loop catches any exception of a task, SystemExit included, and goes
    back to its queue for more work; when a sibling was killed while it held that queue's
    lock (a worker waits for work holding it), the worker would wait for ever, and the
    parent with it, which joins its workers at exit.
    """
    try:
        return align_folder_pair(job, name)
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported by its pair's own step


def _ids(sentences: list[Sentence], positions: tuple[int, ...]) -> list[int]:
    """Sentence ids of a bead side: the sentences' own indices (line numbers for pre-split files)."""
    return [sentences[i].index for i in positions]


def format_beads(result: PairAlignment) -> str:
    """``[src ids]:[tgt ids]:score`` lines; the score is the bead's confidence."""
    return "".join(
        f"[{', '.join(map(str, _ids(result.src, b.src)))}]:[{', '.join(map(str, _ids(result.tgt, b.tgt)))}]"
        f":{b.confidence:.4f}\n"
        for b in result.beads
    )


def format_tsv(result: PairAlignment) -> str:
    """Aligned text with ids, type and confidence, one bead per row, with a header."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["src_ids", "tgt_ids", "type", "confidence", "src", "tgt"])
    for b in result.beads:
        writer.writerow(
            [
                " ".join(map(str, _ids(result.src, b.src))),
                " ".join(map(str, _ids(result.tgt, b.tgt))),
                b.kind,
                f"{b.confidence:.4f}",
                " ".join(result.src[i].text for i in b.src),
                " ".join(result.tgt[j].text for j in b.tgt),
            ]
        )
    return out.getvalue()

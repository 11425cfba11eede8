"""What a corpus run takes and gives: its options, each page's result, the run's summary.

Plain data with no I/O, imported at the top by both sides of a run: :mod:`aligner.pipeline`
(which walks a corpus folder and exports) and :mod:`aligner.batch` (which sends the pairs
to workers and stores their results). The options check themselves when they are made,
so a script calling :func:`~aligner.pipeline.run_corpus` gets the same refusals as the
command line and a run config.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aligner.errors import OptionError
from aligner.export import FORMATS
from aligner.export.policy import ExportPolicy
from aligner.model import Method, Outcome

#: Stage names, in pipeline order (``--json`` reports seconds for each).
STAGES = ("parse", "check", "split", "encode", "align", "store", "export")
#: Outcomes a summary lists as problems, with their reasons.
PROBLEMS = (Outcome.FAILED, Outcome.UNPAIRED, Outcome.KEPT)


@dataclass
class RunOptions:
    """Settings of ``aligner run``; a bad value is an :class:`~aligner.errors.OptionError`
    naming the option. Change one with :func:`dataclasses.replace`, which checks again."""

    formats: tuple[str, ...] = ("tmx", "tsv")
    export_dir: Path | None = None  # default: DIR/export
    policy: ExportPolicy = field(default_factory=ExportPolicy)  # which beads the exports take
    force: bool = False  # re-align pairs even when nothing changed (reviewed beads still kept)
    src_lang: str = "en"
    tgt_lang: str = "ko"
    workers: int = 1  # worker processes; 1 = everything in this process
    dask: str | None = None  # Dask scheduler address: run the per-pair work on that cluster
    retry_failed: bool = False  # retry earlier failures even when their pages did not change
    # An English page with no usable link gets its original by content when pairing is sure
    # of it; with pair_unsure, also when it is not (a person should then check the pair).
    pair_unsure: bool = False
    method: Method = Method.ENGINE
    encoder: str = "use"
    threads: int | None = None  # BLAS threads per worker (default: cores / workers)

    def __post_init__(self) -> None:
        self.formats = tuple(self.formats)
        for fmt in self.formats:
            if fmt not in FORMATS:
                raise OptionError("formats", f"has an unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        if not self.formats:
            raise OptionError("formats", "must name at least one export format")
        check_count("workers", self.workers)
        if self.threads is not None:
            check_count("threads", self.threads)
        try:
            self.method = Method(self.method)
        except ValueError:
            raise OptionError("method", f"must be one of {', '.join(Method)}") from None
        if not isinstance(self.policy, ExportPolicy):
            raise OptionError("policy", f"must be an ExportPolicy, not {type(self.policy).__name__}")
        for name in ("src_lang", "tgt_lang", "encoder"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise OptionError(name, f"must be a non-empty string, not {value!r}")
        if self.src_lang.strip().lower() == self.tgt_lang.strip().lower():
            raise OptionError("tgt_lang", f"is the source language too ({self.src_lang}); a pair needs two languages")
        if self.dask is not None and not (isinstance(self.dask, str) and self.dask.strip()):
            raise OptionError("dask", f"must be a scheduler address, not {self.dask!r}")
        if not isinstance(self.pair_unsure, bool):
            raise OptionError("pair_unsure", f"must be true or false, not {self.pair_unsure!r}")


def check_count(name: str, value: object) -> int:
    """A count of processes or threads: a whole number, at least 1, or an OptionError naming it.

    The one check of ``workers`` for ``aligner run`` (these options) and ``aligner align``
    over folders (:func:`aligner.direct.align_folders`), whoever calls them.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 1:
            return value
    elif not isinstance(value, bool):
        raise OptionError(name, f"must be a whole number, not {value!r}")
    raise OptionError(name, "must be at least 1")


@dataclass(frozen=True)
class ContentPairing:
    """What pairing by content found for an English page with no usable link.

    ``original``: the Korean page it chose (None when nothing convinced); ``score``: the
    probability that the two are a translation pair; ``sure``: good enough to use
    unattended; ``used``: the run paired them (sure, or ``pair_unsure``); ``why``: how it
    was decided, with the margins and what aligning the two found; ``decided_now``: this
    run decided it (else an earlier run did, from the same pages); ``instead_of``: the
    original of a pairing a reviewer rejected, which this one replaces.
    """

    original: str | None
    score: float
    sure: bool
    used: bool
    why: str
    decided_now: bool = True
    instead_of: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "original": self.original,
            "score": round(self.score, 4),
            "sure": self.sure,
            "used": self.used,
            "decided_now": self.decided_now,
            "instead_of": self.instead_of,
            "why": self.why,
        }


@dataclass
class ItemResult:
    """What happened to one English article."""

    item: str
    outcome: Outcome
    reason: str = ""
    pair_id: int | None = None
    src_sentences: int = 0
    tgt_sentences: int = 0
    bead_types: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    previous: bool = False  # a failure from an earlier run, pages unchanged since, not retried
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage (where measured)
    pairing: ContentPairing | None = None  # what pairing by content found (pages with no usable link)


@dataclass
class ExportSummary:
    """One format a run exported: its files and how many beads they hold."""

    format: str
    paths: list[str]
    count: int


@dataclass
class RunSummary:
    """Totals of a run, for the printed summary and ``--json``."""

    items: list[ItemResult]
    pairs: int  # pairs in the corpus after the run
    src_sentences: int
    tgt_sentences: int
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
    exports: list[ExportSummary] = field(default_factory=list)
    policy: ExportPolicy = field(default_factory=ExportPolicy)  # which beads the exports took
    content_candidates: int = 0  # Korean pages pairing by content chose among in this run (0: none needed)

    @property
    def by_content(self) -> list[ItemResult]:
        """Pages paired with an original found by content (in this run or an earlier one)."""
        return [
            r
            for r in self.items
            if r.pairing is not None
            and r.pairing.used
            and r.outcome in (Outcome.ALIGNED, Outcome.UNCHANGED, Outcome.KEPT)
        ]

    @property
    def unsure(self) -> list[ItemResult]:
        """Pages left unpaired because pairing by content was not sure of its best candidate."""
        return [r for r in self.items if r.pairing is not None and r.pairing.original and not r.pairing.used]

    def count(self, outcome: Outcome | str) -> int:
        return sum(1 for r in self.items if r.outcome == outcome)

    def with_outcome(self, outcome: Outcome) -> list[ItemResult]:
        """The items that ended so, in page order."""
        return [r for r in self.items if r.outcome == outcome]

    @property
    def failed(self) -> list[ItemResult]:
        """Items that went wrong (a bad page, a language mismatch, ...)."""
        return self.with_outcome(Outcome.FAILED)

    @property
    def unpaired(self) -> list[ItemResult]:
        """English pages with no Korean original to align with (no link, or not in the cache):
        nothing went wrong, there is just nothing to align yet."""
        return self.with_outcome(Outcome.UNPAIRED)

    @property
    def next_command(self) -> str:
        """What to do next: review the corpus."""
        return f"aligner review {self.database}" if self.database else "aligner review DIR/corpus.db"

    def as_dict(self) -> dict[str, Any]:
        """The summary as ``aligner run --json`` prints it (its keys are a public format:
        the sentence counts keep their first names, ``en_sentences`` and ``ko_sentences``)."""
        return {
            "database": self.database,
            "next": self.next_command,
            "pairs": self.pairs,
            "aligned": self.count(Outcome.ALIGNED),
            "unchanged": self.count(Outcome.UNCHANGED),
            "kept_reviewed": self.count(Outcome.KEPT),
            "unpaired": self.count(Outcome.UNPAIRED),
            "failed": self.count(Outcome.FAILED),
            "en_sentences": self.src_sentences,
            "ko_sentences": self.tgt_sentences,
            "bead_types": self.bead_types,
            "mean_confidence": self.mean_confidence,
            "files": self.files,
            "exports": [{"format": e.format, "paths": e.paths, "count": e.count} for e in self.exports],
            "export_policy": {
                "status": self.policy.status.value,
                "min_confidence": self.policy.min_confidence,
                "keep_empty": self.policy.keep_empty,
            },
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "problems": [
                {"item": r.item, "outcome": r.outcome.value, "reason": r.reason, "previous_run": r.previous}
                for r in self.items
                if r.outcome in PROBLEMS
            ],
            "skipped_failures": sum(1 for r in self.items if r.previous),
            "by_content": {
                "candidates": self.content_candidates,
                "paired": len(self.by_content),
                "sure": sum(1 for r in self.by_content if r.pairing and r.pairing.sure),
                "unsure_used": sum(1 for r in self.by_content if r.pairing and not r.pairing.sure),
                "unsure_left_unpaired": len(self.unsure),
            },
            "content_pairing": [
                {"item": r.item, "outcome": r.outcome.value, **r.pairing.as_dict()}
                for r in self.items
                if r.pairing is not None
            ],
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
        aligned = self.with_outcome(Outcome.ALIGNED)
        sentences = sum(r.src_sentences + r.tgt_sentences for r in aligned)
        out: dict[str, float | None] = {
            "pairs_per_minute": round(60 * len(aligned) / wall, 2) if wall else None,
            "sentences_per_second": round(sentences / wall, 2) if wall else None,
        }
        for stage in STAGES[:-1]:
            s = sum(r.seconds.get(stage, 0.0) for r in aligned)
            out[f"{stage}_sentences_per_second"] = round(sentences / s, 1) if s else None
        return out

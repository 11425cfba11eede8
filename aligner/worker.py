"""The worker side of a corpus run: one pair's parse, check, split and align, as plain data.

Why this shape: the expensive part of a pair is encoding its sentences, which is pure
computation over plain data. A worker (this process, a pool process or a Dask worker;
see :mod:`aligner.executors`) gets a :class:`PairTask` with the pages' bytes and what the
database knew about the pair, and sends back a :class:`PairWork`; it never opens the
database. Each worker process loads its aligner once (:class:`Models`).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aligner.align import Aligner, default_aligner
from aligner.align.lexicon import Lexicon
from aligner.errors import AlignerError, InputError, PairingError
from aligner.model import Article, Bead, Method, Outcome, Sentence
from aligner.sources import parse_page
from aligner.steps import Span, align_sentence_lists, sentences_of
from aligner.store import Store, content_hash, document_key
from aligner.text.langcheck import check_language, check_pair_languages, detect_language

if TYPE_CHECKING:
    import numpy as np

# -- what travels between the parent and the workers ---------------------------------------


@dataclass(frozen=True)
class AlignerSpec:
    """How to build the aligner in a worker (an Aligner object itself is too big to send)."""

    src_lang: str = "en"
    tgt_lang: str = "ko"
    method: Method = Method.ENGINE
    encoder: str = "use"
    lexicon: Lexicon | None = field(default=None, compare=False, hash=False)
    lexicon_digest: str = ""

    @classmethod
    def for_store(
        cls,
        store: Store,
        src_lang: str = "en",
        tgt_lang: str = "ko",
        method: Method = Method.ENGINE,
        encoder: str = "use",
    ) -> AlignerSpec:
        """The corpus's aligner: the engine plus the lexicon ``aligner lexicon train`` stored, if any."""
        lexicon = store.load_lexicon() if method == Method.ENGINE else None
        digest = ""
        if lexicon is not None:
            digest = hashlib.blake2b(pickle.dumps(sorted(lexicon.entries())), digest_size=12).hexdigest()
        return cls(src_lang, tgt_lang, method, encoder, lexicon, digest)


_ALIGNERS: dict[AlignerSpec, Aligner] = {}


def build_aligner(spec: AlignerSpec, threads: int | None = None) -> Aligner:
    """The aligner a spec describes, built once per process (the encoder loads here).

    ``threads``: the encoder's BLAS threads (None: it decides when it loads).
    """
    if spec not in _ALIGNERS:
        if spec.lexicon is not None and len(spec.lexicon):
            from aligner.align.engine import build_engine

            _ALIGNERS[spec] = build_engine(
                spec.src_lang, spec.tgt_lang, encoder=spec.encoder, lexicon=spec.lexicon, threads=threads
            )
        else:
            _ALIGNERS[spec] = default_aligner(spec.src_lang, spec.tgt_lang, spec.method, spec.encoder, threads)
    return _ALIGNERS[spec]


@dataclass
class PairSnapshot:
    """What the database knows about one English page's pair when a task is sent.

    ``token`` summarises everything a reviewer or another run could change (beads,
    their status and origin, the edit log, the documents' hashes); the parent compares
    it again when it writes, to notice a change made while the worker was busy.
    """

    pair_id: int | None = None
    tgt_key: str | None = None
    aligned_hash: str | None = None
    current_hash: str | None = None
    has_reviewed: bool = False
    fixed: list[Span] = field(default_factory=list)  # accepted/manual: anchors
    pairing_rejected: bool = False  # a reviewer rejected the pairing: another original may replace it
    # stored sentences (with the reviewer's text fixes), sent only when beads were reviewed
    src: list[Sentence] | None = None
    tgt: list[Sentence] | None = None
    token: str = "new"


@dataclass
class PairTask:
    """One English page to work on, with its pages' bytes (workers need no file system)."""

    item: str
    src_page: bytes | None
    tgt_url: str | None
    tgt_page: bytes | None
    state: PairSnapshot
    force: bool = False
    src_lang: str = "en"
    tgt_lang: str = "ko"
    attempt: int = 0
    problem: str | None = None  # a page that could not be read: this pair fails with it
    unpaired: str | None = None  # why there is no original, when not for want of a link (a rejected pairing)
    note: str | None = None  # what pairing by content found, added to the reason when there is no original


@dataclass
class PairWork:
    """What a worker sends back: plain data for the parent to store."""

    item: str
    outcome: Outcome
    reason: str = ""
    src_article: Article | None = None
    tgt_article: Article | None = None
    src: list[Sentence] = field(default_factory=list)
    tgt: list[Sentence] = field(default_factory=list)
    beads: list[Bead] = field(default_factory=list)
    method: str = ""
    token: str = "new"
    seconds: dict[str, float] = field(default_factory=dict)  # wall clock per stage
    cpu: dict[str, float] = field(default_factory=dict)  # CPU time per stage (steadier on a busy machine)
    encoded: int = 0  # sentences sent to the encoder (the rest came from its cache)
    startup: float | None = None  # this worker's model loading, reported with its first result
    worker: int = 0  # process id, to count the workers that took part


# -- the worker side ------------------------------------------------------------------------


class EncodeTimer:
    """Seconds spent in the sentence encoder, so ``align`` can be split into encode + search."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu = 0.0
        self.encoded = 0

    def wrap(self, encode: Callable[[Any], np.ndarray]) -> Callable[[Any], np.ndarray]:
        """``encode`` (of sentences, or of runs of them) counting its seconds and the texts it encoded."""
        owner = getattr(encode, "__self__", None)

        def timed(texts: Any) -> np.ndarray:
            before = getattr(owner, "encoded", 0)
            t, c = time.perf_counter(), time.process_time()
            try:
                return encode(texts)
            finally:
                self.seconds += time.perf_counter() - t
                self.cpu += time.process_time() - c
                self.encoded += getattr(owner, "encoded", 0) - before

        return timed


def timed_aligner(aligner: Aligner) -> tuple[Aligner, EncodeTimer]:
    """A shallow copy of ``aligner`` whose encoder calls are timed (the original is untouched)."""
    timer = EncodeTimer()
    clone = copy.copy(aligner)
    signals = []
    for signal in aligner.signals:
        if dataclasses.is_dataclass(signal):
            # both ways into the encoder: sentences, and runs of them joined (the second look's)
            encoders = {
                name: timer.wrap(function)
                for name in ("encode", "encode_joined")
                if callable(function := getattr(signal, name, None))
            }
            signal = dataclasses.replace(signal, **encoders) if encoders else signal
        signals.append(signal)
    clone.signals = signals
    return clone, timer


class StageClock:
    """Wall-clock and CPU seconds of consecutive stages of one pair."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.restart()

    def restart(self) -> None:
        self._t, self._c = time.perf_counter(), time.process_time()

    def stop(self, stage: str) -> None:
        self.wall[stage] = time.perf_counter() - self._t
        self.cpu[stage] = time.process_time() - self._c
        self.restart()

    def split(self, stage: str, part: str, wall: float, cpu: float) -> None:
        """Move ``part`` of a stage's time into its own entry (encoding out of aligning)."""
        self.wall[stage] -= wall
        self.cpu[stage] -= cpu
        self.wall[part], self.cpu[part] = wall, cpu


def work_pair(task: PairTask, models: Models) -> PairWork:
    """Parse, check, split and align one pair; never raises for a bad item."""
    clock = StageClock()
    url = task.item
    state = task.state

    def done(outcome: Outcome, reason: str = "") -> PairWork:
        return PairWork(url, outcome, reason, token=state.token, seconds=clock.wall, cpu=clock.cpu)

    try:
        if task.problem:
            return done(Outcome.FAILED, task.problem)
        if task.src_page is None:
            raise InputError(url, "not in the page cache")
        src = parse_page(task.src_page, url)
        if src.lang != task.src_lang:
            raise InputError(url, f"expected an English-edition page, found a {src.layout} page")
        missing = None
        tgt_url = task.tgt_url  # the manifest's pairing, else the page's link, else one found by content
        if not tgt_url:
            missing = task.unpaired or "no link to the Korean original on the page"
        elif task.tgt_page is None:
            missing = f"Korean original {tgt_url} is not in the page cache"
        if missing or task.tgt_page is None or tgt_url is None:
            check_language(src.text, task.src_lang, url)  # a page in the wrong language is a failure first
            reason = missing or "no Korean original"
            raise PairingError(url, f"{reason}; {task.note}" if task.note else reason)
        tgt = parse_page(task.tgt_page, tgt_url)
        clock.stop("parse")
        tgt_key = document_key(tgt.url or tgt_url)  # as stored: http and https are one page
        new_hash = content_hash(content_hash(src.title, src.text), content_hash(tgt.title, tgt.text))
        same_pair = state.pair_id is not None and state.tgt_key == tgt_key
        if state.pair_id is not None:
            if not task.force and same_pair and state.aligned_hash == new_hash:
                return done(Outcome.UNCHANGED)
            # a reviewer's beads are kept from a run, unless they rejected the pairing they belong to
            replaced = not same_pair and state.pairing_rejected
            if state.has_reviewed and not replaced and (not same_pair or new_hash != state.current_hash):
                return done(Outcome.KEPT, "page text changed but the pair has reviewed beads; kept them")
        models.load()  # first: langdetect's profiles and Kiwi's model loading are not checking or splitting
        clock.restart()
        # e.g. a Korean page saved under the English URL
        check_pair_languages(src.text, task.src_lang, tgt.text, task.tgt_lang, url, tgt.url or tgt_url)
        clock.stop("check")
        if same_pair and state.src is not None and state.tgt is not None:
            # Text unchanged (checked above): align the stored sentences, which carry the
            # reviewer's fixes, around the beads they accepted.
            src_sentences, tgt_sentences = list(state.src), list(state.tgt)
        else:
            src_sentences, tgt_sentences = sentences_of(src), sentences_of(tgt)
        clock.stop("split")
        if not src_sentences or not tgt_sentences:
            return done(Outcome.FAILED, "no sentences after cleaning")
        aligner, timer = models.get()
        clock.restart()
        enc0, cpu0, n0 = timer.seconds, timer.cpu, timer.encoded
        fixed = state.fixed if same_pair else []  # anchors of a rejected pairing are no anchors here
        beads = align_sentence_lists(src_sentences, tgt_sentences, aligner, task.src_lang, task.tgt_lang, fixed)
        clock.stop("align")
        clock.split("align", "encode", timer.seconds - enc0, timer.cpu - cpu0)
        return PairWork(
            url,
            Outcome.ALIGNED,
            src_article=src,
            tgt_article=tgt,
            src=src_sentences,
            tgt=tgt_sentences,
            beads=beads,
            method=aligner.name,
            token=state.token,
            seconds=clock.wall,
            cpu=clock.cpu,
            encoded=timer.encoded - n0,
        )
    except ModelLoadError:
        raise  # not this pair's fault: the run stops with the reason
    except PairingError as exc:
        return done(Outcome.UNPAIRED, exc.problem)
    except AlignerError as exc:
        return done(Outcome.FAILED, str(exc))
    except Exception as exc:  # a bug must not stop the other thousand pairs: report it as this item's failure
        return done(Outcome.FAILED, f"internal error: {type(exc).__name__}: {exc}".replace("\n", " "))


def limit_threads(threads: int) -> None:
    """Cap BLAS threads in this worker process before the encoder loads.

    Two workers with two BLAS threads each on two cores spin against each other and run
    many times slower than two workers with one. numpy obeys threadpoolctl; the encoder
    takes its thread count when it is built, from :func:`build_aligner`'s ``threads``.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)


def warm_up(aligner: Aligner, spec: AlignerSpec) -> None:
    """Load what the first pair would otherwise pay for (Kiwi, pysbd, the encoder's first batch)."""
    detect_language("Language profiles load on the first call, which takes a second or two.")
    sentences_of(Article(spec.src_lang, "A title.", ["One sentence here. And another one."]))
    # a mark after a noun, so Kiwi itself loads (a verb ending is split without it)
    sentences_of(Article(spec.tgt_lang, "제목.", ["첫 문장. 두 번째 문장이다."]))
    aligner.align(["A short warm-up line."], ["짧은 준비 문장."])


class ModelLoadError(AlignerError):
    """The models could not be loaded: the run stops with this one line instead of failing every pair."""

    def __reduce__(self) -> tuple[type[ModelLoadError], tuple[str | None, str]]:
        # rebuilt from both fields when it comes back from a worker process
        return (type(self), (self.item, self.problem))


class Models:
    """One process's aligner, loaded on first use: a run that finds nothing to redo loads nothing.

    Loading means limiting BLAS threads (in workers), building the aligner (the encoder
    loads here, once per process) and warming up the splitters, so that the stage
    timings of the first pair are not model loading; that time is ``startup``.
    """

    def __init__(self, spec: AlignerSpec, threads: int | None = None, aligner: Aligner | None = None) -> None:
        self.spec = spec
        self.threads = threads
        self._given = aligner
        self._loaded: tuple[Aligner, EncodeTimer] | None = None
        self.startup: float | None = None  # seconds, until a result has reported it

    def load(self) -> None:
        """Load now; a failure (encoder not installed, say) stops the run instead of failing each pair."""
        try:
            self.get()
        except Exception as exc:
            raise ModelLoadError("aligner", f"cannot load the models ({type(exc).__name__}: {exc})") from exc

    def get(self) -> tuple[Aligner, EncodeTimer]:
        if self._loaded is None:
            t = time.perf_counter()
            if self.threads:
                limit_threads(self.threads)
            aligner = self._given or build_aligner(self.spec, self.threads)
            warm_up(aligner, self.spec)
            self._loaded = timed_aligner(aligner)
            self.startup = time.perf_counter() - t
        return self._loaded

    def run(self, task: PairTask) -> PairWork:
        work = work_pair(task, self)
        work.startup, self.startup = self.startup, None
        work.worker = os.getpid()
        return work

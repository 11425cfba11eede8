"""Which Korean page each English page of a corpus run translates: its link, else its content.

A run (:func:`aligner.pipeline.run_corpus`) asks here once, before any per-pair work, in the
one process that writes the database: the pages are encoded once, whatever the number of
workers, and the workers get each pair's two pages as before. For every English page:

1. the corpus folder's ``pairs.jsonl`` names its original (``aligner fetch``, ``aligner pair
   --record-in``, or by hand): that page;
2. else the page's "original Korean article" link, when that page is in the cache and can
   be read;
3. else (no button, a link to a page the cache does not have or cannot read, or a pairing
   a reviewer rejected) the original is looked for by content
   (:func:`aligner.pairing.find_originals`) among the cached Korean pages that no link
   claims, the published dates narrowing the field. Only a ``sure`` match is used
   unattended (``pair_unsure`` uses every proposed match); the others are reported with the
   candidate, how sure and why, and the page stays unpaired.

Stability: each content decision is stored with prints of the pages it was made from
(``pairing_decisions``). A re-run over the same pages uses it again without encoding
anything; a changed English page, a change among the candidates or ``force`` decides
again. A pair found by content keeps its original while both pages stay as they are and no
link claims it, even when new candidates arrive (a person may have reviewed it since).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aligner.errors import AlignerError
from aligner.model import Article, Method, PairedBy
from aligner.pairing import OriginalMatch, PairingOptions, find_originals
from aligner.run import ContentPairing, RunOptions
from aligner.sources import MAX_PAGE_BYTES, PageCache, parse_page
from aligner.sources.manifest import ManifestEntry
from aligner.sources.urls import page_key
from aligner.store import PairingDecision, PairOrigin, Store, StoredOrigin, document_key

#: Pairing's progress: (stage, done, total), as :func:`aligner.pairing.pair_articles` reports it.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Original:
    """Where a run takes one English page's original from.

    ``url`` is the page to align with (None: none). ``origin`` says how the pair is made.
    ``unpaired`` replaces the worker's reason when there is no original (a rejected
    pairing); ``note`` is what pairing by content found, added to the reason when the page
    stays unpaired; ``content`` is that finding as the run's summary reports it.
    """

    url: str | None
    origin: PairOrigin = field(default_factory=lambda: PairOrigin(PairedBy.LINK.value))
    unpaired: str | None = None
    note: str | None = None
    content: ContentPairing | None = None
    fresh: bool = False  # decided by content in this run (an earlier failure is then no reason to skip it)


@dataclass
class OriginalsPlan:
    """The original of every English page of a run (by :func:`~aligner.sources.urls.page_key`)."""

    originals: dict[str, Original] = field(default_factory=dict)
    candidates: int = 0  # Korean pages content pairing chose among in this run (0: it reused every decision)
    seconds: float = 0.0

    def get(self, url: str) -> Original | None:
        return self.originals.get(page_key(url))


@dataclass
class _Page:
    """An English page as planning sees it."""

    url: str
    key: str  # document_key(url)
    article: Article
    digest: str  # of the page's bytes
    target: str | None  # what the manifest or the link names
    origin: PairOrigin
    rejected: frozenset[str]  # originals a reviewer rejected for it (document keys)
    stored: StoredOrigin | None


def plan_originals(
    cache: PageCache,
    store: Store,
    urls: list[str],
    listed: dict[str, ManifestEntry],
    options: RunOptions,
    *,
    progress: Progress | None = None,
) -> OriginalsPlan:
    """Find each English page's original (see the module notes); never raises for one bad page."""
    started = time.perf_counter()
    plan = OriginalsPlan()
    rejections = store.rejected_originals()
    stored = store.stored_origins()
    english = {page_key(u) for u in urls}
    seekers: list[_Page] = []
    claimed: set[str] = set()  # document keys of originals some English page takes
    for url in urls:
        entry = listed.get(page_key(url))
        rejected = rejections.get(document_key(url), set())
        if entry is not None and _readable(cache, entry.ko_url) and document_key(entry.ko_url) not in rejected:
            plan.originals[page_key(url)] = Original(entry.ko_url, _listed_origin(entry))  # no parsing needed
            claimed.add(document_key(entry.ko_url))
            continue
        page = _english_page(cache, url, entry, options, rejected, stored)
        if page is None:  # unreadable or no English article: the worker reports it
            plan.originals[page_key(url)] = Original(entry.ko_url if entry else None)
            continue
        if page.target is not None and _readable(cache, page.target) and document_key(page.target) not in rejected:
            plan.originals[page_key(url)] = Original(page.target, page.origin)
            claimed.add(document_key(page.target))
        else:
            seekers.append(page)
    if seekers:
        _ContentStep(cache, store, options, plan, english, claimed, progress).run(seekers)
    plan.seconds = time.perf_counter() - started
    return plan


def _listed_origin(entry: ManifestEntry) -> PairOrigin:
    """How a pair pairs.jsonl lists was made (``aligner pair --record-in`` records only sure ones)."""
    how = PairedBy.of_manifest(entry.how)
    if how != PairedBy.CONTENT:
        return PairOrigin(how.value, entry.score)
    return PairOrigin(how.value, entry.score, True, {"why": "sure: found by `aligner pair`, recorded in pairs.jsonl"})


def _english_page(
    cache: PageCache,
    url: str,
    entry: ManifestEntry | None,
    options: RunOptions,
    rejected: set[str],
    stored: dict[str, StoredOrigin],
) -> _Page | None:
    """An English page with what it names as its original, parsed (None: the worker's to report)."""
    data = _read(cache, url)
    if data is None:
        return None
    try:
        article = parse_page(data, url)
    except (AlignerError, ValueError):
        return None
    if article.lang != options.src_lang:
        return None
    target: str | None = entry.ko_url if entry is not None else article.original_url
    origin = _listed_origin(entry) if entry is not None else PairOrigin(PairedBy.LINK.value)
    key = document_key(url)
    return _Page(
        url,
        key,
        article,
        hashlib.blake2b(data, digest_size=16).hexdigest(),
        target,
        origin,
        frozenset(rejected),
        stored.get(key),
    )


def _read(cache: PageCache, url: str) -> bytes | None:
    """A cached page's bytes, or None when the cache cannot give it (missing, too big, unsafe key)."""
    try:
        path = cache.path(url)
        if not path.is_file() or path.stat().st_size > MAX_PAGE_BYTES:
            return None
        return cache.get(url)
    except (AlignerError, OSError):
        return None


def _readable(cache: PageCache, url: str) -> bool:
    """The page is in the cache and could be read (its parsing is the worker's to judge)."""
    try:
        path = cache.path(url)
        return path.is_file() and path.stat().st_size <= MAX_PAGE_BYTES
    except (AlignerError, OSError):
        return False


class _ContentStep:
    """Pairing by content for the English pages with no usable original (the seekers)."""

    def __init__(
        self,
        cache: PageCache,
        store: Store,
        options: RunOptions,
        plan: OriginalsPlan,
        english: set[str],
        claimed: set[str],
        progress: Progress | None,
    ) -> None:
        self.cache, self.store, self.options, self.plan = cache, store, options, plan
        self.english, self.claimed, self.progress = english, claimed, progress
        self.pairing = PairingOptions(en_lang=options.src_lang, ko_lang=options.tgt_lang, encoder=options.encoder)
        self.urls: dict[str, str] = {}  # document key -> URL as the cache names it

    def run(self, seekers: list[_Page]) -> None:
        pool = self._pool()
        self.urls = {k: url for k, (url, _, _) in pool.items()}
        print_ = _pool_print(pool, self.pairing)  # every candidate, those kept pairs hold too
        decisions = self.store.pairing_decisions()
        fresh: list[_Page] = []
        taken: set[str] = set()
        for page in seekers:  # content pairs found before keep their original
            kept = self._kept(page, pool, decisions.get(page.key))
            if kept is not None:
                self.plan.originals[page_key(page.url)] = kept
                taken.add(document_key(kept.url or ""))
        for page in seekers:
            if page_key(page.url) in self.plan.originals:
                continue
            memo = decisions.get(page.key)
            if (
                memo is not None
                and not self.options.force
                and memo.page_print == _page_print(page)
                and memo.pool_print == print_
                and not (self._used(memo) and memo.tgt_key in taken)
            ):
                self.plan.originals[page_key(page.url)] = self._original(page, memo, fresh=False)
                if self._used(memo):
                    taken.add(memo.tgt_key or "")
            else:
                fresh.append(page)
        if fresh:
            self._decide(fresh, {k: v for k, v in pool.items() if k not in taken}, print_)

    # -- the candidates ------------------------------------------------------------------------

    def _pool(self) -> dict[str, tuple[str, int, int]]:
        """The cached pages that could be an original: not English pages of this run, not an
        original a link claims. By document key: (URL, size, modification time in ns)."""
        if self.options.method != Method.ENGINE:
            return {}  # content pairing needs the sentence encoder; the length method runs without it
        pool = {}
        for url, path in self.cache.iter_pages():
            key = document_key(url)
            if page_key(url) in self.english or key in self.claimed:
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            if stat.st_size <= MAX_PAGE_BYTES:
                pool[key] = (url, stat.st_size, stat.st_mtime_ns)
        return pool

    def _kept(
        self, page: _Page, pool: dict[str, tuple[str, int, int]], memo: PairingDecision | None
    ) -> Original | None:
        """A content pair stored before, kept while its pages stay as they are (None: decide)."""
        stored = page.stored
        if (
            stored is None
            or stored.how != PairedBy.CONTENT
            or stored.rejected
            or self.options.force
            or stored.tgt_key not in pool
            or memo is None
            or memo.tgt_key != stored.tgt_key
            or memo.page_print != _page_print(page)
        ):
            return None
        origin = self.store.pair_origin(stored.pair_id) or PairOrigin(PairedBy.CONTENT.value)
        content = ContentPairing(
            pool[stored.tgt_key][0], memo.score, memo.sure, True, memo.detail.get("why", ""), decided_now=False
        )
        return Original(pool[stored.tgt_key][0], origin, content=content)

    def _used(self, memo: PairingDecision) -> bool:
        return memo.tgt_key is not None and (memo.sure or self.options.pair_unsure)

    def _candidates(self, pool: dict[str, tuple[str, int, int]]) -> list[Article]:
        """The pool's pages that read as articles in the target language."""
        out = []
        for url, _size, _mtime in pool.values():
            data = _read(self.cache, url)
            if data is None:
                continue
            try:
                article = parse_page(data, url)
            except (AlignerError, ValueError):
                continue
            if article.lang == self.options.tgt_lang:
                article.url = url  # as the cache names it, the key the pair is stored under
                out.append(article)
        return out

    # -- deciding ------------------------------------------------------------------------------

    def _decide(self, fresh: list[_Page], pool: dict[str, tuple[str, int, int]], print_: str) -> None:
        """Decide the pages with no usable decision: those with no rejected original together,
        each of the others apart (its rejected originals are no candidates for it)."""
        candidates = self._candidates(pool)
        self.plan.candidates = len(candidates)
        decisions: list[PairingDecision] = []
        taken: set[str] = set()
        groups = [[p for p in fresh if not p.rejected]] + [[p] for p in fresh if p.rejected]
        for group in groups:
            if not group:
                continue
            among = [
                a
                for a in candidates
                if document_key(a.url or "") not in taken
                and not any(document_key(a.url or "") in p.rejected for p in group)
            ]
            matches = self._find(group, among)
            for page, match in zip(group, matches):
                memo = _decision(page, match, print_) if match is not None else None
                if memo is None:  # no candidate at all: the page's own reason says enough
                    self.plan.originals[page_key(page.url)] = self._unpaired(page, None, None)
                    continue
                decisions.append(memo)
                self.plan.originals[page_key(page.url)] = self._original(page, memo, fresh=True)
                if self._used(memo):
                    taken.add(memo.tgt_key or "")
        if decisions:
            self.store.save_pairing_decisions(decisions)

    def _find(self, pages: list[_Page], candidates: list[Article]) -> list[OriginalMatch | None]:
        if not candidates:
            return [None] * len(pages)
        try:
            return list(find_originals([p.article for p in pages], candidates, self.pairing, progress=self.progress))
        except AlignerError:
            raise
        except Exception as exc:  # the encoder could not load (not installed, no memory): stop with one line
            raise AlignerError("pairing by content", f"cannot load the models ({type(exc).__name__}: {exc})") from exc

    def _original(self, page: _Page, memo: PairingDecision, *, fresh: bool) -> Original:
        """The original a decision gives a page: its choice when it may be used, else none and why."""
        why = str(memo.detail.get("why", ""))
        replaced = page.stored.tgt_key if page.stored is not None and page.stored.rejected else None
        content = ContentPairing(
            self._url_of(memo.tgt_key),
            memo.score,
            memo.sure,
            self._used(memo),
            why,
            decided_now=fresh,
            instead_of=replaced if self._used(memo) else None,
        )
        if self._used(memo):
            origin = PairOrigin(PairedBy.CONTENT.value, round(memo.score, 4), memo.sure, memo.detail)
            return Original(content.original, origin, content=content, fresh=fresh)
        if memo.tgt_key is None:
            note = f"by content: {why}"
        else:
            note = (
                f"by content: {content.original} (p {memo.score:.2f}) is not sure enough to use unattended "
                f"({why}); --pair-unsure takes it"
            )
        return self._unpaired(page, note, content, fresh=fresh)

    def _unpaired(
        self, page: _Page, note: str | None, content: ContentPairing | None, *, fresh: bool = False
    ) -> Original:
        """No original for the page: the worker says why (no link, not in the cache), or a
        reviewer's rejection does; the note says what content pairing found."""
        rejected_url: str | None = None
        if page.stored is not None and page.stored.rejected:
            rejected_url = page.stored.tgt_key
        elif page.target is not None and document_key(page.target) in page.rejected:
            rejected_url = page.target
        if rejected_url is not None:
            return Original(
                None,
                unpaired=f"a reviewer rejected its pairing with {rejected_url}",
                note=note,
                content=content,
                fresh=fresh,
            )
        return Original(page.target, note=note, content=content, fresh=fresh)

    def _url_of(self, key: str | None) -> str | None:
        return None if key is None else self.urls.get(key, key)


def _decision(page: _Page, match: OriginalMatch, pool_print: str) -> PairingDecision:
    v = match.verification
    detail: dict[str, Any] = {
        "why": match.how,
        "decided_by": match.decided_by,
        "en_margin": _round(match.en_margin),
        "ko_margin": _round(match.ko_margin),
        "runner_up": match.runner_up.url if match.runner_up is not None else None,
        "verification": None
        if v is None
        else {
            "en_share": round(v.en_share, 3),
            "ko_share": round(v.ko_share, 3),
            "order": round(v.order, 3),
            "en_sentences": v.en_sentences,
            "ko_sentences": v.ko_sentences,
        },
    }
    tgt = document_key(match.ko.url) if match.ko is not None and match.ko.url else None
    return PairingDecision(
        page.key, _page_print(page), pool_print, tgt, round(match.score, 4), bool(match.sure), detail
    )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _page_print(page: _Page) -> str:
    """The English page and the originals rejected for it: a decision made from them stands."""
    return _digest([page.digest, *sorted(page.rejected)])


def _pool_print(pool: dict[str, tuple[str, int, int]], options: PairingOptions) -> str:
    """The candidate pages (size and modification time) and every pairing setting."""
    return _digest([repr(options), *(f"{k}\t{size}\t{mtime}" for k, (_, size, mtime) in sorted(pool.items()))])


def _digest(parts: Iterable[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()

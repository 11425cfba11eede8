"""The fetch job: English-edition URLs in, cached page pairs and ``pairs.jsonl`` out.

For each English article: fetch it, parse it, follow its "original Korean article" link,
fetch that, keep both raw pages in the corpus folder's cache and append the pair to the
manifest. One bad item is reported with a one-line reason and skipped; an interrupted
run picks up where it stopped. The parts live apart: the HTTP client in
:mod:`~aligner.sources.client`, URL identity in :mod:`~aligner.sources.urls`, the
manifest in :mod:`~aligner.sources.manifest`, listing in :mod:`~aligner.sources.listing`.

A page and its record are stored together or not at all: when the corpus folder cannot
be written (a full disk), the pages this item wrote are removed again, the manifest is
left as it was, and the job stops there (``FetchReport.stopped``): every later item
would fail the same way, and a retry once there is room fetches the item again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aligner.errors import AlignerError, FetchError, InputError, LanguageError
from aligner.sources.cache import CacheWriteError, PageCache
from aligner.sources.client import DEFAULT_HOSTS, Fetcher, FetchResult, default_user_agent
from aligner.sources.manifest import (
    MANIFEST_NAME,
    ManifestEntry,
    ManifestWriteError,
    append_jsonl,
    load_manifest,
    manifest_path,
    read_manifest,
    record_pair,
)
from aligner.sources.urls import normalize_url, page_key, same_page
from aligner.text.langcheck import check_language

__all__ = [
    "DEFAULT_HOSTS",
    "ENGLISH_LAYOUT",
    "FAILURES_NAME",
    "MANIFEST_NAME",
    "FetchReport",
    "FetchResult",
    "Fetcher",
    "ItemOutcome",
    "ManifestEntry",
    "default_user_agent",
    "fetch_articles",
    "fetch_command",
    "normalize_url",
    "read_manifest",
    "record_pair",
]

FAILURES_NAME = "fetch-failures.jsonl"
ENGLISH_LAYOUT = "hani-en"
_WRITE_ERRORS = (CacheWriteError, ManifestWriteError)


@dataclass
class ItemOutcome:
    """What happened to one English URL: "paired", "done" (already paired before), "failed"."""

    en_url: str
    status: str
    ko_url: str | None = None
    reason: str = ""
    requests: int = 0


@dataclass
class FetchReport:
    """The fetch job's outcome per item, with the manifest it wrote.

    ``notes`` are lines about values that were ignored or capped on the way (robots.txt
    directives, Retry-After, skipped manifest lines); ``stopped`` says why the job
    stopped before the end (the corpus folder could not be written), None when it did not.
    """

    items: list[ItemOutcome]
    manifest: Path
    requests: int = 0
    seconds: float = 0.0
    listing_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stopped: str | None = None

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def failed(self) -> list[ItemOutcome]:
        return [i for i in self.items if i.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None

    def as_dict(self) -> dict:
        return {
            "paired": self.count("paired"),
            "already_done": self.count("done"),
            "failed": self.count("failed"),
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "manifest": str(self.manifest),
            "items": [asdict(i) for i in self.items],
            "listing_problems": list(self.listing_problems),
            "notes": list(self.notes),
            "stopped": self.stopped,
        }


def fetch_articles(
    urls: Iterable[str],
    cache: PageCache | str | Path,
    *,
    fetcher: Fetcher | None = None,
    offline: bool = False,
    progress: Callable[[ItemOutcome], None] | None = None,
    **fetcher_options: Any,  # passed on to Fetcher
) -> FetchReport:
    """Fetch each English article and its Korean original into the cache; record the pairs.

    ``cache`` is the corpus folder's PageCache (or the folder). An item already in the
    manifest with both pages cached is skipped without any request; any other item uses
    the cached pages it has and fetches the rest, so an interrupted run resumes. A page
    is stored only once it parsed as what it should be, so the cache never holds junk
    that ``aligner run`` would trip over.
    """
    cache = cache if isinstance(cache, PageCache) else PageCache(cache)
    own = fetcher is None
    fetcher = fetcher or Fetcher(cache, offline=offline, **fetcher_options)
    started = time.perf_counter()
    manifest = load_manifest(cache.root)
    done = {page_key(e.en_url): e for e in manifest.entries}
    items: list[ItemOutcome] = []
    stopped: str | None = None
    try:
        for url in unique_pages(normalize_url(u) for u in urls if u and u.strip()):
            before = fetcher.requests
            try:
                outcome = _fetch_one(url, cache, fetcher, done)
                if outcome.status == "failed":
                    append_jsonl(
                        cache.root / FAILURES_NAME,
                        {
                            "en_url": url,
                            "ko_url": outcome.ko_url,
                            "reason": outcome.reason,
                            "when": datetime.now(UTC).isoformat(timespec="seconds"),
                        },
                    )
            except _WRITE_ERRORS as exc:
                outcome = ItemOutcome(url, "failed", reason=f"not stored: {exc}")
                stopped = f"stopped: {exc}"
            outcome.requests = fetcher.requests - before
            items.append(outcome)
            if progress:
                progress(outcome)
            if stopped:
                break
    finally:
        if own:
            fetcher.close()
    return FetchReport(
        items,
        manifest_path(cache.root),
        fetcher.requests,
        time.perf_counter() - started,
        notes=manifest.problems + fetcher.notes,
        stopped=stopped,
    )


def unique_pages(urls: Iterable[str]) -> Iterator[str]:
    """Each page once (by :func:`~aligner.sources.urls.page_key`), first spelling kept."""
    seen: set[str] = set()
    for u in urls:
        key = page_key(u)
        if key not in seen:
            seen.add(key)
            yield u


def _fetch_one(url: str, cache: PageCache, fetcher: Fetcher, done: dict[str, ManifestEntry]) -> ItemOutcome:
    """One English URL; never raises for a bad item, says what went wrong instead.

    A failed write to the corpus folder is no bad item: the pages this call stored are
    removed again and the error is raised for the job to stop.
    """
    written: list[str] = []
    try:
        return _pair_one(url, cache, fetcher, done, written)
    except _WRITE_ERRORS:
        for stored in written:
            cache.discard(stored)
        raise
    except FetchError as exc:
        return ItemOutcome(url, "failed", reason=exc.problem if exc.item == url else str(exc))
    except AlignerError as exc:
        return ItemOutcome(url, "failed", reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - one item's surprise must not end the batch
        return ItemOutcome(url, "failed", reason=f"unexpected {type(exc).__name__}: {exc}")


def _pair_one(
    url: str, cache: PageCache, fetcher: Fetcher, done: dict[str, ManifestEntry], written: list[str]
) -> ItemOutcome:
    from aligner.sources import parse_page

    entry = done.get(page_key(url))
    try:
        if entry is not None and cache.has(url) and cache.has(entry.ko_url):
            return ItemOutcome(url, "done", entry.ko_url)
    except InputError:
        pass
    en_page = fetcher.fetch(url, store=False)
    try:
        en = parse_page(en_page.data, url)
    except AlignerError as exc:
        return ItemOutcome(url, "failed", reason=f"not an article page: {exc.problem}")
    if en.lang != "en" or (en.layout != ENGLISH_LAYOUT and not en.original_url):
        return ItemOutcome(
            url, "failed", reason=f"not an English-edition article (read as a {en.layout} page, language {en.lang})"
        )
    try:
        check_language(en.text, "en", url)  # the layout says English; the text may not
    except LanguageError as exc:
        return ItemOutcome(url, "failed", reason=exc.problem)
    if not en_page.from_cache:
        cache.put(url, en_page.data)
        written.append(url)
    if not en.original_url:
        return ItemOutcome(url, "failed", reason="no link to the Korean original on the page")
    ko_url = normalize_url(en.original_url)
    if same_page(ko_url, url):
        return ItemOutcome(url, "failed", ko_url, "the original-article link points back at this page")
    try:
        ko_page = fetcher.fetch(ko_url, store=False)
    except FetchError as exc:
        return ItemOutcome(url, "failed", ko_url, f"Korean original: {exc}")
    try:
        ko = parse_page(ko_page.data, ko_url)
    except AlignerError as exc:
        return ItemOutcome(url, "failed", ko_url, f"Korean original {ko_url}: {exc.problem}")
    if ko.lang != "ko":
        return ItemOutcome(
            url, "failed", ko_url, f"Korean original {ko_url} is not a Korean article (read as {ko.layout})"
        )
    try:
        check_language(ko.text, "ko", ko_url)
    except LanguageError as exc:
        return ItemOutcome(url, "failed", ko_url, f"Korean original {ko_url}: {exc.problem}")
    if not ko_page.from_cache:
        cache.put(ko_url, ko_page.data)
        written.append(ko_url)
    record_pair(
        cache.root,
        ManifestEntry(
            en_url=url,
            ko_url=ko_url,
            how="link",
            en_final_url=en_page.final_url if en_page.final_url != url else None,
            ko_final_url=ko_page.final_url if ko_page.final_url != ko_url else None,
            en_title=en.title or None,
            ko_title=ko.title or None,
        ),
    )
    return ItemOutcome(url, "paired", ko_url)


def fetch_command(
    corpus_dir: str | Path,
    urls: Iterable[str] = (),
    *,
    from_file: str | Path | None = None,
    section: str | None = None,
    limit: int | None = None,
    ids: str | None = None,
    id_section: str | None = None,
    id_template: str | None = None,
    offline: bool = False,
    rate: float = 1.0,
    allow_hosts: Iterable[str] = (),
    progress: Callable[[ItemOutcome], None] | None = None,
    fetcher: Fetcher | None = None,
    **fetcher_options: Any,  # passed on to Fetcher
) -> FetchReport:
    """``aligner fetch``: gather English URLs (arguments, ``from_file``, an ``ids`` range
    "A-B", then a ``section`` list page), take the first ``limit`` of them all, then fetch
    and pair them into ``corpus_dir`` (pages under ``corpus_dir/pages``, pairs in
    ``corpus_dir/pairs.jsonl``). ``allow_hosts`` ("HOST" or "HOST:PORT") are fetched from
    as well as the allowed hosts (by default the Hankyoreh ones).

    Raises an AlignerError (one line) when there is nothing to fetch or the section page
    itself cannot be read; problems with single articles are in the report instead.
    """
    from aligner.sources.listing import ID_TEMPLATE, collect_urls, list_section

    if limit is not None and limit < 1:
        raise InputError(f"limit {limit}", "must be 1 or more")
    root = Path(corpus_dir)
    if root.exists() and not root.is_dir():
        raise InputError(str(root), "not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(root), f"cannot create the corpus folder: {exc.strerror or exc}") from None
    cache = PageCache(root)
    hosts = fetcher_options.pop("allowed_hosts", DEFAULT_HOSTS)
    hosts = None if hosts is None else {*hosts, *allow_hosts}  # None: any host (tests)
    own = fetcher is None
    fetcher = fetcher or Fetcher(cache, rate=rate, offline=offline, allowed_hosts=hosts, **fetcher_options)
    try:
        given = collect_urls(
            urls, from_file=from_file, ids=ids, id_section=id_section, id_template=id_template or ID_TEMPLATE
        )
        wanted = list(unique_pages(normalize_url(u) for u in given))  # so --limit counts distinct articles
        problems: list[str] = []
        if section and fetcher.offline:
            raise FetchError(section, "a section list cannot be read offline (list pages are not cached)")
        if section and (limit is None or len(wanted) < limit):
            listing = list_section(fetcher, normalize_url(section), limit=limit)
            wanted = list(unique_pages([*wanted, *listing.urls]))
            problems = listing.problems
        wanted = wanted[:limit]
        if not wanted:
            raise InputError(None, "no article URLs to fetch (give URLs, --from-file, --section or --ids)")
        report = fetch_articles(wanted, cache, fetcher=fetcher, progress=progress)
        report.listing_problems = problems
        return report
    finally:
        if own:
            fetcher.close()

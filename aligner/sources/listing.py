"""Where the English article URLs come from: arguments, a file, a section list, an id range.

Section list pages of the English edition look like
``english.hani.co.kr/arti/english_edition/<section>/list<N>.html`` (N = 1, 2, ...), with
links to articles at ``/arti/english_edition/<section>/<id>.html``. The next page is
found from the page itself (``rel=next``, a link to ``list<N+1>``, a "Next"/"다음" link),
else by counting up the ``list<N>`` / ``?page=N`` number; listing stops at ``limit``
URLs, at a page with nothing new, at a page that fails, or after ``max_pages`` pages.

A list page is the server's and read as untrusted: a link that does not parse as a URL
is skipped, page numbers are ASCII digits only (``list²``, ``?page=²`` and 16-digit
numbers are no page numbers), and a later page that fails to fetch or parse ends the
listing with a problem line instead of ending the run. Article links are kept without
fragments and tracking parameters, each page once (:mod:`aligner.sources.urls`).

Id ranges build article URLs from a template. The English edition puts a section in
the path; whether the site answers for any section (routing by id alone) could not be
checked from here, so the section and the whole template are options.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from aligner.errors import AlignerError, InputError
from aligner.sources.digits import ascii_int
from aligner.sources.urls import article_url, page_key, without_fragment

if TYPE_CHECKING:  # not loaded at run time: the HTML parser and the HTTP client load when used
    from lxml import etree

    from aligner.sources.client import Fetcher

ENGLISH_ARTICLE = re.compile(r"/arti/english_edition/[A-Za-z0-9_]+/[0-9]+\.html$", re.ASCII)
ID_TEMPLATE = "https://english.hani.co.kr/arti/english_edition/{section}/{id}.html"
DEFAULT_SECTION = "e_national"
MAX_IDS = 100_000
_NEXT_WORDS = {"next", "next page", "next »", "next ›", "다음", "다음 페이지", "다음페이지", "»", "›", ">", "more"}
_LIST_N = re.compile(r"(list)([0-9]+)(\.html?)$", re.IGNORECASE | re.ASCII)
_PAGE_PARAMS = ("page", "pageNo", "pageno", "p", "pg")
_ID_RANGE = re.compile(r"([0-9]+)\s*(?:-|\.\.|:)\s*([0-9]+)", re.ASCII)
_ID = re.compile(r"([0-9]+)", re.ASCII)


@dataclass
class Listing:
    """URLs gathered from a section, with what was read and what went wrong on the way."""

    urls: list[str]
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_url_file(path: str | Path) -> list[str]:
    """URLs from a file, one a line; blank lines and ``#`` comments skipped."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(p), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(str(p), f"cannot read: {exc.strerror or exc}") from None
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.split()[0])  # a URL, then maybe a note after a space
    return out


def parse_id_range(spec: str) -> range:
    """``"1107000-1107050"`` (inclusive) or a single id; refuses reversed or huge ranges."""
    text = spec.strip()
    m = _ID_RANGE.fullmatch(text) or _ID.fullmatch(text)
    if not m:
        raise InputError(spec, "an id range is written A-B (two article numbers)")
    first = ascii_int(m.group(1))
    last = ascii_int(m.group(2)) if m.lastindex and m.lastindex > 1 else first
    if first is None or last is None:
        raise InputError(spec, "an article number has too many digits")
    if last < first:
        raise InputError(spec, "the range runs backwards (the first id is larger)")
    if last - first + 1 > MAX_IDS:
        raise InputError(spec, f"more than {MAX_IDS} ids; split the range")
    return range(first, last + 1)


def urls_for_ids(ids: Iterable[int], *, section: str | None = None, template: str = ID_TEMPLATE) -> list[str]:
    """Article URLs for ids, from a template with ``{id}`` and optionally ``{section}``."""
    if "{id}" not in template:
        raise InputError(template, "the id template needs an {id} placeholder")
    return [template.format(id=i, section=section or DEFAULT_SECTION) for i in ids]


def _html_tree(data: bytes, url: str) -> etree._Element:
    from lxml import html as lxml_html

    from aligner.sources.decode import decode_html

    text = decode_html(data, url)
    try:
        return lxml_html.document_fromstring(text, base_url=url)
    except Exception as exc:  # lxml raises several types for hopeless input
        raise InputError(url, f"cannot parse the list page: {exc}") from None


def article_links(data: bytes, url: str, pattern: re.Pattern[str] = ENGLISH_ARTICLE) -> list[str]:
    """Absolute article URLs linked from a list page, in page order, each once."""
    tree = _html_tree(data, url)
    seen: dict[str, str] = {}
    for a in tree.iter("a"):
        target = _link(url, a.get("href"))
        if target is None:
            continue
        try:
            path = urlsplit(target).path
        except ValueError:
            continue
        if pattern.search(path):
            seen.setdefault(page_key(target), article_url(target))
    return list(seen.values())


def _link(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, without its fragment; None when it is no web link."""
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    try:
        return without_fragment(urljoin(base, href))
    except ValueError:  # "http://[x" and the like
        return None


def next_page(data: bytes, url: str) -> str | None:
    """The list page after ``url``.

    In order: a ``rel=next`` link; a link to the counted-up page (``list<N+1>.html``,
    ``?page=N+1``), because a "다음"/"Next" link in Korean-style pagination often jumps to
    the next block of ten pages; a "Next"/"다음" link; the counted-up URL, unlinked.
    """
    tree = _html_tree(data, url)
    for el in tree.iter("link", "a"):
        rel = (el.get("rel") or "").lower().split()
        if "next" in rel:
            target = _link(url, el.get("href"))
            if target is not None:
                return target
    counted = counted_next(url)
    labelled: str | None = None
    for a in tree.iter("a"):
        target = _link(url, a.get("href"))
        if target is None:
            continue
        if counted and target == counted:
            return counted
        label = " ".join((a.text_content() or "").split()).lower()
        classes = (a.get("class") or "").lower().split()
        title = (a.get("title") or a.get("aria-label") or "").strip().lower()
        if labelled is None and target != url and (label in _NEXT_WORDS or "next" in classes or title in _NEXT_WORDS):
            labelled = target
    return labelled or counted


def counted_next(url: str) -> str | None:
    """``.../list3.html`` -> ``.../list4.html``; ``?page=3`` -> ``?page=4``; a section folder -> ``list2.html``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    m = _LIST_N.search(parts.path)
    if m:
        number = ascii_int(m.group(2))
        if number is None:
            return None
        path = parts.path[: m.start()] + f"{m.group(1)}{number + 1}{m.group(3)}"
        return urlunsplit(parts._replace(path=path))
    query = parse_qsl(parts.query, keep_blank_values=True)
    for k, (name, value) in enumerate(query):
        number = ascii_int(value) if name in _PAGE_PARAMS else None
        if number is not None:
            query[k] = (name, str(number + 1))
            return urlunsplit(parts._replace(query=urlencode(query)))
    if parts.path.endswith("/") and "/english_edition/" in parts.path:
        return urlunsplit(parts._replace(path=parts.path + "list2.html"))
    return None


def list_section(
    fetcher: Fetcher,
    section_url: str,
    *,
    limit: int | None = None,
    max_pages: int = 200,
    pattern: re.Pattern[str] = ENGLISH_ARTICLE,
) -> Listing:
    """Article URLs from a section's list pages, page by page, up to ``limit`` URLs.

    List pages are fetched fresh (never from or into the page cache: they change, and
    the cache is for articles). A first page that fails (to fetch or to parse) is an
    error; a later page that fails ends the listing and is noted in ``problems``.
    """
    found: dict[str, str] = {}  # page key -> URL
    listing = Listing([])
    url: str | None = section_url
    visited: set[str] = set()
    while url and url not in visited and len(listing.pages) < max_pages:
        visited.add(url)
        try:
            page = fetcher.fetch(url, use_cache=False, store=False)
            links = article_links(page.data, page.final_url, pattern)
            following = next_page(page.data, page.final_url)
        except AlignerError as exc:
            if not listing.pages:
                raise
            listing.problems.append(f"{url}: {exc.problem}")
            break
        listing.pages.append(url)
        new = [u for u in links if page_key(u) not in found]
        for u in new:
            found[page_key(u)] = u
            if limit is not None and len(found) >= limit:
                break
        if not new or (limit is not None and len(found) >= limit):
            break
        url = following
    urls = list(found.values())
    listing.urls = urls[:limit] if limit is not None else urls
    if not listing.urls:
        listing.problems.append(f"{section_url}: no article links found")
    return listing


def collect_urls(
    urls: Iterable[str] = (),
    *,
    from_file: str | Path | None = None,
    ids: str | None = None,
    id_section: str | None = None,
    id_template: str = ID_TEMPLATE,
) -> list[str]:
    """URLs from arguments, a file and an id range, in that order, each once (no network)."""
    out: list[str] = list(urls)
    if from_file is not None:
        out += read_url_file(from_file)
    if ids:
        out += urls_for_ids(parse_id_range(ids), section=id_section, template=id_template)
    return list(_unique(out))


def _unique(items: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for x in items:
        x = x.strip()
        if x and x not in seen:
            seen.add(x)
            yield x

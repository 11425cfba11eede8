"""Reading articles: Hankyoreh pages (English edition, Korean old and 2023+ layouts), any
other news page (trafilatura), plain text, pre-split line files, and the page cache.

Entry points: :func:`parse_page` for page bytes/text with an optional URL, :func:`read_article`
for a file on disk (HTML or plain text, sniffed), :func:`read_lines` for one sentence a line,
:class:`PageCache` / :func:`url_to_path` for the on-disk cache laid out by URL.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from aligner.errors import InputError
from aligner.model import Article
from aligner.sources import generic, hani_en, hani_ko
from aligner.sources.cache import PageCache, guess_url, path_to_url, url_to_path
from aligner.sources.clean import clean_article, strip_page_controls
from aligner.sources.decode import decode_html
from aligner.sources.htmltext import parse_html
from aligner.sources.text import LineList, guess_lang, read_bytes, read_lines, read_text
from aligner.sources.urls import UnsafeURLError

__all__ = [
    "LAYOUTS",
    "LineList",
    "PageCache",
    "UnsafeURLError",
    "detect_layout",
    "guess_url",
    "is_html",
    "parse_page",
    "path_to_url",
    "read_article",
    "read_lines",
    "read_text",
    "url_to_path",
]

#: Larger pages are refused before parsing: twice the fetcher's default size cap, and
#: a Hankyoreh page of this size already takes about 10 s to read.
MAX_PAGE_BYTES = 10_000_000
LAYOUTS = (hani_en.LAYOUT, hani_ko.LAYOUT_OLD, hani_ko.LAYOUT_2023, generic.LAYOUT, "text")
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"}
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)


def detect_layout(root: etree._Element, url: str | None) -> str:
    """Which parser reads the page: the Hankyoreh layouts by markers (and host), else generic."""
    host = (urlsplit(url).hostname or "").lower() if url else ""
    ko_layout = hani_ko.layout_of(root)
    if host.endswith(hani_en.HOST) or (ko_layout is None and hani_en.looks_like(root, None)):
        return hani_en.LAYOUT
    if ko_layout:
        return ko_layout
    return generic.LAYOUT


def parse_page(data: bytes | str, url: str | None = None, item: str | None = None, lang: str | None = None) -> Article:
    """Parse one page into an Article with ``layout`` set.

    ``item`` names the page in errors (default: the URL). ``lang`` is used for generic
    pages (detected otherwise); Hankyoreh pages know their language. Every text field
    is cleaned of control characters (:mod:`aligner.sources.clean`).
    Raises InputError for binary data, undecodable bytes, or a page with no body text.
    """
    item = item or url
    if len(data) > MAX_PAGE_BYTES:
        unit = "bytes" if isinstance(data, (bytes, bytearray)) else "characters"
        raise InputError(item, f"page is {len(data)} {unit}, more than the {MAX_PAGE_BYTES} a page may have")
    text = decode_html(data, item) if isinstance(data, (bytes, bytearray)) else data
    # Escape sequences go before any parser sees the page (trafilatura would drop the ESC
    # and keep the rest as text, or drop the page); clean_article checks every field after.
    text = strip_page_controls(text)
    root = parse_html(text, item)
    layout = detect_layout(root, url)
    if layout == hani_en.LAYOUT:
        article = hani_en.parse(root, url)
    elif layout in (hani_ko.LAYOUT_OLD, hani_ko.LAYOUT_2023):
        article = hani_ko.parse(root, url, layout)
    else:
        article = generic.parse(text, url, root, item)
    article = clean_article(article)  # the one place page text loses its control characters
    if layout not in (hani_en.LAYOUT, hani_ko.LAYOUT_OLD, hani_ko.LAYOUT_2023):
        article.lang = lang or guess_lang(article.text) or article.lang
    if not article.paragraphs:
        raise InputError(item, f"no article body found ({layout} page)")
    return article


def is_html(data: bytes, path: str | Path | None = None) -> bool:
    """HTML by file extension, else by how the content starts."""
    if path is not None and Path(path).suffix.lower() in _HTML_SUFFIXES:
        return True
    head = data[:2048].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head))


def read_article(path: str | Path, url: str | None = None, lang: str | None = None) -> Article:
    """An article from a file: an HTML page (parsed by layout) or plain text.

    A page inside a corpus folder's page cache gets its URL from its path when none is
    given, so its section and original link resolve as they would from the cache.
    """
    item = str(path)
    data = read_bytes(path)
    if not data.strip():
        raise InputError(item, "empty file")
    if is_html(data, path):
        article = parse_page(data, url or guess_url(path), item=item, lang=lang)
    else:
        article = read_text(path, lang=lang)
    article.source_path = item
    return article

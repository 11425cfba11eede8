"""The Hankyoreh English edition (``english.hani.co.kr/arti/english_edition/<section>/<id>.html``).

What the page holds and what we keep:

* title ``h2#titleapp``; dates in ``div.headline-data`` ("Posted on : 2015-03-30 16:26 KST
  Modified on : ..." or the older "Posted on : Nov.22,2017 16:20 KST"), read as Korea time;
* body ``div#bodyapp``, paragraphs in ``<p>`` or in ``<br><br>`` runs;
* the byline ("By NAME, staff reporter" / "..., correspondent") goes to ``byline``;
* the trailer ("Please direct questions or comments to ...", "Related stories",
  "Most viewed articles"), photo blocks and their captions, and all-bold subheadings
  are dropped: none of them is a translated sentence of the Korean original;
* ``original_url`` is the link around the "button that move to original korean
  article" image, resolved against the page URL: it is how pairs are found.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from aligner.model import Article
from aligner.sources.htmltext import (
    Para,
    canonical_url,
    drop,
    drop_captions,
    drop_image_blocks,
    first,
    has_class,
    kst_iso,
    meta_content,
    paragraphs,
    parse_iso_datetime,
    parse_numeric_date,
    text_of,
)

LAYOUT = "hani-en"
HOST = "english.hani.co.kr"
ORIGINAL_BUTTON_ALT = "button that move to original korean article (클릭시 원문으로 이동하는 버튼)"

_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_EN_DATE = re.compile(r"([A-Za-z]{3})[a-z]*\.?\s*(\d{1,2})\s*,?\s*(\d{4})(?:\s+(\d{1,2}):(\d{2}))?")
_POSTED = re.compile(r"Posted on\s*:?\s*(.+?)(?:\s*KST|\s*Modified on|$)", re.IGNORECASE)
_MODIFIED = re.compile(r"Modified on\s*:?\s*(.+?)(?:\s*KST|$)", re.IGNORECASE)
_BYLINE = re.compile(
    r"^By\s+(?P<who>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,4}"
    r"(?:\s*(?:,|\band\b|&)\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,4})*)"
    r"(?P<role>\s*,\s*[^.!?]*)?\.?$"
)
# A credit ends with what the person is: "staff reporter", "Washington correspondent".
_ROLE_END = re.compile(
    r"(reporter|correspondent|writer|editor|columnist|contributor|professor|researcher|intern|"
    r"staff|journalist|director|chief|fellow|critic|commentator|photographer)s?\W*$",
    re.IGNORECASE,
)
_TRAILER_STARTS = (
    "please direct questions or comments",
    "related stories",
    "most viewed articles",
    "related article",
    "more news",
)
_SECTION_PATH = re.compile(r"/arti/english_edition/([^/]+)/")


def looks_like(root: etree._Element, url: str | None) -> bool:
    """An English-edition article page: by host, or by its marker elements."""
    if url and (urlsplit(url).hostname or "").lower().endswith(HOST):
        return True
    return bool(root.xpath("//*[@id='titleapp'] | //*[@id='bodyapp']"))


def parse_en_date(text: str | None) -> str | None:
    """ "2015-03-30 16:26" or "Nov.22,2017 16:20" (Korea time) to ISO 8601; None when unreadable."""
    if not text:
        return None
    iso = parse_numeric_date(text)
    if iso:
        return iso
    m = _EN_DATE.search(text)
    if not m or m.group(1).lower() not in _MONTHS:
        return None
    mon = _MONTHS[m.group(1).lower()]
    hour, minute = (int(m.group(4)), int(m.group(5))) if m.group(4) else (0, 0)
    return kst_iso(int(m.group(3)), mon, int(m.group(2)), hour, minute)


def split_byline(text: str) -> str | None:
    """The credit of a byline paragraph ("By Park Hyun, Washington correspondent" ->
    "Park Hyun, Washington correspondent"), or None when it is an ordinary sentence."""
    if len(text) > 160:
        return None
    m = _BYLINE.match(text)
    if not m:
        return None
    role = m.group("role") or ""
    if role and not _ROLE_END.search(role):
        return None
    if not role and len(text.split()) > 6:
        return None
    return text[3:].strip().rstrip(".")


def section_of(url: str | None) -> str | None:
    if not url:
        return None
    m = _SECTION_PATH.search(urlsplit(url).path)
    return m.group(1) if m else None


def original_link(root: etree._Element, url: str | None) -> str | None:
    """The Korean original's URL: the ``<a>`` around the original-article button image.

    Only a web address counts: ``javascript:``, ``data:``, ``file:``, ``mailto:`` and the
    like, fragments and malformed addresses are skipped, so no caller ever tries to
    fetch or look up such a thing as a Korean page.
    """
    hrefs = root.xpath(
        "//a[@href][.//img[contains(@alt, 'original korean article') or contains(@alt, '원문으로 이동')]]/@href"
    )
    for href in hrefs:
        href = href.strip()
        if not href or href.startswith("#"):
            continue
        try:
            link = urljoin(url, href) if url else href
            scheme = urlsplit(link).scheme.lower()
        except ValueError:
            continue
        if scheme in ("http", "https") or (not scheme and not url):
            return link
    return None


def _dates(root: etree._Element) -> tuple[str | None, str | None]:
    box = first(root, f"//div[{has_class('headline-data')}]", f"//*[{has_class('headline-data')}]")
    if box is not None:
        text = text_of(box)
        posted = _POSTED.search(text)
        modified = _MODIFIED.search(text)
        return (
            parse_en_date(posted.group(1)) if posted else parse_en_date(text),
            parse_en_date(modified.group(1)) if modified else None,
        )
    return (
        parse_iso_datetime(meta_content(root, "article:published_time")),
        parse_iso_datetime(meta_content(root, "article:modified_time")),
    )


def _title(root: etree._Element) -> str:
    el = first(
        root,
        "//h2[@id='titleapp']",
        "//*[@id='titleapp']",
        f"//div[{has_class('article-head')}]//h2",
        f"//h2[{has_class('title')}]",
    )
    title = text_of(el)
    if not title:
        title = meta_content(root, "og:title") or text_of(first(root, "//title"))
        title = re.split(r"\s+[:|]\s+", title)[0] if title else ""
    return title


def _subtitle(root: etree._Element) -> str | None:
    el = first(root, f"//*[@id='bodyapp']//*[{has_class('subtitle')}]", f"//*[{has_class('subtitle')}]")
    text = text_of(el, sep="\n")
    return text or None


def _cut_trailer(paras: list[Para]) -> tuple[list[Para], list[Para]]:
    """(body, trailer): the trailer starts at "Please direct questions..." or a list heading."""
    for i, p in enumerate(paras):
        low = p.text.lower()
        if any(low.startswith(s) for s in _TRAILER_STARTS) or low == ORIGINAL_BUTTON_ALT.lower():
            return paras[:i], paras[i:]
    return paras, []


def _take_byline(paras: list[Para], trailer: list[Para]) -> tuple[list[Para], str | None]:
    """Remove the byline paragraph: looked for in the body's last three paragraphs, then
    its first, then the trailer (some pages sign off after the questions line)."""
    candidates = list(range(len(paras) - 1, max(-1, len(paras) - 4), -1))
    if paras and 0 not in candidates:
        candidates.append(0)
    for i in candidates:
        who = split_byline(paras[i].text)
        if who:
            return paras[:i] + paras[i + 1 :], who
    for p in trailer[:3]:
        who = split_byline(p.text)
        if who:
            return paras, who
    return paras, None


def parse(root: etree._Element, url: str | None) -> Article:
    """Read an English-edition page. The caller checks that the body is not empty."""
    url = url or canonical_url(root)
    title = _title(root)
    published, modified = _dates(root)
    subtitle = _subtitle(root)
    original = original_link(root, url)

    body = first(root, "//div[@id='bodyapp']", "//*[@id='bodyapp']", f"//div[{has_class('article-text')}]")
    paras: list[Para] = []
    byline = None
    if body is not None:
        drop(body, f".//*[{has_class('subtitle')}]")
        drop(body, ".//a[.//img[contains(@alt, 'original korean article') or contains(@alt, '원문으로 이동')]]")
        drop(
            body,
            ".//*[contains(@class, 'related') or contains(@class, 'most-viewed') "
            "or contains(@class, 'mostviewed') or contains(@class, 'share') or contains(@class, 'banner')]",
        )
        captions = drop_image_blocks(body)
        paras, trailer = _cut_trailer(paragraphs(body))
        paras, byline = _take_byline(paras, trailer)
        paras = drop_captions(paras, captions)
        paras = [p for p in paras if not p.heading]
    return Article(
        lang="en",
        title=title,
        paragraphs=[p.text for p in paras],
        url=url,
        subtitle=subtitle,
        published=published,
        modified=modified,
        byline=byline,
        section=section_of(url),
        original_url=original,
        layout=LAYOUT,
    )

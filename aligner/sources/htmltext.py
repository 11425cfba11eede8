"""Shared HTML helpers for the page parsers: parse, prune, and cut a body into paragraphs.

News bodies mix ``<p>`` paragraphs with runs of ``<br>`` (the Hankyoreh uses both), so
paragraphs are cut at block elements and at two or more consecutive ``<br>``; a single
``<br>`` is a soft line break inside a paragraph. A paragraph whose text is all bold or
heading text is flagged ``heading`` so the parsers can drop subheadings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import lxml.html
from lxml import etree

from aligner.errors import InputError
from aligner.sources.clean import clean_line

KST = timezone(timedelta(hours=9))
BLOCK_TAGS = frozenset(
    "p div section article blockquote li ul ol dl dt dd h1 h2 h3 h4 h5 h6 table thead tbody "
    "tfoot tr td th figure figcaption header footer aside pre form center main nav hr address".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
BOLD_TAGS = frozenset("b strong".split())
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "button",
    "svg",
    "template",
    "input",
    "select",
    "textarea",
    "picture",
    "img",
    "source",
    "map",
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_MAX_HEADING_CHARS = 150


@dataclass
class Para:
    """A paragraph of a page body; ``heading`` when every word of it is bold or in a heading."""

    text: str
    heading: bool = False


def parse_html(text: str, item: str | None = None) -> etree._Element:
    """The document tree; InputError when lxml finds nothing to parse.

    At one of libxml2's limits (256 levels of nesting, a text run of 10 MB) it drops the
    *whole* text of the page, which would surface as a puzzling "no article body"; say
    what happened instead.
    """
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise InputError(item, "empty page")
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(item, f"not an HTML page ({exc})") from None
    limit = next((e for e in parser.error_log if e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT), None)
    if limit is not None:
        if "depth" in limit.message:
            raise InputError(item, "elements nested deeper than the HTML parser's limit of 256 levels; page not read")
        raise InputError(item, f"the HTML parser hit a limit ({limit.message.strip()}); page not read")
    return root


def clean_space(text: str) -> str:
    """Collapse every run of whitespace (NBSP and ideographic space too) to one space, with
    control and format characters removed first (:func:`~aligner.sources.clean.clean_line`),
    so the parsers' tests for bylines, pleas and captions see the text a reader sees."""
    return clean_line(text)


def text_of(el: etree._Element | None, sep: str = " ") -> str:
    """All text under ``el``, whitespace-collapsed, with ``<br>`` as ``sep``."""
    if el is None:
        return ""
    parts: list[str] = []
    mark = "\x00"  # stands for <br> until the end, so source newlines are not line breaks

    def walk(node: etree._Element) -> None:
        if isinstance(node.tag, str):
            if node.tag == "br":
                parts.append(mark)
            elif node.text:
                parts.append(node.text)
            if node.tag not in DROP_TAGS:
                for child in node:
                    walk(child)
                    if child.tail:
                        parts.append(child.tail)

    walk(el)
    return sep.join(clean_space(x) for x in "".join(parts).split(mark) if clean_space(x))


def class_has(fragment: str) -> str:
    """XPath predicate: the class attribute contains ``fragment`` (for hashed class names)."""
    return f"contains(@class, '{fragment}')"


def has_class(token: str) -> str:
    """XPath predicate: ``token`` is one of the element's classes."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {token} ')"


def first(root: etree._Element, *xpaths: str) -> etree._Element | None:
    """The first element matched by the first XPath that matches anything."""
    for xp in xpaths:
        found = root.xpath(xp)
        if found:
            return found[0]
    return None


def drop(root: etree._Element, xpath: str) -> int:
    """Remove every element matched by ``xpath`` (keeping their tails); returns how many."""
    found = [el for el in root.xpath(xpath) if isinstance(el.tag, str)]
    for el in found:
        if el.getparent() is not None:
            el.drop_tree()
    return len(found)


def paragraphs(el: etree._Element) -> list[Para]:
    """Cut ``el`` into paragraphs at block elements and runs of two or more ``<br>``."""
    out: list[Para] = []
    segs: list[tuple[str, bool]] = []  # (text, bold)
    pending_br = 0

    def flush() -> None:
        nonlocal segs, pending_br
        text = clean_space("".join(t for t, _ in segs))
        if text:
            visible = [(t, b) for t, b in segs if t.strip()]
            heading = all(b for _, b in visible) and len(text) <= _MAX_HEADING_CHARS
            out.append(Para(text, heading))
        segs = []
        pending_br = 0

    def add(text: str | None, bold: bool) -> None:
        nonlocal pending_br
        if not text:
            return
        if text.strip():
            if pending_br >= 2:
                flush()
            elif pending_br == 1:
                segs.append((" ", bold))
            pending_br = 0
        segs.append((text, bold))

    def walk(node: etree._Element, bold: bool) -> None:
        nonlocal pending_br
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None or tag in DROP_TAGS:
            return
        if tag == "br":
            pending_br += 1
            return
        block = tag in BLOCK_TAGS
        inner_bold = bold or tag in BOLD_TAGS or tag in HEADING_TAGS
        if block:
            flush()
        add(node.text, inner_bold)
        for child in node:
            walk(child, inner_bold)
            add(child.tail, inner_bold)
        if block:
            flush()

    walk(el, False)
    flush()
    return out


def kst_iso(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> str | None:
    """ISO 8601 in Korea time, e.g. ``2015-03-30T16:26:00+09:00``; None for an impossible date."""
    try:
        return datetime(year, month, day, hour, minute, tzinfo=KST).isoformat()
    except ValueError:
        return None


_ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2}))?")


def parse_numeric_date(text: str | None) -> str | None:
    """``2015-03-30 16:26`` (or ``2015.03.30``) in Korea time to ISO 8601; None when absent."""
    if not text:
        return None
    m = _ISO_DATE.search(text)
    if not m:
        return None
    y, mo, d, h, mi = (int(g) if g else 0 for g in m.groups())
    return kst_iso(y, mo, d, h, mi)


def parse_iso_datetime(text: str | None) -> str | None:
    """An ISO timestamp from a ``<meta>``; naive times are taken as Korea time."""
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return parse_numeric_date(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=KST)
    return dt.isoformat()


def meta_content(root: etree._Element, *names: str) -> str | None:
    """Content of the first ``<meta property=...>`` or ``<meta name=...>`` among ``names``."""
    for name in names:
        found = root.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")
        for value in found:
            if value.strip():
                return value.strip()
    return None


_LOWER = "translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
# Blocks inside an article body that hold photos and their captions.
_IMAGE_BLOCKS = (
    ".//figure | .//figcaption"
    f" | .//*[contains({_LOWER}, 'image') or contains({_LOWER}, 'photo')"
    f" or contains({_LOWER}, 'caption') or {has_class('desc')}]"
    " | .//table[.//img]"
)
_CAPTION_MAX_CHARS = 600


def drop_image_blocks(body: etree._Element) -> set[str]:
    """Remove photo/caption blocks from a body; returns their texts and image alt texts.

    A block is only dropped when its text is caption-sized, so a wrapper whose class
    happens to say "image" cannot take the article with it. The returned texts let the
    caller drop caption copies that sit elsewhere (captions appear twice in page text).
    """
    captions: set[str] = set()
    for img in body.xpath(".//img[@alt]"):
        alt = clean_space(img.get("alt", ""))
        if len(alt) > 15:
            captions.add(alt)
    for el in body.xpath(_IMAGE_BLOCKS):
        if el is body or not any(a is body for a in el.iterancestors()):
            continue  # the body itself, or inside a block already dropped
        text = text_of(el)
        if len(text) <= _CAPTION_MAX_CHARS:
            if text:
                captions.add(text)
            el.drop_tree()
    return captions


def drop_captions(paras: list[Para], captions: set[str]) -> list[Para]:
    """Drop paragraphs that repeat a caption, and short paragraphs that appear twice in a row."""
    out: list[Para] = []
    i = 0
    while i < len(paras):
        p = paras[i]
        if p.text in captions:
            i += 1
            continue
        if i + 1 < len(paras) and paras[i + 1].text == p.text and len(p.text) <= _CAPTION_MAX_CHARS:
            i += 2  # the same short text twice: a caption left outside its image block
            continue
        out.append(p)
        i += 1
    return out


def canonical_url(root: etree._Element) -> str | None:
    """The page's own idea of its URL (``<link rel=canonical>`` or ``og:url``)."""
    for href in root.xpath("//link[@rel='canonical']/@href"):
        if href.strip().startswith(("http://", "https://")):
            return href.strip()
    value = meta_content(root, "og:url")
    if value and value.startswith(("http://", "https://")):
        return value
    return None
